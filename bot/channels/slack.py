"""Slack: Bolt (async) on our aiohttp server.

Every request is verified by Bolt (signing secret). A listener only stores the event in the
durable inbox (deduplicated on Slack's ``event_id``, so a retry gets no second reply) and acks;
the inbox worker runs the dialog turn and queues the answer as deliveries in the same
transaction; the delivery worker posts them (429 Retry-After and network errors retried). Work
therefore survives a crash between ack and reply, and any replica may do it.

Dialogs run in the user's DM: a mention or the slash command in a channel starts the
conversation privately. Forms open as modals from a button (``trigger_id`` used at once with a
loading view, filled with ``views.update``).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import BaseModel
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels import slack_render
from bot.channels.slack_home import home_view
from bot.channels.slack_oauth import DatabaseInstallationStore, DatabaseStateStore, SecretBox
from bot.group_commit import InboxWriter
from bot.queue import enqueue_delivery, finish_inbox
from bot.settings import Settings
from bot.storage.models import ConversationRefRow, DeliveryRow, InboxRow, utcnow
from bot.storage.sessions import SqlSessionStore
from bot.workers import PermanentError, RetryableError
from dialogs.forum import ask_question
from dialogs.kit import Channel, Conductor, FormBlock, Incoming, Message, Prompt, SessionKey, say
from knowledge.messages import normalise_lang

log = logging.getLogger(__name__)
CHANNEL = Channel(name="slack", forms=True)
METADATA_EVENT = "leerbot_delivery"
#: The bot scopes the app asks for; the same list as manifest/slack/manifest.yaml.
BOT_SCOPES = ["app_mentions:read", "channels:read", "chat:write", "commands", "files:write",
              "groups:read", "im:history", "im:write", "users:read"]
TOKEN_TTL = 600.0
SOURCE = "slack"
#: the message action "Vraag aan collega's" starts the help question with the message
ASK_DIALOG = ask_question.DIALOG.id
LOCALE_TTL = 3600.0


class SlackEvent(BaseModel):
    """What the inbox keeps of a Slack request: enough to run the turn and reply."""

    kind: str  # message | action | open_form | form | home | joined
    team: str
    user: str
    channel: str | None = None  # where to answer (a DM id); None: open the user's DM
    text: str | None = None
    value: str | None = None
    form: dict[str, str] | None = None
    prompt: Prompt | None = None
    view_id: str | None = None
    thread_ts: str | None = None
    start: str | None = None  # a dialog to start with ``text`` (a message action)


def _retryable(error: SlackApiError) -> RetryableError | None:
    status = error.response.status_code
    if status == 429 or error.response.get("error") == "ratelimited":
        retry_after = error.response.headers.get("Retry-After") or \
            error.response.headers.get("retry-after")
        return RetryableError("slack rate limited", float(retry_after) if retry_after else None)
    if status >= 500:
        return RetryableError(f"slack {status}")
    return None


class SlackChannel:
    def __init__(self, settings: Settings, conductor: Conductor,
                 sessions: async_sessionmaker[AsyncSession], wake_inbox: Any,
                 wake_deliveries: Any) -> None:
        self.settings = settings
        self.conductor = conductor
        self.sessions = sessions
        self.wake_inbox = wake_inbox
        self.wake_deliveries = wake_deliveries
        self._clients: dict[str, AsyncWebClient] = {}
        self._locales: dict[tuple[str, str], tuple[float, str | None]] = {}
        self._zones: dict[tuple[str, str], str | None] = {}
        self._dms: dict[tuple[str, str], str] = {}
        self._tokens: dict[str, tuple[float, str]] = {}
        self.writer = InboxWriter(sessions.kw["bind"])
        self._http: aiohttp.ClientSession | None = None
        assert settings.slack_signing_secret is not None
        signing_secret = settings.slack_signing_secret.get_secret_value()
        self.installations: DatabaseInstallationStore | None = None
        if settings.slack_client_id and settings.slack_client_secret:
            if settings.secret_key is None:
                raise ValueError("multi-workspace Slack needs LEERBOT_SECRET_KEY to encrypt "
                                 "the installations' tokens")
            self.installations = DatabaseInstallationStore(
                sessions, SecretBox(settings.secret_key.get_secret_value()))
            oauth = AsyncOAuthSettings(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret.get_secret_value(),
                scopes=BOT_SCOPES, installation_store=self.installations,
                state_store=DatabaseStateStore(sessions),
                install_path="/slack/install", redirect_uri_path="/slack/oauth_redirect")
            self.app = AsyncApp(signing_secret=signing_secret,
                                installation_store=self.installations, oauth_settings=oauth,
                                client=self.client(""), process_before_response=True)
        else:
            self.app = AsyncApp(
                signing_secret=signing_secret,
                client=self.client(),  # carries the bot token (single-workspace mode)
                process_before_response=True,
            )
        self._listen()

    # ---------------------------------------------------------------- Web API clients

    def client(self, token: str | None = None) -> AsyncWebClient:
        if token is None and self.settings.slack_bot_token:
            token = self.settings.slack_bot_token.get_secret_value()
        key = token or ""
        if key not in self._clients:
            self._clients[key] = AsyncWebClient(
                token=token, base_url=self.settings.slack_api_url,
                retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=2),
                                AsyncRateLimitErrorRetryHandler(max_retry_count=1)])
        return self._clients[key]

    def _connections(self, client: AsyncWebClient) -> AsyncWebClient:
        """Share one HTTP connection pool between all Web API calls (slack_sdk otherwise opens
        a new session, and a new connection, for every call)."""
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=30),
                connector=aiohttp.TCPConnector(limit=100))
        client.session = self._http
        return client

    async def close(self) -> None:
        await self.writer.close()
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def client_for(self, team: str) -> AsyncWebClient:
        """A Web API client with the workspace's bot token."""
        if self.installations is None:
            return self._connections(self.client())
        cached = self._tokens.get(team)
        if cached is None or time.monotonic() - cached[0] > TOKEN_TTL:
            bot = await self.installations.async_find_bot(enterprise_id=None, team_id=team)
            if bot is None:
                raise PermanentError(f"Leerbot is not installed in workspace {team}")
            cached = (time.monotonic(), bot.bot_token)
            self._tokens[team] = cached
        return self._connections(self.client(cached[1]))

    # ---------------------------------------------------------------- receiving

    def _listen(self) -> None:
        app = self.app

        # One listener for the four events, and the busiest listeners first: Bolt tries its
        # listeners in order and each try builds the listener arguments anew.
        @app.event(re.compile(r"^(message|app_mention|app_home_opened|member_joined_channel)$"))
        async def on_event(ack: AsyncAck, body: dict[str, Any], event: dict[str, Any],
                           context: dict[str, Any]) -> None:
            await ack()
            received = self._event(body, event, context)
            if received is not None:
                await self.store(body["event_id"], received)

        @app.action(re.compile(r"^lb:"))
        async def on_action(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                            client: AsyncWebClient) -> None:
            await ack()
            prompt, kind = slack_render.parse_action_id(action["action_id"])
            team = (body.get("team") or {}).get("id", "")
            user = (body.get("user") or {}).get("id", "")
            channel = (body.get("channel") or {}).get("id")
            key = f"action:{body.get('trigger_id') or action.get('action_ts')}"
            if kind == "form":
                view_id = await self.open_loading_modal(client, body.get("trigger_id"), team)
                await self.store(key, SlackEvent(kind="open_form", team=team, user=user,
                                                 channel=channel, prompt=prompt,
                                                 view_id=view_id))
                return
            value = action.get("value")
            if action.get("type") == "static_select":
                value = (action.get("selected_option") or {}).get("value")
            await self.store(key, SlackEvent(kind="action", team=team, user=user,
                                             channel=channel, value=value, prompt=prompt))

        @app.view(re.compile(r"^lb:"))
        async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
            await ack()
            prompt, _ = slack_render.parse_action_id(view["callback_id"])
            meta = json.loads(view.get("private_metadata") or "{}")
            await self.store(f"view:{view['id']}:{view.get('hash', '')}", SlackEvent(
                kind="form", team=(body.get("team") or {}).get("id", ""),
                user=(body.get("user") or {}).get("id", ""), channel=meta.get("channel"),
                form=slack_render.modal_values(view.get("state") or {}), prompt=prompt))

        @app.view_closed(re.compile(r"^lb:"))
        async def on_closed(ack: AsyncAck) -> None:
            await ack()  # closing a form changes nothing: the question stays open

        @app.command("/leerbot")
        async def on_command(ack: AsyncAck, body: dict[str, Any]) -> None:
            await ack()
            await self.store(f"command:{body.get('trigger_id')}", SlackEvent(
                kind="message", team=body.get("team_id", ""), user=body.get("user_id", ""),
                text=(body.get("text") or "menu").strip()))

        @app.shortcut("leerbot_ask")
        async def on_ask_shortcut(ack: AsyncAck, body: dict[str, Any]) -> None:
            """Message action: turn a message into a help question (the forum dialog)."""
            await ack()
            message = (body.get("message") or {}).get("text") or ""
            await self.store(f"shortcut:{body.get('trigger_id')}", SlackEvent(
                kind="message", team=(body.get("team") or {}).get("id", ""),
                user=(body.get("user") or {}).get("id", ""), start=ASK_DIALOG,
                text=f"hulpvraag stellen: {message}" if message else "hulpvraag stellen"))

    def _event(self, body: dict[str, Any], event: dict[str, Any],
               context: dict[str, Any]) -> SlackEvent | None:
        """What an Events API event asks of us (None: nothing, e.g. a bot's own message)."""
        team, user, kind = body.get("team_id", ""), event.get("user", ""), event["type"]
        if kind == "message":
            if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
                return None
            return SlackEvent(kind="message", team=team, user=user,
                              channel=event.get("channel"), text=event.get("text", ""))
        if kind == "app_mention":
            text = re.sub(r"<@[A-Z0-9]+>", "", event.get("text", "")).strip() or "menu"
            return SlackEvent(kind="message", team=team, user=user, text=text)
        if kind == "app_home_opened":
            if event.get("tab", "home") != "home":
                return None
            return SlackEvent(kind="home", team=team, user=user)
        if user != context.get("bot_user_id"):  # member_joined_channel: only the bot's own
            return None
        return SlackEvent(kind="joined", team=team, user=user, channel=event.get("channel"))

    async def open_loading_modal(self, client: AsyncWebClient, trigger_id: str | None,
                                 team: str) -> str | None:
        """Use the trigger (valid ~3 s) at once; the real form follows with views.update."""
        if not trigger_id:
            return None
        try:
            response = await client.views_open(trigger_id=trigger_id,
                                               view=slack_render.loading_modal("Leerbot"))
            return str(response["view"]["id"])
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("views.open failed: %s", type(exc).__name__)
            return None

    async def store(self, event_key: str, event: SlackEvent) -> None:
        """Keep the event before acknowledging it; a repeated event_id is dropped."""
        conversation = f"slack:{event.team}:{event.user}"
        await self.writer.store(SOURCE, event_key, conversation, event.model_dump(mode="json"))
        self.wake_inbox()

    async def handle(self, request: web.Request) -> web.Response:
        """The /slack/events endpoint (events, interactivity, slash command)."""
        bolt_request = await to_bolt_request(request)
        bolt_response = await self.app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    async def handle_oauth(self, request: web.Request) -> web.Response:
        """/slack/install and /slack/oauth_redirect (multi-workspace mode)."""
        flow = self.app.oauth_flow
        if flow is None:
            raise web.HTTPNotFound()
        bolt_request = await to_bolt_request(request)
        if request.path == flow.install_path:
            bolt_response = await flow.handle_installation(bolt_request)
        else:
            bolt_response = await flow.handle_callback(bolt_request)
        return await to_aiohttp_response(bolt_response)

    # ---------------------------------------------------------------- processing

    async def locale(self, team: str, user: str) -> str | None:
        cached = self._locales.get((team, user))
        if cached and time.monotonic() - cached[0] < LOCALE_TTL:
            return cached[1]
        locale = None
        try:
            info = await (await self.client_for(team)).users_info(user=user, include_locale=True)
            locale = (info.get("user") or {}).get("locale")
            self._zones[(team, user)] = (info.get("user") or {}).get("tz")
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            log.info("users.info failed: %s", type(exc).__name__)
        self._locales[(team, user)] = (time.monotonic(), locale)
        return locale

    async def dm(self, team: str, user: str) -> str:
        if (team, user) not in self._dms:
            try:
                response = await (await self.client_for(team)).conversations_open(users=user)
            except SlackApiError as exc:
                retry = _retryable(exc)
                if retry:
                    raise retry from None
                raise PermanentError(f"conversations.open: {exc.response.get('error')}") from None
            self._dms[(team, user)] = str(response["channel"]["id"])
        return self._dms[(team, user)]

    async def process(self, row: InboxRow) -> None:
        event = SlackEvent.model_validate(row.payload)
        if event.kind == "joined":
            await self._welcome_channel(row, event)
            return
        locale = await self.locale(event.team, event.user)
        if event.kind == "home":
            await self._publish_home(row, event, locale)
            return
        channel = event.channel if event.channel and event.channel.startswith("D") else \
            await self.dm(event.team, event.user)
        key = SessionKey(channel="slack", workspace=event.team, user=event.user,
                         conversation=channel)
        if event.kind == "open_form":
            await self._fill_modal(row, event, key, channel, locale)
            return
        incoming = Incoming(key=key, text=event.text if event.kind == "message" else None,
                            value=event.value, form=event.form, prompt=event.prompt,
                            start=event.start,
                            locale=locale, timezone=self._zones.get((event.team, event.user)))

        async def queue_reply(unit: Any, messages: list[Message]) -> None:
            await self._queue_messages(unit.db, row.id, event.team, channel, messages,
                                       event.thread_ts)
            await finish_inbox(unit.db, row.id)

        await self.conductor.handle(incoming, CHANNEL, after=queue_reply)
        self.wake_deliveries()

    async def _queue_messages(self, db: AsyncSession, row_id: int, team: str, channel: str,
                              messages: list[Message], thread_ts: str | None) -> None:
        output = slack_render.render(messages, form_button=self._form_label(messages))
        ordering = f"slack:{team}:{channel}"
        index = 0
        for message in output.messages:
            await enqueue_delivery(db, f"inbox:{row_id}:{index}", "slack", team, ordering, {
                "op": "post", "channel": channel, "blocks": message.blocks,
                "text": message.text, "thread_ts": thread_ts})
            index += 1
        for upload in output.uploads:
            data = upload.png if hasattr(upload, "png") else upload.data  # type: ignore[union-attr]
            await enqueue_delivery(db, f"inbox:{row_id}:{index}", "slack", team, ordering, {
                "op": "upload", "channel": channel, "filename": upload.name,
                "content": base64.b64encode(data).decode()})
            index += 1

    def _form_label(self, messages: list[Message]) -> str:
        return "Formulier invullen / Fill in"

    async def _fill_modal(self, row: InboxRow, event: SlackEvent, key: SessionKey,
                          channel: str, locale: str | None) -> None:
        """Show the form of the current question in the modal opened for it."""
        async with self.sessions() as db:
            session, _ = await SqlSessionStore(db).load(key)
        form: FormBlock | None = None
        current = (session.dialog, session.step, session.turn) if session else None
        if event.prompt is not None and current == (event.prompt.dialog, event.prompt.step,
                                                    event.prompt.turn):
            incoming = Incoming(key=key, text="verder", locale=locale)
            messages = await self.conductor.handle(incoming, CHANNEL)
            for message in messages:
                form = next((b for b in message.blocks if isinstance(b, FormBlock)), form)
        lang = normalise_lang(locale)
        async with self.sessions.begin() as db:
            if form is not None and event.view_id:
                meta = json.dumps({"channel": channel})
                view = slack_render.modal(event.prompt, form, meta)
                await enqueue_delivery(db, f"inbox:{row.id}:0", "slack", event.team,
                                       f"slack:{event.team}:{channel}",
                                       {"op": "views_update", "view_id": event.view_id,
                                        "view": view})
            else:
                # the question was answered meanwhile (stale), or the modal could not be
                # opened (Slack did not take the trigger in time, or was unreachable)
                text = say(lang, "common.stale" if form is None else "slack.modal_failed").plain
                await enqueue_delivery(db, f"inbox:{row.id}:0", "slack", event.team,
                                       f"slack:{event.team}:{channel}",
                                       {"op": "post", "channel": channel, "text": text,
                                        "blocks": [{"type": "section", "text": {
                                            "type": "mrkdwn",
                                            "text": slack_render.escape(text)}}]})
            await finish_inbox(db, row.id)
        self.wake_deliveries()

    async def _publish_home(self, row: InboxRow, event: SlackEvent, locale: str | None) -> None:
        async with self.sessions() as db:
            view = await home_view(db, event.team, event.user, normalise_lang(locale))
        async with self.sessions.begin() as db:
            await enqueue_delivery(db, f"inbox:{row.id}:0", "slack", event.team,
                                   f"slack:{event.team}:home:{event.user}",
                                   {"op": "views_publish", "user_id": event.user, "view": view})
            await finish_inbox(db, row.id)
        self.wake_deliveries()

    async def _welcome_channel(self, row: InboxRow, event: SlackEvent) -> None:
        """Leerbot was added to a channel: say hello, and remember the channel so a team can
        choose it for its forum questions and reflection."""
        text = say("nl", "slack.joined").plain
        name = event.channel or ""
        try:
            info = await (await self.client_for(event.team)).conversations_info(
                channel=event.channel)
            name = f"#{(info.get('channel') or {}).get('name') or event.channel}"
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            log.info("conversations.info failed: %s", type(exc).__name__)
        async with self.sessions.begin() as db:
            exists = (await db.execute(select(ConversationRefRow.id).where(
                ConversationRefRow.channel == "slack",
                ConversationRefRow.workspace == event.team,
                ConversationRefRow.conversation_id == event.channel))).scalar_one_or_none()
            if exists is None and event.channel:
                db.add(ConversationRefRow(channel="slack", workspace=event.team, user_id="",
                                          conversation_id=event.channel, scope="channel",
                                          reference={"channel": event.channel, "name": name},
                                          updated_at=utcnow()))
            await enqueue_delivery(db, f"inbox:{row.id}:0", "slack", event.team,
                                   f"slack:{event.team}:{event.channel}",
                                   {"op": "post", "channel": event.channel, "text": text,
                                    "blocks": [{"type": "section", "text": {
                                        "type": "mrkdwn", "text": slack_render.escape(text)}}]})
            await finish_inbox(db, row.id)
        self.wake_deliveries()

    # ---------------------------------------------------------------- sending

    verifies = True

    def pace(self, workspace: str, payload: dict[str, Any]) -> tuple[str, float] | None:
        """Scheduled messages share the workspace's rate; replies to a user are not held
        back (a 429 still makes them wait for Retry-After)."""
        if payload.get("run") is None or payload["op"] != "post":
            return None
        return f"slack:{workspace}", self.settings.slack_rate

    async def send(self, workspace: str, payload: dict[str, Any],
                   key: str = "") -> dict[str, Any] | None:
        """Deliver one queued operation; errors are classified for the delivery worker."""
        client = await self.client_for(workspace)
        op = payload["op"]
        try:
            if op == "post":
                arguments: dict[str, Any] = {
                    "channel": payload["channel"], "text": payload["text"],
                    "blocks": payload.get("blocks"), "unfurl_links": False,
                    "unfurl_media": False}
                if payload.get("thread_ts"):
                    arguments["thread_ts"] = payload["thread_ts"]
                if payload.get("thread_of"):
                    arguments["thread_ts"] = await self._thread_of(payload["thread_of"])
                if key:  # lets a restarted process see whether this message arrived
                    arguments["metadata"] = {"event_type": METADATA_EVENT,
                                             "event_payload": {"key": key}}
                response = await client.chat_postMessage(**arguments)
                return {"channel": response.get("channel"), "ts": response.get("ts")}
            if op == "upload":
                await client.files_upload_v2(channel=payload["channel"],
                                             filename=payload["filename"],
                                             content=base64.b64decode(payload["content"]))
            elif op == "views_update":
                await client.views_update(view_id=payload["view_id"], view=payload["view"])
            elif op == "views_publish":
                await client.views_publish(user_id=payload["user_id"], view=payload["view"])
            else:
                raise PermanentError(f"unknown operation {op}")
        except SlackApiError as exc:
            retry = _retryable(exc)
            if retry:
                raise retry from None
            raise PermanentError(f"slack {op}: {exc.response.get('error')}") from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryableError(f"network: {type(exc).__name__}") from None
        return None

    async def _thread_of(self, delivery_key: str) -> str | None:
        """The ts of an earlier post (e.g. a forum question), to answer in its thread."""
        async with self.sessions() as db:
            result = (await db.execute(select(DeliveryRow.result).where(
                DeliveryRow.key == delivery_key))).scalar_one_or_none()
        return (result or {}).get("ts")

    async def delivered(self, workspace: str, payload: dict[str, Any], key: str,
                        since: datetime) -> bool | None:
        """Whether an interrupted post arrived: our key travels in the message metadata, so
        the conversation's history tells."""
        if payload["op"] in {"views_update", "views_publish"}:
            return False  # idempotent: doing it again is harmless
        if payload["op"] != "post":
            return None
        client = await self.client_for(workspace)
        try:
            channel = payload["channel"]
            if channel.startswith(("U", "W")):
                channel = await self.dm(workspace, channel)
            history = await client.conversations_history(
                channel=channel, oldest=f"{since.timestamp() - 5:.6f}",
                include_all_metadata=True, limit=200)
        except SlackApiError as exc:
            retry = _retryable(exc)
            if retry:
                raise retry from None
            return None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryableError(f"network: {type(exc).__name__}") from None
        for message in history.get("messages") or []:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == METADATA_EVENT and \
                    (metadata.get("event_payload") or {}).get("key") == key:
                return True
        return False
