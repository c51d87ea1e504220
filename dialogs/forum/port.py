"""What the forum dialogs need from storage: help questions, their answers and which answer
solved a question. Bound to the turn's workspace.

An anonymous question has no asker: nothing stored links it to the person who asked it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, Field

QuestionStatus = Literal["open", "solved"]


class ForumAnswer(BaseModel):
    id: int
    question_id: int
    author: str
    text: str
    accepted: bool
    created_at: datetime


class ForumQuestion(BaseModel):
    id: int
    team_id: int | None
    asker: str | None  # None: anonymous (no link to the asker exists anywhere)
    text: str
    competencies: list[str]
    status: QuestionStatus
    created_at: datetime
    solved_at: datetime | None = None
    answers: list[ForumAnswer] = Field(default_factory=list)  # oldest first

    def accepted_answer(self) -> ForumAnswer | None:
        return next((answer for answer in self.answers if answer.accepted), None)

    def answer(self, answer_id: int) -> ForumAnswer | None:
        return next((answer for answer in self.answers if answer.id == answer_id), None)


class ForumPort(Protocol):
    async def save_question(self, text: str, competencies: list[str], *, team_id: int | None,
                            asker: str | None, suggested: list[str]) -> ForumQuestion:
        """A new open question; ``asker`` None: anonymous. ``suggested``: the colleagues
        asked directly (their next questions go to others first)."""
        ...

    async def question(self, question_id: int) -> ForumQuestion | None: ...

    async def question_answered_by(self, answer_id: int) -> ForumQuestion | None:
        """The question that answer belongs to."""
        ...

    async def questions(self, status: QuestionStatus | None = None,
                        team_id: int | None = None) -> list[ForumQuestion]:
        """Newest first; all, or those with that status, or of that team."""
        ...

    async def save_answer(self, question_id: int, author: str, text: str) -> ForumAnswer: ...

    async def accept_answer(self, answer_id: int) -> ForumQuestion | None:
        """Mark the answer as the one that helped: its question is solved (an FAQ entry).
        None: no such answer in this workspace."""
        ...

    async def times_helped(self, author: str) -> int:
        """How many of the author's answers were marked as the one that helped."""
        ...
