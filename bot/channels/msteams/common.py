"""Microsoft Teams, the parts that do not depend on the SDK: activities are read as plain
camelCase dicts (the Bot Framework's wire format), replies are Adaptive Cards, conversation
references are stored in botbuilder's serialised format (both transports read and write the
same rows), and the request checks (emulator mode, serviceUrl allow-list, 4xx for anything
malformed) are made here once. A transport (``Transport``) brings the SDK: token validation,
running a turn, and sending.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels import ASK_QUESTION, MSTEAMS, msteams_render
from bot.channels.contract import Transaction, run_turn
from bot.files import store_file
from bot.net import RefusalLog, forwarded, is_loopback, service_url_allowed
from bot.queue import delivery_result
from bot.settings import Settings
from bot.storage import conversations
from bot.workers import PermanentError, RetryableError
from dialogs.kit import (
    Channel,
    ChartBlock,
    Conductor,
    FileBlock,
    ImageBlock,
    Incoming,
    Message,
    Prompt,
    SessionKey,
    say,
)
from knowledge.messages import normalise_lang

#: one logger for the whole Teams module, whichever transport runs
log = logging.getLogger("bot.channels.msteams")
CHANNEL = Channel(name=MSTEAMS, forms=True)
RETRY_STATUSES = {412, 429, 502, 503, 504}
#: the workspace of activities that name no tenant (the Bot Framework Emulator); the value
#: earlier versions stored, kept so such local data stays found
NO_TENANT = "teams"
#: the message action's invoke
SUBMIT_ACTION = "composeExtension/submitAction"
#: seconds to fetch Microsoft's token signing keys (off the event loop, bounded)
KEYS_TIMEOUT = 10.0
Card = dict[str, Any]
Activity = dict[str, Any]


#: the activity a transport is running, as the SDK's object and as the JSON object received
_RUNNING: ContextVar[tuple[object, Activity] | None] = ContextVar("msteams_running",
                                                                 default=None)


@asynccontextmanager
async def running(sdk_activity: object, body: Activity) -> AsyncIterator[None]:
    """While a transport runs ``sdk_activity``, its handlers read the JSON object it was
    parsed from (``wire``) instead of serialising the SDK's object again."""
    token = _RUNNING.set((sdk_activity, body))
    try:
        yield
    finally:
        _RUNNING.reset(token)


def wire(sdk_activity: object, serialise: Callable[[], Activity]) -> Activity:
    """The activity as the shared code reads it: the JSON received, when ``sdk_activity`` is
    the one being run; else (a proactive turn) the SDK's object serialised."""
    current = _RUNNING.get()
    if current is not None and current[0] is sdk_activity:
        return current[1]
    return serialise()


def tenant_of(activity: Activity) -> str:
    """The tenant: Teams puts it in channelData.tenant.id and conversation.tenantId
    (botbuilder serialises the latter as tenantID)."""
    channel_data = _dict(activity.get("channelData"))
    conversation = _dict(activity.get("conversation"))
    return str(_dict(channel_data.get("tenant")).get("id")
               or conversation.get("tenantId") or conversation.get("tenantID") or NO_TENANT)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _submitted(key: SessionKey, data: dict[str, Any], **common: Any) -> Incoming:
    """The data of an Action.Submit: a pressed button, a choice list or a form."""
    prompt = Prompt.model_validate(data["leerbot"]) if data.get("leerbot") else None
    if data["kind"] == "form":
        form = {k: str(v) for k, v in data.items() if k not in {"leerbot", "kind"}}
        return Incoming(key=key, form=form, prompt=prompt, **common)
    value = data.get("value") if data["kind"] == "choice" else data.get("choice")
    return Incoming(key=key, value=str(value) if value is not None else None, prompt=prompt,
                    **common)


def without_mention(activity: Activity) -> str:
    """The text with the mentions of the bot itself taken out (as botbuilder's
    ``remove_recipient_mention`` does)."""
    text = str(activity.get("text") or "")
    bot = _dict(activity.get("recipient")).get("id")
    for entity in activity.get("entities") or []:
        entity = _dict(entity)
        if (entity.get("type") == "mention" and bot
                and _dict(entity.get("mentioned")).get("id") == bot and entity.get("text")):
            text = text.replace(str(entity["text"]), "")
    return text


def session_key(activity: Activity) -> SessionKey:
    sender = _dict(activity.get("from"))
    user = str(sender.get("aadObjectId") or sender.get("id") or "unknown")
    conversation = _dict(activity.get("conversation")).get("id")
    return SessionKey(channel=MSTEAMS, workspace=tenant_of(activity), user=user,
                      conversation=str(conversation or user))


def incoming_from(activity: Activity) -> Incoming:
    """Our channel-neutral input from a Teams message activity (typed text, or the data of
    an Action.Submit)."""
    key = session_key(activity)
    common = {"locale": activity.get("locale"), "name": _dict(activity.get("from")).get("name"),
              # IANA name, e.g. Europe/Amsterdam
              "timezone": activity.get("localTimezone") or None}
    data = activity.get("value")
    if isinstance(data, dict) and "kind" in data:
        return _submitted(key, data, **common)
    text = str(activity.get("text") or "")
    if _dict(activity.get("conversation")).get("conversationType") != "personal":
        text = without_mention(activity) or text
    return Incoming(key=key, text=text.strip(), **common)


def message_text(value: object) -> str:
    """The question of a message action: what the user typed in the form, else the text of
    the message it was started on (Teams sends that as HTML)."""
    action = _dict(value)
    typed = _dict(action.get("data")).get("question")
    if typed and str(typed).strip():
        return str(typed).strip()
    body = _dict(_dict(action.get("messagePayload")).get("body")).get("content") or ""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", str(body))).split())


_ACCOUNT = ("id", "name", "aadObjectId", "role")
_CONVERSATION = ("isGroup", "conversationType", "id", "name", "aadObjectId", "role", "tenantID")


def _pick(value: object, keys: tuple[str, ...]) -> dict[str, Any]:
    found = _dict(value)
    return {k: found[k] for k in keys if found.get(k) is not None}


def reference_of(activity: Activity) -> dict[str, Any]:
    """The conversation reference to store, in botbuilder's serialised format (what
    ``TurnContext.get_conversation_reference(activity).serialize()`` gives), whichever
    transport received the activity."""
    reference = {"activityId": activity.get("id"), "user": _pick(activity.get("from"), _ACCOUNT),
                 "bot": _pick(activity.get("recipient"), _ACCOUNT),
                 "conversation": _pick(activity.get("conversation"), _CONVERSATION),
                 "channelId": activity.get("channelId"), "locale": activity.get("locale"),
                 "serviceUrl": activity.get("serviceUrl")}
    return {k: v for k, v in reference.items() if v is not None}


def _retry_after(exc: Exception) -> float | None:
    """Seconds of a 429's (or 503's) Retry-After header, when the connector sent one."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or getattr(exc, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def classified(exc: Exception) -> RetryableError | PermanentError:
    """A failed send as the delivery worker needs it: retry later, or give up."""
    status = getattr(getattr(exc, "response", None), "status_code", None) or \
        getattr(exc, "status", None)
    if status in RETRY_STATUSES or status is None:
        return RetryableError(f"{MSTEAMS} {status or type(exc).__name__}", _retry_after(exc))
    return PermanentError(f"{MSTEAMS} {status}")


class ProactiveSend:
    """The callback of a proactive send, on either SDK: sends the activities in order and keeps
    their ids; an error is kept, not raised inside the SDK (its turn-error handler must neither
    swallow it nor tell someone who never wrote that something went wrong)."""

    def __init__(self, activities: list[Any]) -> None:
        self.activities = activities
        self.sent: list[str] = []
        self.failures: list[Exception] = []

    async def __call__(self, turn_context: Any) -> None:
        try:
            for activity in self.activities:
                response = await turn_context.send_activity(activity)
                self.sent.append(getattr(response, "id", "") or "")
        except Exception as exc:
            self.failures.append(exc)

    def result(self) -> list[str]:
        """The ids of the activities sent; the first error, if any, raised now."""
        if self.failures:
            raise self.failures[0]
        return self.sent


class ServiceUrlRefused(Exception):
    """A conversation reference names a serviceUrl outside the allow-list."""


class KeysUnavailable(Exception):
    """Microsoft's token signing keys could not be fetched (the request gets a 503)."""


@dataclass
class Received:
    """A Teams turn as the shared code sees it: the activity, and how to answer in it."""

    activity: Activity
    reply: Callable[[list[Card]], Awaitable[None]]


class Transport(Protocol):
    """One Microsoft SDK (botbuilder or the Microsoft 365 Agents SDK) behind the channel."""

    def bind(self, turns: MsTeamsTurns) -> None:
        """The turns its SDK handler runs (set once, after both are made)."""
        ...

    def parse(self, body: dict[str, Any]) -> Any | None:
        """The SDK's activity for a JSON object, or None when it is not one."""
        ...

    async def authenticate(self, activity: Any, header: str) -> Any:
        """The caller's identity; raises ``KeysUnavailable``, or anything else for a bad
        token."""
        ...

    async def process(self, identity: Any, activity: Any,
                      body: dict[str, Any]) -> tuple[int, Any] | None:
        """Run the turn of ``activity`` (parsed from ``body``); an invoke's (status, JSON
        body), else None."""
        ...

    async def continue_conversation(self, reference: dict[str, Any], text: str | None,
                                    cards: list[Card]) -> list[str]:
        """Send proactively through a stored reference; the ids of the activities sent."""
        ...

    async def close(self) -> None:
        """Close the clients kept across turns (at shutdown)."""
        ...


class MsTeamsCards:
    """Messages as Adaptive Cards; images and files are linked from our /files when a public
    URL is configured (a data: URL for images otherwise; files need the public URL)."""

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.base = (settings.public_url or "").rstrip("/")
        self.sessions = sessions

    async def render(self, key: SessionKey, messages: list[Message]) -> list[Card]:
        """Cards for the person of ``key``; the files linked are stored as theirs."""
        files = [b for m in messages for b in m.blocks
                 if isinstance(b, ImageBlock | FileBlock) or (isinstance(b, ChartBlock) and b.png)]
        links: dict[int, str] = {}
        if self.base and files:
            async with self.sessions.begin() as db:
                for block in files:
                    token = await self._store(db, key, block)
                    links[id(block)] = f"{self.base}/files/{token}"

        def file_url(block: ImageBlock | FileBlock | ChartBlock) -> str:
            return links.get(id(block)) or msteams_render.data_url(block)

        return msteams_render.render(messages, file_url)

    @staticmethod
    async def _store(db: AsyncSession, key: SessionKey,
                     block: ImageBlock | FileBlock | ChartBlock) -> str:
        if isinstance(block, ImageBlock | ChartBlock):
            return await store_file(db, key.workspace, block.name, "image/png", block.png or b"",
                                    key.user)
        return await store_file(db, key.workspace, block.name, block.media_type, block.data,
                                key.user)


class MsTeamsSender:
    """Proactive delivery of queued cards through a stored conversation reference
    (``bot.workers.Sender``)."""

    verifies = False

    def __init__(self, settings: Settings, transport: Transport,
                 sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.transport = transport
        self.sessions = sessions

    def pace(self, workspace: str, payload: dict[str, Any]) -> tuple[str, float] | None:
        """Scheduled messages share the tenant's rate (50 requests/s per app per tenant)."""
        if payload.get("run") is None:
            return None
        return f"{MSTEAMS}:{workspace}", self.settings.msteams_rate

    async def delivered(self, workspace: str, payload: dict[str, Any], key: str,
                        since: datetime) -> bool | None:
        """The Bot Framework connector cannot list what a bot sent: an interrupted send is
        reported as unknown rather than risk sending it twice."""
        return None

    async def send(self, workspace: str, payload: dict[str, Any],
                   key: str = "") -> dict[str, Any] | None:
        """With ``thread_of``, as a reply in the thread of that earlier post (a channel
        message)."""
        reference = json.loads(json.dumps(payload["reference"]))  # a copy to change
        conversation = _dict(reference.get("conversation"))
        if payload.get("thread_of") and conversation.get("id"):
            root = await self._thread_root(payload["thread_of"])
            if root:
                base = str(conversation["id"]).split(";messageid=")[0]
                conversation["id"] = f"{base};messageid={root}"
        try:
            sent = await self.transport.continue_conversation(
                reference, payload.get("text") or None, list(payload.get("cards") or []))
        except ServiceUrlRefused:
            raise PermanentError(f"{MSTEAMS} serviceUrl not allowed") from None
        except (RetryableError, PermanentError):
            raise
        except Exception as exc:
            raise classified(exc) from None
        return {"activities": sent}

    async def _thread_root(self, delivery_key: str) -> str | None:
        """The activity id of an earlier post (e.g. a forum question), to reply under it."""
        async with self.sessions() as db:
            result = await delivery_result(db, delivery_key)
        activities = (result or {}).get("activities") or []
        return activities[0] if activities else None


class MsTeamsReplies:
    """Teams as a channel adapter: a message activity in, cards answered within the request
    (well inside Teams' time limit); the conversation reference is kept in the turn's
    transaction (``contract.Keeps``)."""

    channel = CHANNEL
    in_turn = False

    def __init__(self, cards: MsTeamsCards,
                 sessions: async_sessionmaker[AsyncSession]) -> None:
        self.cards = cards
        self.sessions = sessions

    async def receive(self, received: Received) -> Incoming | None:
        return incoming_from(received.activity)

    async def keep(self, received: Received, turn: Transaction | None) -> None:
        if turn is None:
            await self.remember(received.activity)
        else:
            await save_reference(turn.db, received.activity)

    async def render(self, received: Received, messages: list[Message]) -> list[Card]:
        return await self.cards.render(session_key(received.activity), messages)

    async def send(self, received: Received, rendered: list[Card],
                   turn: Transaction | None) -> None:
        await received.reply(rendered)

    async def remember(self, activity: Activity) -> None:
        """Store (or refresh) the conversation reference, in a transaction of its own."""
        async with self.sessions.begin() as db:
            await save_reference(db, activity)


async def save_reference(db: AsyncSession, activity: Activity) -> None:
    """Store (or refresh) the conversation reference for proactive messages."""
    key = session_key(activity)
    scope = _dict(activity.get("conversation")).get("conversationType")
    await conversations.save_reference(db, MSTEAMS, key.workspace, key.user, key.conversation,
                                       scope or "personal", reference_of(activity))


class AskFromMessage(BaseModel):
    """A message extension's question, to be asked in the person's own chat with Leerbot."""

    key: SessionKey  # the personal chat's
    reference: dict[str, Any]
    text: str
    locale: str | None = None
    name: str | None = None


class MsTeamsMessageAction:
    """The message action "Vraag aan collega's" as a channel adapter: the help-question
    dialog starts with the message as question; its cards go to the personal chat."""

    channel = CHANNEL
    in_turn = False

    def __init__(self, cards: MsTeamsCards, sender: MsTeamsSender) -> None:
        self.cards = cards
        self.sender = sender

    async def receive(self, received: AskFromMessage) -> Incoming | None:
        return Incoming(key=received.key, start=ASK_QUESTION, text=received.text,
                        locale=received.locale, name=received.name)

    async def render(self, received: AskFromMessage, messages: list[Message]) -> list[Card]:
        return await self.cards.render(received.key, messages)

    async def send(self, received: AskFromMessage, rendered: list[Card],
                   turn: Transaction | None) -> None:
        await self.sender.send(received.key.workspace,
                               {"reference": received.reference, "cards": rendered})


class MsTeamsTurns:
    """What a turn does, whichever SDK delivered it (the transports' handlers call these)."""

    def __init__(self, settings: Settings, conductor: Conductor,
                 sessions: async_sessionmaker[AsyncSession], transport: Transport) -> None:
        self.settings = settings
        self.conductor = conductor
        self.sessions = sessions
        cards = MsTeamsCards(settings, sessions)
        self.sender = MsTeamsSender(settings, transport, sessions)
        self.replies = MsTeamsReplies(cards, sessions)
        self.message_action = MsTeamsMessageAction(cards, self.sender)

    async def message(self, received: Received) -> None:
        await run_turn(self.replies, self.conductor, received)

    async def members_added(self, activity: Activity) -> str | None:
        """Remember the conversation; the welcome text when Leerbot itself was added (or a
        personal chat was opened)."""
        await self.replies.remember(activity)
        bot = _dict(activity.get("recipient")).get("id")
        added = [_dict(m).get("id") for m in activity.get("membersAdded") or []]
        personal = _dict(activity.get("conversation")).get("conversationType") == "personal"
        if (bot and bot in added) or personal:
            return say(normalise_lang(activity.get("locale")), "msteams.welcome").plain
        return None

    @staticmethod
    def error_text(activity: Activity) -> str:
        return say(normalise_lang(activity.get("locale")), "common.error").plain

    async def submit_action(self, activity: Activity) -> str:
        """The message action: the question goes on in the user's personal chat with
        Leerbot; the text for the task module says so (or why not)."""
        await self.replies.remember(activity)
        lang = normalise_lang(activity.get("locale"))
        key = session_key(activity)
        async with self.sessions() as db:
            personal = await conversations.personal_chat(db, MSTEAMS, key.workspace, key.user)
        text = message_text(activity.get("value"))
        if personal is None or not text:
            return say(lang, "msteams.ask_open_chat" if personal is None
                       else "msteams.ask_empty").plain
        ask = AskFromMessage(
            key=key.model_copy(update={"conversation": personal[0]}), reference=personal[1],
            text=text, locale=activity.get("locale"),
            name=_dict(activity.get("from")).get("name"))
        try:
            await run_turn(self.message_action, self.conductor, ask)
        except (RetryableError, PermanentError) as exc:
            log.warning("message action: could not reach the personal chat: %s", exc)
            return say(lang, "msteams.ask_failed").plain
        return say(lang, "msteams.ask_continues").plain


async def read_body(request: web.Request) -> dict[str, Any] | None:
    """The request's JSON object, or None for a body that is not one."""
    try:
        body = json.loads(await request.read())
    except (ValueError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


class Gate:
    """Who may talk to /api/messages and where Leerbot may post, for either transport."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.refusals = RefusalLog(log)

    def refused(self, request: web.Request) -> web.Response | None:
        """Unauthenticated traffic (no app id) only in emulator mode, from loopback, and not
        through a proxy or tunnel."""
        if self.settings.microsoft_app_id:
            return None
        if not self.settings.msteams_emulator:
            self.refusals.warn("msteams: refused /api/messages: MICROSOFT_APP_ID is not set "
                               "(set LEERBOT_TEAMS_EMULATOR=1 to test with the Bot Framework "
                               "Emulator on this machine)")
            return web.Response(status=401, text="Microsoft Teams is not configured")
        if not is_loopback(request.remote or ""):
            self.refusals.warn("msteams: emulator mode refused a request from another machine")
            return web.Response(status=401, text="unauthenticated traffic only on 127.0.0.1")
        if forwarded(request.headers):
            self.refusals.warn("msteams: emulator mode refused a request that came through a "
                               "proxy or tunnel")
            return web.Response(status=403, text="emulator mode accepts no forwarded requests")
        return None

    def service_url_allowed(self, url: str | None) -> bool:
        """Emulator mode also allows the Emulator's loopback serviceUrl (with an app id too,
        when the Emulator signs in with it)."""
        return service_url_allowed(url, self.settings.msteams_hosts,
                                   loopback=self.settings.msteams_emulator)
