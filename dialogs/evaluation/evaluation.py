"""Evaluating a leerlijn 3, 6 and 9 months after its deadline (the follow-up tips of the
leerlijn method): "wat merk je op de werkvloer?". Started from the follow-up message's button;
only the person the path was assigned to can answer (``answer_round``), and the answers are
kept with the path (shown to managers and HR under ``leerlijnen``)."""

from __future__ import annotations

from pydantic import BaseModel

from dialogs.kit import Block, Call, Dialog, Flow, TextBlock, Turn, join, say
from dialogs.rounds import answer_round
from dialogs.rounds.answer_round import AnswerRoundState, RoundAnswers
from dialogs.rounds.answering import Answering
from knowledge.prompts import load_prompts

KIND = "evaluation"
#: the moments of the follow-up tips (bot/scheduler.py sends the invitations then)
EVALUATION_MONTHS = (3, 6, 9)


class EvaluationState(BaseModel):
    answering: Answering | None = None
    path_id: int | None = None
    path: str = ""
    months: int = 0
    problem: str | None = None  # not_yours | unknown | answered
    confirmed: bool = False
    done: list[str] = []  # the trainings of the path she finished (mijn leerlijn)


def months_marker(months: int) -> str:
    """How an answer records the moment it belongs to (3, 6 or 9 months after the path)."""
    return f"({months})"


def moment(argument: str | None) -> tuple[int, int] | None:
    """The assignment and the months of a button's argument ("<assignment>:<months>")."""
    parts = (argument or "").split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    assignment_id, months = int(parts[0]), int(parts[1])
    return (assignment_id, months) if months in EVALUATION_MONTHS else None


async def start(turn: Turn, text: str) -> EvaluationState:
    found = moment(turn.argument)
    if found is None:
        return EvaluationState(problem="unknown")
    assignment_id, months = found
    mine = [a for a in await turn.paths.assignments(user=turn.member.user)
            if a.id == assignment_id]
    if not mine:
        return EvaluationState(problem="not_yours")
    assignment = mine[0]
    earlier = await turn.rounds.answers(KIND, user=turn.member.user, path_id=assignment.path_id)
    if any(a.question.endswith(months_marker(months)) for a in earlier):
        return EvaluationState(problem="answered")
    questions = [p.text.get(turn.lang) for p in load_prompts().of(KIND)]
    done = [t.title for p in await turn.my_path.my_paths(turn.member.user)
            if p.assignment_id == assignment.id for t in p.trainings if t.status == "done"]
    return EvaluationState(answering=Answering(questions=questions), path_id=assignment.path_id,
                           path=assignment.path_name, months=months, done=done)


def current(state: EvaluationState) -> Answering:
    assert state.answering is not None
    return state.answering


def begin_answers(turn: Turn, state: EvaluationState) -> AnswerRoundState:
    intro = say(turn.lang, "evaluation.intro", path=state.path, months=state.months)
    if state.done:  # what she finished, to look back on
        intro = join([intro, say(turn.lang, "evaluation.done", count=len(state.done),
                                 trainings=", ".join(state.done))])
    review = say(turn.lang, "evaluation.ask_save")
    return current(state).answer_round(intro=intro, review=review)


def take_answers(turn: Turn, state: EvaluationState,
                 result: RoundAnswers) -> Flow[EvaluationState]:
    return Flow(state=state.model_copy(update={
        "answering": current(state).answered(result.answers), "confirmed": result.confirmed}),
        done=True)


async def finish(turn: Turn, state: EvaluationState) -> list[Block]:
    if state.problem is not None:
        return [TextBlock(text=say(turn.lang, f"evaluation.{state.problem}"))]
    if not state.confirmed or state.answering is None:
        return [TextBlock(text=say(turn.lang, "rounds.not_saved_answer"))]
    if not any(state.answering.answers):
        return [TextBlock(text=say(turn.lang, "evaluation.nothing"))]
    for question, text in zip(state.answering.questions, state.answering.answers,
                              strict=False):
        if text:
            await turn.rounds.save_answer(KIND, turn.member.user,
                                          f"{question} {months_marker(state.months)}", text,
                                          path_id=state.path_id, shared=False)
    return [TextBlock(text=say(turn.lang, "evaluation.thanks"))]


DIALOG = Dialog(
    id="evaluation", title="evaluation.title", state=EvaluationState, start=start,
    finish=finish, help="evaluation.help", aliases=["evaluatie"],
    steps=[
        Call("antwoorden", dialog=answer_round.DIALOG, begin=begin_answers,
             handle=take_answers, skip=lambda turn, state: state.answering is None),
    ],
    phrases=["evaluatie", "leerlijn evalueren", "evaluate my path"],
)
