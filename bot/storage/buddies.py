"""Buddy rounds: the groups of every round per team, and the buddies port."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    String,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, JSONType, utcnow
from bot.storage.personal import DELETED_USER, Erasure, PersonalData, register
from bot.storage.ports import Store, implements


class BuddyPairRow(Base):
    __tablename__ = "buddy_pairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer)
    members: Mapped[list[Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)




@implements("buddies")
class SqlBuddies:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    async def history(self, team_id: int) -> list[list[str]]:
        groups = (await self.db.execute(select(BuddyPairRow.members).where(
            BuddyPairRow.workspace == self.workspace, BuddyPairRow.team_id == team_id)
            .order_by(BuddyPairRow.id))).scalars()
        return [list(group) for group in groups]

    async def save_round(self, team_id: int, groups: list[list[str]]) -> int:
        last = (await self.db.execute(select(func.max(BuddyPairRow.round)).where(
            BuddyPairRow.workspace == self.workspace, BuddyPairRow.team_id == team_id)
        )).scalar_one_or_none() or 0
        for group in groups:
            self.db.add(BuddyPairRow(workspace=self.workspace, team_id=team_id, round=last + 1,
                                     members=group, created_at=utcnow()))
        await self.db.flush()
        return last + 1


async def _groups_with(db: AsyncSession, workspace: str, user: str) -> list[BuddyPairRow]:
    """The groups the user was in (members are a JSON list: filtered here, not in SQL)."""
    rows = (await db.execute(select(BuddyPairRow).where(
        BuddyPairRow.workspace == workspace).order_by(BuddyPairRow.id))).scalars()
    return [row for row in rows if user in (row.members or [])]


async def _export(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    return {"buddy_rounds": [{"round": row.round, "with": [m for m in row.members if m != user]}
                             for row in await _groups_with(db, workspace, user)]}


async def _erase(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    """The team's rounds stay (they keep later rounds from repeating pairs), without the
    person's id."""
    groups = await _groups_with(db, erasure.workspace, erasure.user)
    for row in groups:
        row.members = [DELETED_USER if m == erasure.user else m for m in row.members]
    return {"buddy_groups_unlinked": len(groups)}


register(PersonalData(name="buddy_pairs", tables=("buddy_pairs",), export=_export,
                      erase=_erase))
