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
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from bot.storage import installations as stored

log = logging.getLogger(__name__)
STATE_TTL = timedelta(minutes=10)
#: The bot scopes the app asks for; the same list as manifest/slack/manifest.yaml.
BOT_SCOPES = ["app_mentions:read", "channels:read", "chat:write", "commands", "files:write",
              "groups:read", "im:history", "im:write", "users:read"]
#: with token rotation, a bot token is refreshed when it expires within this many minutes
ROTATE_BEFORE_MINUTES = 120
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


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
    """Datetimes as ISO 8601 text, which slack_sdk's models read back both as a float
    (installed_at) and as an int (a rotating token's expiry)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    raise TypeError(type(value).__name__)


class DatabaseInstallationStore(AsyncInstallationStore):
    """Bolt's installation store, plus what outgoing messages need: the installation that
    serves a workspace (its own, or its Enterprise Grid organisation's) with a fresh token."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], box: SecretBox,
                 rotator: AsyncTokenRotator | None = None) -> None:
        self.sessions = sessions
        self.box = box
        self.rotator = rotator

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        sealed = self.box.seal(installation.to_dict_for_copying())
        async with self.sessions.begin() as db:
            await stored.save_installation(db, installation.enterprise_id or "",
                                           installation.team_id or "",
                                           installation.user_id or "", sealed)
            await stored.first_installer_is_admin(
                db, installation.team_id or installation.enterprise_id or "",
                installation.user_id)

    async def async_save_bot(self, bot: Bot) -> None:  # bots are kept inside installations
        return None

    async def _latest(self, enterprise_id: str | None, team_id: str | None,
                      user_id: str | None = None) -> Installation | None:
        async with self.sessions() as db:
            sealed = await stored.latest_installation(db, enterprise_id or "", team_id or "",
                                                      user_id)
        return Installation(**self.box.open(sealed)) if sealed is not None else None

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

    async def for_team(self, team: str) -> Installation | None:
        """The workspace's own installation (also inside an Enterprise Grid organisation)."""
        async with self.sessions() as db:
            sealed = await stored.team_installation(db, team)
        return Installation(**self.box.open(sealed)) if sealed is not None else None

    async def org_wide(self) -> list[Installation]:
        """The org-wide installations (Enterprise Grid), one per organisation."""
        async with self.sessions() as db:
            sealed = await stored.org_installations(db)
        return [Installation(**self.box.open(one)) for one in sealed]

    async def fresh(self, installation: Installation) -> Installation:
        """The installation with a bot token that is not about to expire: with token rotation,
        an expiring token is refreshed and the new one kept."""
        if self.rotator is None or not installation.bot_refresh_token:
            return installation
        refreshed = await self.rotator.perform_token_rotation(
            installation=installation, minutes_before_expiration=ROTATE_BEFORE_MINUTES)
        if refreshed is None:
            return installation
        await self.async_save(refreshed)
        log.info("refreshed the bot token of a Slack installation")
        return refreshed

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(self, *, enterprise_id: str | None,
                                        team_id: str | None, user_id: str | None = None) -> None:
        async with self.sessions.begin() as db:
            await stored.delete_installations(db, enterprise_id or "", team_id or "", user_id)


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
            await stored.issue_state(db, state, datetime.now(UTC) + STATE_TTL)
        return state

    async def async_consume(self, state: str) -> bool:
        async with self.sessions.begin() as db:
            return await stored.consume_state(db, state, datetime.now(UTC))


def installation_store(settings: Settings, sessions: async_sessionmaker[AsyncSession]
                       ) -> DatabaseInstallationStore | None:
    """The installations of a multi-workspace app (None: one workspace, one bot token)."""
    if not (settings.slack_client_id and settings.slack_client_secret):
        return None
    if settings.secret_key is None:
        raise ValueError("multi-workspace Slack needs LEERBOT_SECRET_KEY to encrypt "
                         "the installations' tokens")
    client_secret = settings.slack_client_secret.get_secret_value()
    rotator = AsyncTokenRotator(client_id=settings.slack_client_id, client_secret=client_secret,
                                client=AsyncWebClient(base_url=settings.slack_api_url))
    return DatabaseInstallationStore(sessions, SecretBox(settings.secret_key.get_secret_value()),
                                     rotator)


def oauth_settings(settings: Settings, sessions: async_sessionmaker[AsyncSession],
                   installations: DatabaseInstallationStore) -> AsyncOAuthSettings:
    """Bolt's install flow on /slack/install and /slack/oauth_redirect."""
    assert settings.slack_client_id and settings.slack_client_secret
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=BOT_SCOPES, installation_store=installations,
        state_store=DatabaseStateStore(sessions),
        install_path=INSTALL_PATH, redirect_uri_path=REDIRECT_PATH,
        token_rotation_expiration_minutes=ROTATE_BEFORE_MINUTES)
