"""Completed diagnostic scans per organisation or team: the scans port and their personal data
(the scan stays with the organisation; who took it is unlinked)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Index,
    Integer,
    String,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, JSONType, as_utc, utcnow
from bot.storage.personal import DELETED_USER, Erasure, PersonalData, register, rowcount
from bot.storage.ports import Store, implements
from dialogs.scan.port import ScanOutcome, ScanRecord


class ScanRow(Base):
    """A completed diagnostic scan of an organisation or team."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    team: Mapped[str] = mapped_column(String(255))
    taken_by: Mapped[str] = mapped_column(String(128))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    scores: Mapped[dict[str, Any]] = mapped_column(JSONType)
    profile: Mapped[int] = mapped_column(Integer)
    priorities: Mapped[list[Any]] = mapped_column(JSONType)
    top_actions: Mapped[list[Any]] = mapped_column(JSONType)

    __table_args__ = (Index("ix_scans_team", "workspace", "team"),)




def as_scan_record(row: ScanRow) -> ScanRecord:
    return ScanRecord(id=row.id, team=row.team, taken_by=row.taken_by,
                      taken_at=as_utc(row.taken_at),
                      scores={int(k): v for k, v in row.scores.items()}, profile=row.profile,
                      priorities=row.priorities, top_actions=row.top_actions)


@implements("scans")
class SqlScans:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    async def save_scan(self, outcome: ScanOutcome, taken_by: str) -> ScanRecord:
        row = ScanRow(workspace=self.workspace, team=outcome.team, taken_by=taken_by,
                      taken_at=utcnow(), scores={str(k): v for k, v in outcome.scores.items()},
                      profile=outcome.profile, priorities=outcome.priorities,
                      top_actions=outcome.top_actions)
        self.db.add(row)
        await self.db.flush()
        return as_scan_record(row)

    async def scans(self, team: str) -> list[ScanRecord]:
        rows = (await self.db.execute(select(ScanRow).where(
            ScanRow.workspace == self.workspace, ScanRow.team == team
        ).order_by(ScanRow.taken_at.desc(), ScanRow.id.desc()))).scalars()
        return [as_scan_record(r) for r in rows]


async def _export(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    rows = (await db.execute(select(ScanRow).where(
        ScanRow.workspace == workspace, ScanRow.taken_by == user))).scalars()
    return {"scans_taken": [{"id": r.id, "team": r.team,
                             "taken_at": as_utc(r.taken_at).isoformat(timespec="seconds")}
                            for r in rows]}


async def _erase(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    result = await db.execute(update(ScanRow).where(
        ScanRow.workspace == erasure.workspace, ScanRow.taken_by == erasure.user
    ).values(taken_by=DELETED_USER))
    return {"scans_unlinked": rowcount(result)}


register(PersonalData(name="scans", tables=("scans",), export=_export, erase=_erase))
