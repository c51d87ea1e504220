"""Progress in assigned leerlijnen: per person, per training, started or done (with what the
person took from it), and the my_path port."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    delete,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, as_utc
from bot.storage.paths import AssignmentRow, PathRow, assignments_of
from bot.storage.personal import Erasure, PersonalData, register, rowcount
from bot.storage.ports import Store, implements
from dialogs.my_path.port import (
    MyPath,
    PersonProgress,
    Status,
    TrainingProgress,
    training_key,
)

MAX_REFLECTION = 2000


class ProgressRow(Base):
    """The status of one training of an assigned leerlijn (no row: not started)."""

    __tablename__ = "path_progress"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(128))
    training: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))  # started | done
    reflection: Mapped[str | None] = mapped_column(String(MAX_REFLECTION), nullable=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("assignment_id", "training",
                                       name="uq_path_progress_training"),
                      Index("ix_path_progress_user", "workspace", "user_id"))


async def statuses(db: AsyncSession,
                   assignment_ids: list[int]) -> dict[int, dict[str, ProgressRow]]:
    """Progress rows by assignment and training."""
    found: dict[int, dict[str, ProgressRow]] = {}
    if not assignment_ids:
        return found
    rows = (await db.execute(select(ProgressRow).where(
        ProgressRow.assignment_id.in_(assignment_ids)))).scalars()
    for row in rows:
        found.setdefault(row.assignment_id, {})[row.training] = row
    return found


def trainings_of(path: PathRow, progress: dict[str, ProgressRow]) -> list[TrainingProgress]:
    found = []
    for number, item in enumerate(path.trainings or [], start=1):
        key = training_key(item, number)
        row = progress.get(key)
        found.append(TrainingProgress(
            key=key, title=str(item.get("title") or key), minutes=int(item.get("minutes") or 0),
            status=row.status if row is not None else "todo",  # type: ignore[arg-type]
            reflection=row.reflection if row is not None else None,
            changed_at=as_utc(row.changed_at) if row is not None else None))
    return found


async def paths_of(db: AsyncSession, workspace: str, user: str) -> list[MyPath]:
    assigned = await assignments_of(db, workspace, user=user)
    paths = {row.id: row for row in (await db.execute(select(PathRow).where(
        PathRow.id.in_([a.path_id for a in assigned])))).scalars()}
    progress = await statuses(db, [a.id for a in assigned])
    return [MyPath(assignment_id=a.id, path_id=a.path_id, path_name=a.path_name,
                   deadline=a.deadline, assigned_by=a.assigned_by,
                   goals=list(paths[a.path_id].spec.get("competencies") or []),
                   trainings=trainings_of(paths[a.path_id], progress.get(a.id, {})))
            for a in assigned if a.path_id in paths]


@implements("my_path")
class SqlMyPath:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    async def my_paths(self, user: str) -> list[MyPath]:
        return await paths_of(self.db, self.workspace, user)

    async def set_status(self, user: str, assignment_id: int, key: str, status: Status,
                         at: datetime, reflection: str | None = None) -> bool:
        mine = [p for p in await self.my_paths(user) if p.assignment_id == assignment_id]
        if not mine or key not in {t.key for t in mine[0].trainings}:
            return False
        row = (await self.db.execute(select(ProgressRow).where(
            ProgressRow.assignment_id == assignment_id,
            ProgressRow.training == key))).scalar_one_or_none()
        if status == "todo":
            if row is not None:
                await self.db.delete(row)
            await self.db.flush()
            return True
        if row is None:
            row = ProgressRow(workspace=self.workspace, assignment_id=assignment_id,
                              user_id=user, training=key, status=status, changed_at=at)
            self.db.add(row)
        row.status, row.changed_at = status, at
        if reflection is not None:
            row.reflection = reflection[:MAX_REFLECTION]
        await self.db.flush()
        return True

    async def progress(self, path_id: int) -> list[PersonProgress]:
        path = (await self.db.execute(select(PathRow).where(
            PathRow.workspace == self.workspace, PathRow.id == path_id))).scalar_one_or_none()
        if path is None:
            return []
        assigned = await assignments_of(self.db, self.workspace, path_id=path_id)
        progress = await statuses(self.db, [a.id for a in assigned])
        found = []
        for a in assigned:
            trainings = trainings_of(path, progress.get(a.id, {}))
            found.append(PersonProgress(
                user=a.user, name=a.user_name, assigned_by=a.assigned_by, deadline=a.deadline,
                total=len(trainings), started=sum(t.status == "started" for t in trainings),
                done=sum(t.status == "done" for t in trainings)))
        return found


async def _export(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    return {"path_progress": [
        {"path": path.path_name, "deadline": path.deadline.isoformat(),
         "trainings": [t.model_dump(mode="json") for t in path.trainings]}
        for path in await paths_of(db, workspace, user)]}


async def _erase(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    """Progress is the person's own: it goes (with their assignments, see paths)."""
    deleted = await db.execute(delete(ProgressRow).where(
        ProgressRow.workspace == erasure.workspace, ProgressRow.user_id == erasure.user))
    return {"path_progress": rowcount(deleted)}


register(PersonalData(name="my_path", tables=("path_progress",), export=_export, erase=_erase,
                      order=40))

#: the assignments table is paths'; imported here so the foreign key resolves on its own
__all__ = ["AssignmentRow", "ProgressRow", "SqlMyPath"]
