"""Slack installations (multi-workspace mode) and the one-time OAuth states of the install
flow. Installations are stored sealed (encrypted by the caller); the person who installs Leerbot
in a new workspace becomes its first HR admin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import SlackInstallationRow, SlackOAuthStateRow, utcnow
from bot.storage.people import MemberRow


async def save_installation(db: AsyncSession, enterprise: str, team: str, user: str,
                            sealed: str) -> None:
    db.add(SlackInstallationRow(enterprise_id=enterprise, team_id=team, user_id=user,
                                installation=sealed, installed_at=utcnow()))


async def latest_installation(db: AsyncSession, enterprise: str, team: str,
                              user: str | None = None) -> str | None:
    """The newest sealed installation of a workspace (or of one installer in it)."""
    query = select(SlackInstallationRow.installation).where(
        SlackInstallationRow.enterprise_id == enterprise, SlackInstallationRow.team_id == team)
    if user:
        query = query.where(SlackInstallationRow.user_id == user)
    return (await db.execute(query.order_by(SlackInstallationRow.id.desc())
                             .limit(1))).scalar_one_or_none()


async def team_installation(db: AsyncSession, team: str) -> str | None:
    """The newest sealed installation in a workspace, whatever its organisation (a workspace
    of an Enterprise Grid organisation keeps the organisation's id with it)."""
    return (await db.execute(
        select(SlackInstallationRow.installation).where(SlackInstallationRow.team_id == team)
        .order_by(SlackInstallationRow.id.desc()).limit(1))).scalar_one_or_none()


async def org_installations(db: AsyncSession) -> list[str]:
    """The newest sealed org-wide installation of each Enterprise Grid organisation."""
    rows = (await db.execute(
        select(SlackInstallationRow.enterprise_id, SlackInstallationRow.installation)
        .where(SlackInstallationRow.team_id == "", SlackInstallationRow.enterprise_id != "")
        .order_by(SlackInstallationRow.id.desc()))).all()
    newest: dict[str, str] = {}
    for enterprise, sealed in rows:
        newest.setdefault(enterprise, sealed)
    return list(newest.values())


async def delete_installations(db: AsyncSession, enterprise: str, team: str,
                               user: str | None = None) -> None:
    statement = delete(SlackInstallationRow).where(
        SlackInstallationRow.enterprise_id == enterprise, SlackInstallationRow.team_id == team)
    if user:
        statement = statement.where(SlackInstallationRow.user_id == user)
    await db.execute(statement)


async def first_installer_is_admin(db: AsyncSession, workspace: str, user: str | None) -> None:
    """The installer of a workspace nobody talked to yet becomes its HR admin."""
    if not user or not workspace:
        return
    count = (await db.execute(select(func.count()).select_from(MemberRow).where(
        MemberRow.workspace == workspace))).scalar_one()
    if count == 0:
        db.add(MemberRow(workspace=workspace, user_id=user, name="", role="admin", lang=None,
                         created_at=utcnow()))


async def issue_state(db: AsyncSession, state: str, expires_at: datetime) -> None:
    db.add(SlackOAuthStateRow(state=state, expires_at=expires_at))


async def consume_state(db: AsyncSession, state: str, now: datetime) -> bool:
    """Use a state once: True when it was issued and has not expired."""
    result = await db.execute(delete(SlackOAuthStateRow).where(
        SlackOAuthStateRow.state == state, SlackOAuthStateRow.expires_at > now))
    return bool(result.rowcount)  # type: ignore[attr-defined]
