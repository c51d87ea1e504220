"""The contract every chat channel follows, and the one function that runs it.

A channel adapter does four things, always in this order (``run_turn``):

1. **receive**: what the platform sent becomes an ``Incoming`` (or None: nothing for a turn);
2. the conductor runs the **turn** (``Conductor.handle``);
3. **render**: the turn's messages in the platform's format (text lines, Block Kit payloads,
   Adaptive Cards, JSON for the web page);
4. **send**: the rendered reply goes out.

Sending happens in one of two places, chosen by ``Adapter.in_turn``:

* in the turn (True): the reply is queued inside the turn's own transaction, so the session,
  the queued reply and anything else the turn did are committed together (Slack: a crash can
  neither lose nor repeat a reply);
* after the turn (False): the reply is sent once the turn is committed (console, web chat,
  Microsoft Teams within the platform's request).

A turn that failed saved nothing; its error message is then rendered and sent after it.

An adapter may also keep something of what it received in the turn's transaction (``Keeps``;
Microsoft Teams: the conversation reference), so a turn costs one transaction, not two.

Proactive messages (check-ins, forum posts, digests) take the outbound half: a channel renders
them into delivery payloads (``Payloads``) that are queued, and its ``bot.workers.Sender``
delivers them later (Slack's Web API, Teams' connector, or the mailbox of the console and web
chat users).
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar, cast, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.workers import Sender
from dialogs.kit import Channel, Conductor, Incoming, Message, Unit

__all__ = ["Adapter", "Keeps", "Payloads", "Sender", "Transaction", "Unreachable",
           "run_turn"]

Received = TypeVar("Received", contravariant=True)
Rendered = TypeVar("Rendered")


class Transaction(Protocol):
    """The turn's unit of work as the bot makes it (``bot.units.DatabaseUnit``)."""

    db: AsyncSession


class Adapter(Protocol[Received, Rendered]):
    """One channel's inbound side: ``Received`` is what its platform hands over (a typed
    line, a web request, a stored Slack event, a Teams turn context), ``Rendered`` the reply in
    its format."""

    #: the channel as the dialogs see it (its name is stored with sessions and members)
    channel: Channel
    #: True: ``send`` runs inside the turn's transaction; False: after it is committed
    in_turn: bool

    async def receive(self, received: Received) -> Incoming | None:
        """What the input asks of a turn; None: nothing (e.g. a blank line)."""
        ...

    async def render(self, received: Received, messages: list[Message]) -> Rendered:
        """The messages in the platform's format."""
        ...

    async def send(self, received: Received, rendered: Rendered,
                   turn: Transaction | None) -> None:
        """Send (or queue) the reply; ``turn`` is the turn's transaction when sending in it."""
        ...


@runtime_checkable
class Keeps(Protocol[Received]):
    """An adapter that stores something of what it received with the turn: ``keep`` runs in
    the turn's transaction before the dialog; when that was not committed (the turn failed),
    once more after it with ``turn`` None, to store it on its own."""

    async def keep(self, received: Received, turn: Transaction | None) -> None: ...


class Unreachable(Exception):
    """A person or room cannot be reached proactively (e.g. never talked to Leerbot in
    Microsoft Teams, so there is no conversation to write in)."""


class Payloads(Protocol):
    """A channel's outbound rendering: the delivery payloads that carry proactive messages to
    one address (a user or a room), as its ``Sender`` expects them. ``reference`` is the stored
    conversation reference where the platform needs one; ``thread_of`` the delivery key of an
    earlier post to answer under. Raises ``Unreachable`` when the address cannot be written to.
    """

    def __call__(self, address: str, messages: list[Message], reference: dict[str, Any] | None,
                 thread_of: str | None) -> list[dict[str, Any]]: ...


async def run_turn(adapter: Adapter[Received, Rendered], conductor: Conductor,
                   received: Received) -> Rendered | None:
    """Receive, run the turn, render and send; the reply that went out (None: the input asked
    nothing of a turn)."""
    incoming = await adapter.receive(received)
    if incoming is None:
        return None
    queued: list[tuple[list[Message], Rendered]] = []
    keeper = adapter if isinstance(adapter, Keeps) else None
    kept: list[list[Message]] = []

    async def keep(unit: Unit) -> None:  # before the dialog: an erasure in it erases this too
        assert keeper is not None
        await keeper.keep(received, cast(Transaction, unit))

    async def within(unit: Unit, messages: list[Message]) -> None:
        if keeper is not None:
            kept.append(messages)
        if adapter.in_turn:
            rendered = await adapter.render(received, messages)
            await adapter.send(received, rendered, cast(Transaction, unit))
            queued.append((messages, rendered))

    messages = await conductor.handle(incoming, adapter.channel,
                                      after=within if adapter.in_turn or keeper else None,
                                      before=keep if keeper else None)
    if keeper is not None and not (kept and kept[-1] is messages):
        await keeper.keep(received, None)  # the turn was not committed: kept on its own
    if queued and queued[-1][0] is messages:  # queued in the turn and committed with it
        return queued[-1][1]
    rendered = await adapter.render(received, messages)
    await adapter.send(received, rendered, None)
    return rendered
