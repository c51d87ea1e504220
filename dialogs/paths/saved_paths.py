"""Leerlijnen (manager/HR): list saved paths with their target group, open one (its trainings
with reasons, target group, constraints, warnings, who has it, what its learners looked back
on), export it (CSV, Markdown), assign it to people with a deadline (warning first when
someone would get a training twice through another leerlijn), copy it as a new leerlijn, and
change it (``path_editing``: rename, swap or remove a training, unassign, delete).

Who may do what: every manager and HR admin opens, exports, assigns and copies any leerlijn
of the workspace; only its maker or HR changes, unassigns or deletes it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from dialogs.kit import (
    Answer,
    Ask,
    Block,
    CardBlock,
    Choice,
    Choose,
    Confirm,
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
from dialogs.kit.choices import pick_choice
from dialogs.my_path.notices import notify_assigned
from dialogs.paths import path_editing as editing
from dialogs.paths.path_exports import path_csv, path_markdown, target_text
from dialogs.paths.port import Assignment, SavedPath
from dialogs.paths.saved_state import (
    Duplicate,
    PendingAssignment,
    SavedPathsState,
    may_edit,
    stopped,
)
from dialogs.policy import MANAGERS
from engine.competencies import labels
from engine.parsing import add_months
from engine.paths import duplicate_trainings

MAX_EVALUATIONS = 15
DEFAULT_MONTHS = 6


async def start(turn: Turn, text: str) -> SavedPathsState:
    return SavedPathsState(paths=await editing.listing(turn))


def list_prompt(turn: Turn, state: SavedPathsState) -> Rich:
    return say(turn.lang, "saved_paths.ask_which", count=len(state.paths))


def path_options(turn: Turn, state: SavedPathsState) -> list[Choice]:
    return [Choice(value=str(ident), label=user(label)) for ident, label in state.paths]


async def pick_path(turn: Turn, state: SavedPathsState, value: str) -> SavedPathsState:
    chosen = await editing.opened(turn, state.paths, int(value))
    if chosen.path is None:
        raise InputError("saved_paths.gone")
    return chosen


# ---------------------------------------------------------------- an open leerlijn


def _path_card(turn: Turn, path: SavedPath, assigned: list[Assignment]) -> CardBlock:
    text = join([
        say(turn.lang, "saved_paths.summary", level=say(turn.lang, f"paths.level.{path.level}"),
            goals=labels(path.spec.get("competencies", []), turn.lang), count=len(assigned)),
        say(turn.lang, "saved_paths.target", target=target_text(path.spec, turn.lang)),
        editing.limits_text(turn, path.spec, len(path.trainings), path.total_minutes),
    ])
    return CardBlock(title=user(path.name), text=text,
                     facts=editing.training_facts(turn, path.trainings))


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
    if path.warnings:
        blocks.append(TextBlock(text=join([plain("⚠ ") + user(w) for w in path.warnings])))
    if assigned:
        people = join([say(turn.lang, "saved_paths.person_deadline", person=a.user_name,
                           deadline=a.deadline.date()) for a in assigned], ", ")
        blocks.append(TextBlock(text=say(turn.lang, "saved_paths.assigned_to", people=people)))
    else:
        blocks.append(TextBlock(text=say(turn.lang, "saved_paths.not_assigned_yet")))
    evaluations = await _evaluations_card(turn, path, assigned)
    if evaluations is not None:
        blocks.append(evaluations)
    if not may_edit(turn, state):
        blocks.append(TextBlock(text=say(turn.lang, "saved_paths.read_only")))
    blocks.append(TextBlock(text=say(turn.lang, "saved_paths.ask_action")))
    return blocks


def actions(turn: Turn, state: SavedPathsState) -> list[Choice]:
    options = [Choice(value="assign", label=say(turn.lang, "saved_paths.assign"),
                      style="primary")]
    if may_edit(turn, state):
        options.append(Choice(value="edit", label=say(turn.lang, "saved_paths.edit")))
    return [*options,
            Choice(value="copy", label=say(turn.lang, "saved_paths.copy")),
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


EDIT = "edit:"


@dataclass
class PathMenu(Choose):
    """The opened leerlijn's menu; what "Aanpassen" offers may be typed here at once
    ("training wisselen", "verwijderen")."""

    def read(self, turn: Turn, state: Any, answer: Answer) -> Any:
        try:
            return super().read(turn, state, answer)
        except InputError:
            if answer.value is not None or not answer.text or not may_edit(turn, state):
                raise
            try:
                return EDIT + pick_choice(answer.text, editing.edit_options(turn, state)).value
            except InputError:
                pass
            raise


async def on_action(turn: Turn, state: SavedPathsState, value: str) -> Flow[SavedPathsState]:
    if value.startswith(EDIT):
        return await editing.on_edit(turn, state.model_copy(update={"action": "edit"}),
                                     value.removeprefix(EDIT))
    if value == "done":
        return Flow(state=state, done=True)
    if value == "other":
        return Flow(state=state.model_copy(update={"path": None}), goto="kies")
    path = await turn.paths.path(state.path or 0)
    if path is None:
        raise InputError("saved_paths.gone")
    if value in {"csv", "markdown"}:
        return Flow(state=state, goto="open", say=[_export_file(turn, path, value)])
    if value == "edit":
        if not may_edit(turn, state):
            raise InputError("saved_paths.not_yours")
        return Flow(state=state.model_copy(update={"action": "edit"}), goto="aanpassen")
    if value == "copy":
        return Flow(state=state.model_copy(update={"action": "copy", "copy_name": None}),
                    goto="kopie")
    members = await turn.people.members()
    return Flow(state=state.model_copy(update={
        "action": "assign", "members": [(m.user, m.name or m.user) for m in members]}),
        goto="toewijzen")


# ---------------------------------------------------------------- assigning


def _deadline_default(turn: Turn, months: int) -> str:
    """Calendar months, as "over een half jaar" reads them: the suggestion and that agree."""
    return local_date(add_months(turn.today, months), turn.lang)


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
    """Assign at once, or first ask when someone would get a training twice."""
    pending = PendingAssignment(people=values["people"], deadline=values["deadline"],
                                duplicates=await _duplicates(turn, state, values["people"]))
    if pending.duplicates:
        return Flow(state=state.model_copy(update={"pending": pending}), goto="dubbel")
    return await _assign_all(turn, state, pending)


async def _duplicates(turn: Turn, state: SavedPathsState, people: list[str]) -> list[Duplicate]:
    """The trainings of this leerlijn that these people have through other leerlijnen."""
    path = await turn.paths.path(state.path or 0)
    if path is None:
        raise InputError("saved_paths.gone")
    titles = {t["id"]: t["title"] for t in path.trainings}
    names = dict(state.members)
    found: list[Duplicate] = []
    for person in people:
        held = {path.name: list(titles)}
        for other in await turn.paths.assignments(user=person):
            theirs = await turn.paths.path(other.path_id) if other.path_id != path.id else None
            if theirs is not None:
                held[theirs.name] = [t["id"] for t in theirs.trainings]
        found += [Duplicate(person=names.get(person, person), title=titles[d.training_id],
                            path=other_name)
                  for d in duplicate_trainings(held) if path.name in d.paths
                  for other_name in d.paths if other_name != path.name]
    return found


def duplicates_prompt(turn: Turn, state: SavedPathsState) -> list[Block]:
    duplicates = state.pending.duplicates if state.pending else []
    lines = [say(turn.lang, "saved_paths.duplicate", person=d.person, title=d.title,
                 path=d.path) for d in duplicates]
    return [TextBlock(text=join([say(turn.lang, "saved_paths.duplicates_intro"),
                                 *(plain("⚠ ") + line for line in lines)])),
            TextBlock(text=say(turn.lang, "saved_paths.ask_duplicates",
                               count=len(state.pending.people) if state.pending else 0))]


async def on_duplicates(turn: Turn, state: SavedPathsState, yes: bool) -> Flow[SavedPathsState]:
    if state.pending is None or not yes:
        return await editing.reopen(turn, state, say(turn.lang, "saved_paths.not_assigned"))
    return await _assign_all(turn, state, state.pending)


async def _assign_all(turn: Turn, state: SavedPathsState,
                      pending: PendingAssignment) -> Flow[SavedPathsState]:
    """The assignment itself: each person gets the leerlijn with the deadline."""
    when = datetime.combine(pending.deadline, time(23, 59), tzinfo=UTC)
    for person in pending.people:
        assignment = await turn.paths.assign(state.path or 0, person, when,
                                             assigned_by=turn.member.user)
        await notify_assigned(turn, assignment)
    names = dict(state.members)
    done = say(turn.lang, "saved_paths.assigned", count=len(pending.people),
               people=", ".join(names.get(p, p) for p in pending.people),
               deadline=pending.deadline)
    return await editing.reopen(turn, state, done, changed=True)


async def finish(turn: Turn, state: SavedPathsState) -> list[Block]:
    if not state.paths:
        return [TextBlock(text=say(turn.lang, "saved_paths.none"))]
    return [TextBlock(text=say(turn.lang, "saved_paths.bye"))]


DIALOG = Dialog(
    id="saved_paths", title="saved_paths.title", state=SavedPathsState, roles=MANAGERS,
    menu=70, aliases=["leerlijnen"], start=start, finish=finish, help="saved_paths.help",
    stopped=stopped,
    steps=[
        Choose("kies", prompt=list_prompt, options=path_options, handle=pick_path,
               skip=lambda turn, state: not state.paths or state.path is not None),
        PathMenu("open", prompt=path_view, options=actions, handle=on_action,
               skip=lambda turn, state: state.path is None),
        Form("toewijzen", prompt="saved_paths.ask_assign",
             title=lambda turn, state: say(turn.lang, "saved_paths.assign_title"),
             fields=people_fields, handle=assign, help="saved_paths.help_assign",
             skip=lambda turn, state: state.action != "assign"),
        Confirm("dubbel", prompt=duplicates_prompt, handle=on_duplicates,
                skip=lambda turn, state: state.pending is None),
        Choose("aanpassen", prompt="saved_paths.ask_edit", options=editing.edit_options,
               handle=editing.on_edit, help="saved_paths.help_edit",
               skip=lambda turn, state: state.action != "edit"),
        Ask("hernoemen", prompt=editing.rename_prompt, handle=editing.rename,
            skip=lambda turn, state: state.action != "rename"),
        Choose("welke", prompt=editing.which_prompt, options=editing.which_options,
               handle=editing.pick_which,
               skip=lambda turn, state: state.action not in {"swap", "remove"}),
        Choose("vervang", prompt=editing.alternative_prompt,
               options=editing.alternative_options, handle=editing.pick_alternative,
               skip=lambda turn, state: state.action != "swap" or state.training is None),
        Confirm("bevestig", prompt=editing.confirm_prompt, handle=editing.on_confirm,
                skip=lambda turn, state: state.draft is None),
        Choose("wie", prompt=editing.who_prompt, options=editing.who_options,
               handle=editing.pick_who, skip=lambda turn, state: state.action != "unassign"),
        Confirm("intrekken", prompt=editing.unassign_prompt, handle=editing.on_unassign,
                skip=lambda turn, state: state.action != "unassign" or state.person is None),
        Confirm("verwijderen", prompt=editing.delete_prompt, handle=editing.on_delete,
                skip=lambda turn, state: state.action != "delete"),
        Ask("kopie", prompt=editing.copy_prompt, handle=editing.set_copy_name,
            suggestions=editing.copy_suggestions,
            skip=lambda turn, state: state.action != "copy"),
        Choose("kopie_niveau", prompt="saved_paths.ask_copy_level",
               options=editing.copy_level_options, handle=editing.copy_as,
               skip=lambda turn, state: state.action != "copy" or state.copy_name is None),
    ],
    phrases=["leerlijnen", "opgeslagen leerlijnen", "leerlijnen bekijken",
             "leerlijn toewijzen", "leerlijn exporteren", "learning paths",
             "saved learning paths", "assign a learning path"],
)
