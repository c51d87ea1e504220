"""Slack's Web API: one client per bot token over one shared connection pool, the workspace's
token (single- or multi-workspace), what we look up about people and channels (kept in
``SlackCaches``), and Slack's errors classified for the delivery worker."""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack.caches import Person, SlackCaches
from bot.channels.slack.install import DatabaseInstallationStore
from bot.settings import Settings
from bot.workers import PermanentError, RetryableError

log = logging.getLogger(__name__)
#: what a lookup may fail with without failing the turn (it then goes on without)
LOOKUP_ERRORS = (SlackApiError, aiohttp.ClientError, TimeoutError)


def classify(error: SlackApiError) -> RetryableError | None:
    """A rate limit (with Slack's Retry-After) or a server error can be retried; None: not."""
    status = error.response.status_code
    if status == 429 or error.response.get("error") == "ratelimited":
        retry_after = error.response.headers.get("Retry-After") or \
            error.response.headers.get("retry-after")
        return RetryableError("slack rate limited", float(retry_after) if retry_after else None)
    if status >= 500:
        return RetryableError(f"slack {status}")
    return None


def failure(method: str, error: SlackApiError) -> RetryableError | PermanentError:
    return classify(error) or PermanentError(f"slack {method}: {error.response.get('error')}")


class SlackWeb:
    def __init__(self, settings: Settings, installations: DatabaseInstallationStore | None,
                 caches: SlackCaches | None = None) -> None:
        self.settings = settings
        self.installations = installations
        self.caches = caches or SlackCaches()
        self._clients: dict[str, AsyncWebClient] = {}
        self._http: aiohttp.ClientSession | None = None

    def client(self, token: str | None = None) -> AsyncWebClient:
        """The client of a token (default: the single workspace's bot token)."""
        if token is None and self.settings.slack_bot_token:
            token = self.settings.slack_bot_token.get_secret_value()
        key = token or ""
        if key not in self._clients:
            self._clients[key] = AsyncWebClient(
                token=token, base_url=self.settings.slack_api_url,
                retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=2),
                                AsyncRateLimitErrorRetryHandler(max_retry_count=1)])
        return self._clients[key]

    def _pooled(self, client: AsyncWebClient) -> AsyncWebClient:
        """Share one HTTP connection pool between all Web API calls (slack_sdk otherwise opens
        a new session, and a new connection, for every call)."""
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=30),
                connector=aiohttp.TCPConnector(limit=100))
        client.session = self._http
        return client

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def client_for(self, team: str) -> AsyncWebClient:
        """A Web API client with the workspace's bot token."""
        if self.installations is None:
            return self._pooled(self.client())
        token = self.caches.token(team)
        if token is None:
            installation = await self._installation(team)
            if installation is None or not installation.bot_token:
                raise PermanentError(f"Leerbot is not installed in workspace {team}")
            token = installation.bot_token
            self.caches.keep_token(team, token)
        return self._pooled(self.client(token))

    async def _installation(self, team: str) -> Installation | None:
        """The workspace's own installation, else the org-wide installation of the Enterprise
        Grid organisation it belongs to (auth.teams.list says which); tokens kept fresh."""
        assert self.installations is not None
        try:
            own = await self.installations.for_team(team)
            if own is not None:
                return await self.installations.fresh(own)
            for installation in await self.installations.org_wide():
                installation = await self.installations.fresh(installation)
                if team in await self._teams_of(installation):
                    return installation
        except SlackTokenRotationError as exc:
            raise failure("oauth.v2.access", exc.api_error) from None
        except SlackApiError as exc:
            raise failure("auth.teams.list", exc) from None
        return None

    async def _teams_of(self, installation: Installation) -> set[str]:
        """The workspaces an org-wide installation reaches."""
        client = self._pooled(self.client(installation.bot_token))
        teams: set[str] = set()
        cursor = None
        while True:
            page = await client.auth_teams_list(limit=200, cursor=cursor)
            teams |= {str(t.get("id")) for t in page.get("teams") or []}
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return teams

    async def person(self, team: str, user: str) -> Person:
        """The user's locale and timezone (users.info); unknown when Slack does not answer."""
        known = self.caches.person(team, user)
        if known is not None:
            return known
        person = Person()
        try:
            info = await (await self.client_for(team)).users_info(user=user, include_locale=True)
            found = info.get("user") or {}
            person = Person(locale=found.get("locale"), timezone=found.get("tz"))
        except LOOKUP_ERRORS as exc:
            log.info("users.info failed: %s", type(exc).__name__)
        self.caches.keep_person(team, user, person)
        return person

    async def dm(self, team: str, user: str) -> str:
        """The id of the user's direct message channel with Leerbot (opened if need be)."""
        known = self.caches.dm(team, user)
        if known is not None:
            return known
        try:
            response = await (await self.client_for(team)).conversations_open(users=user)
        except SlackApiError as exc:
            raise failure("conversations.open", exc) from None
        channel = (response.get("channel") or {}).get("id")
        if not isinstance(channel, str) or not channel:  # an answer without the channel
            raise RetryableError("conversations.open answered without a channel")
        self.caches.keep_dm(team, user, channel)
        return channel

    async def channel_label(self, team: str, channel: str) -> str:
        """"#name" of a channel, or its id when Slack does not say."""
        try:
            info = await (await self.client_for(team)).conversations_info(channel=channel)
            return f"#{(info.get('channel') or {}).get('name') or channel}"
        except LOOKUP_ERRORS as exc:
            log.info("conversations.info failed: %s", type(exc).__name__)
            return channel
