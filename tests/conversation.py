"""Scripting a user through dialogs: say, press a button, submit a form; read what came back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.channels.mailbox import MailboxSender
from bot.scheduler import Planner
from bot.storage.people import identify
from bot.storage.ports import BoundPorts, Store
from bot.workers import DeliveryWorker
from dialogs.kit import (
    CardBlock,
    Channel,
    ChartBlock,
    ChoicesBlock,
    Conductor,
    FileBlock,
    FormBlock,
    ImageBlock,
    Incoming,
    Member,
    Message,
    SessionKey,
)

CONSOLE = Channel(name="console", forms=False, mailbox=True)
WEB = Channel(name="web", forms=True, mailbox=True)


class User:
    def __init__(self, conductor: Conductor, name: str = "anna", workspace: str = "acme",
                 channel: Channel = CONSOLE, conversation: str = "dm", locale: str = "nl") -> None:
        self.conductor = conductor
        self.channel = channel
        self.locale = locale
        self.name = name
        self.key = SessionKey(channel=channel.name, workspace=workspace, user=name,
                              conversation=conversation)
        self.last: list[Message] = []

    @property
    def text(self) -> str:
        return "\n".join(m.plain for m in self.last)

    async def send(self, incoming: Incoming) -> str:
        self.last = await self.conductor.handle(incoming, self.channel)
        return self.text

    async def say(self, text: str) -> str:
        return await self.send(Incoming(key=self.key, text=text, locale=self.locale,
                                        name=self.name))

    async def send_value(self, value: str) -> str:
        """A button value sent without a question (as from a proactive message)."""
        return await self.send(Incoming(key=self.key, value=value, locale=self.locale,
                                        name=self.name))

    def choices(self) -> list[tuple[str, str]]:
        return [(c.value, c.label.plain) for m in self.last for b in m.blocks
                if isinstance(b, ChoicesBlock) for c in b.choices]

    async def press(self, wanted: str) -> str:
        """Press the button whose value equals, or whose label contains, ``wanted``."""
        for message in reversed(self.last):
            for block in message.blocks:
                if isinstance(block, ChoicesBlock):
                    for choice in block.choices:
                        label = choice.label.plain.casefold()
                        if choice.value == wanted or wanted.casefold() in label:
                            return await self.send(Incoming(
                                key=self.key, value=choice.value, prompt=message.prompt,
                                locale=self.locale, name=self.name))
        raise AssertionError(f"no button {wanted!r} in:\n{self.text}")

    async def submit(self, **values: str) -> str:
        for message in reversed(self.last):
            if any(isinstance(b, FormBlock) for b in message.blocks):
                return await self.send(Incoming(key=self.key, form=values, prompt=message.prompt,
                                                locale=self.locale, name=self.name))
        raise AssertionError(f"no form in:\n{self.text}")

    def form(self) -> FormBlock:
        for message in self.last:
            for block in message.blocks:
                if isinstance(block, FormBlock):
                    return block
        raise AssertionError(f"no form in:\n{self.text}")

    def files(self) -> list[FileBlock]:
        return [b for m in self.last for b in m.blocks if isinstance(b, FileBlock)]

    def cards(self) -> list[CardBlock]:
        return [b for m in self.last for b in m.blocks if isinstance(b, CardBlock)]

    def card_labels(self) -> list[str]:
        """The fact labels of the last card (e.g. the trainings of a proposal)."""
        return [fact.label.plain for fact in self.cards()[-1].facts]

    def images(self) -> list[ImageBlock]:
        """The images of the last answer, a chart's image among them."""
        found = [b if isinstance(b, ImageBlock) else b.image() for m in self.last
                 for b in m.blocks if isinstance(b, ImageBlock | ChartBlock)]
        return [image for image in found if image is not None]


async def deliver(runtime: Any) -> None:
    """Send every queued proactive message that is due (console and web chat: mailboxes)."""
    worker = DeliveryWorker(runtime.sessions, {"local": MailboxSender(runtime.sessions)})
    await worker.drain()
    await worker.marks.close()


async def plan(runtime: Any, at: datetime) -> int:
    """Run the scheduler once as if it were ``at`` (UTC); the number of runs planned."""
    return await Planner(runtime.sessions, clock=lambda: at).tick()


class Workspace:
    """A workspace's ports outside a turn (one transaction), for arranging and checking test
    data: ``async with Workspace(runtime) as ws: await ws.join("anna", "Anna")``, then
    ``await ws.people.set_role("anna", "manager")``."""

    def __init__(self, runtime: Any, workspace: str = "acme") -> None:
        self.runtime = runtime
        self.workspace = workspace

    async def __aenter__(self) -> Arranged:
        self._context = self.runtime.sessions.begin()
        db = await self._context.__aenter__()
        return Arranged(db, self.workspace, self.runtime.conductor.units.shared)

    async def __aexit__(self, *exc: object) -> None:
        await self._context.__aexit__(*exc)


class Arranged:
    def __init__(self, db: Any, workspace: str, shared: Any) -> None:
        self.db = db
        self.workspace = workspace
        self.ports = BoundPorts(Store(db, workspace, shared))

    async def join(self, user: str, name: str = "", role: str | None = None,
                   channel: str = "console") -> Member:
        """The member as their first message would make them (the first one is admin)."""
        key = SessionKey(channel=channel, workspace=self.workspace, user=user,
                         conversation=channel)
        member = await identify(self.db, key, name, channel, None)
        if role is not None:
            member = await self.ports.people.set_role(user, role)
        return member

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.ports.get(name)


def rule_due_now() -> dict[str, Any]:
    """A weekly schedule whose occurrence is today, one minute ago in Europe/Amsterdam (the
    default timezone), so planning now makes deliveries that are due at once."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    local = datetime.now(ZoneInfo("Europe/Amsterdam")) - timedelta(minutes=1)
    return {"frequency": "weekly", "weekday": local.weekday(), "at": local.strftime("%H:%M")}
