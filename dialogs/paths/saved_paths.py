"""Leerlijnen (manager/HR): list saved paths, open one (with what its learners looked back on),
export it (CSV, Markdown), assign it to people with a deadline."""

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
    Rich,
    TextBlock,
    Turn,
    join,
    local_date,
    plain,
    say,
    user,
)
from dialogs.paths.path_exports import path_csv, path_markdown
from dialogs.paths.port import Assignment, SavedPath
from dialogs.policy import MANAGERS

MAX_LISTED = 25
MAX_EVALUATIONS = 15
DEFAULT_MONTHS = 6


class SavedPathsState(BaseModel):
    paths: list[tuple[int, str]] = []
    path: int | None = None
    members: list[tuple[str, str]] = []  # (user, name) to choose from when assigning


async def start(turn: Turn, text: str) -> SavedPathsState:
    paths = await turn.paths.paths()
    return SavedPathsState(paths=[(p.id, p.name) for p in paths[:MAX_LISTED]])


def list_prompt(turn: Turn, state: SavedPathsState) -> Rich:
    return say(turn.lang, "saved_paths.ask_which", count=len(state.paths))


def path_options(turn: Turn, state: SavedPathsState) -> list[Choice]:
    return [Choice(value=str(ident), label=user(f"{name} (#{ident})"))
            for ident, name in state.paths]


def pick_path(turn: Turn, state: SavedPathsState, value: str) -> SavedPathsState:
    return state.model_copy(update={"path": int(value)})


# ---------------------------------------------------------------- an open leerlijn


def _path_card(turn: Turn, path: SavedPath, assigned: list[Assignment]) -> CardBlock:
    facts = [Fact(label=user(item["title"]),
                  value=say(turn.lang, "paths.training_details", minutes=item["minutes"],
                            format=item["format"], level=item.get("level") or "-"))
             for item in path.trainings]
    text = say(turn.lang, "saved_paths.summary",
               level=say(turn.lang, f"paths.level.{path.level}"),
               goals=", ".join(path.spec.get("competencies", [])),
               minutes=path.total_minutes, assigned=len(assigned))
    return CardBlock(title=user(path.name), text=text, facts=facts)


async def _evaluations_card(turn: Turn, path: SavedPath,
                            assigned: list[Assignment]) -> CardBlock | None:
    """What learners noticed 3, 6 and 9 months later (their own words), the latest first."""
    evaluations = await turn.rounds.answers("evaluation", path_id=path.id)
    if not evaluations:
        return None
    names = {a.user: a.user_name for a in assigned}
    return CardBlock(title=say(turn.lang, "saved_paths.evaluations"), facts=[
        Fact(label=join([user(names.get(e.user, e.user)), " · ", user(e.question)]),
             value=user(e.text)) for e in evaluations[-MAX_EVALUATIONS:]])


async def path_view(turn: Turn, state: SavedPathsState) -> list[Block]:
    path = await turn.paths.path(state.path or 0)
    if path is None:
        return [TextBlock(text=say(turn.lang, "saved_paths.gone"))]
    assigned = await turn.paths.assignments(path_id=path.id)
    blocks: list[Block] = [_path_card(turn, path, assigned)]
    if assigned:
        people = ", ".join(f"{a.user_name} ({a.deadline.date().isoformat()})" for a in assigned)
        blocks.append(TextBlock(text=say(turn.lang, "saved_paths.assigned_to", people=people)))
    evaluations = await _evaluations_card(turn, path, assigned)
    if evaluations is not None:
        blocks.append(evaluations)
    blocks.append(TextBlock(text=say(turn.lang, "saved_paths.ask_action")))
    return blocks


def actions(turn: Turn, state: SavedPathsState) -> list[Choice]:
    return [Choice(value="assign", label=say(turn.lang, "saved_paths.assign"), style="primary"),
            Choice(value="csv", label=say(turn.lang, "saved_paths.export_csv")),
            Choice(value="markdown", label=say(turn.lang, "saved_paths.export_md")),
            Choice(value="other", label=say(turn.lang, "saved_paths.other")),
            Choice(value="done", label=say(turn.lang, "saved_paths.done"))]


def _export_file(turn: Turn, path: SavedPath, kind: str) -> FileBlock:
    slug = re.sub(r"[^a-z0-9]+", "-", path.name.casefold()).strip("-") or "leerlijn"
    if kind == "csv":
        return FileBlock(name=f"{slug}.csv", media_type="text/csv",
                         data=path_csv(path, turn.lang))
    return FileBlock(name=f"{slug}.md", media_type="text/markdown",
                     data=path_markdown(path, turn.lang))


async def on_action(turn: Turn, state: SavedPathsState,
                    value: str) -> SavedPathsState | Flow[SavedPathsState]:
    if value == "done":
        return Flow(state=state, done=True)
    if value == "other":
        return Flow(state=state.model_copy(update={"path": None}), goto="kies")
    path = await turn.paths.path(state.path or 0)
    if path is None:
        raise InputError("saved_paths.gone")
    if value in {"csv", "markdown"}:
        return Flow(state=state, goto="open", say=[_export_file(turn, path, value)])
    members = await turn.people.members()
    return state.model_copy(update={"members": [(m.user, m.name or m.user) for m in members]})


# ---------------------------------------------------------------- assigning


def _deadline_default(turn: Turn, months: int) -> str:
    return local_date(turn.today + timedelta(days=round(months * 30.44)), turn.lang)


def people_fields(turn: Turn, state: SavedPathsState) -> list[FormField]:
    return [
        FormField(name="people", label=say(turn.lang, "saved_paths.field.people"),
                  kind="multichoice",
                  choices=[Choice(value=u, label=user(n)) for u, n in state.members]),
        FormField(name="deadline", label=say(turn.lang, "saved_paths.field.deadline"),
                  kind="date", placeholder=plain("31-05-2027"),
                  default=_deadline_default(turn, DEFAULT_MONTHS)),
    ]


async def assign(turn: Turn, state: SavedPathsState,
                 values: dict[str, Any]) -> Flow[SavedPathsState]:
    deadline: date = values["deadline"]
    people: list[str] = values["people"]
    when = datetime.combine(deadline, time(23, 59), tzinfo=UTC)
    for person in people:
        await turn.paths.assign(state.path or 0, person, when, assigned_by=turn.member.user)
    names = dict(state.members)
    done = say(turn.lang, "saved_paths.assigned", count=len(people),
               people=", ".join(names.get(p, p) for p in people),
               deadline=deadline)
    return Flow(state=state, goto="open", say=[TextBlock(text=done)])


async def finish(turn: Turn, state: SavedPathsState) -> list[Block]:
    if not state.paths:
        return [TextBlock(text=say(turn.lang, "saved_paths.none"))]
    return [TextBlock(text=say(turn.lang, "saved_paths.bye"))]


DIALOG = Dialog(
    id="saved_paths", title="saved_paths.title", state=SavedPathsState, roles=MANAGERS,
    menu=70, aliases=["leerlijnen"], start=start, finish=finish, help="saved_paths.help",
    steps=[
        Choose("kies", prompt=list_prompt, options=path_options, handle=pick_path,
               skip=lambda turn, state: not state.paths or state.path is not None),
        Choose("open", prompt=path_view, options=actions, handle=on_action,
               skip=lambda turn, state: state.path is None),
        Form("toewijzen", prompt="saved_paths.ask_assign",
             title=lambda turn, state: say(turn.lang, "saved_paths.assign_title"),
             fields=people_fields, handle=assign, help="saved_paths.help_assign",
             skip=lambda turn, state: state.path is None),
    ],
    phrases=["leerlijnen", "mijn leerlijnen", "opgeslagen leerlijnen", "leerlijnen bekijken",
             "leerlijn toewijzen", "leerlijn exporteren", "learning paths", "my learning paths",
             "saved learning paths", "assign a learning path"],
)
