"""Kennisrondje (action 6.2): every team member answers a few questions such as "Waarvoor mag
men jou bellen?", so colleagues know whom to ask. The answers are named and shared with the
team by design, and feed the expertise directory ("wie kan helpen met ...").

For a lead (without an invitation): pick the team and the questions, then start it now or plan
it. For a member (from the invitation, by typing an answer while one is open, or by asking for
it without leading a team): answer the questions (``answer_round``)."""

from __future__ import annotations

from dialogs.kit import (
    Block,
    Call,
    CardBlock,
    Choice,
    Choose,
    Confirm,
    Dialog,
    Fact,
    Flow,
    Rich,
    TextBlock,
    Turn,
    say,
    user,
)
from dialogs.rounds import answer_round
from dialogs.rounds.answer_round import AnswerRoundState, RoundAnswers
from dialogs.rounds.answering import (
    Answering,
    RoundState,
    answer_skip,
    lead_skip,
    open_round,
    round_start,
)
from dialogs.rounds.questions import questions_step, texts_of
from dialogs.rounds.schedule import FREQUENCIES, describe, time_step, weekday_step
from dialogs.rounds.team_choice import team_name, team_step

KIND = "kennisrondje"
DEFAULT_QUESTIONS = ["kennisrondje-01", "kennisrondje-02", "kennisrondje-06"]
NOW = "now"


class KnowledgeRoundState(RoundState):
    when: str | None = None  # now | weekly | biweekly | monthly


async def start(turn: Turn, text: str) -> KnowledgeRoundState:
    return await round_start(turn, text, KIND, KnowledgeRoundState)


async def claims(turn: Turn, text: str) -> str | None:
    return await open_round(turn, KIND)


# ---------------------------------------------------------------------------- the lead plans


def when_options(turn: Turn, state: KnowledgeRoundState) -> list[Choice]:
    return [Choice(value=NOW, label=say(turn.lang, "knowledge_round.when.now"), style="primary"),
            *[Choice(value=f, label=say(turn.lang, f"rounds.frequency.{f}"))
              for f in FREQUENCIES]]


def set_when(turn: Turn, state: KnowledgeRoundState, value: str) -> KnowledgeRoundState:
    draft = state.draft.model_copy(update={"frequency": value if value != NOW else "weekly"})
    return state.model_copy(update={"when": value, "draft": draft})


def not_planned(turn: Turn, state: KnowledgeRoundState) -> bool:
    return lead_skip(turn, state) or state.when in (None, NOW)


def questions(turn: Turn, state: KnowledgeRoundState) -> list[str]:
    return texts_of(KIND, turn.lang, state.question_ids or DEFAULT_QUESTIONS)


def review(turn: Turn, state: KnowledgeRoundState) -> list[Block]:
    when: Rich = say(turn.lang, "knowledge_round.when.now") if state.when == NOW \
        else describe(turn, state.draft)
    facts = [Fact(label=say(turn.lang, "rounds.fact.team"),
                  value=user(team_name(state.teams, state.team_id))),
             Fact(label=say(turn.lang, "rounds.fact.when"), value=when),
             *[Fact(label=say(turn.lang, "rounds.fact.question", number=n + 1),
                    value=user(q)) for n, q in enumerate(questions(turn, state))]]
    return [CardBlock(title=say(turn.lang, "knowledge_round.review_title"), facts=facts),
            TextBlock(text=say(turn.lang, "knowledge_round.ask_start"))]


def confirm(turn: Turn, state: KnowledgeRoundState, yes: bool) -> Flow[KnowledgeRoundState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


async def plan(turn: Turn, state: KnowledgeRoundState) -> list[Block]:
    """Start the round now, or save its schedule."""
    if not state.teams:
        return [TextBlock(text=say(turn.lang, "rounds.no_teams"))]
    if not state.confirmed or state.team_id is None:
        return [TextBlock(text=say(turn.lang, "rounds.not_saved"))]
    team = team_name(state.teams, state.team_id)
    if state.when == NOW:
        run = await turn.rounds.start_run(KIND, state.team_id, questions(turn, state),
                                          turn.member.user)
        return [TextBlock(text=say(turn.lang, "knowledge_round.started", count=run.total,
                                   team=team))]
    await turn.rounds.save_schedule(state.team_id, KIND, state.draft.rule(),
                                    questions(turn, state), turn.member.user)
    return [TextBlock(text=say(turn.lang, "knowledge_round.saved",
                               when=describe(turn, state.draft, True), team=team))]


# ---------------------------------------------------------------------------- members answer


def current(state: KnowledgeRoundState) -> Answering:
    assert state.answering is not None
    return state.answering


def begin_answers(turn: Turn, state: KnowledgeRoundState) -> AnswerRoundState:
    run = current(state)
    intro = say(turn.lang, "knowledge_round.answer_intro", team=run.team)
    return run.answer_round(intro=intro, review=say(turn.lang, "knowledge_round.ask_save_answers"))


def take_answers(turn: Turn, state: KnowledgeRoundState,
                 result: RoundAnswers) -> Flow[KnowledgeRoundState]:
    return Flow(state=state.model_copy(update={
        "answering": current(state).answered(result.answers), "confirmed": result.confirmed}),
        done=True)


async def save_answers(turn: Turn, state: KnowledgeRoundState) -> list[Block]:
    """The answers, named and shared with the team; all skipped closes the invitation and
    keeps nothing."""
    run = current(state)
    if not state.confirmed:
        return [TextBlock(text=say(turn.lang, "rounds.not_saved_answer"))]
    if not any(run.answers):
        await turn.rounds.save_answer(KIND, turn.member.user, "", "", run_id=run.run_id,
                                      team_id=run.team_id, status="skipped")
        return [TextBlock(text=say(turn.lang, "knowledge_round.all_skipped"))]
    for question, text in zip(run.questions, run.answers, strict=False):
        if text:
            await turn.rounds.save_answer(KIND, turn.member.user, question, text,
                                          run_id=run.run_id, team_id=run.team_id, shared=True)
    return [TextBlock(text=say(turn.lang, "knowledge_round.thanks"))]


async def finish(turn: Turn, state: KnowledgeRoundState) -> list[Block]:
    if state.none_open:
        return [TextBlock(text=say(turn.lang, "knowledge_round.none_open"))]
    if state.unknown_run:
        return [TextBlock(text=say(turn.lang, "rounds.unknown_run"))]
    if state.answered_before:
        return [TextBlock(text=say(turn.lang, "rounds.already_answered"))]
    if state.answering is not None:
        return await save_answers(turn, state)
    return await plan(turn, state)


DIALOG = Dialog(
    id="knowledge_round", title="knowledge_round.title", state=KnowledgeRoundState,
    start=start, finish=finish, help="knowledge_round.help", claims=claims, menu=110,
    aliases=["kennisrondje"],
    steps=[
        team_step(skip=lambda turn, state: lead_skip(turn, state) or state.team_id is not None),
        questions_step(KIND, DEFAULT_QUESTIONS, prompt="knowledge_round.ask_questions",
                       skip=lead_skip),
        Choose("wanneer", prompt="knowledge_round.ask_when", options=when_options,
               handle=set_when, skip=lead_skip),
        weekday_step(skip=not_planned),
        time_step(skip=not_planned),
        Confirm("starten", prompt=review, handle=confirm, skip=lead_skip),
        Call("antwoorden", dialog=answer_round.DIALOG, begin=begin_answers,
             handle=take_answers, skip=answer_skip),
    ],
    phrases=["kennisrondje", "kennisrondje starten", "kennisronde",
             "waarvoor mag men jou bellen", "knowledge round"],
)
