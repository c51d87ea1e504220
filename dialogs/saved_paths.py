"""Leerlijnen (manager/HR): list saved paths, open one, export it (CSV, Markdown), assign it to
people with a deadline."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel

from dialogs.kit import (
    Block,
    CardBlock,
    Choice,
    Choose,
    Dialog,
    Fact,
    FileBlock,
    Flow,
    Form,
    FormField,
    InputError,
    TextBlock,
    Turn,
    join,
    plain,
    say,
    user,
)
from dialogs.path_exports import path_csv, path_markdown

MAX_LISTED = 25


class SavedPathsState(BaseModel):
    paths: list[tuple[int, str]] = []
    path: int | None = None
    members: list[tuple[str, str]] = []  # (user, name) to choose from when assigning


async def start(turn: Turn, text: str) -> SavedPathsState:
    paths = await turn.services.paths(turn.workspace)
    return SavedPathsState(paths=[(p.id, p.name) for p in paths[:MAX_LISTED]])


def path_options(turn: Turn, state: SavedPathsState) -> list[Choice]:
    return [Choice(value=str(ident), label=user(f"{name} (#{ident})"))
            for ident, name in state.paths]


def pick_path(turn: Turn, state: SavedPathsState, value: str) -> SavedPathsState:
    return state.model_copy(update={"path": int(value)})


async def path_card(turn: Turn, state: SavedPathsState) -> list[Block]:
    path = await turn.services.path(turn.workspace, state.path or 0)
    if path is None:
        return [TextBlock(text=say(turn.lang, "paths.gone"))]
    facts = [Fact(label=user(item["title"]),
                  value=say(turn.lang, "wizard.training_details", minutes=item["minutes"],
                            format=item["format"], level=item.get("level") or "-"))
             for item in path.trainings]
    assigned = await turn.services.assignments(turn.workspace, path_id=path.id)
    text = say(turn.lang, "paths.summary", level=say(turn.lang, f"wizard.level.{path.level}"),
               goals=", ".join(path.spec.get("competencies", [])),
               minutes=path.total_minutes, assigned=len(assigned))
    blocks: list[Block] = [CardBlock(title=user(path.name), text=text, facts=facts)]
    if assigned:
        people = ", ".join(f"{a.user_name} ({a.deadline.date().isoformat()})" for a in assigned)
        blocks.append(TextBlock(text=say(turn.lang, "paths.assigned_to", people=people)))
    evaluations = await turn.services.answers(turn.workspace, "evaluation", path_id=path.id)
    if evaluations:  # what learners notice 3, 6 and 9 months later (their own words)
        names = {a.user: a.user_name for a in assigned}
        blocks.append(CardBlock(title=say(turn.lang, "paths.evaluations"), facts=[
            Fact(label=join([user(names.get(e.user, e.user)), " · ", user(e.question)]),
                 value=user(e.text)) for e in evaluations[-15:]]))
    blocks.append(TextBlock(text=say(turn.lang, "paths.ask_action")))
    return blocks


def actions(turn: Turn, state: SavedPathsState) -> list[Choice]:
    return [Choice(value="assign", label=say(turn.lang, "paths.assign"), style="primary"),
            Choice(value="csv", label=say(turn.lang, "paths.export_csv")),
            Choice(value="markdown", label=say(turn.lang, "paths.export_md")),
            Choice(value="other", label=say(turn.lang, "paths.other")),
            Choice(value="done", label=say(turn.lang, "paths.done"))]


async def on_action(turn: Turn, state: SavedPathsState,
                    value: str) -> SavedPathsState | Flow[SavedPathsState]:
    if value == "done":
        return Flow(state=state, done=True)
    if value == "other":
        return Flow(state=state.model_copy(update={"path": None}), goto="kies")
    path = await turn.services.path(turn.workspace, state.path or 0)
    if path is None:
        raise InputError("paths.gone")
    if value in {"csv", "markdown"}:
        slug = re.sub(r"[^a-z0-9]+", "-", path.name.casefold()).strip("-") or "leerlijn"
        file = (FileBlock(name=f"{slug}.csv", media_type="text/csv",
                          data=path_csv(path, turn.lang)) if value == "csv" else
                FileBlock(name=f"{slug}.md", media_type="text/markdown",
                          data=path_markdown(path, turn.lang)))
        return Flow(state=state, goto="open", say=[file])
    members = await turn.services.members(turn.workspace)
    return state.model_copy(update={"members": [(m.user, m.name or m.user) for m in members]})


def _deadline_default(turn: Turn, months: int) -> str:
    return (turn.today + timedelta(days=round(months * 30.44))).strftime("%d-%m-%Y")


def people_fields(turn: Turn, state: SavedPathsState) -> list[FormField]:
    return [
        FormField(name="people", label=say(turn.lang, "paths.field.people"), kind="multichoice",
                  choices=[Choice(value=u, label=user(n)) for u, n in state.members]),
        FormField(name="deadline", label=say(turn.lang, "paths.field.deadline"), kind="date",
                  placeholder=plain("31-05-2027"), default=_deadline_default(turn, 6)),
    ]


async def assign(turn: Turn, state: SavedPathsState,
                 values: dict[str, Any]) -> Flow[SavedPathsState]:
    deadline: date = values["deadline"]
    when = datetime.combine(deadline, time(23, 59), tzinfo=UTC)
    names = dict(state.members)
    people: list[str] = values["people"]
    for person in people:
        await turn.services.assign_path(turn.workspace, state.path or 0, person, when,
                                        turn.member.user)
    done = say(turn.lang, "paths.assigned", count=len(people),
               people=", ".join(names.get(p, p) for p in people),
               deadline=deadline.strftime("%d-%m-%Y"))
    return Flow(state=state, goto="open", say=[TextBlock(text=done)])


async def finish(turn: Turn, state: SavedPathsState) -> list[Block]:
    if not state.paths:
        return [TextBlock(text=say(turn.lang, "paths.none"))]
    return [TextBlock(text=say(turn.lang, "paths.bye"))]


DIALOG = Dialog(
    id="leerlijnen", title="paths.title", state=SavedPathsState,
    roles=frozenset({"manager", "admin"}), start=start, finish=finish, help="paths.help",
    steps=[
        Choose("kies", prompt=lambda turn, state: say(turn.lang, "paths.ask_which",
                                                      count=len(state.paths)),
               options=path_options, handle=pick_path,
               skip=lambda turn, state: not state.paths or state.path is not None),
        Choose("open", prompt=path_card, options=actions, handle=on_action,
               skip=lambda turn, state: state.path is None),
        Form("toewijzen", prompt=lambda turn, state: say(turn.lang, "paths.ask_assign"),
             title=lambda turn, state: say(turn.lang, "paths.assign_title"),
             fields=people_fields, handle=assign, help="paths.help_assign",
             skip=lambda turn, state: state.path is None),
    ],
)
PHRASES = ["leerlijnen", "mijn leerlijnen", "opgeslagen leerlijnen", "leerlijnen bekijken",
           "leerlijn toewijzen", "leerlijn exporteren", "learning paths", "my learning paths",
           "saved learning paths", "assign a learning path"]
