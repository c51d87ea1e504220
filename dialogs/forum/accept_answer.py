"""Opgelost (actions 1.2 and 8.3): mark the answer that helped. The asker does it, or a manager
or HR for anonymous questions; the question becomes an FAQ entry and the helper is thanked."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from dialogs.forum.answer_question import number_in
from dialogs.forum.port import ForumQuestion
from dialogs.forum.posts import thanks_to_helper
from dialogs.kit import (
    Block,
    CardBlock,
    Confirm,
    Dialog,
    Fact,
    Flow,
    Member,
    TextBlock,
    Turn,
    say,
    user,
)
from dialogs.policy import MANAGERS


class AcceptState(BaseModel):
    question: ForumQuestion | None = None
    answer_id: int | None = None
    problem: Literal["unknown", "not_yours", "solved"] | None = None
    confirmed: bool = False


def may_accept(member: Member, question: ForumQuestion) -> bool:
    """The asker marks the answer that helped; managers and HR do it for anonymous
    questions (nobody knows who asked them)."""
    if question.asker is None:
        return member.role in MANAGERS
    return question.asker == member.user


async def start(turn: Turn, text: str) -> AcceptState:
    answer_id = number_in(turn.argument) or number_in(text)
    question = await turn.forum.question_answered_by(answer_id) if answer_id else None
    if question is None:
        return AcceptState(problem="unknown")
    if not may_accept(turn.member, question):
        return AcceptState(problem="not_yours")
    if question.status == "solved":
        return AcceptState(problem="solved")
    return AcceptState(question=question, answer_id=answer_id)


def ask_accept(turn: Turn, state: AcceptState) -> list[Block]:
    assert state.question is not None and state.answer_id is not None
    answer = state.question.answer(state.answer_id)
    assert answer is not None
    return [CardBlock(title=user(state.question.text),
                      facts=[Fact(label=say(turn.lang, "forum.answer_label"),
                                  value=user(answer.text))]),
            TextBlock(text=say(turn.lang, "accept_answer.ask"))]


def confirm(turn: Turn, state: AcceptState, yes: bool) -> Flow[AcceptState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


async def thank_helper(turn: Turn, question: ForumQuestion, answer_id: int) -> None:
    answer = question.answer(answer_id)
    assert answer is not None
    helped = await turn.forum.times_helped(answer.author)
    helper = await turn.people.member(answer.author)
    lang = (helper.lang if helper is not None else None) or turn.lang
    await turn.outbox.notify(answer.author, [thanks_to_helper(lang, question, helped)],
                             f"forum:accepted:{answer_id}")


async def finish(turn: Turn, state: AcceptState) -> list[Block]:
    if state.problem is not None:
        return [TextBlock(text=say(turn.lang, f"accept_answer.{state.problem}"))]
    if not state.confirmed or state.answer_id is None:
        return [TextBlock(text=say(turn.lang, "accept_answer.not_accepted"))]
    question = await turn.forum.accept_answer(state.answer_id)
    if question is None:  # removed since the dialog started (its asker was erased)
        return [TextBlock(text=say(turn.lang, "accept_answer.unknown"))]
    await thank_helper(turn, question, state.answer_id)
    return [TextBlock(text=say(turn.lang, "accept_answer.accepted"))]


DIALOG = Dialog(
    id="accept_answer", title="accept_answer.title", state=AcceptState, start=start,
    finish=finish, help="accept_answer.help", aliases=["opgelost"],
    steps=[Confirm("bevestigen", prompt=ask_accept, handle=confirm,
                   skip=lambda turn, state: state.problem is not None)],
    phrases=["opgelost", "antwoord hielp", "mark as solved"],
)
