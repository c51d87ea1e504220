"""Mijn gegevens: export everything Leerbot keeps about me (JSON), or delete it."""

from __future__ import annotations

import json
import re

from pydantic import BaseModel

from dialogs.kit import (
    Block,
    Choice,
    Choose,
    Confirm,
    Dialog,
    FileBlock,
    Flow,
    TextBlock,
    Turn,
    say,
)
from engine.text import fold

#: words in the opening message that already say what to do ("wis mijn gegevens")
DELETE_WORDS = re.compile(r"\b(wis|wiss?en|verwijder\w*|vergeet|delete|erase|remove|forget)\b")
EXPORT_WORDS = re.compile(r"\b(export\w*|download\w*|exporteer|downloaden|inzien|bekijk\w*)\b")


class MyDataState(BaseModel):
    action: str | None = None
    confirmed: bool = False


def start(turn: Turn, text: str) -> MyDataState:
    """"Wis mijn gegevens" goes straight to the confirmation, "exporteer mijn gegevens" to the
    file; "mijn gegevens" asks."""
    words = fold(text)
    if DELETE_WORDS.search(words):
        return MyDataState(action="delete")
    if EXPORT_WORDS.search(words):
        return MyDataState(action="export")
    return MyDataState()


def options(turn: Turn, state: MyDataState) -> list[Choice]:
    return [Choice(value="export", label=say(turn.lang, "my_data.export")),
            Choice(value="delete", label=say(turn.lang, "my_data.delete"), style="danger"),
            Choice(value="nothing", label=say(turn.lang, "my_data.nothing"))]


def choose(turn: Turn, state: MyDataState, value: str) -> MyDataState | Flow[MyDataState]:
    chosen = MyDataState(action=value)
    return chosen if value == "delete" else Flow(state=chosen, done=True)


def confirm(turn: Turn, state: MyDataState, yes: bool) -> Flow[MyDataState]:
    return Flow(state=MyDataState(action="delete", confirmed=yes), done=True)


async def finish(turn: Turn, state: MyDataState) -> list[Block]:
    if state.action == "export":
        data = await turn.my_data.export(turn.member.user)
        payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        return [TextBlock(text=say(turn.lang, "my_data.exported")),
                FileBlock(name="leerbot-mijn-gegevens.json", media_type="application/json",
                          data=payload)]
    if state.action == "delete" and state.confirmed:
        counts = await turn.my_data.erase(turn.member.user, keep=turn.key)
        removed = sum(v for k, v in counts.items() if not k.endswith("_unlinked"))
        return [TextBlock(text=say(turn.lang, "my_data.deleted", count=removed))]
    if state.action == "delete":
        return [TextBlock(text=say(turn.lang, "my_data.kept"))]
    return [TextBlock(text=say(turn.lang, "my_data.nothing_done"))]


DIALOG = Dialog(
    id="my_data", title="my_data.title", state=MyDataState, start=start, finish=finish,
    help="my_data.help",
    menu=150, aliases=["gegevens"],
    steps=[
        Choose("kies", prompt="my_data.ask", options=options, handle=choose,
               skip=lambda turn, state: state.action is not None),
        Confirm("zeker", prompt="my_data.confirm_delete", handle=confirm,
                skip=lambda turn, state: state.action != "delete"),
    ],
    phrases=["mijn gegevens", "gegevens", "privacy", "gegevens exporteren",
             "exporteer mijn data", "verwijder mijn gegevens", "wis mijn gegevens", "my data",
             "export my data", "delete my data", "gdpr", "avg"],
)
