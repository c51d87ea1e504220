"""Saved leerlijnen and their assignments to people: the paths port and their personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    UniqueConstraint,
    delete,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, JSONType, as_utc, utcnow
from bot.storage.people import MemberRow
from bot.storage.personal import DELETED_USER, Erasure, PersonalData, register, rowcount
from bot.storage.ports import Store, implements
from dialogs.paths.port import Assignment, PathDraft, PathNameTaken, SavedPath, name_key


class PathRow(Base):
    """A saved leerlijn."""

    __tablename__ = "paths"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255))
    #: the name as names compare (``name_key``): unique per workspace
    name_key: Mapped[str] = mapped_column(String(255), server_default="")
    level: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    spec: Mapped[dict[str, Any]] = mapped_column(JSONType)
    trainings: Mapped[list[Any]] = mapped_column(JSONType)
    total_minutes: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[list[Any]] = mapped_column(JSONType)

    __table_args__ = (Index("uq_paths_name", "workspace", "name_key", unique=True),)


class AssignmentRow(Base):
    """A saved leerlijn assigned to a person, with a deadline."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    path_id: Mapped[int] = mapped_column(ForeignKey("paths.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(128))
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assigned_by: Mapped[str] = mapped_column(String(128))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("path_id", "user_id", name="uq_assignments_user"),
                      Index("ix_assignments_user", "workspace", "user_id"))


MAX_SUGGESTIONS = 100


def as_saved_path(row: PathRow) -> SavedPath:
    return SavedPath(id=row.id, name=row.name, level=row.level, created_by=row.created_by,
                     created_at=as_utc(row.created_at), spec=row.spec, trainings=row.trainings,
                     total_minutes=row.total_minutes, warnings=row.warnings)


def _assignments_query(workspace: str) -> Select[tuple[AssignmentRow, str, str | None]]:
    """Assignments with their path's name and the member's name (None: not a member)."""
    return (select(AssignmentRow, PathRow.name, MemberRow.name)
            .join(PathRow, PathRow.id == AssignmentRow.path_id)
            .outerjoin(MemberRow, (MemberRow.workspace == AssignmentRow.workspace)
                       & (MemberRow.user_id == AssignmentRow.user_id))
            .where(AssignmentRow.workspace == workspace))


async def assignments_of(db: AsyncSession, workspace: str, *, path_id: int | None = None,
                         user: str | None = None) -> list[Assignment]:
    query = _assignments_query(workspace)
    if path_id is not None:
        query = query.where(AssignmentRow.path_id == path_id)
    if user is not None:
        query = query.where(AssignmentRow.user_id == user)
    rows = (await db.execute(query.order_by(AssignmentRow.deadline, AssignmentRow.id))).all()
    return [Assignment(id=row.id, path_id=row.path_id, path_name=path_name, user=row.user_id,
                       user_name=member_name or row.user_id, deadline=as_utc(row.deadline),
                       assigned_by=row.assigned_by)
            for row, path_name, member_name in rows]


@implements("paths")
class SqlPaths:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    async def save_path(self, draft: PathDraft, created_by: str) -> SavedPath:
        await self._check_name(draft.name)
        row = PathRow(workspace=self.workspace, name=draft.name, name_key=name_key(draft.name),
                      level=draft.level, created_by=created_by, spec=draft.spec,
                      trainings=draft.trainings, total_minutes=draft.total_minutes,
                      warnings=draft.warnings, created_at=utcnow())
        self.db.add(row)
        await self.db.flush()
        return as_saved_path(row)

    async def _check_name(self, name: str, except_id: int | None = None) -> None:
        suggestion = await self.free_name(name, except_id)
        if suggestion is not None:
            raise PathNameTaken(name, suggestion)

    async def free_name(self, name: str, except_id: int | None = None) -> str | None:
        rows = (await self.db.execute(select(PathRow.id, PathRow.name_key).where(
            PathRow.workspace == self.workspace))).all()
        used = {key for ident, key in rows if ident != except_id}
        if name_key(name) not in used:
            return None
        base = " ".join(name.split())
        for number in range(2, MAX_SUGGESTIONS):
            candidate = f"{base} ({number})"
            if name_key(candidate) not in used:
                return candidate
        return f"{base} ({len(used) + 1})"

    async def _row(self, path_id: int) -> PathRow | None:
        return (await self.db.execute(select(PathRow).where(
            PathRow.workspace == self.workspace, PathRow.id == path_id))).scalar_one_or_none()

    async def update_path(self, path_id: int, draft: PathDraft) -> SavedPath | None:
        row = await self._row(path_id)
        if row is None:
            return None
        await self._check_name(draft.name, except_id=path_id)
        row.name, row.name_key, row.level = draft.name, name_key(draft.name), draft.level
        row.spec, row.trainings = draft.spec, draft.trainings
        row.total_minutes, row.warnings = draft.total_minutes, draft.warnings
        await self.db.flush()
        return as_saved_path(row)

    async def delete_path(self, path_id: int) -> int | None:
        row = await self._row(path_id)
        if row is None:
            return None
        # explicitly, not by the foreign key's cascade: SQLite may run without it
        gone = await self.db.execute(delete(AssignmentRow).where(
            AssignmentRow.workspace == self.workspace, AssignmentRow.path_id == path_id))
        await self.db.delete(row)
        await self.db.flush()
        return rowcount(gone)

    async def unassign(self, path_id: int, user: str) -> bool:
        gone = await self.db.execute(delete(AssignmentRow).where(
            AssignmentRow.workspace == self.workspace, AssignmentRow.path_id == path_id,
            AssignmentRow.user_id == user))
        return rowcount(gone) > 0

    async def paths(self) -> list[SavedPath]:
        rows = (await self.db.execute(select(PathRow).where(
            PathRow.workspace == self.workspace).order_by(PathRow.id.desc()))).scalars()
        return [as_saved_path(r) for r in rows]

    async def path(self, path_id: int) -> SavedPath | None:
        row = await self._row(path_id)
        return as_saved_path(row) if row is not None else None

    async def assign(self, path_id: int, user: str, deadline: datetime,
                     assigned_by: str) -> Assignment:
        row = (await self.db.execute(select(AssignmentRow).where(
            AssignmentRow.workspace == self.workspace, AssignmentRow.path_id == path_id,
            AssignmentRow.user_id == user))).scalar_one_or_none()
        if row is None:
            self.db.add(AssignmentRow(workspace=self.workspace, path_id=path_id, user_id=user,
                                      deadline=deadline, assigned_by=assigned_by,
                                      assigned_at=utcnow()))
        else:
            row.deadline, row.assigned_by = deadline, assigned_by
        await self.db.flush()
        (assigned,) = await self.assignments(path_id=path_id, user=user)
        return assigned

    async def assignments(self, *, path_id: int | None = None,
                          user: str | None = None) -> list[Assignment]:
        return await assignments_of(self.db, self.workspace, path_id=path_id, user=user)


async def _export(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    created = (await db.execute(select(PathRow.id, PathRow.name).where(
        PathRow.workspace == workspace, PathRow.created_by == user))).all()
    return {
        "assigned_paths": [a.model_dump(mode="json")
                           for a in await assignments_of(db, workspace, user=user)],
        "paths_created": [{"id": ident, "name": name} for ident, name in created],
    }


async def _erase(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    """The person's own assignments go; the leerlijnen they made and the assignments they
    gave stay for the organisation, without their id."""
    workspace, user = erasure.workspace, erasure.user
    deleted = await db.execute(delete(AssignmentRow).where(
        AssignmentRow.workspace == workspace, AssignmentRow.user_id == user))
    paths = await db.execute(update(PathRow).where(
        PathRow.workspace == workspace, PathRow.created_by == user
    ).values(created_by=DELETED_USER))
    given = await db.execute(update(AssignmentRow).where(
        AssignmentRow.workspace == workspace, AssignmentRow.assigned_by == user
    ).values(assigned_by=DELETED_USER))
    return {"assignments": rowcount(deleted), "paths_unlinked": rowcount(paths),
            "assignments_unlinked": rowcount(given)}


register(PersonalData(name="paths", tables=("paths", "assignments"), export=_export,
                      erase=_erase))
