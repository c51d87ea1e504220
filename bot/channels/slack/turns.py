"""The inbox worker's side of Slack: a stored event's turn is run, and its reply is queued as
deliveries in the turn's own transaction, together with the inbox row marked done (so a crash
never loses a reply nor sends it twice). The delivery worker posts them (``sending``): a reply
to a typed message or a button is claimed for this process's delivery worker in the same
transaction and handed to it once committed (``Direct``), unless an earlier message of the
conversation is still open or the inbox is busy (``DIRECT_BATCH``); other replies wait for the
worker to find them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels import SLACK
from bot.channels.contract import Transaction
from bot.channels.slack import render
from bot.channels.slack.caches import Person
from bot.channels.slack.events import SlackEvent
from bot.queue import (
    CLAIMED_TOGETHER,
    enqueue_claimed,
    enqueue_delivery,
    finish_inbox,
    reserve_order,
)
from bot.storage.models import DeliveryRow
from dialogs.kit import Channel, Incoming, Message, SessionKey

CHANNEL = Channel(name=SLACK, forms=True)
#: replies are sent right after their turn while the inbox worker claims at most this many
#: events at once; under load they are left to the delivery worker, whose claims and marks
#: then cover many replies at once (fewer transactions per reply)
DIRECT_BATCH = 4


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


class Direct(Protocol):
    """The delivery worker of this process, as far as replies sent right away need it
    (``bot.workers.DeliveryWorker``)."""

    owner: str
    lease: timedelta

    def send_claimed(self, rows: list[DeliveryRow], since: float) -> None: ...


class Replies:
    """Queues what answers an inbox row, and marks the row done, in one transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 direct: Direct | None = None) -> None:
        self.sessions = sessions
        self.direct = direct
        #: by inbox row: the replies claimed for ``direct`` in the turn's transaction, and
        #: ``time.monotonic()`` before their lease was set (taken once the turn is committed)
        self._claimed: dict[int, tuple[list[DeliveryRow], float]] = {}

    async def queue(self, row_id: int, team: str, ordering: str,
                    payloads: list[dict[str, Any]], db: AsyncSession | None = None,
                    direct: bool = False) -> None:
        """In ``db`` (the turn's transaction), or in a transaction of its own. ``direct``:
        claim them for this process's delivery worker (``claimed`` hands them over)."""
        self._claimed.pop(row_id, None)  # an earlier try of this turn was rolled back
        if db is None:
            async with self.sessions.begin() as own:
                await self.queue(row_id, team, ordering, payloads, own)
            return
        since = time.monotonic()
        until = await reserve_order(db, ordering, self.direct.lease) \
            if direct and self.direct is not None and CLAIMED_TOGETHER.get() <= DIRECT_BATCH \
            else None
        claimed = []
        for index, payload in enumerate(payloads):
            key = f"inbox:{row_id}:{index}"
            if until is None or self.direct is None:
                await enqueue_delivery(db, key, SLACK, team, ordering, payload)
            elif (row := await enqueue_claimed(db, key, SLACK, team, ordering, payload,
                                               self.direct.owner, until)) is not None:
                claimed.append(row)
        await finish_inbox(db, row_id)
        if claimed:
            self._claimed[row_id] = (claimed, since)

    def claimed(self, row_id: int) -> tuple[list[DeliveryRow], float] | None:
        """What the turn of the inbox row claimed for sending right away (once: only call
        this when the turn's transaction was committed)."""
        return self._claimed.pop(row_id, None)


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
                                 rendered, turn.db if turn is not None else None,
                                 direct=turn is not None)
