"""Team reflection (actions 1.1 and 2.2).

For a lead (without an invitation): plan the team's weekly reflection moment (day, time,
questions such as "Wat liep er vorige week minder goed, en wat leren we daaruit?"); the prompt
is posted in the team's channel. For a member (from the prompt's button, by typing while a round
is open, or by asking for it without leading a team): answer (``answer_round``), plus one
concrete lesson or action (required). Reflection answers are for the team: they make up its
logbook."""

from __future__ import annotations

from dialogs.kit import (
    Block,
    Call,
    CardBlock,
    Confirm,
    Dialog,
    Fact,
    Flow,
    TextBlock,
    Turn,
    say,
    user,
)
from dialogs.rounds import answer_round
from dialogs.rounds.answer_round import AnswerRoundState, LastQuestion, RoundAnswers
from dialogs.rounds.answering import (
    Answering,
    RoundState,
    answer_skip,
    lead_skip,
    open_round,
    round_start,
)
from dialogs.rounds.questions import questions_step, texts_of
from dialogs.rounds.schedule import describe, time_step, weekday_step
from dialogs.rounds.team_choice import team_name, team_step

KIND = "reflection"
LESSON = "les"  # the question marker of a round's concrete lesson or action
DEFAULT_QUESTIONS = ["reflection-01", "reflection-03"]


class ReflectionState(RoundState):
    lesson: str = ""


async def start(turn: Turn, text: str) -> ReflectionState:
    return await round_start(turn, text, KIND, ReflectionState)


async def claims(turn: Turn, text: str) -> str | None:
    return await open_round(turn, KIND)


def done(turn: Turn, state: ReflectionState, yes: bool) -> Flow[ReflectionState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


# ---------------------------------------------------------------------------- the lead plans


def questions(turn: Turn, state: ReflectionState) -> list[str]:
    return texts_of(KIND, turn.lang, state.question_ids or DEFAULT_QUESTIONS)


def review(turn: Turn, state: ReflectionState) -> list[Block]:
    facts = [Fact(label=say(turn.lang, "rounds.fact.team"),
                  value=user(team_name(state.teams, state.team_id))),
             Fact(label=say(turn.lang, "rounds.fact.when"), value=describe(turn, state.draft)),
             *[Fact(label=say(turn.lang, "rounds.fact.question", number=n + 1),
                    value=user(q)) for n, q in enumerate(questions(turn, state))]]
    return [CardBlock(title=say(turn.lang, "reflection.review_title"), facts=facts),
            TextBlock(text=say(turn.lang, "rounds.ask_save"))]


async def plan(turn: Turn, state: ReflectionState) -> list[Block]:
    if not state.teams:
        return [TextBlock(text=say(turn.lang, "rounds.no_teams"))]
    if not state.confirmed or state.team_id is None:
        return [TextBlock(text=say(turn.lang, "rounds.not_saved"))]
    await turn.rounds.save_schedule(state.team_id, KIND, state.draft.rule(),
                                    questions(turn, state), turn.member.user)
    when = describe(turn, state.draft, mid_sentence=True)
    return [TextBlock(text=say(turn.lang, "reflection.saved", when=when,
                               team=team_name(state.teams, state.team_id)))]


# ---------------------------------------------------------------------------- members answer


def current(state: ReflectionState) -> Answering:
    assert state.answering is not None
    return state.answering


def begin_answers(turn: Turn, state: ReflectionState) -> AnswerRoundState:
    run = current(state)
    lesson = LastQuestion(prompt=say(turn.lang, "reflection.ask_lesson"),
                          label=say(turn.lang, "reflection.lesson"))
    return run.answer_round(intro=say(turn.lang, "reflection.answer_intro", team=run.team),
                            review=say(turn.lang, "reflection.ask_save_answer"), last=lesson)


def take_answers(turn: Turn, state: ReflectionState,
                 result: RoundAnswers) -> Flow[ReflectionState]:
    return Flow(state=state.model_copy(update={
        "answering": current(state).answered(result.answers), "lesson": result.last_answer,
        "confirmed": result.confirmed}), done=True)


async def save_answers(turn: Turn, state: ReflectionState) -> list[Block]:
    """The answers and the lesson, for the team's logbook."""
    run = current(state)
    if not state.confirmed:
        return [TextBlock(text=say(turn.lang, "rounds.not_saved_answer"))]
    said = [(q, text) for q, text in zip(run.questions, run.answers, strict=False) if text]
    for question, text in [*said, (LESSON, state.lesson)]:
        await turn.rounds.save_answer(KIND, turn.member.user, question, text, run_id=run.run_id,
                                      team_id=run.team_id, shared=True)
    return [TextBlock(text=say(turn.lang, "reflection.thanks"))]


async def finish(turn: Turn, state: ReflectionState) -> list[Block]:
    if state.none_open:
        return [TextBlock(text=say(turn.lang, "reflection.none_open"))]
    if state.unknown_run:
        return [TextBlock(text=say(turn.lang, "rounds.unknown_run"))]
    if state.answered_before:
        return [TextBlock(text=say(turn.lang, "reflection.answered"))]
    if state.answering is not None:
        return await save_answers(turn, state)
    return await plan(turn, state)


DIALOG = Dialog(
    id="reflection", title="reflection.title", state=ReflectionState, start=start,
    finish=finish, help="reflection.help", claims=claims, aliases=["reflectie"],
    steps=[
        team_step(skip=lambda turn, state: lead_skip(turn, state) or state.team_id is not None),
        weekday_step(skip=lead_skip),
        time_step(skip=lead_skip),
        questions_step(KIND, DEFAULT_QUESTIONS, prompt="reflection.ask_questions",
                       skip=lead_skip),
        Confirm("bewaren", prompt=review, handle=done, skip=lead_skip),
        Call("antwoorden", dialog=answer_round.DIALOG, begin=begin_answers,
             handle=take_answers, skip=answer_skip),
    ],
    phrases=["reflectie", "reflectiemoment plannen", "teamreflectie", "wekelijkse reflectie",
             "team reflection"],
)
