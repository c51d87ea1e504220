"""Teams of colleagues (not Microsoft Teams) and their members, and the teams port."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    delete,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, ConversationRefRow, JSONType, ScheduleRow, utcnow
from bot.storage.personal import DELETED_USER, Erasure, PersonalData, register, rowcount
from bot.storage.ports import Store, implements
from dialogs.team.port import Team
from engine.recurrence import Recurrence

#: every team gets the weekly digest of its open help questions (action 1.2): Monday 10:00
DIGEST_RULE = Recurrence(frequency="weekly", weekday=0, at=time(10, 0))


class TeamRow(Base):
    """A team of colleagues (not a Microsoft Team): its lead, its channel for the forum and the
    reflection, and its settings (buddy exclusions)."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    lead: Mapped[str] = mapped_column(String(128))
    room: Mapped[str | None] = mapped_column(String(255), nullable=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("workspace", "name", name="uq_teams_name"),)


class TeamMemberRow(Base):
    __tablename__ = "team_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(128))

    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_team_members"),)


async def as_team(db: AsyncSession, row: TeamRow) -> Team:
    members = list((await db.execute(select(TeamMemberRow.user_id).where(
        TeamMemberRow.team_id == row.id).order_by(TeamMemberRow.id))).scalars())
    return Team(id=row.id, name=row.name, lead=row.lead, room=row.room, members=members,
                settings=row.settings or {})


async def team_of(db: AsyncSession, workspace: str, team_id: int) -> Team | None:
    row = await db.get(TeamRow, team_id)
    return await as_team(db, row) if row is not None and row.workspace == workspace else None


@implements("teams")
class SqlTeams:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    async def teams(self, user: str | None = None) -> list[Team]:
        query = select(TeamRow).where(TeamRow.workspace == self.workspace)
        if user is not None:
            mine = select(TeamMemberRow.team_id).where(TeamMemberRow.user_id == user)
            query = query.where((TeamRow.lead == user) | TeamRow.id.in_(mine))
        rows = (await self.db.execute(query.order_by(TeamRow.name))).scalars().all()
        return [await as_team(self.db, r) for r in rows]

    async def team(self, team_id: int) -> Team | None:
        return await team_of(self.db, self.workspace, team_id)

    async def save_team(self, name: str, lead: str, members: list[str], room: str | None,
                        team_id: int | None = None) -> Team:
        row = await self.db.get(TeamRow, team_id) if team_id is not None else None
        if row is None or row.workspace != self.workspace:
            row = TeamRow(workspace=self.workspace, name=name[:255], lead=lead, room=room,
                          settings={}, created_at=utcnow())
            self.db.add(row)
            await self.db.flush()
            self.db.add(ScheduleRow(workspace=self.workspace, team_id=row.id, kind="digest",
                                    rule=DIGEST_RULE.model_dump(mode="json"), questions=[],
                                    active=True, created_by=lead, created_at=utcnow()))
        else:
            row.name, row.lead, row.room = name[:255], lead, room
        await self.db.execute(delete(TeamMemberRow).where(TeamMemberRow.team_id == row.id))
        for user in dict.fromkeys(members):
            self.db.add(TeamMemberRow(team_id=row.id, user_id=user))
        await self.db.flush()
        return await as_team(self.db, row)

    async def delete_team(self, team_id: int) -> None:
        await self.db.execute(delete(TeamRow).where(TeamRow.workspace == self.workspace,
                                                    TeamRow.id == team_id))

    async def update_settings(self, team_id: int, settings: dict[str, Any]) -> None:
        await self.db.execute(update(TeamRow).where(
            TeamRow.workspace == self.workspace, TeamRow.id == team_id).values(settings=settings))

    async def rooms(self) -> list[tuple[str, str]]:
        rows = (await self.db.execute(select(ConversationRefRow).where(
            ConversationRefRow.workspace == self.workspace,
            ConversationRefRow.scope.in_(("channel", "groupChat"))))).scalars()
        seen: dict[str, str] = {}
        for row in rows:
            label = (row.reference or {}).get("name") or row.conversation_id
            seen.setdefault(f"{row.channel}:{row.conversation_id}", str(label))
        return sorted(seen.items(), key=lambda item: item[1])


async def _export(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    teams = await SqlTeams(Store(db, workspace, None)).teams(user)  # type: ignore[arg-type]
    return {"teams": [{"name": t.name, "lead": t.lead == user} for t in teams]}


async def _erase(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    teams = select(TeamRow.id).where(TeamRow.workspace == erasure.workspace)
    left = await db.execute(delete(TeamMemberRow).where(
        TeamMemberRow.user_id == erasure.user, TeamMemberRow.team_id.in_(teams)))
    unlinked = await db.execute(update(TeamRow).where(
        TeamRow.workspace == erasure.workspace, TeamRow.lead == erasure.user
    ).values(lead=DELETED_USER))
    return {"team_memberships": rowcount(left), "teams_unlinked": rowcount(unlinked)}


register(PersonalData(name="teams", tables=("teams", "team_members"), export=_export,
                      erase=_erase))
