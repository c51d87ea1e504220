"""Microsoft Teams through the Bot Framework SDK (botbuilder). This is the only module that
imports botbuilder: it receives activities, sends and updates them, and continues
conversations proactively; all state is ours (pydantic in our database, no
botbuilder-dialogs). Moving to the Microsoft 365 Agents SDK is a change of this module alone.

* CloudAdapter with configuration-based authentication (app id, password, tenant, app type);
  every activity's JWT is validated by the adapter.
* With no app id configured (local testing with the Bot Framework Emulator) unauthenticated
  activities are accepted, and only from 127.0.0.1; with an app id, never.
* Conversation references are stored on every contact, so the bot can message people
  proactively after a restart and from any replica.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import datetime
from http import HTTPStatus
from typing import Any

from aiohttp import web
from botbuilder.core import CardFactory, InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ChannelAccount, ConversationReference
from botbuilder.schema.teams import (
    MessagingExtensionAction,
    MessagingExtensionActionResponse,
    TaskModuleMessageResponse,
)
from msrest.universal_http.requests import ClientRetryPolicy
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels import teams_render
from bot.files import store_file
from bot.net import is_loopback
from bot.settings import Settings
from bot.storage.models import ConversationRefRow, DeliveryRow, utcnow
from bot.workers import PermanentError, RetryableError
from dialogs.forum import ask_question
from dialogs.kit import (
    Channel,
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
CHANNEL = Channel(name="teams", forms=True)
#: the message action "Vraag aan collega's" starts the help question with the message
ASK_DIALOG = ask_question.DIALOG.id
RETRY_STATUSES = {412, 429, 502, 503, 504}

# botbuilder builds a new connector client (with msrest's retry configuration) for every
# proactive send, and msrest derives its retry status list by testing 999 codes against a
# 500-element list: ~5 ms of CPU per client, most of a proactive send. The same codes as a
# set give the same list at once. (Only affects this computation; remove with botbuilder.)
ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]


class _Config:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.microsoft_app_id or ""
        self.APP_PASSWORD = (settings.microsoft_app_password.get_secret_value()
                             if settings.microsoft_app_password else "")
        self.APP_TYPE = settings.microsoft_app_type
        self.APP_TENANTID = settings.microsoft_app_tenant_id or ""


def tenant_of(activity: Activity) -> str:
    """The tenant: Teams puts it in channelData.tenant.id (and conversation.tenantId, which
    botbuilder's model maps under another name)."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    conversation = activity.conversation
    extra = getattr(conversation, "additional_properties", None) or {}
    return ((channel_data.get("tenant") or {}).get("id")
            or (conversation.tenant_id if conversation else None)
            or extra.get("tenantId") or "teams")


def incoming_from(activity: Activity) -> Incoming:
    """Our channel-neutral input from a Teams message activity (typed text, or the data of
    an Action.Submit: a pressed button, a choice list or a form)."""
    tenant = tenant_of(activity)
    user = (activity.from_property.aad_object_id or activity.from_property.id) \
        if activity.from_property else "unknown"
    key = SessionKey(channel="teams", workspace=tenant, user=user,
                     conversation=activity.conversation.id if activity.conversation else user)
    name = activity.from_property.name if activity.from_property else None
    data = activity.value if isinstance(activity.value, dict) else None
    zone = getattr(activity, "local_timezone", None) or None  # IANA name, e.g. Europe/Amsterdam
    if data and "kind" in data:
        prompt = Prompt.model_validate(data["leerbot"]) if data.get("leerbot") else None
        kind = data["kind"]
        if kind == "form":
            form = {k: str(v) for k, v in data.items() if k not in {"leerbot", "kind"}}
            return Incoming(key=key, form=form, prompt=prompt, locale=activity.locale,
                            name=name, timezone=zone)
        value = data.get("value") if kind == "choice" else data.get("choice")
        return Incoming(key=key, value=str(value) if value is not None else None,
                        prompt=prompt, locale=activity.locale, name=name, timezone=zone)
    text = activity.text or ""
    if activity.conversation and activity.conversation.conversation_type != "personal":
        text = TurnContext.remove_recipient_mention(activity) or text
    return Incoming(key=key, text=text.strip(), locale=activity.locale, name=name,
                    timezone=zone)


class LeerbotTeamsBot(TeamsActivityHandler):
    def __init__(self, channel: TeamsChannel) -> None:
        self.channel = channel

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        await self.channel.remember(activity)
        messages = await self.channel.conductor.handle(incoming_from(activity), CHANNEL)
        await self.channel.reply(turn_context, messages)

    @staticmethod
    def _create_invoke_response(body: object = None) -> InvokeResponse:
        # botbuilder serialises an invoke response's body here and the aiohttp CloudAdapter
        # serialises it again, which fails for any model; keep the model, serialise once
        return InvokeResponse(status=int(HTTPStatus.OK), body=body)

    async def on_teams_messaging_extension_submit_action(
            self, turn_context: TurnContext,
            action: MessagingExtensionAction) -> MessagingExtensionActionResponse:
        await self.channel.remember(turn_context.activity)
        return await self.channel.ask_from_message(turn_context, action)

    async def on_members_added_activity(self, members_added: list[ChannelAccount],
                                        turn_context: TurnContext) -> None:
        activity = turn_context.activity
        await self.channel.remember(activity)
        recipient = activity.recipient.id if activity.recipient else None
        if any(member.id == recipient for member in members_added) or (
                activity.conversation and activity.conversation.conversation_type == "personal"):
            lang = normalise_lang(activity.locale)
            await turn_context.send_activity(MessageFactory.text(say(lang, "teams.welcome").plain))


def _retry_after(exc: Exception) -> float | None:
    """Seconds of a 429's (or 503's) Retry-After header, when the connector sent one."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


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

    async def process_proactive(self, claims_identity: Any, continuation_activity: Activity,
                                audience: str, logic: Any) -> None:
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


def message_text(action: MessagingExtensionAction) -> str:
    """The question of a message action: what the user typed in the form, else the text of
    the message it was started on (Teams sends that as HTML)."""
    typed = ((action.data or {}) if isinstance(action.data, dict) else {}).get("question")
    if typed and str(typed).strip():
        return str(typed).strip()
    body = getattr(getattr(action.message_payload, "body", None), "content", None) or ""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


class TeamsChannel:
    def __init__(self, settings: Settings, conductor: Conductor,
                 sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.conductor = conductor
        self.sessions = sessions
        self.adapter = ProactiveCloudAdapter(
            ConfigurationBotFrameworkAuthentication(_Config(settings)))
        self.adapter.on_turn_error = self._on_error
        self.bot = LeerbotTeamsBot(self)

    async def _on_error(self, turn_context: TurnContext, error: Exception) -> None:
        log.error("teams turn failed: %s", type(error).__name__)
        lang = normalise_lang(turn_context.activity.locale)
        try:
            await turn_context.send_activity(say(lang, "common.error").plain)
        except Exception:  # the connector itself may be down
            log.warning("could not tell the user about the failure")

    async def handle(self, request: web.Request) -> web.Response:
        """The /api/messages endpoint."""
        if not self.settings.microsoft_app_id and not is_loopback(request.remote or ""):
            return web.Response(status=401, text="unauthenticated traffic only on 127.0.0.1")
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415)
        response = await self.adapter.process(request, self.bot)
        return response or web.Response(status=200)

    async def reply(self, turn_context: TurnContext, messages: list[Message]) -> None:
        for card in await self.cards(incoming_from(turn_context.activity).key.workspace,
                                     messages):
            await turn_context.send_activity(
                MessageFactory.attachment(CardFactory.adaptive_card(card)))

    async def cards(self, workspace: str, messages: list[Message]) -> list[dict[str, Any]]:
        """Cards for the messages; images and files are linked from our /files when a public
        URL is configured (a data: URL for images otherwise; files need the public URL)."""
        base = (self.settings.public_url or "").rstrip("/")
        links: dict[int, str] = {}
        if base:
            async with self.sessions.begin() as db:
                for message in messages:
                    for block in message.blocks:
                        if isinstance(block, ImageBlock | FileBlock):
                            data = block.png if isinstance(block, ImageBlock) else block.data
                            kind = "image/png" if isinstance(block, ImageBlock) \
                                else block.media_type
                            token = await store_file(db, workspace, block.name, kind, data)
                            links[id(block)] = f"{base}/files/{token}"

        def file_url(block: ImageBlock | FileBlock) -> str:
            return links.get(id(block)) or teams_render.data_url(block)

        return teams_render.render(messages, file_url)

    async def remember(self, activity: Activity) -> None:
        """Store (or refresh) the conversation reference for proactive messages."""
        reference = TurnContext.get_conversation_reference(activity)
        incoming = incoming_from(activity)
        scope = activity.conversation.conversation_type if activity.conversation else None
        async with self.sessions.begin() as db:
            row = (await db.execute(select(ConversationRefRow).where(
                ConversationRefRow.channel == "teams",
                ConversationRefRow.workspace == incoming.key.workspace,
                ConversationRefRow.user_id == incoming.key.user,
                ConversationRefRow.conversation_id == incoming.key.conversation,
            ))).scalar_one_or_none()
            data = reference.serialize()
            if row is None:
                db.add(ConversationRefRow(
                    channel="teams", workspace=incoming.key.workspace, user_id=incoming.key.user,
                    conversation_id=incoming.key.conversation, scope=scope or "personal",
                    reference=data, updated_at=utcnow()))
            else:
                row.reference, row.updated_at = data, utcnow()

    verifies = False

    def pace(self, workspace: str, payload: dict[str, Any]) -> tuple[str, float] | None:
        """Scheduled messages share the tenant's rate (50 requests/s per app per tenant)."""
        if payload.get("run") is None:
            return None
        return f"teams:{workspace}", self.settings.teams_rate

    async def delivered(self, workspace: str, payload: dict[str, Any], key: str,
                        since: datetime) -> bool | None:
        """The Bot Framework connector cannot list what a bot sent: an interrupted send is
        reported as unknown rather than risk sending it twice."""
        return None

    async def send(self, workspace: str, payload: dict[str, Any],
                   key: str = "") -> dict[str, Any] | None:
        """Proactive delivery of queued cards through a stored conversation reference; with
        ``thread_of``, as a reply in the thread of that earlier post (a channel message)."""
        reference = ConversationReference().deserialize(payload["reference"])
        if payload.get("thread_of") and reference.conversation is not None:
            root = await self._thread_root(payload["thread_of"])
            if root:
                base = reference.conversation.id.split(";messageid=")[0]
                reference.conversation.id = f"{base};messageid={root}"
        cards = payload.get("cards") or []
        text = payload.get("text")
        sent: list[str] = []
        failures: list[Exception] = []

        async def callback(turn_context: TurnContext) -> None:
            # errors are kept here: the adapter's turn-error handler must not swallow them
            # (nor answer "something went wrong" to someone who never wrote)
            try:
                if text:
                    response = await turn_context.send_activity(MessageFactory.text(text))
                    sent.append(getattr(response, "id", "") or "")
                for card in cards:
                    response = await turn_context.send_activity(
                        MessageFactory.attachment(CardFactory.adaptive_card(card)))
                    sent.append(getattr(response, "id", "") or "")
            except Exception as exc:
                failures.append(exc)

        try:
            await self.adapter.continue_conversation(reference, callback,
                                                     self.settings.microsoft_app_id or "")
            if failures:
                raise failures[0]
        except Exception as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None) or \
                getattr(exc, "status", None)
            retry_after = _retry_after(exc)
            if status in RETRY_STATUSES or status is None:
                raise RetryableError(f"teams {status or type(exc).__name__}",
                                     retry_after) from None
            raise PermanentError(f"teams {status}") from None
        return {"activities": sent}

    async def ask_from_message(
            self, turn_context: TurnContext,
            action: MessagingExtensionAction) -> MessagingExtensionActionResponse:
        """Message action "Vraag aan collega's": the help-question dialog starts in the user's
        personal chat with Leerbot, with the message as the question."""
        activity = turn_context.activity
        incoming = incoming_from(activity)
        lang = normalise_lang(activity.locale)
        text = message_text(action)
        async with self.sessions() as db:
            personal = (await db.execute(select(ConversationRefRow).where(
                ConversationRefRow.channel == "teams",
                ConversationRefRow.workspace == incoming.key.workspace,
                ConversationRefRow.user_id == incoming.key.user,
                ConversationRefRow.scope == "personal").limit(1))).scalar_one_or_none()
        if personal is None or not text:
            key = "teams.ask_open_chat" if personal is None else "teams.ask_empty"
            return _task_message(say(lang, key).plain)
        key = incoming.key.model_copy(update={"conversation": personal.conversation_id})
        messages = await self.conductor.handle(Incoming(
            key=key, text=f"hulpvraag stellen: {text}", start=ASK_DIALOG,
            locale=activity.locale, name=incoming.name), CHANNEL)
        try:
            await self.send(key.workspace, {"reference": personal.reference,
                                            "cards": await self.cards(key.workspace, messages)})
        except (RetryableError, PermanentError) as exc:
            log.warning("message action: could not reach the personal chat: %s", exc)
            return _task_message(say(lang, "teams.ask_failed").plain)
        return _task_message(say(lang, "teams.ask_continues").plain)

    async def _thread_root(self, delivery_key: str) -> str | None:
        """The activity id of an earlier post (e.g. a forum question), to reply under it."""
        async with self.sessions() as db:
            result = (await db.execute(select(DeliveryRow.result).where(
                DeliveryRow.key == delivery_key))).scalar_one_or_none()
        activities = (result or {}).get("activities") or []
        return activities[0] if activities else None

    async def references(self, workspace: str, user: str) -> list[dict[str, Any]]:
        async with self.sessions() as db:
            rows = (await db.execute(select(ConversationRefRow).where(
                ConversationRefRow.channel == "teams", ConversationRefRow.workspace == workspace,
                ConversationRefRow.user_id == user))).scalars()
            return [r.reference for r in rows]
