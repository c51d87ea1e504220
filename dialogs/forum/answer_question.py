"""Vraag beantwoorden (action 1.2): answer a question, usually from its "Ik kan helpen" button.
The answer goes to the question's thread in the team's channel, and the asker hears about it
(unless the question is anonymous)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from dialogs.forum.port import ForumAnswer, ForumQuestion
from dialogs.forum.posts import answer_for_asker, answer_key, question_key, thread_answer
from dialogs.kit import (
    Ask,
    Block,
    CardBlock,
    Confirm,
    Dialog,
    Flow,
    InputError,
    TextBlock,
    Turn,
    say,
    user,
)

MIN_LENGTH, MAX_LENGTH = 2, 3000


class AnswerState(BaseModel):
    question: ForumQuestion | None = None
    text: str = ""
    problem: Literal["unknown", "solved"] | None = None
    confirmed: bool = False


def number_in(text: str | None) -> int | None:
    """The number in a button's argument or a typed "antwoord 12" (its digits)."""
    digits = "".join(c for c in (text or "") if c.isdigit())
    return int(digits) if digits else None


async def start(turn: Turn, text: str) -> AnswerState:
    number = number_in(turn.argument) or number_in(text)
    question = await turn.forum.question(number) if number else None
    if question is None:
        return AnswerState(problem="unknown")
    if question.status != "open":
        return AnswerState(question=question, problem="solved")
    return AnswerState(question=question)


def ask_answer(turn: Turn, state: AnswerState) -> list[Block]:
    assert state.question is not None
    return [CardBlock(title=say(turn.lang, "answer_question.the_question"),
                      text=user(state.question.text)),
            TextBlock(text=say(turn.lang, "answer_question.ask"))]


def take_answer(turn: Turn, state: AnswerState, text: str) -> AnswerState:
    if len(text) < MIN_LENGTH:
        raise InputError("input.empty")
    if len(text) > MAX_LENGTH:
        raise InputError("forum.too_long", max=MAX_LENGTH)
    return state.model_copy(update={"text": text})


def review(turn: Turn, state: AnswerState) -> list[Block]:
    return [CardBlock(title=say(turn.lang, "answer_question.your_answer"), text=user(state.text)),
            TextBlock(text=say(turn.lang, "answer_question.ask_send"))]


def confirm(turn: Turn, state: AnswerState, yes: bool) -> Flow[AnswerState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


def has_problem(turn: Turn, state: AnswerState) -> bool:
    return state.problem is not None


async def tell_asker(turn: Turn, question: ForumQuestion, answer: ForumAnswer) -> None:
    """The asker hears of the answer (with the button that marks it as the solution); an
    anonymous asker cannot be told, and nobody is told of their own answer."""
    if question.asker is None or question.asker == turn.member.user:
        return
    asker = await turn.people.member(question.asker)
    lang = (asker.lang if asker is not None else None) or turn.lang
    name = turn.member.name or turn.member.user
    await turn.outbox.notify(question.asker,
                             [answer_for_asker(lang, name, question, answer.id, answer.text)],
                             f"{answer_key(answer.id)}:asker")


async def finish(turn: Turn, state: AnswerState) -> list[Block]:
    if state.problem is not None:
        return [TextBlock(text=say(turn.lang, f"answer_question.question_{state.problem}"))]
    if not state.confirmed or state.question is None:
        return [TextBlock(text=say(turn.lang, "forum.not_posted"))]
    question, me = state.question, turn.member
    answer: ForumAnswer = await turn.forum.save_answer(question.id, me.user, state.text)
    if question.team_id is not None:
        await turn.outbox.post_to_team(
            question.team_id, [thread_answer(turn.lang, me.name or me.user, state.text)],
            answer_key(answer.id), thread_of=question_key(question.id), exclude=me.user)
    await tell_asker(turn, question, answer)
    return [TextBlock(text=say(turn.lang, "answer_question.sent"))]


DIALOG = Dialog(
    id="answer_question", title="answer_question.title", state=AnswerState, start=start,
    finish=finish, help="answer_question.help", aliases=["antwoord"],
    steps=[
        Ask("antwoord", prompt=ask_answer, handle=take_answer, skip=has_problem),
        Confirm("versturen", prompt=review, handle=confirm, skip=has_problem),
    ],
    phrases=["antwoord", "vraag beantwoorden", "answer a question"],
)
