"""Slack put together for the server: the Bolt app that receives, the inbox processor that runs
turns, and the sender the delivery worker uses. Each part lives in its own module."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.contract import run_turn
from bot.channels.slack import app as bolt
from bot.channels.slack.caches import SlackCaches
from bot.channels.slack.events import SlackEvent, SlackInbox
from bot.channels.slack.home import HomeTab
from bot.channels.slack.install import installation_store
from bot.channels.slack.modals import ModalForms
from bot.channels.slack.sending import SlackSender
from bot.channels.slack.turns import Direct, Replies, SlackTurn, SlackTurns
from bot.channels.slack.verify import Refusals
from bot.channels.slack.web import SlackWeb
from bot.channels.slack.welcome import Welcome
from bot.group_commit import InboxWriter
from bot.settings import Settings
from bot.storage.models import InboxRow
from dialogs.kit import Conductor


class SlackChannel:
    def __init__(self, settings: Settings, conductor: Conductor,
                 sessions: async_sessionmaker[AsyncSession], wake_inbox: Callable[[], object],
                 wake_deliveries: Callable[[], object], direct: Direct | None = None) -> None:
        self.conductor = conductor
        self.wake_deliveries = wake_deliveries
        self.installations = installation_store(settings, sessions)
        self.web = SlackWeb(settings, self.installations, SlackCaches())
        self.inbox = SlackInbox(InboxWriter(sessions.kw["bind"]), wake_inbox)
        replies = Replies(sessions)
        self.turns = SlackTurns(Replies(sessions, direct))
        self.modals = ModalForms(sessions, replies)
        self.home = HomeTab(sessions, replies)
        self.welcome = Welcome(self.web, sessions, replies)
        self.sender = SlackSender(settings, self.web, sessions)
        self.app = bolt.build_app(settings, self.web, self.installations, sessions)
        assert settings.slack_signing_secret is not None
        self.secret = settings.slack_signing_secret.get_secret_value()
        self.refusals = Refusals()
        bolt.handle_errors(self.app, self.refusals)
        bolt.Listeners(self.inbox).register(self.app)

    async def handle(self, request: web.Request) -> web.Response:
        return await bolt.handle_events(self.app, request, self.secret, self.refusals)

    async def handle_oauth(self, request: web.Request) -> web.Response:
        return await bolt.handle_oauth(self.app, request)

    async def process(self, row: InboxRow) -> None:
        """The inbox worker's processor for Slack events."""
        event = SlackEvent.model_validate(row.payload)
        if event.kind == "joined":
            await self.welcome.greet(row.id, event)
        else:
            person = await self.web.person(event.team, event.user)
            if event.kind == "home":
                await self.home.publish(row.id, event, person.locale)
            else:
                turn = SlackTurn(row.id, event, await self._conversation(event), person)
                if event.kind == "open_form":
                    await self.modals.fill(self.conductor, turn)
                elif await self._turn(turn):
                    return  # its reply is being sent right away
        self.wake_deliveries()

    async def _turn(self, turn: SlackTurn) -> bool:
        """Run the turn; whether its reply was handed to the delivery worker at once."""
        replies = self.turns.replies
        try:
            await run_turn(self.turns, self.conductor, turn)
        except BaseException:
            replies.claimed(turn.row_id)  # not handed over: the lease runs out, then it is sent
            raise
        claimed = replies.claimed(turn.row_id)
        if claimed is None or replies.direct is None:
            return False
        replies.direct.send_claimed(*claimed)
        return True

    async def _conversation(self, event: SlackEvent) -> str:
        """Where the dialog runs: the DM it came from, or the user's DM opened for it."""
        if event.channel and event.channel.startswith("D"):
            return event.channel
        return await self.web.dm(event.team, event.user)

    async def close(self) -> None:
        await self.inbox.close()
        await self.web.close()
