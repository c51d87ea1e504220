"""The channel contract: every adapter has its shape, ``run_turn`` receives, runs, renders and
sends in order (in the turn's transaction or after it), and stored channel names of earlier
versions are still understood."""

from __future__ import annotations

import inspect
import io
from pathlib import Path
from typing import Any

import pytest

from bot.channels import MSTEAMS, SLACK, channel_name, split_room
from bot.channels.console import ConsoleAdapter
from bot.channels.contract import Transaction, run_turn
from bot.channels.msteams import MsTeamsMessageAction, MsTeamsReplies
from bot.channels.slack import events
from bot.channels.slack.modals import ModalForms
from bot.channels.slack.turns import SlackTurns
from bot.channels.webchat import WebChatAdapter
from dialogs.kit import (
    Channel,
    Choice,
    ChoicesBlock,
    FileBlock,
    Incoming,
    Message,
    Prompt,
    SessionKey,
    TextBlock,
    plain,
)

KEY = SessionKey(channel="test", workspace="w", user="u", conversation="c")
ADAPTERS = [ConsoleAdapter, WebChatAdapter, SlackTurns, ModalForms, MsTeamsReplies,
            MsTeamsMessageAction]


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.__name__)
def test_every_adapter_has_the_contracts_shape(adapter: type) -> None:
    assert isinstance(adapter.channel, Channel) and isinstance(adapter.in_turn, bool)
    for name, parameters in (("receive", ["received"]),
                             ("render", ["received", "messages"]),
                             ("send", ["received", "rendered", "turn"])):
        method = getattr(adapter, name)
        assert inspect.iscoroutinefunction(method), name
        assert list(inspect.signature(method).parameters)[1:] == parameters, name


def said(text: str) -> list[Message]:
    return [Message(blocks=[TextBlock(text=plain(text))])]


class FakeUnit:
    db: Any = "the turn's transaction"


class FakeConductor:
    """Runs ``after`` like the real one, or fails the turn (then answers an error)."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.seen: list[Incoming] = []

    async def handle(self, incoming: Incoming, channel: Channel, after: Any = None,
                     before: Any = None) -> list[Message]:
        self.seen.append(incoming)
        if before is not None:
            await before(FakeUnit())
        if self.fail:
            return said("error")
        messages = said(f"echo {incoming.text}")
        if after is not None:
            await after(FakeUnit(), messages)
        return messages


class Recorder:
    channel = Channel(name="test", forms=False)

    def __init__(self, in_turn: bool) -> None:
        self.in_turn = in_turn
        self.sent: list[tuple[str, Any]] = []

    async def receive(self, received: str) -> Incoming | None:
        return Incoming(key=KEY, text=received) if received else None

    async def render(self, received: str, messages: list[Message]) -> str:
        return " / ".join(m.plain for m in messages)

    async def send(self, received: str, rendered: str, turn: Transaction | None) -> None:
        self.sent.append((rendered, turn.db if turn is not None else None))


@pytest.mark.parametrize(("in_turn", "fail", "sent"), [
    (True, False, [("echo hoi", "the turn's transaction")]),
    (False, False, [("echo hoi", None)]),
    (True, True, [("error", None)]),  # nothing of a failed turn was saved: sent after it
    (False, True, [("error", None)]),
])
async def test_run_turn_sends_in_the_turn_or_after_it(in_turn: bool, fail: bool,
                                                      sent: list[tuple[str, Any]]) -> None:
    adapter, conductor = Recorder(in_turn), FakeConductor(fail)
    reply = await run_turn(adapter, conductor, "hoi")  # type: ignore[arg-type]
    assert adapter.sent == sent and reply == sent[0][0]


class Keeper(Recorder):
    """An adapter that keeps what it received with the turn (``contract.Keeps``)."""

    def __init__(self, in_turn: bool) -> None:
        super().__init__(in_turn)
        self.kept: list[tuple[str, Any]] = []

    async def keep(self, received: str, turn: Transaction | None) -> None:
        self.kept.append((received, turn.db if turn is not None else None))


class ConflictThenFail(FakeConductor):
    """Runs ``after`` in a transaction that is not committed, then answers an error (as a
    turn whose commit failed)."""

    async def handle(self, incoming: Incoming, channel: Channel, after: Any = None,
                     before: Any = None) -> list[Message]:
        if before is not None:
            await before(FakeUnit())
        if after is not None:
            await after(FakeUnit(), said("never committed"))
        return said("busy")


@pytest.mark.parametrize("in_turn", [True, False])
@pytest.mark.parametrize(("conductor", "kept", "answer"), [
    (FakeConductor(), [("hoi", "the turn's transaction")], "echo hoi"),
    (FakeConductor(fail=True), [("hoi", "the turn's transaction"), ("hoi", None)],
     "error"),  # nothing committed: kept on its own after the turn
    (ConflictThenFail(), [("hoi", "the turn's transaction"), ("hoi", None)], "busy"),
], ids=["committed", "failed", "not-committed"])
async def test_run_turn_keeps_what_was_received_with_the_turn_or_after_it(
        in_turn: bool, conductor: FakeConductor, kept: list[tuple[str, Any]],
        answer: str) -> None:
    adapter = Keeper(in_turn)
    assert await run_turn(adapter, conductor, "hoi") == answer  # type: ignore[arg-type]
    assert adapter.kept == kept
    in_the_turn = in_turn and answer == "echo hoi"
    assert adapter.sent[-1] == (answer, "the turn's transaction" if in_the_turn else None)


def test_only_teams_replies_keep_what_they_received() -> None:
    from bot.channels.contract import Keeps

    assert [a.__name__ for a in ADAPTERS if issubclass(a, Keeps)] == ["MsTeamsReplies"]


async def test_run_turn_runs_no_turn_when_nothing_was_asked() -> None:
    adapter, conductor = Recorder(False), FakeConductor()
    assert await run_turn(adapter, conductor, "") is None  # type: ignore[arg-type]
    assert conductor.seen == [] and adapter.sent == []


async def test_the_console_numbers_choices_and_saves_files(tmp_path: Path) -> None:
    out = io.StringIO()
    console = ConsoleAdapter(KEY, out, tmp_path, "nl", "anna")
    prompt = Prompt(dialog="d", step="s", turn=1)
    messages = [Message(blocks=[TextBlock(text=plain("Kies")), ChoicesBlock(choices=[
        Choice(value="a", label=plain("Een")), Choice(value="b", label=plain("Twee"))])],
        prompt=prompt), Message(blocks=[FileBlock(name="lijst.csv", data=b"x;y",
                                                  media_type="text/csv")])]
    await console.send("", await console.render("", messages), None)
    assert "  2. Twee" in out.getvalue() and (tmp_path / "lijst.csv").read_bytes() == b"x;y"
    picked = await console.receive("2")
    assert picked is not None and (picked.value, picked.prompt) == ("b", prompt)
    typed = await console.receive(" 7 ")  # no seventh choice: typed text
    assert typed is not None and typed.text == "7"
    blank = await console.receive("   ")  # a question waits: Enter takes its suggestion
    assert blank is not None and blank.text == ""
    await console.send("", await console.render("", [Message(blocks=[TextBlock(
        text=plain("Klaar"))])]), None)
    assert await console.receive("   ") is None  # nothing asked: an empty line is nothing


async def test_the_console_chat_runs_turns_until_exit(tmp_path: Path) -> None:
    from bot.channels.console import chat
    from bot.runtime import Runtime
    from bot.settings import Settings

    runtime = await Runtime.start(Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'console.db'}", data_dir=tmp_path))
    try:
        out = io.StringIO()
        await chat(runtime.conductor, tmp_path, "nl", stdin=io.StringIO("\n1\nexit\nmenu\n"),
                   stdout=out, user="anna")
    finally:
        await runtime.close()
    menu, blank, picked, left = out.getvalue().split("> ")
    assert "anna" in menu and "  1. " in menu  # the first turn greets with the menu
    assert blank == "" and picked.strip() and left == ""  # no turn for a blank line


def test_a_slack_message_action_starts_the_forum_with_the_message() -> None:
    event = events.from_shortcut({"team": {"id": "T1"}, "user": {"id": "U1"},
                                  "message": {"text": "Hoe neem ik een vergadering op?"}})
    assert (event.start, event.text) == ("ask_question", "Hoe neem ik een vergadering op?")


@pytest.mark.parametrize(("stored", "channel", "address"), [
    ("msteams:19:abc@thread.tacv2", MSTEAMS, "19:abc@thread.tacv2"),
    ("teams:19:abc@thread.tacv2", MSTEAMS, "19:abc@thread.tacv2"),  # written before 0005
    ("slack:C123", SLACK, "C123"),
])
def test_rooms_of_every_version_are_understood(stored: str, channel: str, address: str) -> None:
    assert split_room(stored) == (channel, address)


@pytest.mark.parametrize(("stored", "today"), [("teams", MSTEAMS), ("msteams", MSTEAMS),
                                               ("slack", SLACK), ("web", "web"), (None, None)])
def test_channel_names_of_earlier_versions(stored: str | None, today: str | None) -> None:
    assert channel_name(stored) == today
