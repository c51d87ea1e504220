"""Een ontwikkelgesprek voorbereiden (actions 2.4, 3.1, 3.7): a few questions of the
development library (each may be skipped), then goals in her own words with what she will do
for each and by when; the result is her POP, kept, and shared with her manager if she wants."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from rapidfuzz import fuzz

from dialogs.development import goal
from dialogs.development.cards import plan_cards
from dialogs.development.port import MAX_ANSWER, MAX_GOALS, Goal, PlanDraft
from dialogs.development.sharing import managers_of, tell_managers
from dialogs.kit import (
    Ask,
    Block,
    Call,
    Choice,
    Choose,
    Dialog,
    Flow,
    TextBlock,
    Turn,
    join,
    plain,
    say,
)
from engine import parsing
from engine.text import fold
from knowledge.prompts import load_prompts

#: the preparing questions: strengths, learned in practice, what to be able to do, next months
QUESTIONS = ("development-11", "development-04", "development-01", "development-16")
SKIP = "__skip__"
SKIP_SIMILARITY = 85
SKIP_WORDS = frozenset({"sla over", "overslaan", "skip", "volgende", "next", "sla deze over",
                        "geen idee", "pas"})


class DevelopmentState(BaseModel):
    before: PlanDraft | None = None  # her POP when she started (new goals are added to it)
    index: int = 0
    answers: dict[str, str] = {}
    goals: list[Goal] = []
    decision: str | None = None  # share | save | discard


async def start(turn: Turn, text: str) -> DevelopmentState:
    plan = await turn.development.plan(turn.member.user)
    if plan is None:
        return DevelopmentState()
    before = PlanDraft(answers=plan.answers, goals=plan.goals)
    return DevelopmentState(before=before, answers=dict(plan.answers), goals=list(plan.goals))


def question_prompt(turn: Turn, state: DevelopmentState) -> Any:
    question = load_prompts().get(QUESTIONS[state.index])
    asked = say(turn.lang, "development.question", number=state.index + 1,
                total=len(QUESTIONS), question=plain(question.text.get(turn.lang)))
    parts = []
    if state.index == 0:
        parts.append(say(turn.lang, "development.intro_again" if state.before
                         else "development.intro"))
    parts.append(asked)
    earlier = state.answers.get(question.id)
    if earlier:
        parts.append(say(turn.lang, "development.earlier_answer", answer=earlier))
    return join(parts)


def skip_choice(turn: Turn, state: DevelopmentState) -> list[Choice]:
    return [Choice(value=SKIP, label=say(turn.lang, "development.skip"))]


def skipped(text: str) -> bool:
    """The skip button, pressed, typed as its number (the console numbers it 1) or in words
    (a typo allowed: "sla ovr"), or left open ("weet ik niet", "maakt niet uit")."""
    if text in {SKIP, "1"} or parsing.read_no_answer(text) is not None:
        return True
    words = fold(text).strip(" .!")
    return any(fuzz.ratio(words, skip) >= SKIP_SIMILARITY for skip in SKIP_WORDS)


def answer_question(turn: Turn, state: DevelopmentState, text: str) -> Any:
    answers = dict(state.answers)
    if not skipped(text):
        answers[QUESTIONS[state.index]] = text[:MAX_ANSWER]
    moved = state.model_copy(update={"answers": answers, "index": state.index + 1})
    if moved.index < len(QUESTIONS):
        return Flow(state=moved, goto="vraag")
    return moved


def add_goal(turn: Turn, state: DevelopmentState, result: Goal) -> DevelopmentState:
    return state.model_copy(update={"goals": [*state.goals, result]})


def more_prompt(turn: Turn, state: DevelopmentState) -> list[Block]:
    question = "development.ask_more" if len(state.goals) < MAX_GOALS else "development.full"
    return [*plan_cards(turn, PlanDraft(answers=state.answers, goals=state.goals))[1:],
            TextBlock(text=say(turn.lang, question, max=MAX_GOALS))]


def more_choices(turn: Turn, state: DevelopmentState) -> list[Choice]:
    choices = [Choice(value="done", label=say(turn.lang, "development.more.done"),
                      style="primary")]
    if len(state.goals) < MAX_GOALS:
        choices.insert(0, Choice(value="another", label=say(turn.lang,
                                                            "development.more.another")))
    return choices


def pick_more(turn: Turn, state: DevelopmentState, value: str) -> Any:
    if value == "another":
        return Flow(state=state, goto="doel")
    return state


def save_prompt(turn: Turn, state: DevelopmentState) -> list[Block]:
    draft = PlanDraft(answers=state.answers, goals=state.goals)
    return [*plan_cards(turn, draft)[:1], TextBlock(text=say(turn.lang, "development.ask_save"))]


def save_choices(turn: Turn, state: DevelopmentState) -> list[Choice]:
    return [Choice(value="share", label=say(turn.lang, "development.save.share"),
                   style="primary"),
            Choice(value="save", label=say(turn.lang, "development.save.keep")),
            Choice(value="discard", label=say(turn.lang, "development.save.discard"),
                   style="danger")]


def pick_save(turn: Turn, state: DevelopmentState, value: str) -> Flow[DevelopmentState]:
    return Flow(state=state.model_copy(update={"decision": value}), done=True)


async def finish(turn: Turn, state: DevelopmentState) -> list[Block]:
    if state.decision not in {"share", "save"} or not state.goals:
        key = "development.discarded_kept" if state.before else "development.discarded"
        return [TextBlock(text=say(turn.lang, key))]
    me = turn.member.user
    plan = await turn.development.save_plan(me, PlanDraft(answers=state.answers,
                                                          goals=state.goals))
    said = [say(turn.lang, "development.saved", count=len(plan.goals))]
    if state.decision == "share":
        plan = await turn.development.set_shared(me, True) or plan
        managers = await tell_managers(turn, plan)
        if managers:
            names = ", ".join(m.name or m.user for m in managers)
            said.append(say(turn.lang, "development.shared_with", names=names,
                            count=len(managers)))
        else:
            said.append(say(turn.lang, "development.shared_no_manager"))
    elif plan.shared:
        said.append(say(turn.lang, "development.still_shared" if await managers_of(turn, me)
                        else "development.still_shared_hr"))
    said.append(say(turn.lang, "development.find_it"))
    return [*plan_cards(turn, plan), TextBlock(text=join(said))]


DIALOG = Dialog(
    id="development", title="development.title", state=DevelopmentState, start=start,
    finish=finish, help="development.help", menu=55, aliases=["ontwikkelgesprek"],
    steps=[
        Ask("vraag", prompt=question_prompt, handle=answer_question, suggestions=skip_choice,
            help="development.help_question"),
        Call("doel", dialog=goal.DIALOG, handle=add_goal,
             skip=lambda turn, state: len(state.goals) >= MAX_GOALS),
        Choose("meer", prompt=more_prompt, options=more_choices, handle=pick_more),
        Choose("bewaren", prompt=save_prompt, options=save_choices, handle=pick_save),
    ],
    phrases=["ontwikkelgesprek", "ontwikkelgesprek voorbereiden", "pop maken",
             "persoonlijk ontwikkelplan maken", "mijn ontwikkeling plannen",
             "functioneringsgesprek voorbereiden", "ik heb binnenkort een ontwikkelgesprek",
             "ik heb een functioneringsgesprek", "development conversation",
             "prepare my development conversation", "make a development plan"],
)
