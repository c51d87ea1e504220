"""Microsoft Teams through the Bot Framework SDK (botbuilder). This is the only module that
imports botbuilder: it receives activities, sends and updates them, and continues
conversations proactively; all state is ours (pydantic in our database, no
botbuilder-dialogs). Moving to the Microsoft 365 Agents SDK is a change of this module alone.

* CloudAdapter with configuration-based authentication (app id, password, tenant, app type);
  every activity's JWT is validated by the adapter.
* With no app id configured every request is refused, unless LEERBOT_TEAMS_EMULATOR is on
  (local testing with the Bot Framework Emulator): then unauthenticated activities are
  accepted from 127.0.0.1 only, and never through a proxy or tunnel (forwarding headers).
* Leerbot posts only to serviceUrls on the allow-list (LEERBOT_TEAMS_SERVICE_HOSTS; loopback in
  emulator mode), for replies and for proactive messages alike: a forged activity cannot make
  it send requests elsewhere.
* A malformed or unauthenticated request gets a 4xx and at most a warning line a minute.
* Conversation references are stored on every contact, so the bot can message people
  proactively after a restart and from any replica.
* Two channel adapters (``bot.channels.contract``): ``MsTeamsReplies`` answers a message within
  the request; ``MsTeamsMessageAction`` runs the message extension's question in the person's
  own chat with Leerbot. ``MsTeamsSender`` delivers queued (proactive) cards.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
from datetime import datetime
from http import HTTPStatus
from typing import Any

import requests
from aiohttp import web
from botbuilder.core import (
    CardFactory,
    InvokeResponse,
    MessageFactory,
    TurnContext,
    serializer_helper,
)
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import (
    Activity,
    CallerIdConstants,
    ChannelAccount,
    ConversationReference,
)
from botbuilder.schema.teams import (
    MessagingExtensionAction,
    MessagingExtensionActionResponse,
    TaskModuleMessageResponse,
)
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    jwt_token_extractor,
)
from msrest.universal_http.requests import ClientRetryPolicy
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

log = logging.getLogger(__name__)
CHANNEL = Channel(name=MSTEAMS, forms=True)
RETRY_STATUSES = {412, 429, 502, 503, 504}
#: the workspace of activities that name no tenant (the Bot Framework Emulator); the value
#: earlier versions stored, kept so such local data stays found
NO_TENANT = "teams"
Card = dict[str, Any]

# botbuilder builds a new connector client (with msrest's retry configuration) for every
# proactive send, and msrest derives its retry status list by testing 999 codes against a
# 500-element list: ~5 ms of CPU per client, most of a proactive send. The same codes as a
# set give the same list at once. (Only affects this computation; remove with botbuilder.)
ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]

#: seconds to fetch Microsoft's token signing keys (botbuilder fetches them, at most once an
#: hour, with blocking ``requests`` and no timeout: that runs off the event loop, bounded)
KEYS_TIMEOUT = 10.0


class _KeyFetch:
    """``requests`` for botbuilder's key fetch, with a timeout."""

    @staticmethod
    def get(url: str, **options: Any) -> requests.Response:
        return requests.get(url, timeout=KEYS_TIMEOUT, **options)


jwt_token_extractor.requests = _KeyFetch  # type: ignore[assignment]


class _Config:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.microsoft_app_id or ""
        self.APP_PASSWORD = (settings.microsoft_app_password.get_secret_value()
                             if settings.microsoft_app_password else "")
        self.APP_TYPE = settings.microsoft_app_type
        self.APP_TENANTID = settings.microsoft_app_tenant_id or ""
        if settings.msteams_openid_url:  # the public cloud's values, with these signing keys
            self.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = settings.msteams_openid_url
            self.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL = settings.msteams_openid_url
            self.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = \
                AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
            self.TO_CHANNEL_FROM_BOT_LOGIN_URL = (
                AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
                + AuthenticationConstants.DEFAULT_CHANNEL_AUTH_TENANT)
            self.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = \
                AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
            self.OAUTH_URL = AuthenticationConstants.OAUTH_URL
            self.CALLER_ID = CallerIdConstants.public_azure_channel


def tenant_of(activity: Activity) -> str:
    """The tenant: Teams puts it in channelData.tenant.id (and conversation.tenantId, which
    botbuilder's model maps under another name)."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    conversation = activity.conversation
    extra = getattr(conversation, "additional_properties", None) or {}
    return ((channel_data.get("tenant") or {}).get("id")
            or (conversation.tenant_id if conversation else None)
            or extra.get("tenantId") or NO_TENANT)


def _submitted(key: SessionKey, data: dict[str, Any], **common: Any) -> Incoming:
    """The data of an Action.Submit: a pressed button, a choice list or a form."""
    prompt = Prompt.model_validate(data["leerbot"]) if data.get("leerbot") else None
    if data["kind"] == "form":
        form = {k: str(v) for k, v in data.items() if k not in {"leerbot", "kind"}}
        return Incoming(key=key, form=form, prompt=prompt, **common)
    value = data.get("value") if data["kind"] == "choice" else data.get("choice")
    return Incoming(key=key, value=str(value) if value is not None else None, prompt=prompt,
                    **common)


def incoming_from(activity: Activity) -> Incoming:
    """Our channel-neutral input from a Teams message activity (typed text, or the data of
    an Action.Submit)."""
    sender = activity.from_property
    user = (sender.aad_object_id or sender.id) if sender else "unknown"
    key = SessionKey(channel=MSTEAMS, workspace=tenant_of(activity), user=user,
                     conversation=activity.conversation.id if activity.conversation else user)
    common = {"locale": activity.locale, "name": sender.name if sender else None,
              # IANA name, e.g. Europe/Amsterdam
              "timezone": getattr(activity, "local_timezone", None) or None}
    data = activity.value if isinstance(activity.value, dict) else None
    if data and "kind" in data:
        return _submitted(key, data, **common)
    text = activity.text or ""
    if activity.conversation and activity.conversation.conversation_type != "personal":
        text = TurnContext.remove_recipient_mention(activity) or text
    return Incoming(key=key, text=text.strip(), **common)


def message_text(action: MessagingExtensionAction) -> str:
    """The question of a message action: what the user typed in the form, else the text of
    the message it was started on (Teams sends that as HTML)."""
    typed = ((action.data or {}) if isinstance(action.data, dict) else {}).get("question")
    if typed and str(typed).strip():
        return str(typed).strip()
    body = getattr(getattr(action.message_payload, "body", None), "content", None) or ""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _retry_after(exc: Exception) -> float | None:
    """Seconds of a 429's (or 503's) Retry-After header, when the connector sent one."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _classified(exc: Exception) -> RetryableError | PermanentError:
    status = getattr(getattr(exc, "response", None), "status_code", None) or \
        getattr(exc, "status", None)
    if status in RETRY_STATUSES or status is None:
        return RetryableError(f"{MSTEAMS} {status or type(exc).__name__}", _retry_after(exc))
    return PermanentError(f"{MSTEAMS} {status}")


async def _activity(request: web.Request) -> Activity | None:
    """The request's activity, or None for a body that is not one (not JSON, not UTF-8, not
    an object, fields of the wrong kind, no type)."""
    try:
        body = json.loads(await request.read())
    except (ValueError, RecursionError):
        return None
    if not isinstance(body, dict):
        return None
    try:
        activity = Activity().deserialize(body)
    except Exception:  # msrest raises several kinds for fields of the wrong type
        return None
    return activity if isinstance(activity.type, str) and activity.type else None


class ServiceUrlRefused(Exception):
    """A conversation reference names a serviceUrl outside the allow-list."""


def _task_message(text: str) -> MessagingExtensionActionResponse:
    return MessagingExtensionActionResponse(task=TaskModuleMessageResponse(value=text))


class ProactiveCloudAdapter(CloudAdapter):
    """CloudAdapter that keeps one connector client per service URL for proactive sends.

    The stock adapter builds a new connector client and user-token client for every
    continue_conversation call, which costs more CPU than the send itself in a fan-out of
    thousands; the clients hold no per-turn state (their credentials refresh their own token),
    so they are kept and reused."""

    _connectors: dict[tuple[str, str, str], Any]
    _token_clients: dict[str, Any]

    def service_url_allowed(self, url: str | None) -> bool:
        """Replaced by the channel's allow-list (``LEERBOT_TEAMS_SERVICE_HOSTS``)."""
        return False

    async def process_proactive(self, claims_identity: Any, continuation_activity: Activity,
                                audience: str, logic: Any) -> None:
        if not self.service_url_allowed(continuation_activity.service_url):
            raise ServiceUrlRefused("the stored serviceUrl is not allowed")
        if not hasattr(self, "_connectors"):
            self._connectors, self._token_clients = {}, {}
        app_id = str(getattr(claims_identity, "claims", {}).get("aud", ""))
        key = (continuation_activity.service_url or "", audience or "", app_id)
        factory = self.bot_framework_authentication.create_connector_factory(claims_identity)
        if key not in self._connectors:
            self._connectors[key] = await factory.create(continuation_activity.service_url,
                                                          audience)
        if app_id not in self._token_clients:
            self._token_clients[app_id] = \
                await self.bot_framework_authentication.create_user_token_client(
                    claims_identity)
        context = self._create_turn_context(
            continuation_activity, claims_identity, audience, self._connectors[key],
            self._token_clients[app_id], logic, factory)
        await self.run_pipeline(context, logic)


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

    def __init__(self, settings: Settings, adapter: CloudAdapter,
                 sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.adapter = adapter
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
        reference = ConversationReference().deserialize(payload["reference"])
        if payload.get("thread_of") and reference.conversation is not None:
            root = await self._thread_root(payload["thread_of"])
            if root:
                base = reference.conversation.id.split(";messageid=")[0]
                reference.conversation.id = f"{base};messageid={root}"
        activities = [MessageFactory.text(payload["text"])] if payload.get("text") else []
        activities += [MessageFactory.attachment(CardFactory.adaptive_card(card))
                       for card in payload.get("cards") or []]
        return {"activities": await self._continue(reference, activities)}

    async def _continue(self, reference: ConversationReference,
                        activities: list[Activity]) -> list[str]:
        sent: list[str] = []
        failures: list[Exception] = []

        async def callback(turn_context: TurnContext) -> None:
            # errors are kept here: the adapter's turn-error handler must not swallow them
            # (nor answer "something went wrong" to someone who never wrote)
            try:
                for activity in activities:
                    response = await turn_context.send_activity(activity)
                    sent.append(getattr(response, "id", "") or "")
            except Exception as exc:
                failures.append(exc)

        try:
            await self.adapter.continue_conversation(reference, callback,
                                                     self.settings.microsoft_app_id or "")
            if failures:
                raise failures[0]
        except ServiceUrlRefused:
            raise PermanentError(f"{MSTEAMS} serviceUrl not allowed") from None
        except Exception as exc:
            raise _classified(exc) from None
        return sent

    async def _thread_root(self, delivery_key: str) -> str | None:
        """The activity id of an earlier post (e.g. a forum question), to reply under it."""
        async with self.sessions() as db:
            result = await delivery_result(db, delivery_key)
        activities = (result or {}).get("activities") or []
        return activities[0] if activities else None


class MsTeamsReplies:
    """Teams as a channel adapter: a message activity in, cards answered within the request
    (well inside Teams' time limit)."""

    channel = CHANNEL
    in_turn = False

    def __init__(self, cards: MsTeamsCards,
                 sessions: async_sessionmaker[AsyncSession]) -> None:
        self.cards = cards
        self.sessions = sessions

    async def receive(self, received: TurnContext) -> Incoming | None:
        incoming = incoming_from(received.activity)
        await self.remember(received.activity, incoming.key)
        return incoming

    async def render(self, received: TurnContext, messages: list[Message]) -> list[Card]:
        return await self.cards.render(incoming_from(received.activity).key, messages)

    async def send(self, received: TurnContext, rendered: list[Card],
                   turn: Transaction | None) -> None:
        for card in rendered:
            await received.send_activity(
                MessageFactory.attachment(CardFactory.adaptive_card(card)))

    async def remember(self, activity: Activity, key: SessionKey | None = None) -> None:
        """Store (or refresh) the conversation reference for proactive messages."""
        key = key or incoming_from(activity).key
        scope = activity.conversation.conversation_type if activity.conversation else None
        reference = TurnContext.get_conversation_reference(activity).serialize()
        async with self.sessions.begin() as db:
            await conversations.save_reference(db, MSTEAMS, key.workspace, key.user,
                                               key.conversation, scope or "personal", reference)


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


class MsTeamsBot(TeamsActivityHandler):
    def __init__(self, channel: MsTeamsChannel) -> None:
        self.channel = channel

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await run_turn(self.channel.replies, self.channel.conductor, turn_context)

    @staticmethod
    def _create_invoke_response(body: object = None) -> InvokeResponse:
        # botbuilder serialises an invoke response's body here and the aiohttp CloudAdapter
        # serialises it again, which fails for any model; keep the model, serialise once
        return InvokeResponse(status=int(HTTPStatus.OK), body=body)

    async def on_teams_messaging_extension_submit_action(
            self, turn_context: TurnContext,
            action: MessagingExtensionAction) -> MessagingExtensionActionResponse:
        await self.channel.replies.remember(turn_context.activity)
        return await self.channel.ask_from_message(turn_context.activity, action)

    async def on_members_added_activity(self, members_added: list[ChannelAccount],
                                        turn_context: TurnContext) -> None:
        activity = turn_context.activity
        await self.channel.replies.remember(activity)
        recipient = activity.recipient.id if activity.recipient else None
        if any(member.id == recipient for member in members_added) or (
                activity.conversation and activity.conversation.conversation_type == "personal"):
            lang = normalise_lang(activity.locale)
            await turn_context.send_activity(
                MessageFactory.text(say(lang, "msteams.welcome").plain))


class MsTeamsChannel:
    """Microsoft Teams put together for the server: the /api/messages endpoint, the two
    adapters and the sender."""

    def __init__(self, settings: Settings, conductor: Conductor,
                 sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.conductor = conductor
        self.sessions = sessions
        self.adapter = ProactiveCloudAdapter(
            ConfigurationBotFrameworkAuthentication(_Config(settings)))
        self.adapter.service_url_allowed = self.service_url_allowed  # type: ignore[method-assign]
        self.refusals = RefusalLog(log)
        self.adapter.on_turn_error = self._on_error
        cards = MsTeamsCards(settings, sessions)
        self.sender = MsTeamsSender(settings, self.adapter, sessions)
        self.replies = MsTeamsReplies(cards, sessions)
        self.message_action = MsTeamsMessageAction(cards, self.sender)
        self.bot = MsTeamsBot(self)

    async def _on_error(self, turn_context: TurnContext, error: Exception) -> None:
        log.error("msteams turn failed: %s", type(error).__name__)
        lang = normalise_lang(turn_context.activity.locale)
        try:
            await turn_context.send_activity(say(lang, "common.error").plain)
        except Exception:  # the connector itself may be down
            log.warning("could not tell the user about the failure")

    async def handle(self, request: web.Request) -> web.Response:
        """The /api/messages endpoint: every malformed or unauthenticated request gets a 4xx
        and at most one warning line a minute, never a traceback."""
        refused = self._refused(request)
        if refused is not None:
            return refused
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415)
        activity = await _activity(request)
        if activity is None:
            self.refusals.warn("msteams: refused a request that is not an activity")
            return web.Response(status=400, text="not a Bot Framework activity")
        try:
            authenticated = await self._authenticate(activity,
                                                     request.headers.get("Authorization", ""))
        except (requests.RequestException, TimeoutError) as exc:  # Microsoft's key server
            log.warning("msteams: could not fetch the token signing keys: %s",
                        type(exc).__name__)
            return web.Response(status=503, text="token keys unavailable")
        except Exception as exc:  # botbuilder raises many kinds for a bad token
            self.refusals.warn("msteams: refused an unauthenticated request (%s)",
                               type(exc).__name__)
            return web.Response(status=401, text="unauthenticated")
        if not self.service_url_allowed(activity.service_url):
            self.refusals.warn("msteams: refused an activity whose serviceUrl is not allowed "
                               "(LEERBOT_TEAMS_SERVICE_HOSTS)")
            return web.Response(status=403, text="serviceUrl not allowed")
        invoke = await self.adapter.process_activity(authenticated, activity, self.bot.on_turn)
        if invoke:
            return web.json_response(data=serializer_helper(invoke.body), status=invoke.status)
        return web.Response(status=201)

    async def _authenticate(self, activity: Activity, header: str) -> AuthenticateRequestResult:
        """botbuilder's token check. With a token it may fetch Microsoft's signing keys with
        blocking calls, so it runs in a thread of its own (the event loop keeps serving)."""
        authentication = self.adapter.bot_framework_authentication
        if not header:
            return await authentication.authenticate_request(activity, header)
        check = authentication.authenticate_request(activity, header)
        return await asyncio.wait_for(asyncio.to_thread(asyncio.run, check),
                                      timeout=2 * KEYS_TIMEOUT + 1)

    def _refused(self, request: web.Request) -> web.Response | None:
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
        return service_url_allowed(url, self.settings.msteams_hosts,
                                   loopback=self.emulator)

    @property
    def emulator(self) -> bool:
        """Emulator mode: the Emulator's loopback serviceUrl is allowed (with an app id too,
        when the Emulator signs in with it)."""
        return self.settings.msteams_emulator

    async def ask_from_message(
            self, activity: Activity,
            action: MessagingExtensionAction) -> MessagingExtensionActionResponse:
        """The question goes on in the user's personal chat with Leerbot; the task module
        says so (or why not)."""
        lang = normalise_lang(activity.locale)
        incoming = incoming_from(activity)
        async with self.sessions() as db:
            personal = await conversations.personal_chat(db, MSTEAMS, incoming.key.workspace,
                                                         incoming.key.user)
        text = message_text(action)
        if personal is None or not text:
            key = "msteams.ask_open_chat" if personal is None else "msteams.ask_empty"
            return _task_message(say(lang, key).plain)
        ask = AskFromMessage(
            key=incoming.key.model_copy(update={"conversation": personal[0]}),
            reference=personal[1], text=text, locale=activity.locale, name=incoming.name)
        try:
            await run_turn(self.message_action, self.conductor, ask)
        except (RetryableError, PermanentError) as exc:
            log.warning("message action: could not reach the personal chat: %s", exc)
            return _task_message(say(lang, "msteams.ask_failed").plain)
        return _task_message(say(lang, "msteams.ask_continues").plain)

    async def references(self, workspace: str, user: str) -> list[dict[str, Any]]:
        async with self.sessions() as db:
            return await conversations.references(db, MSTEAMS, workspace, user)
