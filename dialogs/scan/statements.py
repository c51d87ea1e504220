"""Asking the scan's statements one at a time (the manager's own scan and a team member's
answers to a team scan ask them alike): the question with its progress, the 1..5 scale, and
taking an answer."""

from __future__ import annotations

from pydantic import BaseModel, Field

from dialogs.kit import Block, Choice, Flow, Rich, TextBlock, Turn, join, plain, say
from knowledge.scan import load_scan


class Statements(BaseModel):
    """The statement asked now and the answers so far (statement id -> 1..5)."""

    index: int = 0
    answers: dict[str, int] = Field(default_factory=dict)


def statement_blocks(turn: Turn, state: Statements, intro: Rich | None) -> list[Block]:
    """The statement asked now, with its progress; ``intro`` before the first one."""
    scan = load_scan()
    statement = scan.statements[state.index]
    blocks: list[Block] = []
    if state.index == 0 and intro is not None:
        blocks.append(TextBlock(text=intro))
    progress = say(turn.lang, "scan.progress", number=state.index + 1,
                   total=len(scan.statements))
    blocks.append(TextBlock(text=join([progress, plain(statement.text.get(turn.lang))])))
    return blocks


def scale(turn: Turn, state: Statements) -> list[Choice]:
    """1..5 as values; the labels are words only (the console numbers them itself, and
    typing the number works everywhere)."""
    labels = getattr(load_scan().scale, turn.lang)
    return [Choice(value=str(i), label=plain(label)) for i, label in
            enumerate(labels, start=1)]


def take_answer(turn: Turn, state: Statements, value: str) -> Statements | Flow[Statements]:
    """Keep the answer; the next statement, or on to the step after the statements."""
    scan = load_scan()
    statement = scan.statements[state.index]
    moved = state.model_copy(update={"answers": {**state.answers, statement.id: int(value)},
                                     "index": state.index + 1})
    if moved.index < len(scan.statements):
        return Flow(state=moved, goto="vraag")
    return moved


def complete(state: Statements) -> bool:
    return len(state.answers) >= len(load_scan().statements)
