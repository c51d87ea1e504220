"""Evaluating a leerlijn 3, 6 and 9 months after its deadline (the follow-up tips of the
leerlijn method): "wat merk je op de werkvloer?". Started from the follow-up message's button;
only the person the path was assigned to can answer, and the answers are kept with the path
(shown to managers and HR under ``leerlijnen``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from dialogs.kit import (
    Ask,
    Block,
    CardBlock,
    Confirm,
    Dialog,
    Flow,
    Rich,
    TextBlock,
    Turn,
    join,
    say,
)
from dialogs.rounds import Answering, answer_facts, question_prompt, take_answer
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


async def start(turn: Turn, text: str) -> EvaluationState:
    parts = (turn.argument or "").split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return EvaluationState(problem="unknown")
    assignment_id, months = int(parts[0]), int(parts[1])
    if months not in EVALUATION_MONTHS:
        return EvaluationState(problem="unknown")
    mine = [a for a in await turn.services.assignments(turn.workspace, user=turn.member.user)
            if a.id == assignment_id]
    if not mine:
        return EvaluationState(problem="not_yours")
    assignment = mine[0]
    earlier = await turn.services.answers(turn.workspace, KIND, user=turn.member.user,
                                          path_id=assignment.path_id)
    marker = months_marker(months)
    if any(a.question.endswith(marker) for a in earlier):
        return EvaluationState(problem="answered")
    questions = [p.text.get(turn.lang) for p in load_prompts().of(KIND)]
    return EvaluationState(answering=Answering(questions=questions), path_id=assignment.path_id,
                           path=assignment.path_name, months=months)


def ask_question(turn: Turn, state: EvaluationState) -> Rich:
    assert state.answering is not None
    intro = [say(turn.lang, "evaluation.intro", path=state.path, months=state.months)] \
        if not state.answering.answers else []
    return join([*intro, question_prompt(turn, state.answering),
                 say(turn.lang, "checkins.skip_hint")])


def months_marker(months: int) -> str:
    """How an answer records the moment it belongs to (3, 6 or 9 months after the path)."""
    return f"({months})"


def on_answer(turn: Turn, state: EvaluationState,
              text: str) -> EvaluationState | Flow[EvaluationState]:
    assert state.answering is not None
    updated = state.model_copy(update={"answering": take_answer(state.answering, text)})
    assert updated.answering is not None
    return updated if updated.answering.done else Flow(state=updated, goto="antwoord")


def review(turn: Turn, state: EvaluationState) -> list[Block]:
    assert state.answering is not None
    facts = answer_facts(turn, state.answering)
    return [CardBlock(title=say(turn.lang, "checkins.your_answers"), facts=facts),
            TextBlock(text=say(turn.lang, "evaluation.ask_save"))]


def confirm(turn: Turn, state: EvaluationState, yes: bool) -> Flow[EvaluationState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


async def finish(turn: Turn, state: EvaluationState) -> list[Block]:
    if state.problem is not None:
        return [TextBlock(text=say(turn.lang, f"evaluation.{state.problem}"))]
    if not state.confirmed or state.answering is None:
        return [TextBlock(text=say(turn.lang, "checkins.not_saved_answer"))]
    if not any(state.answering.answers):
        return [TextBlock(text=say(turn.lang, "evaluation.nothing"))]
    for question, text in zip(state.answering.questions, state.answering.answers,
                              strict=False):
        if text:
            await turn.services.save_answer(
                turn.workspace, KIND, turn.member.user,
                f"{question} {months_marker(state.months)}", text, path_id=state.path_id,
                shared=False)
    return [TextBlock(text=say(turn.lang, "evaluation.thanks"))]


DIALOG_EVALUATION = Dialog(
    id="evaluatie", title="evaluation.title", state=EvaluationState, start=start,
    finish=finish, help="evaluation.help",
    steps=[
        Ask("antwoord", prompt=ask_question, handle=on_answer,
            skip=lambda turn, state: state.answering is None or state.answering.done),
        Confirm("bewaren", prompt=review, handle=confirm,
                skip=lambda turn, state: state.answering is None),
    ],
)

DIALOGS: list[Dialog[Any]] = [DIALOG_EVALUATION]
PHRASES: dict[str, list[str]] = {"evaluatie": ["leerlijn evalueren", "evaluate my path"]}
