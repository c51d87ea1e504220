"""The inbox worker's side of Slack: a stored event's turn is run, and its reply is queued as
deliveries in the turn's own transaction, together with the inbox row marked done (so a crash
never loses a reply nor sends it twice). The delivery worker posts them (``sending``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels import SLACK
from bot.channels.contract import Transaction
from bot.channels.slack import render
from bot.channels.slack.caches import Person
from bot.channels.slack.events import SlackEvent
from bot.queue import enqueue_delivery, finish_inbox
from dialogs.kit import Channel, Incoming, Message, SessionKey

CHANNEL = Channel(name=SLACK, forms=True)


@dataclass(frozen=True)
class SlackTurn:
    """A stored event on its way to a turn: where the conversation is (the user's DM) and
    what Slack says about the person."""

    row_id: int
    event: SlackEvent
    conversation: str
    person: Person

    @property
    def key(self) -> SessionKey:
        return SessionKey(channel=SLACK, workspace=self.event.team, user=self.event.user,
                          conversation=self.conversation)

    @property
    def ordering(self) -> str:
        """Replies in one conversation are sent in order."""
        return f"{SLACK}:{self.event.team}:{self.conversation}"


class Replies:
    """Queues what answers an inbox row, and marks the row done, in one transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def queue(self, row_id: int, team: str, ordering: str,
                    payloads: list[dict[str, Any]], db: AsyncSession | None = None) -> None:
        """In ``db`` (the turn's transaction), or in a transaction of its own."""
        if db is None:
            async with self.sessions.begin() as own:
                await self.queue(row_id, team, ordering, payloads, own)
            return
        for index, payload in enumerate(payloads):
            await enqueue_delivery(db, f"inbox:{row_id}:{index}", SLACK, team, ordering, payload)
        await finish_inbox(db, row_id)


class SlackTurns:
    """Slack as a channel adapter (``bot.channels.contract.Adapter``): a typed message, a
    pressed button or a submitted modal in; Block Kit posts and uploads queued out."""

    channel = CHANNEL
    in_turn = True

    def __init__(self, replies: Replies) -> None:
        self.replies = replies

    async def receive(self, received: SlackTurn) -> Incoming | None:
        event = received.event
        return Incoming(key=received.key,
                        text=event.text if event.kind == "message" else None,
                        value=event.value, form=event.form, prompt=event.prompt,
                        start=event.start, locale=received.person.locale,
                        timezone=received.person.timezone)

    async def render(self, received: SlackTurn,
                     messages: list[Message]) -> list[dict[str, Any]]:
        return render.reply_payloads(received.conversation, messages, received.event.thread_ts)

    async def send(self, received: SlackTurn, rendered: list[dict[str, Any]],
                   turn: Transaction | None) -> None:
        await self.replies.queue(received.row_id, received.event.team, received.ordering,
                                 rendered, turn.db if turn is not None else None)
