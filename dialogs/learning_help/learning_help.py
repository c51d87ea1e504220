"""Leerhulp (employee): "ik wil beter worden in ..." -> matched competencies -> trainings that
fit the employee's level and format preference, plus informal ways to learn from the action
library; the self-scan questions of action 3.2; saved as a personal learning wish."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from dialogs.kit import (
    Ask,
    Block,
    CardBlock,
    Choice,
    Choose,
    Confirm,
    Dialog,
    Fact,
    Flow,
    Form,
    FormField,
    InputError,
    Rich,
    TextBlock,
    Turn,
    join,
    plain,
    say,
    user,
)
from engine.competencies import label, labels
from engine.paths import TargetGroup, fit_score
from knowledge.actions import load_action_library
from knowledge.catalogue import Training
from knowledge.prompts import LibraryQuestion, load_prompts

LEVELS = ("mbo", "hbo", "wo", "unknown")
FORMATS = ("online", "microlearning", "webinar", "blended", "klassikaal")
#: Informal ways to learn, each with the action of the library it comes from.
INFORMAL = (("colleague", "6.4"), ("buddy", "4.2"), ("shadowing", "4.5"), ("forum", "1.2"))
OTHER = "__other__"
MAX_TRAININGS = 5
MAX_COLLEAGUES = 3
MAX_ANSWER = 1000
SUGGEST_FROM = 45.0  # below the confident score, offer "bedoel je ...?" from this score on
CLOSE_SCORE = 3.0  # a second match this close to the best one is named too


class HelpState(BaseModel):
    text: str = ""
    candidates: list[str] = []
    competencies: list[str] = []
    level: str = "unknown"
    formats: list[str] = []
    next: str | None = None  # save | reflect | done
    reflection: dict[str, str] = {}
    reflect_index: int = 0
    save: bool = False


# ---------------------------------------------------------------------- the wish


async def _understand(turn: Turn, state: HelpState, text: str) -> HelpState:
    """Match the wish; confident -> competencies, unsure -> candidates for 'bedoel je'."""
    matcher = await turn.catalogue.matcher()
    result = await matcher.match_async(text, k=3)
    if result.confident and result.best is not None:
        close = [m.competency for m in result.matches[1:]
                 if m.score >= result.best.score - CLOSE_SCORE]
        return state.model_copy(update={"text": text, "candidates": [],
                                        "competencies": [result.best.competency, *close][:2]})
    candidates = [m.competency for m in result.matches if m.score >= SUGGEST_FROM]
    if not candidates:
        raise InputError("learning_help.no_match", text=text)
    return state.model_copy(update={"text": text, "candidates": candidates, "competencies": []})


async def start(turn: Turn, text: str) -> HelpState:
    if text.strip():
        try:
            return await _understand(turn, HelpState(), text.strip())
        except InputError:
            return HelpState()
    return HelpState()


async def ask_wish(turn: Turn, state: HelpState, text: str) -> HelpState:
    return await _understand(turn, state, text)


def did_you_mean(turn: Turn, state: HelpState) -> Rich:
    return say(turn.lang, "learning_help.did_you_mean", text=state.text)


def candidate_choices(turn: Turn, state: HelpState) -> list[Choice]:
    return [*(Choice(value=c, label=user(label(c, turn.lang))) for c in state.candidates),
            Choice(value=OTHER, label=say(turn.lang, "learning_help.something_else"))]


def pick_candidate(turn: Turn, state: HelpState, value: str) -> HelpState | Flow[HelpState]:
    if value == OTHER:
        return Flow(state=HelpState(), goto="wens")
    return state.model_copy(update={"competencies": [value], "candidates": []})


# ---------------------------------------------------------------------- preferences


def searching_in(turn: Turn, state: HelpState) -> Rich:
    return say(turn.lang, "learning_help.found", topic=labels(state.competencies, turn.lang))


def preference_fields(turn: Turn, state: HelpState) -> list[FormField]:
    return [
        FormField(name="level", label=say(turn.lang, "learning_help.field.level"),
                  kind="choice", default="unknown",
                  choices=[Choice(value=v, label=say(turn.lang, f"learning_help.level.{v}"))
                           for v in LEVELS]),
        FormField(name="formats", label=say(turn.lang, "learning_help.field.formats"),
                  kind="multichoice", required=False,
                  choices=[Choice(value=f, label=say(turn.lang, f"format.{f}"))
                           for f in FORMATS]),
    ]


def set_preferences(turn: Turn, state: HelpState, values: dict[str, Any]) -> HelpState:
    return state.model_copy(update={"level": values["level"],
                                    "formats": values["formats"] or []})


# ---------------------------------------------------------------------- the offer


async def _trainings(turn: Turn, state: HelpState) -> tuple[list[Training], bool]:
    """Trainings for the competencies, best fit first; False when none meets the formats."""
    matcher = await turn.catalogue.matcher()
    found: dict[str, Training] = {}
    for name in state.competencies:
        if name in matcher.labels:
            for training in matcher.trainings(name):
                found.setdefault(training.id, training)
    group = TargetGroup(education=[] if state.level == "unknown" else [state.level])
    allowed = [t for t in found.values() if not state.formats or t.format in state.formats]
    pool, fits_formats = (allowed, True) if allowed else (list(found.values()), False)
    pool.sort(key=lambda t: (-fit_score(t, group), t.minutes, t.title))
    return pool[:MAX_TRAININGS], fits_formats or not found


def _training_fact(turn: Turn, training: Training) -> Fact:
    shown = say(turn.lang, f"format.{training.format}") if training.format in FORMATS \
        else training.format
    details = say(turn.lang, "learning_help.training_details", minutes=training.minutes,
                  format=shown, level=training.level or "-")
    return Fact(label=user(training.title), value=details)


async def _trainings_block(turn: Turn, state: HelpState) -> Block:
    trainings, fits = await _trainings(turn, state)
    topic = labels(state.competencies, turn.lang)
    if not trainings:
        return TextBlock(text=say(turn.lang, "learning_help.no_trainings", topic=topic))
    note = None if fits else say(turn.lang, "learning_help.no_format_fit")
    return CardBlock(title=say(turn.lang, "learning_help.trainings_title", topic=topic),
                     text=note, facts=[_training_fact(turn, t) for t in trainings])


async def _informal_block(turn: Turn, state: HelpState) -> Block:
    """Ways to learn it at work, naming colleagues whose profile has it."""
    colleagues = await turn.profiles.colleagues_for(state.competencies,
                                                    exclude=turn.member.user)
    library = load_action_library()
    lines: list[Rich] = []
    for key, action_id in INFORMAL:
        line = say(turn.lang, f"learning_help.informal.{key}",
                   action=library.action(action_id).id)
        if key == "colleague" and colleagues:
            names = ", ".join(c.name or c.user for c in colleagues[:MAX_COLLEAGUES])
            line = line + say(turn.lang, "learning_help.colleagues", names=names)
        lines.append(plain("- ") + line)
    return TextBlock(text=join([say(turn.lang, "learning_help.informal_title"), *lines]))


async def offer(turn: Turn, state: HelpState) -> list[Block]:
    return [await _trainings_block(turn, state), await _informal_block(turn, state),
            TextBlock(text=say(turn.lang, "learning_help.ask_next"))]


def next_choices(turn: Turn, state: HelpState) -> list[Choice]:
    return [Choice(value="save", label=say(turn.lang, "learning_help.next.save"),
                   style="primary"),
            Choice(value="reflect", label=say(turn.lang, "learning_help.next.reflect")),
            Choice(value="done", label=say(turn.lang, "learning_help.next.done"))]


def pick_next(turn: Turn, state: HelpState, value: str) -> HelpState | Flow[HelpState]:
    chosen = state.model_copy(update={"next": value})
    if value == "save":
        return Flow(state=chosen.model_copy(update={"save": True}), done=True)
    if value == "done":
        return Flow(state=chosen, done=True)
    return chosen.model_copy(update={"reflect_index": 0, "reflection": {}})


# ---------------------------------------------------------------------- self-scan (action 3.2)


def _selfscan() -> list[LibraryQuestion]:
    return load_prompts().of("selfscan")


def reflect_prompt(turn: Turn, state: HelpState) -> Rich:
    questions = _selfscan()
    question = questions[state.reflect_index]
    intro = say(turn.lang, "learning_help.reflect_intro") if state.reflect_index == 0 else None
    text = say(turn.lang, "learning_help.reflect_question", number=state.reflect_index + 1,
               total=len(questions), question=plain(question.text.get(turn.lang)))
    return join([intro, text]) if intro else text


def reflect(turn: Turn, state: HelpState, text: str) -> HelpState | Flow[HelpState]:
    questions = _selfscan()
    question = questions[state.reflect_index]
    reflection = {**state.reflection, question.id: text[:MAX_ANSWER]}
    moved = state.model_copy(update={"reflection": reflection,
                                     "reflect_index": state.reflect_index + 1})
    if moved.reflect_index < len(questions):
        return Flow(state=moved, goto="zelfscan")
    return moved


def confirm_save(turn: Turn, state: HelpState, yes: bool) -> Flow[HelpState]:
    return Flow(state=state.model_copy(update={"save": yes}), done=True)


async def finish(turn: Turn, state: HelpState) -> list[Block]:
    if not state.save:
        return [TextBlock(text=say(turn.lang, "learning_help.bye"))]
    await turn.learning_wishes.save_wish(turn.member.user, state.text, state.competencies,
                                         state.reflection)
    return [TextBlock(text=say(turn.lang, "learning_help.saved",
                               topic=labels(state.competencies, turn.lang)))]


DIALOG = Dialog(
    id="learning_help", title="learning_help.title", state=HelpState, start=start,
    finish=finish, help="learning_help.help", menu=10, aliases=["leerhulp"],
    steps=[
        Ask("wens", prompt="learning_help.ask_wish", handle=ask_wish,
            skip=lambda turn, state: bool(state.competencies or state.candidates)),
        Choose("bedoel", prompt=did_you_mean, options=candidate_choices, handle=pick_candidate,
               skip=lambda turn, state: not state.candidates),
        Form("voorkeur", prompt=searching_in,
             title=lambda turn, state: say(turn.lang, "learning_help.preferences"),
             fields=preference_fields, handle=set_preferences),
        Choose("aanbod", prompt=offer, options=next_choices, handle=pick_next),
        Ask("zelfscan", prompt=reflect_prompt, handle=reflect,
            help="learning_help.help_reflect", skip=lambda turn, state: state.next != "reflect"),
        Confirm("bewaren", prompt="learning_help.ask_save", handle=confirm_save),
    ],
    phrases=["leerhulp", "ik wil leren", "ik wil iets leren", "ik wil beter worden in",
             "ik zoek hulp bij", "hulp bij leren", "ik wil me ontwikkelen", "cursus zoeken",
             "training zoeken", "i want to learn", "help me learn", "find a training",
             "i want to get better at"],
)
