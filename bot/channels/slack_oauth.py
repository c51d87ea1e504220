"""Multi-workspace Slack install (OAuth): Bolt's installation and state stores on our database.

Installations hold bot tokens, so they are encrypted at rest (Fernet) with the key in
``LEERBOT_SECRET_KEY``; the key never leaves the environment. The person who installs the app
in a new workspace becomes its first HR admin.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import SlackInstallationRow, SlackOAuthStateRow, utcnow
from bot.storage.people import MemberRow

log = logging.getLogger(__name__)
STATE_TTL = timedelta(minutes=10)


class SecretBox:
    """Encrypts and decrypts small secrets with a Fernet key from the environment."""

    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode())
        except (ValueError, TypeError):
            raise ValueError("LEERBOT_SECRET_KEY must be a Fernet key "
                             "(python -c 'from cryptography.fernet import Fernet; "
                             "print(Fernet.generate_key().decode())')") from None

    def seal(self, data: dict[str, Any]) -> str:
        text = json.dumps(data, default=_plain)
        return self._fernet.encrypt(text.encode()).decode()

    def open(self, token: str) -> dict[str, Any]:
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise ValueError("an installation cannot be decrypted with LEERBOT_SECRET_KEY") \
                from None


def _plain(value: Any) -> Any:
    """Datetimes as POSIX timestamps (what slack_sdk's models accept back)."""
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(type(value).__name__)


class DatabaseInstallationStore(AsyncInstallationStore):
    def __init__(self, sessions: async_sessionmaker[AsyncSession], box: SecretBox) -> None:
        self.sessions = sessions
        self.box = box

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        data = installation.to_dict_for_copying()
        async with self.sessions.begin() as db:
            db.add(SlackInstallationRow(
                enterprise_id=installation.enterprise_id or "",
                team_id=installation.team_id or "", user_id=installation.user_id or "",
                installation=self.box.seal(data), installed_at=utcnow()))
            await _first_installer_is_admin(db, installation.team_id or
                                            installation.enterprise_id or "",
                                            installation.user_id)

    async def async_save_bot(self, bot: Bot) -> None:  # bots are kept inside installations
        return None

    async def _latest(self, enterprise_id: str | None, team_id: str | None,
                      user_id: str | None = None) -> Installation | None:
        query = select(SlackInstallationRow).where(
            SlackInstallationRow.enterprise_id == (enterprise_id or ""),
            SlackInstallationRow.team_id == (team_id or ""))
        if user_id:
            query = query.where(SlackInstallationRow.user_id == user_id)
        async with self.sessions() as db:
            row = (await db.execute(query.order_by(SlackInstallationRow.id.desc())
                                    .limit(1))).scalar_one_or_none()
        if row is None:
            return None
        return Installation(**self.box.open(row.installation))

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False,
                                      ) -> Installation | None:
        return await self._latest(enterprise_id, None if is_enterprise_install else team_id,
                                  user_id)

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        installation = await self._latest(enterprise_id,
                                          None if is_enterprise_install else team_id)
        return installation.to_bot() if installation and installation.bot_token else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(self, *, enterprise_id: str | None,
                                        team_id: str | None, user_id: str | None = None) -> None:
        statement = delete(SlackInstallationRow).where(
            SlackInstallationRow.enterprise_id == (enterprise_id or ""),
            SlackInstallationRow.team_id == (team_id or ""))
        if user_id:
            statement = statement.where(SlackInstallationRow.user_id == user_id)
        async with self.sessions.begin() as db:
            await db.execute(statement)


async def _first_installer_is_admin(db: AsyncSession, workspace: str,
                                    user: str | None) -> None:
    if not user or not workspace:
        return
    count = (await db.execute(select(func.count()).select_from(MemberRow).where(
        MemberRow.workspace == workspace))).scalar_one()
    if count == 0:
        db.add(MemberRow(workspace=workspace, user_id=user, name="", role="admin", lang=None,
                         created_at=utcnow()))


class DatabaseStateStore(AsyncOAuthStateStore):
    """One-time OAuth states (CSRF protection of the install flow), valid ten minutes."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        async with self.sessions.begin() as db:
            db.add(SlackOAuthStateRow(state=state, expires_at=datetime.now(UTC) + STATE_TTL))
        return state

    async def async_consume(self, state: str) -> bool:
        async with self.sessions.begin() as db:
            result = await db.execute(delete(SlackOAuthStateRow).where(
                SlackOAuthStateRow.state == state,
                SlackOAuthStateRow.expires_at > datetime.now(UTC)))
        return bool(result.rowcount)  # type: ignore[attr-defined]
