"""Answering a round, the one sub-flow of the check-in, the kennisrondje, the reflection and the
path evaluation (each runs it with ``Call``): the questions one at a time (a skip word passes
one), optionally a last question that needs an answer (the reflection's lesson), then the
answers on a card with one yes/no question (save them? share them?).

It stores nothing: its result (the answers and the yes or no) goes back to the dialog that
called it, which saves in its own ``finish``, so "stop" anywhere in it saves nothing. "terug"
goes back one question; from the first one, back into the dialog that called it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from dialogs.kit import (
    Ask,
    Block,
    CardBlock,
    Confirm,
    Dialog,
    Fact,
    Flow,
    InputError,
    Rich,
    TextBlock,
    Turn,
    join,
    say,
    user,
)

SKIP_WORDS = {"overslaan", "skip", "sla over", "-"}
#: the longest answer to one of the run's questions
LONGEST = 2000


class LastQuestion(BaseModel):
    """A question after the run's questions that needs an answer (no skip word passes it)."""

    prompt: Rich
    label: Rich  # its line on the review card
    longest: int = 500


class AnswerRoundState(BaseModel):
    """The run's questions and the answers so far; what the caller has said to show."""

    questions: list[str] = Field(default_factory=list)
    answers: list[str] = Field(default_factory=list)  # one per question answered; "" = skipped
    intro: Rich | None = None  # said before the first question
    last: LastQuestion | None = None
    last_answer: str = ""
    #: the yes/no question under the review card
    review: Rich = Field(default_factory=lambda: Rich(segments=[]))
    #: False: when every question was skipped, the round ends without the review card
    review_skipped: bool = True
    confirmed: bool = False

    @property
    def done(self) -> bool:
        return len(self.answers) >= len(self.questions)

    @property
    def all_skipped(self) -> bool:
        return bool(self.answers) and not any(self.answers)


class RoundAnswers(BaseModel):
    """What the caller gets back: an answer per question ("" = skipped), the answer to the last
    question, and yes or no on the review card (False when it was not shown)."""

    answers: list[str]
    last_answer: str = ""
    confirmed: bool = False


def typed_answer(text: str, allow_skip: bool = True) -> str:
    """An answer as kept: "" for a skip word (where a question may be skipped)."""
    value = text.strip()
    if allow_skip and value.casefold() in SKIP_WORDS:
        return ""
    if len(value) > LONGEST:
        raise InputError("rounds.too_long", max=LONGEST)
    return value


def ask_question(turn: Turn, state: AnswerRoundState) -> Rich:
    intro = [state.intro] if state.intro is not None and not state.answers else []
    question = say(turn.lang, "answer_round.question", number=len(state.answers) + 1,
                   total=len(state.questions), question=state.questions[len(state.answers)])
    return join([*intro, question, say(turn.lang, "answer_round.skip_hint")])


def take_answer(turn: Turn, state: AnswerRoundState,
                text: str) -> AnswerRoundState | Flow[AnswerRoundState]:
    updated = state.model_copy(update={"answers": [*state.answers, typed_answer(text)]})
    return updated if updated.done else Flow(state=updated, goto="vraag")


def ask_last(turn: Turn, state: AnswerRoundState) -> Rich:
    assert state.last is not None
    return state.last.prompt


def take_last(turn: Turn, state: AnswerRoundState, text: str) -> AnswerRoundState:
    assert state.last is not None
    if len(text) > state.last.longest:
        raise InputError("rounds.too_long", max=state.last.longest)
    return state.model_copy(update={"last_answer": text})


def answer_facts(turn: Turn, state: AnswerRoundState) -> list[Fact]:
    """The answers, question by question, and the last question's."""
    facts = [Fact(label=user(question),
                  value=user(answer) if answer else say(turn.lang, "answer_round.skipped"))
             for question, answer in zip(state.questions, state.answers, strict=False)]
    if state.last is not None:
        facts.append(Fact(label=state.last.label, value=user(state.last_answer)))
    return facts


def review(turn: Turn, state: AnswerRoundState) -> list[Block]:
    return [CardBlock(title=say(turn.lang, "answer_round.your_answers"),
                      facts=answer_facts(turn, state)),
            TextBlock(text=state.review)]


def confirm(turn: Turn, state: AnswerRoundState, yes: bool) -> Flow[AnswerRoundState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


def no_review(turn: Turn, state: AnswerRoundState) -> bool:
    return not state.review_skipped and state.all_skipped


def result(turn: Turn, state: AnswerRoundState) -> RoundAnswers:
    return RoundAnswers(answers=state.answers, last_answer=state.last_answer,
                        confirmed=state.confirmed)


DIALOG = Dialog(
    id="answer_round", title="answer_round.title", state=AnswerRoundState,
    help="answer_round.help", result=result,
    steps=[
        Ask("vraag", prompt=ask_question, handle=take_answer,
            skip=lambda turn, state: state.done),
        Ask("laatste", prompt=ask_last, handle=take_last, help="answer_round.help_last",
            skip=lambda turn, state: state.last is None),
        Confirm("nakijken", prompt=review, handle=confirm, skip=no_review),
    ],
)
