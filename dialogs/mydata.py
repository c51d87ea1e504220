"""Mijn gegevens: export everything Leerbot keeps about me (JSON), or delete it."""

from __future__ import annotations

import json

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


class MyDataState(BaseModel):
    action: str | None = None
    confirmed: bool = False


def options(turn: Turn, state: MyDataState) -> list[Choice]:
    return [Choice(value="export", label=say(turn.lang, "mydata.export")),
            Choice(value="delete", label=say(turn.lang, "mydata.delete"), style="danger"),
            Choice(value="nothing", label=say(turn.lang, "mydata.nothing"))]


def choose(turn: Turn, state: MyDataState, value: str) -> MyDataState | Flow[MyDataState]:
    chosen = MyDataState(action=value)
    return chosen if value == "delete" else Flow(state=chosen, done=True)


def confirm(turn: Turn, state: MyDataState, yes: bool) -> Flow[MyDataState]:
    return Flow(state=MyDataState(action="delete", confirmed=yes), done=True)


async def finish(turn: Turn, state: MyDataState) -> list[Block]:
    services, member = turn.services, turn.member
    if state.action == "export":
        data = await services.export_user(member.workspace, member.user)
        payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        return [TextBlock(text=say(turn.lang, "mydata.exported")),
                FileBlock(name="leerbot-mijn-gegevens.json", media_type="application/json",
                          data=payload)]
    if state.action == "delete" and state.confirmed:
        counts = await services.delete_user(member.workspace, member.user, keep=turn.key)
        removed = sum(v for k, v in counts.items() if not k.endswith("_unlinked"))
        return [TextBlock(text=say(turn.lang, "mydata.deleted", count=removed))]
    if state.action == "delete":
        return [TextBlock(text=say(turn.lang, "mydata.kept"))]
    return [TextBlock(text=say(turn.lang, "mydata.nothing_done"))]


DIALOG = Dialog(
    id="gegevens", title="mydata.title", state=MyDataState, finish=finish, help="mydata.help",
    steps=[
        Choose("kies", prompt=lambda turn, state: say(turn.lang, "mydata.ask"),
               options=options, handle=choose),
        Confirm("zeker", prompt=lambda turn, state: say(turn.lang, "mydata.confirm_delete"),
                handle=confirm),
    ],
)
PHRASES = ["mijn gegevens", "gegevens", "privacy", "gegevens exporteren", "exporteer mijn data",
           "verwijder mijn gegevens", "wis mijn gegevens", "my data", "export my data",
           "delete my data", "gdpr", "avg"]
