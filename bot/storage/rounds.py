"""Team rounds on the database: schedules, runs, answers, and the rounds port; a person's
answers are theirs (exported, erased), schedules and runs are the team's (unlinked)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    String,
    bindparam,
    delete,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot import outbound
from bot.queue import now
from bot.scheduler import plan_now
from bot.storage.models import Base, DeliveryRow, JSONType, RunRow, ScheduleRow, utcnow
from bot.storage.personal import DELETED_USER, Erasure, PersonalData, register, rowcount
from bot.storage.ports import Store, implements
from bot.storage.prepared import Prepared
from dialogs.rounds.port import Run, Schedule, StoredAnswer
from engine.competencies import competencies_in
from engine.recurrence import Recurrence


class AnswerRow(Base):
    """An answer to a check-in, kennisrondje, reflection or evaluation question. Check-in
    answers are private to their author unless ``shared``."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    run_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    team_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    path_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    user_id: Mapped[str] = mapped_column(String(128))
    question: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(String(4000))
    status: Mapped[str] = mapped_column(String(16), default="answered")  # or skipped
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    competencies: Mapped[list[Any] | None] = mapped_column(JSONType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)



#: an invitation can be answered by typing for this long after it arrived
INVITATION_DAYS = 7
#: the kind whose answers tell who knows what (the expert directory reads their competencies)
KNOWLEDGE_KIND = "kennisrondje"


def as_schedule(row: ScheduleRow) -> Schedule:
    return Schedule(id=row.id, team_id=row.team_id, kind=row.kind,
                    rule=Recurrence.model_validate(row.rule), questions=row.questions,
                    active=row.active, last_date=row.last_date)


def as_run(row: RunRow) -> Run:
    details = row.details or {}
    return Run(id=row.id, kind=row.kind, team_id=row.team_id, team=str(details.get("team", "")),
               questions=[str(q) for q in details.get("questions") or []],
               occurrence=row.occurrence, created_at=row.created_at, total=row.total)


# the newest run of a kind that invited the person in the last INVITATION_DAYS and that they
# have not answered; asked when such a dialog starts, so prepared once
_WORKSPACE, _USER = bindparam("r_workspace", type_=String()), bindparam("r_user", type_=String())
_OPEN_INVITATION = Prepared(
    select(RunRow.id).join(DeliveryRow, DeliveryRow.run_id == RunRow.id).where(
        RunRow.workspace == _WORKSPACE, RunRow.kind == bindparam("r_kind", type_=String()),
        DeliveryRow.recipient == _USER, DeliveryRow.status == "sent",
        DeliveryRow.sent_at >= bindparam("r_since", type_=DeliveryRow.sent_at.type),
        RunRow.id.not_in(select(AnswerRow.run_id).where(
            AnswerRow.workspace == _WORKSPACE, AnswerRow.user_id == _USER,
            AnswerRow.run_id.is_not(None))))
    .order_by(RunRow.id.desc()).limit(1))


def as_answer(row: AnswerRow) -> StoredAnswer:
    return StoredAnswer(id=row.id, kind=row.kind, run_id=row.run_id, team_id=row.team_id,
                        path_id=row.path_id, user=row.user_id, question=row.question,
                        text=row.text, status=row.status, shared=row.shared,
                        created_at=row.created_at)


@implements("rounds")
class SqlRounds:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    async def save_schedule(self, team_id: int, kind: str, rule: Recurrence,
                            questions: list[str], created_by: str) -> Schedule:
        row = ScheduleRow(workspace=self.workspace, team_id=team_id, kind=kind,
                          rule=rule.model_dump(mode="json"), questions=questions, active=True,
                          created_by=created_by, created_at=utcnow())
        self.db.add(row)
        await self.db.flush()
        return as_schedule(row)

    async def schedules(self, team_id: int | None = None,
                        kind: str | None = None) -> list[Schedule]:
        query = select(ScheduleRow).where(ScheduleRow.workspace == self.workspace)
        if team_id is not None:
            query = query.where(ScheduleRow.team_id == team_id)
        if kind is not None:
            query = query.where(ScheduleRow.kind == kind)
        rows = await self.db.execute(query.order_by(ScheduleRow.id))
        return [as_schedule(r) for r in rows.scalars()]

    async def set_schedule_active(self, schedule_id: int, active: bool) -> None:
        await self.db.execute(update(ScheduleRow).where(
            ScheduleRow.workspace == self.workspace, ScheduleRow.id == schedule_id
        ).values(active=active))

    async def start_run(self, kind: str, team_id: int, questions: list[str],
                        created_by: str) -> Run:
        run_id = await plan_now(self.db, self.workspace, kind, team_id,
                                {"questions": questions}, created_by,
                                f"{kind}:{team_id}:{uuid.uuid4().hex}")
        run = await self.run(run_id) if run_id is not None else None
        if run is None:
            raise LookupError(f"team {team_id} does not exist")
        return run

    async def team_runs(self, team_id: int, kind: str, limit: int = 20) -> list[Run]:
        rows = await self.db.execute(select(RunRow).where(
            RunRow.workspace == self.workspace, RunRow.team_id == team_id, RunRow.kind == kind,
            RunRow.total > 0).order_by(RunRow.id.desc()).limit(limit))
        return [as_run(r) for r in rows.scalars()]

    async def run(self, run_id: int) -> Run | None:
        row = await self.db.get(RunRow, run_id)
        return as_run(row) if row is not None and row.workspace == self.workspace else None

    async def save_answer(self, kind: str, user: str, question: str, text: str, *,
                          run_id: int | None = None, team_id: int | None = None,
                          path_id: int | None = None, shared: bool = False,
                          status: str = "answered") -> StoredAnswer:
        found = competencies_in(text) if kind == KNOWLEDGE_KIND and text else []
        row = AnswerRow(workspace=self.workspace, kind=kind, run_id=run_id, team_id=team_id,
                        path_id=path_id, user_id=user, question=question[:500],
                        text=text[:4000], status=status, shared=shared, competencies=found,
                        created_at=utcnow())
        self.db.add(row)
        await self.db.flush()
        if run_id is not None:  # answered (or passed): no reminder or snooze any more
            await outbound.cancel(self.db, f"run:{run_id}:{user}:reminder")
            await outbound.cancel_matching(self.db, f"run:{run_id}:{user}:snooze:%")
        return as_answer(row)

    async def answers(self, kind: str, *, run_id: int | None = None,
                      team_id: int | None = None, user: str | None = None,
                      path_id: int | None = None) -> list[StoredAnswer]:
        query = select(AnswerRow).where(AnswerRow.workspace == self.workspace,
                                        AnswerRow.kind == kind)
        for column, value in ((AnswerRow.run_id, run_id), (AnswerRow.team_id, team_id),
                              (AnswerRow.user_id, user), (AnswerRow.path_id, path_id)):
            if value is not None:
                query = query.where(column == value)
        rows = await self.db.execute(query.order_by(AnswerRow.id))
        return [as_answer(r) for r in rows.scalars()]

    async def open_invitation(self, user: str, kind: str) -> int | None:
        found = await _OPEN_INVITATION.run(self.db, {
            "r_workspace": self.workspace, "r_user": user, "r_kind": kind,
            "r_since": now() - timedelta(days=INVITATION_DAYS)})
        row = found.first()
        return row.id if row is not None else None


async def _export(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    rows = (await db.execute(select(AnswerRow).where(
        AnswerRow.workspace == workspace, AnswerRow.user_id == user
    ).order_by(AnswerRow.id))).scalars()
    return {"answers": [as_answer(r).model_dump(mode="json", exclude={"user"}) for r in rows]}


async def _erase(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    answers = await db.execute(delete(AnswerRow).where(
        AnswerRow.workspace == erasure.workspace, AnswerRow.user_id == erasure.user))
    schedules = await db.execute(update(ScheduleRow).where(
        ScheduleRow.workspace == erasure.workspace, ScheduleRow.created_by == erasure.user
    ).values(created_by=DELETED_USER))
    started = 0  # runs started now name who started them (bot.scheduler.plan_now)
    for run in (await db.execute(select(RunRow).where(
            RunRow.workspace == erasure.workspace, RunRow.schedule_id.is_(None)))).scalars():
        if (run.details or {}).get("by") == erasure.user:
            run.details = {**run.details, "by": DELETED_USER}
            started += 1
    return {"answers": rowcount(answers), "schedules_unlinked": rowcount(schedules),
            "runs_unlinked": started}


register(PersonalData(name="rounds", tables=("answers", "schedules", "runs"), export=_export,
                      erase=_erase))
