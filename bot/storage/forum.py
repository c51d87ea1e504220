"""Help questions and their answers: the forum port, and the personal data the forum tables
hold (questions asked, answers written, being asked as an expert).

An anonymous question has no asker; nothing here records who asked it, so it is neither
exported nor erased with anyone's data."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    Select,
    String,
    delete,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, JSONType, utcnow
from bot.storage.personal import Erasure, PersonalData, register, rowcount
from bot.storage.ports import Store, implements
from dialogs.forum.port import ForumAnswer, ForumQuestion, QuestionStatus


class ForumQuestionRow(Base):
    """A help question. Anonymous: ``asker`` is NULL and nothing else links it to a person."""

    __tablename__ = "forum_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    asker: Mapped[str | None] = mapped_column(String(128), nullable=True)
    text: Mapped[str] = mapped_column(String(4000))
    competencies: Mapped[list[Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | solved
    suggested: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    solved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ForumAnswerRow(Base):
    __tablename__ = "forum_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("forum_questions.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(String(4000))
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)



MAX_TEXT = 4000


def as_answer(row: ForumAnswerRow) -> ForumAnswer:
    return ForumAnswer(id=row.id, question_id=row.question_id, author=row.author,
                       text=row.text, accepted=row.accepted, created_at=row.created_at)


def as_question(row: ForumQuestionRow, answers: list[ForumAnswerRow]) -> ForumQuestion:
    return ForumQuestion(id=row.id, team_id=row.team_id, asker=row.asker, text=row.text,
                         competencies=row.competencies, status=row.status,  # type: ignore[arg-type]
                         created_at=row.created_at, solved_at=row.solved_at,
                         answers=[as_answer(a) for a in answers])


async def with_answers(db: AsyncSession,
                       query: Select[tuple[ForumQuestionRow]]) -> list[ForumQuestion]:
    """The questions the query selects, each with its answers (oldest first), in two
    statements whatever their number."""
    rows = (await db.execute(query)).scalars().all()
    if not rows:
        return []
    ids = select(query.subquery().c.id)
    answers: dict[int, list[ForumAnswerRow]] = defaultdict(list)
    for answer in (await db.execute(select(ForumAnswerRow).where(
            ForumAnswerRow.question_id.in_(ids)).order_by(ForumAnswerRow.id))).scalars():
        answers[answer.question_id].append(answer)
    return [as_question(row, answers[row.id]) for row in rows]


@implements("forum")
class SqlForum:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    def _select(self) -> Select[tuple[ForumQuestionRow]]:
        return select(ForumQuestionRow).where(ForumQuestionRow.workspace == self.workspace)

    async def _one(self, query: Select[tuple[ForumQuestionRow]]) -> ForumQuestion | None:
        found = await with_answers(self.db, query)
        return found[0] if found else None

    async def save_question(self, text: str, competencies: list[str], *, team_id: int | None,
                            asker: str | None, suggested: list[str]) -> ForumQuestion:
        row = ForumQuestionRow(workspace=self.workspace, team_id=team_id, asker=asker,
                               text=text[:MAX_TEXT], competencies=competencies, status="open",
                               suggested=suggested, created_at=utcnow())
        self.db.add(row)
        await self.db.flush()
        return as_question(row, [])

    async def question(self, question_id: int) -> ForumQuestion | None:
        return await self._one(self._select().where(ForumQuestionRow.id == question_id))

    async def question_answered_by(self, answer_id: int) -> ForumQuestion | None:
        of_answer = select(ForumAnswerRow.question_id).where(ForumAnswerRow.id == answer_id)
        return await self._one(self._select().where(ForumQuestionRow.id.in_(of_answer)))

    async def questions(self, status: QuestionStatus | None = None,
                        team_id: int | None = None) -> list[ForumQuestion]:
        query = self._select()
        if status is not None:
            query = query.where(ForumQuestionRow.status == status)
        if team_id is not None:
            query = query.where(ForumQuestionRow.team_id == team_id)
        return await with_answers(self.db, query.order_by(ForumQuestionRow.id.desc()))

    async def save_answer(self, question_id: int, author: str, text: str) -> ForumAnswer:
        row = ForumAnswerRow(question_id=question_id, author=author, text=text[:MAX_TEXT],
                             accepted=False, created_at=utcnow())
        self.db.add(row)
        await self.db.flush()
        return as_answer(row)

    async def accept_answer(self, answer_id: int) -> ForumQuestion | None:
        answer = await self.db.get(ForumAnswerRow, answer_id)
        question = await self.db.get(ForumQuestionRow, answer.question_id) if answer else None
        if answer is None or question is None or question.workspace != self.workspace:
            return None
        answer.accepted = True
        question.status, question.solved_at = "solved", utcnow()
        await self.db.flush()
        return await self.question(question.id)

    async def times_helped(self, author: str) -> int:
        return int((await self.db.execute(
            select(func.count()).select_from(ForumAnswerRow)
            .join(ForumQuestionRow, ForumQuestionRow.id == ForumAnswerRow.question_id)
            .where(ForumQuestionRow.workspace == self.workspace,
                   ForumQuestionRow.status == "solved", ForumAnswerRow.author == author,
                   ForumAnswerRow.accepted))).scalar_one())


# ---------------------------------------------------------------------------- personal data


def _in_workspace(workspace: str) -> Select[tuple[int]]:
    return select(ForumQuestionRow.id).where(ForumQuestionRow.workspace == workspace)


async def _asked_as_expert(db: AsyncSession, workspace: str, user: str) -> list[Any]:
    """The questions the user was asked directly (``suggested`` names them)."""
    rows = (await db.execute(select(ForumQuestionRow.id, ForumQuestionRow.suggested,
                                    ForumQuestionRow.created_at)
                             .where(ForumQuestionRow.workspace == workspace)
                             .order_by(ForumQuestionRow.id))).all()
    return [{"question": qid, "asked_at": at.isoformat(timespec="seconds")}
            for qid, names, at in rows if user in (names or [])]


async def _export(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    asked = (await db.execute(select(ForumQuestionRow).where(
        ForumQuestionRow.workspace == workspace, ForumQuestionRow.asker == user)
        .order_by(ForumQuestionRow.id))).scalars()
    written = (await db.execute(select(ForumAnswerRow).where(
        ForumAnswerRow.author == user, ForumAnswerRow.question_id.in_(_in_workspace(workspace)))
        .order_by(ForumAnswerRow.id))).scalars()
    return {
        "forum_questions": [{"id": q.id, "text": q.text, "status": q.status,
                             "asked_at": q.created_at.isoformat(timespec="seconds")}
                            for q in asked],
        "forum_answers": [{"question": a.question_id, "text": a.text, "accepted": a.accepted}
                          for a in written],
        "forum_asked_as_expert": await _asked_as_expert(db, workspace, user),
    }


async def _erase(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    """The user's questions (with the answers to them) and answers go; the questions they
    were asked as an expert stay, without their name."""
    workspace, user = erasure.workspace, erasure.user
    questions = await db.execute(delete(ForumQuestionRow).where(
        ForumQuestionRow.workspace == workspace, ForumQuestionRow.asker == user))
    answers = await db.execute(delete(ForumAnswerRow).where(
        ForumAnswerRow.author == user, ForumAnswerRow.question_id.in_(_in_workspace(workspace))))
    unlinked = 0
    for question in (await db.execute(select(ForumQuestionRow).where(
            ForumQuestionRow.workspace == workspace))).scalars():
        if user in (question.suggested or []):
            question.suggested = [name for name in question.suggested if name != user]
            unlinked += 1
    return {"forum_questions": rowcount(questions), "forum_answers": rowcount(answers),
            "forum_suggestions_unlinked": unlinked}


# before the legacy "features" hook, which still erases these tables too (then finding nothing)
register(PersonalData(name="forum", tables=("forum_questions", "forum_answers"),
                      export=_export, erase=_erase, order=40))
