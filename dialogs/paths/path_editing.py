"""Changing a saved leerlijn: rename it, swap a training for an alternative or remove one (the
engine checks the changed leerlijn against its constraints again and says what no longer
holds, and nothing is saved until the user says so), unassign a person, delete it with its
assignments, copy it as a new leerlijn (another name, maybe another level) to edit further.

Only the leerlijn's maker or HR changes it (``saved_state.may_change``); every handler checks
that again against the stored leerlijn, whatever was typed or pressed."""

from __future__ import annotations

from typing import Any

from dialogs.kit import (
    Block,
    CardBlock,
    Choice,
    Fact,
    Flow,
    InputError,
    Rich,
    TextBlock,
    Turn,
    join,
    plain,
    say,
    user,
)
from dialogs.my_path.notices import withdraw_notices
from dialogs.paths.path_exports import target_text
from dialogs.paths.port import PathDraft, PathNameTaken, SavedPath
from dialogs.paths.saved_state import SavedPathsState, may_change
from engine.competencies import labels
from engine.notes import Note
from engine.paths import (
    LEVELS,
    ChosenTraining,
    HeldTraining,
    PathRequest,
    PathSpec,
    build_paths_async,
    fit_score,
)
from knowledge.catalogue import Training

MAX_NAME = 80
MAX_ALTERNATIVES = 10
MAX_LISTED = 25
#: engine warnings that describe the builder's session, not a saved leerlijn changed by hand
#: (in a hand-made leerlijn every other training is "excluded": that is no news)
NOT_SHOWN = {"paths.warn.no_match", "paths.warn.excluded"}


# ---------------------------------------------------------------- opening and listing


async def listing(turn: Turn) -> list[tuple[int, str]]:
    """(id, "name · level · target group") of every saved leerlijn, newest first."""
    return [(p.id, " · ".join([p.name, say(turn.lang, f"paths.level.{p.level}").plain,
                               target_text(p.spec, turn.lang)]))
            for p in (await turn.paths.paths())[:MAX_LISTED]]


async def reopen(turn: Turn, state: SavedPathsState, *notes: Rich, path_id: int | None = None,
                 changed: bool = False) -> Flow[SavedPathsState]:
    """Back to the open leerlijn (``path_id``, or the one that was open) as it is stored now,
    after saying ``notes``; to the list when it is gone, out when there is none left.
    ``changed``: something was saved just now."""
    said: list[Block] = [TextBlock(text=n) for n in notes]
    fresh = await opened(turn, await listing(turn), state.path if path_id is None else path_id)
    fresh.changed = state.changed or changed
    if fresh.path is not None:
        return Flow(state=fresh, goto="open", say=said)
    if fresh.paths:
        return Flow(state=fresh, goto="kies", say=said)
    return Flow(state=fresh, done=True, say=said)


async def opened(turn: Turn, paths: list[tuple[int, str]],
                 path_id: int | None) -> SavedPathsState:
    """The state with leerlijn ``path_id`` open (none open when it is gone)."""
    path = await turn.paths.path(path_id) if path_id is not None else None
    if path is None:
        return SavedPathsState(paths=paths)
    assigned = await turn.paths.assignments(path_id=path.id)
    return SavedPathsState(paths=paths, path=path.id, name=path.name, owner=path.created_by,
                           assigned=len(assigned),
                           titles=[(t["id"], t["title"]) for t in path.trainings],
                           people=[(a.user, a.user_name) for a in assigned])


async def _path(turn: Turn, state: SavedPathsState) -> SavedPath:
    """The open leerlijn as stored, when this user may change it (its maker as stored)."""
    path = await turn.paths.path(state.path or 0)
    if path is None:
        raise InputError("saved_paths.gone")
    if not may_change(turn, path.created_by):
        raise InputError("saved_paths.not_yours")
    return path


# ---------------------------------------------------------------- what to change


def edit_options(turn: Turn, state: SavedPathsState) -> list[Choice]:
    options = [Choice(value="rename", label=say(turn.lang, "saved_paths.edit.rename"))]
    if state.titles:
        options += [Choice(value="swap", label=say(turn.lang, "saved_paths.edit.swap")),
                    Choice(value="remove", label=say(turn.lang, "saved_paths.edit.remove"))]
    if state.assigned:
        options.append(Choice(value="unassign", label=say(turn.lang, "saved_paths.edit.unassign")))
    options += [Choice(value="delete", label=say(turn.lang, "saved_paths.edit.delete"),
                       style="danger"),
                Choice(value="open", label=say(turn.lang, "saved_paths.edit.back"))]
    return options


async def on_edit(turn: Turn, state: SavedPathsState, value: str) -> Flow[SavedPathsState]:
    if value == "open":
        return Flow(state=state.model_copy(update={"action": None}), goto="open")
    await _path(turn, state)
    if value == "unassign" and not state.people:
        raise InputError("saved_paths.nobody_assigned")
    goto = {"rename": "hernoemen", "swap": "welke", "remove": "welke", "unassign": "wie",
            "delete": "verwijderen"}[value]
    return Flow(state=state.model_copy(update={"action": value}), goto=goto)


# ---------------------------------------------------------------- names


def _checked_name(turn: Turn, text: str) -> str:
    name = " ".join(text.split())
    if len(name) > MAX_NAME:
        raise InputError("input.too_long", field=say(turn.lang, "saved_paths.name_field").plain,
                         max=MAX_NAME)
    return name


async def free_or_refuse(turn: Turn, name: str, except_id: int | None = None) -> None:
    """Refuse a name another leerlijn of the workspace has, suggesting a free one."""
    suggestion = await turn.paths.free_name(name, except_id)
    if suggestion is not None:
        raise InputError("saved_paths.name_taken", name=name, suggestion=suggestion)


def rename_prompt(turn: Turn, state: SavedPathsState) -> Rich:
    return say(turn.lang, "saved_paths.ask_rename", name=state.name)


async def rename(turn: Turn, state: SavedPathsState, text: str) -> Flow[SavedPathsState]:
    path = await _path(turn, state)
    name = _checked_name(turn, text)
    if name == path.name:
        return await reopen(turn, state, say(turn.lang, "saved_paths.name_same", name=name))
    await free_or_refuse(turn, name, except_id=path.id)
    draft = PathDraft(**path.model_dump(include=set(PathDraft.model_fields))).model_copy(
        update={"name": name})
    try:
        await turn.paths.update_path(path.id, draft)
    except PathNameTaken as taken:  # taken in the meantime
        raise InputError("saved_paths.name_taken", name=name,
                         suggestion=taken.suggestion) from None
    return await reopen(turn, state, say(turn.lang, "saved_paths.renamed", old=path.name,
                                         name=name), changed=True)


# ---------------------------------------------------------------- swap or remove a training


def which_prompt(turn: Turn, state: SavedPathsState) -> Rich:
    return say(turn.lang, f"saved_paths.ask_which.{state.action}", name=state.name)


def which_options(turn: Turn, state: SavedPathsState) -> list[Choice]:
    return [Choice(value=ident, label=user(title)) for ident, title in state.titles]


def _spec(path: SavedPath) -> PathSpec:
    return PathSpec.model_validate({**path.spec, "name": path.name, "level": path.level})


async def alternatives(turn: Turn, path: SavedPath, training_id: str) -> list[Training]:
    """Trainings that could take this one's place: not in the leerlijn, covering a goal it
    covers, in an allowed format and fitting in the hours it leaves; best fit first."""
    matcher = await turn.catalogue.matcher()
    spec = _spec(path)
    old = next(t for t in path.trainings if t["id"] == training_id)
    covers = set(old.get("competencies", [])) & set(spec.competencies)
    used = {t["id"] for t in path.trainings}
    formats, cap = spec.constraints.formats, spec.constraints.minutes_cap
    spare = None if cap is None else cap - (path.total_minutes - int(old["minutes"]))
    found = [t for t in matcher.catalogue.trainings
             if t.id not in used and covers & set(t.competencies)
             and (not formats or t.format in formats) and (spare is None or t.minutes <= spare)]
    found.sort(key=lambda t: (-fit_score(t, spec.target_group), t.minutes, t.title))
    return found[:MAX_ALTERNATIVES]


async def _held(turn: Turn, path: SavedPath) -> list[HeldTraining]:
    """The trainings the people who have this leerlijn have through their other ones."""
    held: dict[tuple[str, str], HeldTraining] = {}
    for assignment in await turn.paths.assignments(path_id=path.id):
        for other in await turn.paths.assignments(user=assignment.user):
            found = await turn.paths.path(other.path_id) if other.path_id != path.id else None
            for item in found.trainings if found is not None else []:
                held[(item["id"], found.name)] = HeldTraining(training_id=item["id"],
                                                              path_name=found.name)
    return list(held.values())


async def recheck(turn: Turn, path: SavedPath, include: list[str],
                  dropped: str | None = None) -> tuple[PathDraft, list[str]]:
    """The leerlijn with exactly the trainings ``include``, checked by the engine against its
    goals, target group and constraints, with true warnings (in the user's language); and
    the trainings its people have already through other leerlijnen (said, not kept: that
    changes with the assignments)."""
    matcher = await turn.catalogue.matcher()
    known = {t.id for t in matcher.catalogue.trainings}
    spec = _spec(path).model_copy(update={
        "include": include, "exclude": sorted(known - set(include))})
    result = await build_paths_async(
        PathRequest(paths=[spec], held=await _held(turn, path)), matcher)
    built = result.paths[0]
    warnings = [say(turn.lang, "saved_paths.uncovered",
                    goals=labels(built.uncovered, turn.lang)).plain] if built.uncovered else []
    warnings += [w.text(turn.lang) for w in built.warnings if w.code not in NOT_SHOWN]
    repeats = [say(turn.lang, "saved_paths.repeats", title=o.title, path=o.path_name).plain
               for o in built.overlaps]
    exclude = list(dict.fromkeys([*path.spec.get("exclude", []), *([dropped] if dropped else [])]))
    kept = _spec(path).model_copy(update={"include": include,
                                          "exclude": [e for e in exclude if e not in include]})
    draft = PathDraft(name=path.name, level=path.level, spec=kept.model_dump(mode="json"),
                      trainings=_with_old_reasons(path, built.trainings),
                      total_minutes=built.total_minutes, warnings=warnings)
    return draft, repeats


def _with_old_reasons(path: SavedPath, trainings: list[ChosenTraining]) -> list[dict[str, Any]]:
    """The trainings, those that were in the leerlijn already with the reason they had (the
    goals and the group did not change; "you chose it" is only true of the new one)."""
    before = {t["id"]: t for t in path.trainings}
    result = []
    for training in trainings:
        item = training.model_dump(mode="json")
        if training.id in before:
            item["reason"] = before[training.id].get("reason", item["reason"])
            item["included"] = before[training.id].get("included", False)
        result.append(item)
    return result


async def pick_which(turn: Turn, state: SavedPathsState,
                     value: str) -> SavedPathsState | Flow[SavedPathsState]:
    path = await _path(turn, state)
    if state.action == "remove":
        include = [t["id"] for t in path.trainings if t["id"] != value]
        if not include:
            raise InputError("saved_paths.last_training")
        draft, repeats = await recheck(turn, path, include, value)
        return Flow(state=state.model_copy(update={
            "draft": draft, "repeats": repeats, "base": _ids(path.trainings)}), goto="bevestig")
    found = await alternatives(turn, path, value)
    if not found:
        title = next(t["title"] for t in path.trainings if t["id"] == value)
        raise InputError("saved_paths.no_alternatives", title=title)
    return state.model_copy(update={"training": value,
                                    "alternatives": [(t.id, t.title) for t in found]})


async def alternative_prompt(turn: Turn, state: SavedPathsState) -> Rich:
    path = await turn.paths.path(state.path or 0)
    titles = {t["id"]: t["title"] for t in (path.trainings if path else [])}
    return say(turn.lang, "saved_paths.ask_alternative",
               title=titles.get(state.training or "", state.training or ""))


def alternative_options(turn: Turn, state: SavedPathsState) -> list[Choice]:
    return [Choice(value=ident, label=user(title)) for ident, title in state.alternatives]


async def pick_alternative(turn: Turn, state: SavedPathsState,
                           value: str) -> Flow[SavedPathsState]:
    path = await _path(turn, state)
    old = state.training or ""
    include = [value if t["id"] == old else t["id"] for t in path.trainings]
    draft, repeats = await recheck(turn, path, include, old)
    return Flow(state=state.model_copy(update={
        "draft": draft, "repeats": repeats, "base": _ids(path.trainings)}), goto="bevestig")


def _training_fact(turn: Turn, item: dict[str, Any]) -> Fact:
    reason = " ".join(Note.model_validate(n).text(turn.lang) for n in item.get("reason", []))
    details = say(turn.lang, "paths.training_details", minutes=item["minutes"],
                  format=item["format"], level=item.get("level") or "-")
    return Fact(label=user(item["title"]),
                value=details + plain(" — ") + user(reason) if reason else details)


def training_facts(turn: Turn, trainings: list[dict[str, Any]]) -> list[Fact]:
    return [_training_fact(turn, item) for item in trainings]


def limits_text(turn: Turn, spec: dict[str, Any], count: int, minutes: int) -> Rich:
    """"3 van max 4 trainingen, 4u30 van max 5 uur" for the leerlijn's constraints."""
    limits = spec.get("constraints") or {}
    hours, rest = divmod(minutes, 60)
    return say(turn.lang, "saved_paths.totals", count=count,
               max_count=limits.get("max_interventions") or "-",
               duration=f"{hours}u{rest:02d}" if turn.lang == "nl" else f"{hours}h{rest:02d}",
               max_hours=limits.get("max_hours") or "-")


def confirm_prompt(turn: Turn, state: SavedPathsState) -> list[Block]:
    draft = state.draft
    if draft is None:  # never asked without one (the step is skipped)
        return []
    card = CardBlock(title=say(turn.lang, "saved_paths.preview_title", name=draft.name),
                     text=limits_text(turn, draft.spec, len(draft.trainings),
                                      draft.total_minutes),
                     facts=training_facts(turn, draft.trainings))
    blocks: list[Block] = [card]
    if draft.warnings:
        blocks.append(TextBlock(text=join([plain("⚠ ") + user(w) for w in draft.warnings])))
    else:
        blocks.append(TextBlock(text=say(turn.lang, "saved_paths.all_checks_hold")))
    if state.repeats:
        blocks.append(TextBlock(text=join([plain("⚠ ") + user(w) for w in state.repeats])))
    blocks.append(TextBlock(text=say(turn.lang, "saved_paths.ask_save_change")))
    return blocks


def _ids(trainings: list[dict[str, Any]]) -> list[str]:
    return [t["id"] for t in trainings]


async def on_confirm(turn: Turn, state: SavedPathsState, yes: bool) -> Flow[SavedPathsState]:
    path = await _path(turn, state)
    if state.draft is None or _ids(path.trainings) == _ids(state.draft.trainings):
        # back here after saving ("terug"): whatever the answer, it is saved as it is
        return await reopen(turn, state, say(turn.lang, "saved_paths.change_was_saved",
                                             name=path.name))
    if _ids(path.trainings) != state.base:  # someone else changed it since: theirs stays
        return await reopen(turn, state, say(turn.lang, "saved_paths.changed_meanwhile",
                                             name=path.name))
    if not yes:
        return await reopen(turn, state, say(turn.lang, "saved_paths.change_not_saved",
                                             name=path.name))
    draft = state.draft.model_copy(update={"name": path.name})  # renamed meanwhile: keep it
    await turn.paths.update_path(path.id, draft)
    return await reopen(turn, state, say(turn.lang, "saved_paths.change_saved", name=path.name),
                        changed=True)


# ---------------------------------------------------------------- unassign


def who_prompt(turn: Turn, state: SavedPathsState) -> Rich:
    return say(turn.lang, "saved_paths.ask_unassign", name=state.name)


def who_options(turn: Turn, state: SavedPathsState) -> list[Choice]:
    return [Choice(value=u, label=user(n)) for u, n in state.people]


def pick_who(turn: Turn, state: SavedPathsState, value: str) -> SavedPathsState:
    return state.model_copy(update={"person": value})


def _person(state: SavedPathsState) -> str:
    return dict(state.people).get(state.person or "", state.person or "")


def unassign_prompt(turn: Turn, state: SavedPathsState) -> Rich:
    return say(turn.lang, "saved_paths.confirm_unassign", name=state.name,
               person=_person(state))


async def on_unassign(turn: Turn, state: SavedPathsState, yes: bool) -> Flow[SavedPathsState]:
    path = await _path(turn, state)
    person = _person(state)
    has_it = any(a.user == state.person for a in await turn.paths.assignments(path_id=path.id))
    if not has_it:  # withdrawn meanwhile (or back here after withdrawing)
        return await reopen(turn, state, say(turn.lang, "saved_paths.had_not",
                                             name=path.name, person=person))
    if not yes:
        return await reopen(turn, state, say(turn.lang, "saved_paths.not_unassigned",
                                             name=path.name, person=person))
    await withdraw_notices(turn, await turn.paths.assignments(path_id=path.id,
                                                              user=state.person))
    await turn.paths.unassign(path.id, state.person or "")
    return await reopen(turn, state, say(turn.lang, "saved_paths.unassigned",
                                         name=path.name, person=person), changed=True)


# ---------------------------------------------------------------- delete


def delete_prompt(turn: Turn, state: SavedPathsState) -> Rich:
    if not state.people:
        return say(turn.lang, "saved_paths.confirm_delete_unassigned", name=state.name)
    return say(turn.lang, "saved_paths.confirm_delete", name=state.name,
               count=len(state.people), people=", ".join(n for _, n in state.people))


async def on_delete(turn: Turn, state: SavedPathsState, yes: bool) -> Flow[SavedPathsState]:
    path = await _path(turn, state)
    if not yes:
        return await reopen(turn, state, say(turn.lang, "saved_paths.not_deleted",
                                             name=path.name))
    await withdraw_notices(turn, await turn.paths.assignments(path_id=path.id))
    gone = await turn.paths.delete_path(path.id)
    if not gone:
        text = say(turn.lang, "saved_paths.deleted_alone", name=path.name)
    else:
        text = say(turn.lang, "saved_paths.deleted", name=path.name, count=gone)
    return await reopen(turn, state.model_copy(update={"path": None}), text, changed=True)


# ---------------------------------------------------------------- copy as a new leerlijn


def copy_prompt(turn: Turn, state: SavedPathsState) -> Rich:
    return say(turn.lang, "saved_paths.ask_copy_name", name=state.name)


def copy_suggestions(turn: Turn, state: SavedPathsState) -> list[Choice]:
    name = say(turn.lang, "saved_paths.copy_default", name=state.name).plain[:MAX_NAME]
    return [Choice(value=name, label=user(name))]


async def set_copy_name(turn: Turn, state: SavedPathsState, text: str) -> SavedPathsState:
    name = _checked_name(turn, text)
    await free_or_refuse(turn, name)
    return state.model_copy(update={"copy_name": name})


def copy_level_options(turn: Turn, state: SavedPathsState) -> list[Choice]:
    return [Choice(value=lv, label=say(turn.lang, f"paths.level.{lv}")) for lv in LEVELS]


async def copy_as(turn: Turn, state: SavedPathsState, level: str) -> Flow[SavedPathsState]:
    path = await turn.paths.path(state.path or 0)
    if path is None:
        raise InputError("saved_paths.gone")
    name = state.copy_name or ""
    # checked again as the new leerlijn it is (another level may warn of other things)
    copied = path.model_copy(update={"id": 0, "name": name, "level": level})
    draft, _ = await recheck(turn, copied, [t["id"] for t in path.trainings])
    try:
        copy = await turn.paths.save_path(draft, created_by=turn.member.user)
    except PathNameTaken as taken:  # taken in the meantime: ask again
        return Flow(state=state.model_copy(update={"copy_name": None}), goto="kopie",
                    say=[TextBlock(text=say(turn.lang, "saved_paths.name_taken", name=name,
                                            suggestion=taken.suggestion))])
    return await reopen(turn, state, say(turn.lang, "saved_paths.copied", name=copy.name,
                                         old=path.name,
                                         level=say(turn.lang, f"paths.level.{level}")),
                        path_id=copy.id, changed=True)


# ---------------------------------------------------------------- saving a new leerlijn


async def save_new(turn: Turn, draft: PathDraft) -> tuple[SavedPath, str | None]:
    """Save a new leerlijn under its name; when another leerlijn took that name in the
    meantime, under the free name suggested. The name asked for, when it was not used."""
    try:
        return await turn.paths.save_path(draft, created_by=turn.member.user), None
    except PathNameTaken as taken:
        renamed = draft.model_copy(update={"name": taken.suggestion})
        return await turn.paths.save_path(renamed, created_by=turn.member.user), draft.name
