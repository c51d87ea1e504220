"""Completed diagnostic scans per organisation or team, and the rounds of the team scan: the
scans and team-scan ports and their personal data.

* A scan stays with the organisation; who took it is unlinked when they leave.
* A team-scan round names who sent it (unlinked on erasure). An invitation names the person
  invited and whether they answered (theirs: exported and erased). A response holds barrier
  scores only: no name, no time, a random id, so it cannot be traced back to an invitation;
  it stays with the round when the respondent's data is erased.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, JSONType, as_utc, utcnow
from bot.storage.personal import DELETED_USER, Erasure, PersonalData, register, rowcount
from bot.storage.ports import Store, implements
from dialogs.scan.port import ScanOutcome, ScanRecord, TeamScanRound


class ScanRow(Base):
    """A completed diagnostic scan of an organisation or team."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    team: Mapped[str] = mapped_column(String(255))
    taken_by: Mapped[str] = mapped_column(String(128))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    scores: Mapped[dict[str, Any]] = mapped_column(JSONType)
    profile: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: tied or flat
    priorities: Mapped[list[Any]] = mapped_column(JSONType)
    top_actions: Mapped[list[Any]] = mapped_column(JSONType)

    __table_args__ = (Index("ix_scans_team", "workspace", "team"),)


class TeamScanRoundRow(Base):
    """A team scan sent to a team (or, with no team, the whole organisation)."""

    __tablename__ = "team_scan_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    team: Mapped[str] = mapped_column(String(255))
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    invited: Mapped[int] = mapped_column(Integer)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_team_scan_rounds_workspace", "workspace", "team_id"),)


class TeamScanInvitationRow(Base):
    """Who was invited to a round, and whether they answered (not what)."""

    __tablename__ = "team_scan_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("team_scan_rounds.id", ondelete="CASCADE"))
    workspace: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128))
    answered: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("round_id", "user_id", name="uq_team_scan_invitation"),
                      Index("ix_team_scan_invitations_user", "workspace", "user_id"))


class TeamScanResponseRow(Base):
    """One respondent's barrier scores, anonymous: a random id, no name, no time."""

    __tablename__ = "team_scan_responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("team_scan_rounds.id", ondelete="CASCADE"), index=True)
    scores: Mapped[dict[str, Any]] = mapped_column(JSONType)


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

    async def scan(self, scan_id: int) -> ScanRecord | None:
        row = await self.db.get(ScanRow, scan_id)
        return as_scan_record(row) if row is not None and row.workspace == self.workspace \
            else None

    async def latest_taken_by(self, user: str) -> ScanRecord | None:
        row = (await self.db.execute(select(ScanRow).where(
            ScanRow.workspace == self.workspace, ScanRow.taken_by == user
        ).order_by(ScanRow.taken_at.desc(), ScanRow.id.desc()).limit(1))).scalar_one_or_none()
        return as_scan_record(row) if row is not None else None


@implements("team_scans")
class SqlTeamScans:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    async def _as_round(self, row: TeamScanRoundRow) -> TeamScanRound:
        count = (await self.db.execute(select(func.count()).select_from(
            TeamScanResponseRow).where(TeamScanResponseRow.round_id == row.id))).scalar_one()
        return TeamScanRound(id=row.id, team_id=row.team_id, team=row.team,
                             sent_by=row.created_by, sent_at=as_utc(row.created_at),
                             invited=row.invited, respondents=int(count), closed=row.closed)

    async def start_round(self, team_id: int | None, team: str, invited: list[str],
                          sent_by: str) -> TeamScanRound:
        people = list(dict.fromkeys(invited))
        row = TeamScanRoundRow(workspace=self.workspace, team_id=team_id, team=team[:255],
                               created_by=sent_by, created_at=utcnow(), invited=len(people),
                               closed=False)
        self.db.add(row)
        await self.db.flush()
        self.db.add_all([TeamScanInvitationRow(round_id=row.id, workspace=self.workspace,
                                               user_id=user, answered=False)
                         for user in people])
        await self.db.flush()
        return await self._as_round(row)

    async def rounds(self) -> list[TeamScanRound]:
        rows = (await self.db.execute(select(TeamScanRoundRow).where(
            TeamScanRoundRow.workspace == self.workspace
        ).order_by(TeamScanRoundRow.created_at.desc(), TeamScanRoundRow.id.desc()))).scalars()
        return [await self._as_round(r) for r in rows]

    async def round(self, round_id: int) -> TeamScanRound | None:
        row = await self.db.get(TeamScanRoundRow, round_id)
        if row is None or row.workspace != self.workspace:
            return None
        return await self._as_round(row)

    async def _invitation(self, round_id: int, user: str) -> TeamScanInvitationRow | None:
        return (await self.db.execute(select(TeamScanInvitationRow).where(
            TeamScanInvitationRow.workspace == self.workspace,
            TeamScanInvitationRow.round_id == round_id,
            TeamScanInvitationRow.user_id == user))).scalar_one_or_none()

    async def invited(self, round_id: int, user: str) -> bool:
        return await self._invitation(round_id, user) is not None

    async def answered(self, round_id: int, user: str) -> bool:
        invitation = await self._invitation(round_id, user)
        return invitation is not None and invitation.answered

    async def open_invitation(self, user: str) -> int | None:
        return (await self.db.execute(
            select(TeamScanRoundRow.id).join(
                TeamScanInvitationRow, TeamScanInvitationRow.round_id == TeamScanRoundRow.id)
            .where(TeamScanRoundRow.workspace == self.workspace,
                   TeamScanRoundRow.closed.is_(False),
                   TeamScanInvitationRow.user_id == user,
                   TeamScanInvitationRow.answered.is_(False))
            .order_by(TeamScanRoundRow.id.desc()).limit(1))).scalar_one_or_none()

    async def save_response(self, round_id: int, user: str, scores: dict[int, int]) -> None:
        invitation = await self._invitation(round_id, user)
        if invitation is None or invitation.answered:
            raise LookupError(f"no open invitation to round {round_id}")
        invitation.answered = True
        self.db.add(TeamScanResponseRow(id=uuid.uuid4().hex, round_id=round_id,
                                        scores={str(k): v for k, v in scores.items()}))
        await self.db.flush()

    async def responses(self, round_id: int) -> list[dict[int, int]]:
        rows = (await self.db.execute(select(TeamScanResponseRow).where(
            TeamScanResponseRow.round_id == round_id).order_by(TeamScanResponseRow.id)))
        return [{int(k): int(v) for k, v in r.scores.items()} for r in rows.scalars()]

    async def close_round(self, round_id: int) -> None:
        await self.db.execute(update(TeamScanRoundRow).where(
            TeamScanRoundRow.workspace == self.workspace, TeamScanRoundRow.id == round_id
        ).values(closed=True))


async def _export(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    rows = (await db.execute(select(ScanRow).where(
        ScanRow.workspace == workspace, ScanRow.taken_by == user))).scalars()
    sent = (await db.execute(select(TeamScanRoundRow).where(
        TeamScanRoundRow.workspace == workspace, TeamScanRoundRow.created_by == user
    ).order_by(TeamScanRoundRow.id))).scalars()
    invitations = (await db.execute(
        select(TeamScanInvitationRow, TeamScanRoundRow).join(
            TeamScanRoundRow, TeamScanRoundRow.id == TeamScanInvitationRow.round_id)
        .where(TeamScanInvitationRow.workspace == workspace,
               TeamScanInvitationRow.user_id == user)
        .order_by(TeamScanInvitationRow.id))).all()
    return {
        "scans_taken": [{"id": r.id, "team": r.team,
                         "taken_at": as_utc(r.taken_at).isoformat(timespec="seconds")}
                        for r in rows],
        "team_scans_sent": [{"round": r.id, "team": r.team,
                             "sent_at": as_utc(r.created_at).isoformat(timespec="seconds")}
                            for r in sent],
        # the answers themselves were stored without a name: nobody can tell which are yours
        "team_scan_invitations": [{"round": round_.id, "team": round_.team,
                                   "answered": invitation.answered}
                                  for invitation, round_ in invitations],
    }


async def _erase(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    scans = await db.execute(update(ScanRow).where(
        ScanRow.workspace == erasure.workspace, ScanRow.taken_by == erasure.user
    ).values(taken_by=DELETED_USER))
    sent = await db.execute(update(TeamScanRoundRow).where(
        TeamScanRoundRow.workspace == erasure.workspace,
        TeamScanRoundRow.created_by == erasure.user).values(created_by=DELETED_USER))
    invitations = await db.execute(delete(TeamScanInvitationRow).where(
        TeamScanInvitationRow.workspace == erasure.workspace,
        TeamScanInvitationRow.user_id == erasure.user))
    return {"scans_unlinked": rowcount(scans), "team_scans_unlinked": rowcount(sent),
            "team_scan_invitations": rowcount(invitations)}


register(PersonalData(name="scans",
                      tables=("scans", "team_scan_rounds", "team_scan_invitations"),
                      export=_export, erase=_erase))
