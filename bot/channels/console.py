"""The console channel: numbered choices, forms asked one field at a time, files saved to disk."""

from __future__ import annotations

import asyncio
import getpass
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.channels import CONSOLE
from bot.channels.contract import Transaction, run_turn
from bot.clock import Clock, moment
from dialogs.kit import (
    CardBlock,
    Channel,
    ChartBlock,
    Choice,
    ChoicesBlock,
    Conductor,
    FileBlock,
    FormBlock,
    ImageBlock,
    Incoming,
    Message,
    Prompt,
    Rich,
    SessionKey,
    TextBlock,
)
from knowledge.messages import t

CHANNEL = Channel(mailbox=True, name=CONSOLE, forms=False)
LEAVE = {"exit", "quit", "doei"}


def text_of(rich: Rich) -> str:
    """Plain text; our own **bold** is shown as-is in capitals-free form (no markup)."""
    return rich.plain


@dataclass
class SavedFile:
    """A chart or export to save next to the chat; the screen shows where it went."""

    name: str
    data: bytes
    label: str


@dataclass
class Screen:
    """What one reply shows: lines (and files), and the choices numbered in it, each with the
    question it belongs to."""

    lines: list[str | SavedFile] = field(default_factory=list)
    choices: list[tuple[Choice, Prompt | None]] = field(default_factory=list)
    asks: bool = False  # a question waits (Enter then takes its suggested answer)


def _labelled(label: str, value: str) -> str:
    """'Team: Secretariaat'; a label that is a question or ends in a colon gets no colon of its
    own ('Wat liep anders dan verwacht? de vergadering')."""
    return f"{label} {value}" if label.rstrip().endswith(("?", ":", "!")) else f"{label}: {value}"


def _card_lines(block: CardBlock) -> list[str | SavedFile]:
    lines: list[str | SavedFile] = [f"== {text_of(block.title)} =="]
    if block.text:
        lines.append(text_of(block.text))
    lines += [f"  - {_labelled(text_of(fact.label), text_of(fact.value))}" for fact in block.facts]
    return lines


def _block_lines(block: object, screen: Screen, prompt: Prompt | None) -> list[str | SavedFile]:
    if isinstance(block, TextBlock):
        return [text_of(block.text)]
    if isinstance(block, ChoicesBlock):
        lines: list[str | SavedFile] = []
        for choice in block.choices:
            screen.choices.append((choice, prompt))
            lines.append(f"  {len(screen.choices)}. {text_of(choice.label)}")
        return lines
    if isinstance(block, CardBlock):
        return _card_lines(block)
    if isinstance(block, FormBlock):
        return [text_of(block.title), *(f"  - {text_of(f.label)}" for f in block.fields)]
    if isinstance(block, ImageBlock):
        return [SavedFile(block.name, block.png, text_of(block.alt))]
    if isinstance(block, ChartBlock):
        image = block.image()
        return [*block.text_lines(),
                *([SavedFile(image.name, image.png, text_of(image.alt))] if image else [])]
    if isinstance(block, FileBlock):
        return [SavedFile(block.name, block.data, block.name)]
    return []


def render(messages: list[Message]) -> Screen:
    """Choices are numbered across all messages, so a button of an earlier message (e.g. a
    check-in from the mailbox) can be picked by number too."""
    screen = Screen()
    for message in messages:
        screen.asks = screen.asks or message.prompt is not None
        for block in message.blocks:
            screen.lines += _block_lines(block, screen, message.prompt)
    return screen


def save(folder: Path, name: str, data: bytes) -> Path:
    """Save under a safe, unused name in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, dot, suffix = name.rpartition(".")
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem or name)
    path = folder / f"{safe}{dot}{suffix}"
    counter = 1
    while path.exists():
        path = folder / f"{safe}-{counter}{dot}{suffix}"
        counter += 1
    path.write_bytes(data)
    return path


class ConsoleAdapter:
    """The console as a channel adapter: receives typed lines, prints the replies."""

    channel = CHANNEL
    in_turn = False

    def __init__(self, key: SessionKey, out: TextIO, files: Path, lang: str | None,
                 name: str | None = None) -> None:
        self.key, self.out, self.files, self.lang, self.name = key, out, files, lang, name
        self.shown = Screen()

    async def receive(self, received: str) -> Incoming | None:
        """A typed line; a number picks one of the choices just shown."""
        text = received.strip()
        if not text and not self.shown.asks:
            return None
        if text.isdigit() and 1 <= int(text) <= len(self.shown.choices):
            choice, prompt = self.shown.choices[int(text) - 1]
            return Incoming(key=self.key, value=choice.value, prompt=prompt, locale=self.lang,
                            name=self.name)
        return Incoming(key=self.key, text=text, locale=self.lang, name=self.name)

    async def render(self, received: str, messages: list[Message]) -> Screen:
        return render(messages)

    async def send(self, received: str, rendered: Screen, turn: Transaction | None) -> None:
        for line in rendered.lines:
            if isinstance(line, SavedFile):
                label = line.label.rstrip(". ")  # "... profiel." + ": path" reads as ".:"
                line = f"[{label}: {save(self.files, line.name, line.data)}]"
            self.out.write(line + "\n")
        self.out.flush()
        self.shown = rendered


async def move_clock(line: str, clock: Clock, lang: str | None,
                     moved: Callable[[], Awaitable[None]] | None) -> str:
    """"/klok 2027-08-31": time travel for trying scheduled moments (see ``bot.clock``)."""
    wanted = line.split(maxsplit=1)[1].strip() if len(line.split()) > 1 else ""
    if not wanted:
        return t(lang, "cli.clock_now", moment=clock().strftime("%Y-%m-%d %H:%M"))
    try:
        clock.move_to(moment(wanted))
    except ValueError:
        return t(lang, "cli.runs_bad_moment", value=wanted)
    if moved is not None:
        await moved()
    return t(lang, "cli.clock_moved", moment=clock().strftime("%Y-%m-%d %H:%M"))


async def chat(conductor: Conductor, files: Path, lang: str | None,
               stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
               user: str | None = None, clock: Clock | None = None,
               moved: Callable[[], Awaitable[None]] | None = None) -> None:
    """Read lines until EOF or 'exit'/'quit'; show every answer. With ``clock``, a line
    "/klok <moment>" (or "/clock") moves it and ``moved`` plans what is due then."""
    name = user or getpass.getuser()
    key = SessionKey(channel=CONSOLE, workspace="local", user=name, conversation="console")
    console = ConsoleAdapter(key, stdout, files, lang, name)
    await run_turn(console, conductor, "menu")
    loop = asyncio.get_running_loop()
    while True:
        stdout.write("> ")
        stdout.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            stdout.write("\n")
            return
        if line.strip().casefold() in LEAVE:
            return
        if clock is not None and line.strip().casefold().split()[:1] in (["/klok"], ["/clock"]):
            stdout.write(await move_clock(line, clock, lang, moved) + "\n")
            continue
        await run_turn(console, conductor, line)
