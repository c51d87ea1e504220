"""Microsoft Teams. Nothing outside this package imports a Microsoft SDK: the shared parts
(``common``: reading activities, cards, conversation references, the request checks) run on
one of two transports, chosen with ``LEERBOT_TEAMS_SDK``:

* ``botbuilder`` (default): the Bot Framework SDK (``transport_botbuilder``);
* ``agents``: the Microsoft 365 Agents SDK (``transport_agents``).

Both validate tokens when an app id is set; without one every request is refused unless
LEERBOT_TEAMS_EMULATOR is on (the Bot Framework Emulator: unauthenticated activities from
127.0.0.1 only, never through a proxy or tunnel). Leerbot posts only to serviceUrls on the
allow-list (LEERBOT_TEAMS_SERVICE_HOSTS; loopback in emulator mode), for replies and proactive
messages alike. A malformed or unauthenticated request gets a 4xx and at most a warning line a
minute. Conversation references are stored on every contact, in the same format on both
transports, so the bot can message people after a restart, from any replica, and after a
switch of transport.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels import MSTEAMS
from bot.channels.msteams import common
from bot.channels.msteams.common import (
    CHANNEL,
    KeysUnavailable,
    MsTeamsMessageAction,
    MsTeamsReplies,
    Transport,
    incoming_from,
    log,
    message_text,
    read_body,
    reference_of,
    tenant_of,
)
from bot.settings import Settings
from bot.storage import conversations
from dialogs.kit import Conductor

__all__ = ["CHANNEL", "MsTeamsChannel", "MsTeamsMessageAction", "MsTeamsReplies",
           "incoming_from", "message_text", "reference_of", "tenant_of", "transport_for"]


def transport_for(settings: Settings, gate: common.Gate) -> Transport:
    """The SDK named by ``LEERBOT_TEAMS_SDK`` (imported only when chosen)."""
    if settings.msteams_sdk == "agents":
        from bot.channels.msteams.transport_agents import AgentsTransport

        return AgentsTransport(settings, gate)
    from bot.channels.msteams.transport_botbuilder import BotbuilderTransport

    return BotbuilderTransport(settings, gate)


class MsTeamsChannel:
    """Microsoft Teams put together for the server: the /api/messages endpoint, the two
    adapters and the sender, on the configured transport."""

    def __init__(self, settings: Settings, conductor: Conductor,
                 sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.sessions = sessions
        self.gate = common.Gate(settings)
        self.refusals = self.gate.refusals
        self.transport: Transport = transport_for(settings, self.gate)
        self.turns = common.MsTeamsTurns(settings, conductor, sessions, self.transport)
        self.transport.bind(self.turns)
        self.sender = self.turns.sender
        self.replies = self.turns.replies
        self.message_action = self.turns.message_action

    async def handle(self, request: web.Request) -> web.Response:
        """The /api/messages endpoint: every malformed or unauthenticated request gets a 4xx
        and at most one warning line a minute, never a traceback."""
        refused = self.gate.refused(request)
        if refused is not None:
            return refused
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415)
        body = await read_body(request)
        activity = self.transport.parse(body) if body is not None else None
        if body is None or activity is None:
            self.refusals.warn("msteams: refused a request that is not an activity")
            return web.Response(status=400, text="not a Bot Framework activity")
        try:
            identity = await self.transport.authenticate(
                activity, request.headers.get("Authorization", ""))
        except KeysUnavailable as exc:  # Microsoft's key server
            log.warning("msteams: could not fetch the token signing keys: %s", exc)
            return web.Response(status=503, text="token keys unavailable")
        except Exception as exc:  # the SDKs raise many kinds for a bad token
            self.refusals.warn("msteams: refused an unauthenticated request (%s)",
                               type(exc).__name__)
            return web.Response(status=401, text="unauthenticated")
        url = body.get("serviceUrl")
        if not self.gate.service_url_allowed(url if isinstance(url, str) else None):
            self.refusals.warn("msteams: refused an activity whose serviceUrl is not allowed "
                               "(LEERBOT_TEAMS_SERVICE_HOSTS)")
            return web.Response(status=403, text="serviceUrl not allowed")
        invoke = await self.transport.process(identity, activity, body)
        if invoke:
            return web.json_response(data=invoke[1], status=invoke[0])
        return web.Response(status=201)

    async def close(self) -> None:
        await self.transport.close()

    def service_url_allowed(self, url: str | None) -> bool:
        return self.gate.service_url_allowed(url)

    @property
    def emulator(self) -> bool:
        return self.settings.msteams_emulator

    async def references(self, workspace: str, user: str) -> list[dict[str, Any]]:
        async with self.sessions() as db:
            return await conversations.references(db, MSTEAMS, workspace, user)

