"""The console channel: numbered choices, forms asked one field at a time, files saved to disk."""

from __future__ import annotations

import asyncio
import getpass
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from dialogs.kit import (
    CardBlock,
    Channel,
    Choice,
    ChoicesBlock,
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

CHANNEL = Channel(mailbox=True, name="console", forms=False)


def text_of(rich: Rich) -> str:
    """Plain text; our own **bold** is shown as-is in capitals-free form (no markup)."""
    return rich.plain


class ConsoleRenderer:
    def __init__(self, out: TextIO, files: Path) -> None:
        self.out = out
        self.files = files
        self.choices: list[Choice] = []
        self._prompts: list[Prompt | None] = []
        self.prompt: Prompt | None = None

    def show(self, messages: list[Message]) -> None:
        """Print the messages; choices are numbered across all of them, so a button of an
        earlier message (e.g. a check-in from the mailbox) can be picked by number too."""
        self.choices, self.prompt = [], None
        self._prompts: list[Prompt | None] = []
        for message in messages:
            for block in message.blocks:
                self._block(block, message.prompt)
            if message.prompt is not None:
                self.prompt = message.prompt
        self.out.flush()

    def _write(self, text: str) -> None:
        self.out.write(text + "\n")

    def _block(self, block: object, prompt: Prompt | None = None) -> None:
        if isinstance(block, TextBlock):
            self._write(text_of(block.text))
        elif isinstance(block, ChoicesBlock):
            for choice in block.choices:
                self.choices.append(choice)
                self._prompts.append(prompt)
                self._write(f"  {len(self.choices)}. {text_of(choice.label)}")
        elif isinstance(block, CardBlock):
            self._write(f"== {text_of(block.title)} ==")
            if block.text:
                self._write(text_of(block.text))
            for fact in block.facts:
                self._write(f"  - {text_of(fact.label)}: {text_of(fact.value)}")
        elif isinstance(block, FormBlock):
            self._write(text_of(block.title))
            for field in block.fields:
                self._write(f"  - {text_of(field.label)}")
        elif isinstance(block, ImageBlock | FileBlock):
            data = block.png if isinstance(block, ImageBlock) else block.data
            path = self._save(block.name, data)
            label = text_of(block.alt) if isinstance(block, ImageBlock) else block.name
            self._write(f"[{label}: {path}]")

    def _save(self, name: str, data: bytes) -> Path:
        self.files.mkdir(parents=True, exist_ok=True)
        stem, dot, suffix = name.rpartition(".")
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem or name)
        path = self.files / f"{safe}{dot}{suffix}"
        counter = 1
        while path.exists():
            path = self.files / f"{safe}-{counter}{dot}{suffix}"
            counter += 1
        path.write_bytes(data)
        return path

    def incoming(self, key: SessionKey, line: str, lang: str | None) -> Incoming:
        """A typed line; a number picks one of the choices just shown."""
        text = line.strip()
        if text.isdigit() and self.choices and 1 <= int(text) <= len(self.choices):
            choice = self.choices[int(text) - 1]
            return Incoming(key=key, value=choice.value, prompt=self._prompts[int(text) - 1],
                            locale=lang)
        return Incoming(key=key, text=text, locale=lang)


async def chat(handle: Callable[[Incoming, Channel], object], files: Path, lang: str | None,
               stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
               user: str | None = None) -> None:
    """Read lines until EOF or 'exit'/'quit' on an empty dialog; show every answer."""
    renderer = ConsoleRenderer(stdout, files)
    name = user or getpass.getuser()
    key = SessionKey(channel="console", workspace="local", user=name, conversation="console")
    first = Incoming(key=key, text="menu", locale=lang, name=name)
    renderer.show(await handle(first, CHANNEL))  # type: ignore[misc]
    loop = asyncio.get_running_loop()
    while True:
        stdout.write("> ")
        stdout.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            stdout.write("\n")
            return
        if line.strip().casefold() in {"exit", "quit", "doei"}:
            return
        if not line.strip():
            continue
        renderer.show(await handle(renderer.incoming(key, line, lang), CHANNEL))  # type: ignore[misc]
