"""Scripting a user through dialogs: say, press a button, submit a form; read what came back."""

from __future__ import annotations

from dialogs.conductor import Channel, Conductor, Incoming
from dialogs.output import CardBlock, ChoicesBlock, FileBlock, FormBlock, ImageBlock, Message
from dialogs.session import SessionKey

CONSOLE = Channel(name="console", forms=False)
WEB = Channel(name="web", forms=True)


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
        return [b for m in self.last for b in m.blocks if isinstance(b, ImageBlock)]
