"""The Bolt app on our aiohttp server: every request is verified by Bolt (signing secret); a
listener only turns the request into a ``SlackEvent``, stores it in the inbox and acks.

Dialogs run in the user's DM: a mention or the slash command in a channel starts the
conversation privately. Forms open as modals from a button (``modals``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.slack import events, install, modals, verify
from bot.channels.slack.events import SlackInbox
from bot.channels.slack.install import DatabaseInstallationStore
from bot.channels.slack.web import SlackWeb
from bot.settings import Settings

log = logging.getLogger(__name__)
#: what a request in a shape nobody expected raises while it is read (Bolt, our listeners)
UNREADABLE = (AttributeError, TypeError, KeyError, ValueError, IndexError)
#: the Events API events we listen to, in one listener
EVENTS = re.compile(r"^(message|app_mention|app_home_opened|member_joined_channel)$")
#: our action ids and view callback ids ("lb:<dialog>:<step>:<turn>:<kind>:<index>")
OURS = re.compile(r"^lb:")
ASK_SHORTCUT = "leerbot_ask"


def build_app(settings: Settings, web: SlackWeb,
              installations: DatabaseInstallationStore | None,
              sessions: async_sessionmaker[AsyncSession]) -> AsyncApp:
    """Bolt with the signing secret; with installations, the OAuth install flow too."""
    assert settings.slack_signing_secret is not None
    secret = settings.slack_signing_secret.get_secret_value()
    if installations is None:  # one workspace: the client carries its bot token
        return AsyncApp(signing_secret=secret, client=web.client(),
                        process_before_response=True)
    return AsyncApp(signing_secret=secret, installation_store=installations,
                    oauth_settings=install.oauth_settings(settings, sessions, installations),
                    client=web.client(""), process_before_response=True)


class Listeners:
    """What each kind of request stores. Bolt tries its listeners in order and builds their
    arguments anew for each try, so the busiest come first."""

    def __init__(self, inbox: SlackInbox) -> None:
        self.inbox = inbox

    def register(self, app: AsyncApp) -> None:
        app.event(EVENTS)(self.on_event)
        app.action(OURS)(self.on_action)
        app.view(OURS)(self.on_submit)
        app.view_closed(OURS)(self.on_closed)
        app.command("/leerbot")(self.on_command)
        app.shortcut(ASK_SHORTCUT)(self.on_ask_shortcut)

    async def on_event(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any],
                       context: dict[str, Any]) -> None:
        await ack()
        received = events.from_event(body, event, context.get("bot_user_id"))
        if received is not None:
            await self.inbox.store(body["event_id"], received)

    async def on_action(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                        client: AsyncWebClient) -> None:
        await ack()
        view_id = None
        if events.opens_form(action):
            view_id = await modals.open_loading(client, body.get("trigger_id"))
        await self.inbox.store(events.action_key(body, action),
                               events.from_action(body, action, view_id))

    async def on_submit(self, ack: AsyncAck, body: dict[str, Any],
                        view: dict[str, Any]) -> None:
        await ack()
        await self.inbox.store(events.submission_key(view), events.from_submission(body, view))

    async def on_closed(self, ack: AsyncAck) -> None:
        await ack()  # closing a form changes nothing: the question stays open

    async def on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        await self.inbox.store(f"command:{body.get('trigger_id')}", events.from_command(body))

    async def on_ask_shortcut(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """Message action: turn a message into a help question (the forum dialog)."""
        await ack()
        await self.inbox.store(f"shortcut:{body.get('trigger_id')}", events.from_shortcut(body))


async def handle_events(app: AsyncApp, request: web.Request, secret: str,
                        refusals: verify.Refusals) -> web.Response:
    """The /slack/events endpoint (events, interactivity, slash command): the signature is
    checked on the raw body before anything parses it, and a body in no shape Slack sends is
    refused (``verify``); only then does Bolt see the request (and check it once more)."""
    body = await request.read()
    try:
        try:
            verify.check_signature(secret, request.headers, body)
        except verify.Refused:
            if verify.is_ssl_check(body):
                return web.Response(status=200)
            raise
        text, _ = verify.parse(body, request.content_type)
    except verify.Refused as refused:
        refusals.refused(refused.reason, refused.status)
        return web.Response(status=refused.status, text=refused.reason)
    try:
        bolt_response = await app.async_dispatch(AsyncBoltRequest(
            body=text, query=request.query_string, headers=request.headers))  # type: ignore[arg-type]
    except UNREADABLE as error:  # Slack's, but in a shape Bolt cannot read
        refusals.refused(f"unreadable ({type(error).__name__})", 400)
        return web.Response(status=400, text="unreadable")
    return await to_aiohttp_response(bolt_response)


def handle_errors(app: AsyncApp, refusals: verify.Refusals) -> None:
    """What a listener (or Bolt on its way to one) raises: a request in a shape it cannot read
    is refused (400, counted with the other refusals); anything else, such as the inbox not
    accepting the event, answers 500 so that Slack sends it again. One line each, no
    traceback, never the request itself."""

    async def on_error(error: Exception) -> BoltResponse:
        if isinstance(error, UNREADABLE):
            refusals.refused(f"unreadable ({type(error).__name__})", 400)
            return BoltResponse(status=400, body="")
        log.warning("slack: a request was not stored (%s); Slack sends it again",
                    type(error).__name__)
        return BoltResponse(status=500, body="")

    app.error(on_error)


async def handle_oauth(app: AsyncApp, request: web.Request) -> web.Response:
    """/slack/install and /slack/oauth_redirect (multi-workspace mode)."""
    flow = app.oauth_flow
    if flow is None:
        raise web.HTTPNotFound()
    bolt_request = await to_bolt_request(request)
    if request.path == flow.install_path:
        bolt_response = await flow.handle_installation(bolt_request)
    else:
        bolt_response = await flow.handle_callback(bolt_request)
    return await to_aiohttp_response(bolt_response)
