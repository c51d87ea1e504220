"""Leerlijn maken (manager/HR): the e-book's 5 steps as a conversation.

Niveau (and, for the first level, the saved leerlijnen the same people already follow) ->
Doelgroep -> Leerdoel (free text matched to the catalogue, "bedoel je ...?" when unsure) ->
Randvoorwaarden (a later level may take the previous one's) -> Samenstellen (the engine's
proposal with the reason for each training; swap or remove a training: ``composing``) -> the
e-book's final check. Several levels can be built in one session; every change solves all of
them together with the engine (no training in two levels; the same paths as ``leerbot paths
build``), and an earlier level can be edited or removed. Forms read natural Dutch ("40 tot 55",
"max 4", "een half jaar"), also several fields in one sentence. Nothing is saved until the
user says so at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dialogs.kit import (
    Ask,
    Block,
    CardBlock,
    Choice,
    Choose,
    Confirm,
    Dialog,
    Fact,
    Flow,
    Form,
    FormField,
    InputError,
    Rich,
    TextBlock,
    Turn,
    join,
    plain,
    say,
    user,
)
from dialogs.kit.fields import parse_field, parse_fields
from dialogs.kit.steps import Answer, Stay, call, with_filled
from dialogs.paths.builder_state import Level, PathBuilderState, spec_of
from dialogs.paths.composing import (
    FORMATS,
    ProposalChoose,
    alternative_options,
    alternative_prompt,
    asks_why,
    changed_notes,
    compose,
    compose_options,
    compose_prompt,
    duration,
    on_compose,
    pick_alternative,
    pick_which,
    which_options,
    which_prompt,
)
from dialogs.paths.path_editing import free_or_refuse, save_new
from dialogs.paths.path_exports import AGE, YEARS, span_text
from dialogs.paths.port import PathDraft
from dialogs.policy import MANAGERS
from engine import parsing
from engine.matching import CompetencyMatcher
from engine.paths import LEVELS

GOAL_KINDS = ("competencies", "function", "interest")
NONE_OF_THESE = "__none__"
NO_BASE = "__none__"
SUGGEST_FROM = 45.0
MAX_GOALS = 10
MAX_NAME = 80
MAX_BASES = 10
MIN_MINUTES, MAX_MINUTES = 15, 500 * 60


@dataclass
class SentenceForm(Form):
    """A form that also takes several of its fields from one sentence: when the first
    answer typed gives two or more fields (``read``), those are filled at once and the rest
    is asked one at a time; otherwise the sentence answers the first field as usual."""

    read: Callable[[Turn, str], dict[str, str]] = lambda turn, text: {}

    async def _one_field(self, turn: Turn, state: Any, fields: list[FormField], answer: Answer,
                         filled: dict[str, str], earlier: dict[str, str]) -> Any:
        if filled or answer.value is not None or not answer.text:
            return await super()._one_field(turn, state, fields, answer, filled, earlier)
        names = {f.name: f for f in fields}
        found = {name: text for name, text in self.read(turn, answer.text).items()
                 if name in names}
        try:
            for name, text in found.items():
                parse_field(names[name], text, turn.today, turn.lang)
        except InputError:
            found = {}
        if len(found) < 2:
            return await super()._one_field(turn, state, fields, answer, filled, earlier)
        if len(found) < len(fields):  # say what was taken; the rest is asked next
            return Stay(scratch=with_filled(found),
                        problem=InputError("path_builder.understood_rest",
                                           values=_read_values(fields, found)))
        try:
            values = parse_fields(fields, found, turn.today, turn.lang)
            result = await call(self.handle, turn, state, values)
        except InputError as problem:
            kept = {name: text for name, text in found.items() if name != problem.at}
            return Stay(scratch=with_filled(kept), problem=problem)
        note = TextBlock(text=say(turn.lang, "path_builder.understood",
                                  values=_read_values(fields, found)))
        if isinstance(result, Flow):
            return Flow(state=result.state, goto=result.goto, done=result.done,
                        say=[note, *result.say])
        return Flow(state=result, say=[note])


def _read_values(fields: list[FormField], found: dict[str, str]) -> str:
    """"Label: value" of each field read from one sentence, in the form's order."""
    return "; ".join(f"{f.label.plain.split(' (')[0]}: {found[f.name]}" for f in fields
                     if f.name in found)


# ---------------------------------------------------------------- step 1: level


def level_prompt(turn: Turn, state: PathBuilderState) -> list[Block]:
    blocks: list[Block] = []
    if state.done:
        names = ", ".join(f"{lv.name} ({say(turn.lang, f'paths.level.{lv.level}').plain})"
                          for lv in state.done)
        blocks.append(TextBlock(text=say(turn.lang, "path_builder.next_level", names=names)))
    else:
        blocks.append(TextBlock(text=say(turn.lang, "path_builder.intro")))
    facts = [Fact(label=say(turn.lang, f"paths.level.{lv}"),
                  value=say(turn.lang, f"path_builder.level_when.{lv}")) for lv in LEVELS]
    blocks.append(CardBlock(title=say(turn.lang, "path_builder.step1"), facts=facts))
    blocks.append(TextBlock(text=say(turn.lang, "path_builder.ask_level")))
    return blocks


def level_options(turn: Turn, state: PathBuilderState) -> list[Choice]:
    return [Choice(value=lv, label=say(turn.lang, f"paths.level.{lv}")) for lv in LEVELS]


async def set_level(turn: Turn, state: PathBuilderState, value: str) -> PathBuilderState:
    if state.done:  # the previous level's constraints are offered ("zelfde")
        return state.with_current(level=value, constraints=state.done[-1].constraints)
    saved = (await turn.paths.paths())[:MAX_BASES]
    assigned: dict[int, list[str]] = {}
    for item in await turn.paths.assignments():
        assigned.setdefault(item.path_id, []).append(item.user_name)
    bases = []
    for path in saved:
        label = say(turn.lang, "path_builder.base_label", name=path.name,
                    level=say(turn.lang, f"paths.level.{path.level}"),
                    count=len(path.trainings))
        if path.id in assigned:
            label = label + say(turn.lang, "path_builder.base_assigned",
                                people=", ".join(dict.fromkeys(assigned[path.id])))
        bases.append((path.id, label.plain))
    return state.with_current(level=value).model_copy(update={"bases": bases})


def base_prompt(turn: Turn, state: PathBuilderState) -> Rich:
    return say(turn.lang, "path_builder.ask_base")


def base_options(turn: Turn, state: PathBuilderState) -> list[Choice]:
    return [Choice(value=NO_BASE, label=say(turn.lang, "path_builder.no_base")),
            *(Choice(value=str(ident), label=user(label)) for ident, label in state.bases)]


async def set_bases(turn: Turn, state: PathBuilderState, values: list[str]) -> PathBuilderState:
    if NO_BASE in values or not values:
        return state.model_copy(update={"based_on": [], "held": [], "accept_overlap": []})
    names, held = [], []
    for value in values:
        path = await turn.paths.path(int(value))
        if path is None:
            continue
        names.append(path.name)
        held += [{"training_id": t["id"], "path_name": path.name} for t in path.trainings]
    return state.model_copy(update={"based_on": names, "held": held, "accept_overlap": []})


def name_suggestions(turn: Turn, state: PathBuilderState) -> list[Choice]:
    default = say(turn.lang, "path_builder.default_name",
                  level=say(turn.lang, f"paths.level.{state.current.level}")).plain
    return [Choice(value=default, label=plain(default))]


async def set_name(turn: Turn, state: PathBuilderState, text: str) -> PathBuilderState:
    if len(text) > MAX_NAME:
        raise InputError("input.too_long", field=say(turn.lang, "path_builder.name_field").plain,
                         max=MAX_NAME)
    if any(level.name.casefold() == text.casefold() for level in state.done):
        raise InputError("path_builder.name_taken", name=text)
    await free_or_refuse(turn, text)  # a saved leerlijn's name
    return state.with_current(name=text)


# ---------------------------------------------------------------- step 2: target group





def group_fields(turn: Turn, state: PathBuilderState) -> list[FormField]:
    old = state.current.target
    individual = state.current.level == "individueel"
    label = "path_builder.field.{}".format
    fields = [] if individual else [FormField(
        name="size", label=say(turn.lang, label("size")), kind="number", min=1, max=100_000,
        measure="people", default=str(old["size"]) if old.get("size") else None)]
    fields += [
        FormField(name="age", label=say(turn.lang, label("age_range")), kind="range",
                  min=AGE[0], max=AGE[1], measure="years", required=False,
                  default=span_text(old.get("age"), AGE, turn.lang)),
        FormField(name="experience", label=say(turn.lang, label("years_range")), kind="range",
                  min=YEARS[0], max=YEARS[1], measure="years", required=False,
                  default=span_text(old.get("experience_years"), YEARS, turn.lang)),
        FormField(name="education", label=say(turn.lang, label("education")),
                  kind="multichoice", required=False,
                  choices=[Choice(value=v, label=plain(v)) for v in ("mbo", "hbo", "wo")],
                  default=",".join(old.get("education", [])) or None),
    ]
    return fields


def read_group(turn: Turn, text: str) -> dict[str, str]:
    """The fields of the target group one sentence gives ("3 secretaresses van 40 tot 55,
    mbo, 5 tot 30 jaar ervaring"), as answers to the form's fields."""
    draft = parsing.extract_target_group(text, lang=turn.lang)
    try:
        target = draft.as_target(age=AGE, experience=YEARS)
    except parsing.ParseError:
        return {}
    found = {"size": str(target["size"]) if "size" in target else None,
             "age": span_text(target.get("age"), AGE, turn.lang),
             "experience": span_text(target.get("experience_years"), YEARS, turn.lang),
             "education": ",".join(target.get("education", [])) or None}
    return {name: value for name, value in found.items() if value is not None}


def set_group(turn: Turn, state: PathBuilderState, values: dict[str, Any]) -> PathBuilderState:
    target: dict[str, Any] = {"size": values.get("size") or 1,
                              "education": values.get("education") or []}
    if values.get("age"):
        target["age"] = list(values["age"])
    if values.get("experience"):
        target["experience_years"] = list(values["experience"])
    return state.with_current(target=target)


# ---------------------------------------------------------------- step 3: learning goal


def kind_options(turn: Turn, state: PathBuilderState) -> list[Choice]:
    return [Choice(value=k, label=say(turn.lang, f"path_builder.goal_kind.{k}"))
            for k in GOAL_KINDS]


def set_kind(turn: Turn, state: PathBuilderState, value: str) -> PathBuilderState:
    return state.with_current(goal_kind=value)


def goal_prompt(turn: Turn, state: PathBuilderState) -> Rich:
    return say(turn.lang, f"path_builder.ask_goals.{state.current.goal_kind}")


async def _read_goals(matcher: CompetencyMatcher, parts: list[str]
                      ) -> tuple[list[str], list[tuple[str, list[str]]], list[str]]:
    """(catalogue labels found, unsure texts with their candidates, texts not found)."""
    exact = {label.casefold(): label for label in matcher.labels}
    goals: list[str] = []
    pending: list[tuple[str, list[str]]] = []
    unmatched: list[str] = []
    for part in parts:
        label = exact.get(part.casefold())
        if label is None:
            result = await matcher.match_async(part, k=3)
            if result.confident and result.best is not None:
                label = result.best.competency
            else:
                candidates = [m.competency for m in result.matches if m.score >= SUGGEST_FROM]
                if candidates:
                    pending.append((part, candidates))
                else:
                    unmatched.append(part)
                continue
        if label not in goals:
            goals.append(label)
    return goals, pending, unmatched


async def set_goals(turn: Turn, state: PathBuilderState,
                    text: str) -> PathBuilderState | Flow[PathBuilderState]:
    # only commas, semicolons and lines separate goals: many labels contain "en"
    parts = [p.strip() for p in re.split(r"[,;\n]", text) if p.strip()]
    if len(parts) > MAX_GOALS:
        raise InputError("path_builder.too_many_goals", maximum=MAX_GOALS)
    goals, pending, unmatched = await _read_goals(await turn.catalogue.matcher(), parts)
    if not goals and not pending:
        raise InputError("path_builder.no_goals", goals=", ".join(unmatched))
    moved = state.with_current(goals=goals, pending=pending, unmatched=unmatched)
    said = []
    if unmatched and not pending:  # say it now; "bedoel je" says it otherwise
        said = [TextBlock(text=say(turn.lang, "path_builder.unmatched",
                                   goals=", ".join(unmatched)))]
    if not pending:
        return await _goals_known(turn, moved, said)
    return moved


async def _goals_known(turn: Turn, state: PathBuilderState,
                       said: list[Block]) -> Flow[PathBuilderState]:
    """The goals are settled: a level composed before is composed again at once with its
    constraints; a new one goes on to them."""
    if state.current.solved:
        return Flow(state=await compose(turn, state), goto="samenstellen", say=said)
    return Flow(state=state, goto="zelfde", say=said)


def confirm_prompt(turn: Turn, state: PathBuilderState) -> list[Block]:
    text, _ = state.current.pending[0]
    blocks: list[Block] = []
    if state.current.unmatched:
        blocks.append(TextBlock(text=say(turn.lang, "path_builder.unmatched",
                                         goals=", ".join(state.current.unmatched))))
    blocks.append(TextBlock(text=say(turn.lang, "path_builder.did_you_mean", text=text)))
    return blocks


def confirm_options(turn: Turn, state: PathBuilderState) -> list[Choice]:
    _, candidates = state.current.pending[0]
    return [*(Choice(value=c, label=user(c)) for c in candidates),
            Choice(value=NONE_OF_THESE, label=say(turn.lang, "path_builder.none_of_these"))]


async def confirm_goal(turn: Turn, state: PathBuilderState,
                       value: str) -> PathBuilderState | Flow[PathBuilderState]:
    current = state.current
    text, _ = current.pending[0]
    goals = list(current.goals)
    unmatched = list(current.unmatched)
    if value == NONE_OF_THESE:
        unmatched.append(text)
    elif value not in goals:
        goals.append(value)
    moved = state.with_current(goals=goals, pending=current.pending[1:], unmatched=unmatched)
    if moved.current.pending:
        return Flow(state=moved, goto="bedoel")
    if not goals:
        return Flow(state=moved, goto="leerdoel",
                    say=[TextBlock(text=say(turn.lang, "path_builder.no_goals_left"))])
    return await _goals_known(turn, moved, [])


# ---------------------------------------------------------------- step 4: constraints


def _limits_text(turn: Turn, limits: dict[str, Any]) -> Rich:
    formats = ", ".join(say(turn.lang, f"format.{f}").plain for f in limits.get("formats", []))
    return say(turn.lang, "path_builder.limits", count=limits.get("max_interventions"),
               hours=limits.get("max_hours"), months=limits.get("deadline_months"),
               formats=formats)


def same_prompt(turn: Turn, state: PathBuilderState) -> Rich:
    previous = state.done[-1]
    return say(turn.lang, "path_builder.ask_same", name=previous.name,
               limits=_limits_text(turn, previous.constraints))


def skip_same(turn: Turn, state: PathBuilderState) -> bool:
    return not state.done or state.editing is not None or not state.done[-1].constraints


async def on_same(turn: Turn, state: PathBuilderState,
                  yes: bool) -> PathBuilderState | Flow[PathBuilderState]:
    if not yes:
        return state
    ready = state.with_current(constraints=dict(state.done[-1].constraints), include=[],
                               exclude=[])
    return Flow(state=await compose(turn, ready), goto="samenstellen")


def _hours_text(hours: Any) -> str | None:
    if hours is None:
        return None
    minutes = round(float(hours) * 60)
    return str(minutes // 60) if minutes % 60 == 0 else f"{minutes} min"


def constraint_fields(turn: Turn, state: PathBuilderState) -> list[FormField]:
    old = state.current.constraints
    formats = old.get("formats") or ["online"]
    label = "path_builder.field.{}".format
    return [
        FormField(name="max_interventions", label=say(turn.lang, label("max_interventions")),
                  kind="number", min=1, max=20, measure="items", bound="max",
                  default=str(old.get("max_interventions", 4))),
        FormField(name="max_hours", label=say(turn.lang, label("max_hours")),
                  kind="duration", bound="max", default=_hours_text(old.get("max_hours", 5))),
        FormField(name="deadline_months", label=say(turn.lang, label("deadline_months")),
                  kind="months", min=1, max=36, default=str(old.get("deadline_months", 6))),
        FormField(name="formats", label=say(turn.lang, label("formats")),
                  kind="multichoice",
                  choices=[Choice(value=f, label=say(turn.lang, f"format.{f}"))
                           for f in FORMATS],
                  default=",".join(formats)),
    ]


def _minutes_text(turn: Turn, minutes: int | None) -> str | None:
    if minutes is None:
        return None
    if minutes % 60:
        return f"{minutes} min"
    return f"{minutes // 60} {'uur' if turn.lang == 'nl' else 'h'}"


def read_constraints(turn: Turn, text: str) -> dict[str, str]:
    """The constraints one sentence gives ("max 4 trainingen, hooguit 5 uur, binnen een half
    jaar, alleen online"), as answers to the form's fields."""
    draft = parsing.extract_constraints(text, today=turn.today, lang=turn.lang)
    found = {"max_interventions": draft.max_interventions,
             "max_hours": _minutes_text(turn, draft.max_minutes),
             "deadline_months": None if draft.deadline_months is None else
             f"{draft.deadline_months} {'maanden' if turn.lang == 'nl' else 'months'}",
             "formats": ",".join(draft.formats) if draft.formats else None}
    return {name: str(value) for name, value in found.items() if value is not None}


async def set_constraints(turn: Turn, state: PathBuilderState,
                          values: dict[str, Any]) -> PathBuilderState:
    minutes: int = values["max_hours"]
    if minutes < MIN_MINUTES or minutes > MAX_MINUTES:
        raise InputError("path_builder.hours_range", at="max_hours",
                         low=MIN_MINUTES // 60, high=MAX_MINUTES // 60)
    hours: float = minutes / 60
    constraints = {"max_interventions": values["max_interventions"],
                   "max_hours": int(hours) if hours.is_integer() else round(hours, 2),
                   "deadline_months": values["deadline_months"], "formats": values["formats"]}
    return await compose(turn, state.with_current(constraints=constraints, include=[],
                                                  exclude=[]))


# ---------------------------------------------------------------- final check


def _mark(ok: bool, text: Rich) -> Rich:
    return plain("✓ " if ok else "⚠ ") + text


def check_prompt(turn: Turn, state: PathBuilderState) -> list[Block]:
    level = state.current
    limits = level.constraints
    formats = ", ".join(say(turn.lang, f"format.{f}").plain for f in limits.get("formats", []))
    count, cap = len(level.proposal), limits.get("max_interventions")
    in_formats = all(t["format"] in limits.get("formats", [t["format"]]) for t in level.proposal)
    checks = [
        _mark(cap is None or count <= cap,
              say(turn.lang, "path_builder.check.count", count=count, maximum=cap)),
        _mark(level.total_minutes <= round(float(limits.get("max_hours", 0)) * 60),
              say(turn.lang, "path_builder.check.hours",
                  duration=duration(level.total_minutes, turn.lang),
                  maximum=limits.get("max_hours"))),
        _mark(in_formats, say(turn.lang, "path_builder.check.formats", formats=formats)),
        _mark(True, say(turn.lang, "path_builder.check.deadline",
                        months=limits.get("deadline_months"))),
    ]
    if state.done:
        checks.append(_mark(True, say(turn.lang, "path_builder.check.overlap")))
    if state.based_on and not level.overlaps:
        checks.append(_mark(True, say(turn.lang, "path_builder.check.held",
                                      names=", ".join(f"'{n}'" for n in state.based_on))))
    checks += [_mark(False, say(turn.lang, "path_builder.repeats", title=o["title"],
                                path=o["path_name"])) for o in level.overlaps]
    checks.append(_mark(not level.uncovered, say(turn.lang, "path_builder.check.uncovered",
                                                 goals=", ".join(level.uncovered))
                        if level.uncovered else say(turn.lang, "path_builder.check.covered")))
    return [TextBlock(text=join([say(turn.lang, "path_builder.check_intro"), *checks])),
            TextBlock(text=say(turn.lang, "path_builder.ask_check", goal=", ".join(level.goals)))]


def check_options(turn: Turn, state: PathBuilderState) -> list[Choice]:
    return [Choice(value="ok", label=say(turn.lang, "path_builder.check_ok"), style="primary"),
            Choice(value="edit", label=say(turn.lang, "path_builder.check_edit"))]


def on_check(turn: Turn, state: PathBuilderState,
             value: str) -> PathBuilderState | Flow[PathBuilderState]:
    if value == "edit":
        return Flow(state=state, goto="samenstellen")
    done = state.levels()  # the accepted level in its place
    return state.model_copy(update={"done": done, "current": Level(), "editing": None,
                                    "changed": []})


# ---------------------------------------------------------------- more levels, or save


def more_prompt(turn: Turn, state: PathBuilderState) -> list[Block]:
    facts = [Fact(label=user(lv.name),
                  value=say(turn.lang, "path_builder.level_line",
                            level=say(turn.lang, f"paths.level.{lv.level}"),
                            count=len(lv.proposal), duration=duration(lv.total_minutes,
                                                                      turn.lang)))
             for lv in state.done]
    blocks: list[Block] = [CardBlock(title=say(turn.lang, "path_builder.session_title"),
                                     facts=facts)]
    notes = changed_notes(turn, state)
    if notes:
        blocks.append(TextBlock(text=join(notes)))
    blocks.append(TextBlock(text=say(turn.lang, "path_builder.ask_more")))
    return blocks


def more_options(turn: Turn, state: PathBuilderState) -> list[Choice]:
    options = [Choice(value="save", label=say(turn.lang, "path_builder.save"), style="primary"),
               Choice(value="another", label=say(turn.lang, "path_builder.another"))]
    if state.done:
        options += [Choice(value="edit", label=say(turn.lang, "path_builder.edit_level")),
                    Choice(value="remove", label=say(turn.lang, "path_builder.remove_level"))]
    options.append(Choice(value="discard", label=say(turn.lang, "path_builder.discard"),
                          style="danger"))
    return options


def on_more(turn: Turn, state: PathBuilderState, value: str) -> Flow[PathBuilderState]:
    if value == "another":
        return Flow(state=state.model_copy(update={"current": Level(), "changed": []}),
                    goto="niveau")
    if value in {"edit", "remove"}:
        return Flow(state=state.model_copy(update={"level_action": value}), goto="welk")
    if value == "save" and not state.done:
        raise InputError("path_builder.nothing_to_save")
    empty = [lv.name for lv in state.done if not lv.proposal]
    if value == "save" and empty:
        raise InputError("path_builder.empty_level", name=empty[0])
    return Flow(state=state.model_copy(update={"save": value == "save"}), done=True)


def which_level_prompt(turn: Turn, state: PathBuilderState) -> Rich:
    return say(turn.lang, f"path_builder.ask_level_action.{state.level_action}")


def which_level_options(turn: Turn, state: PathBuilderState) -> list[Choice]:
    return [Choice(value=str(i), label=user(lv.name)) for i, lv in enumerate(state.done)]


async def on_which_level(turn: Turn, state: PathBuilderState,
                         value: str) -> Flow[PathBuilderState]:
    index = int(value)
    rest = [lv for i, lv in enumerate(state.done) if i != index]
    if state.level_action == "edit":
        editing = state.model_copy(update={"done": rest, "current": state.done[index],
                                           "editing": index, "level_action": None})
        return Flow(state=await compose(turn, editing), goto="samenstellen")
    removed = state.done[index].name
    if not rest:
        fresh = state.model_copy(update={"done": [], "current": Level(), "level_action": None,
                                         "changed": []})
        return Flow(state=fresh, goto="niveau",
                    say=[TextBlock(text=say(turn.lang, "path_builder.removed", name=removed))])
    left = await compose(turn, state.model_copy(update={"done": rest, "level_action": None}))
    return Flow(state=left, goto="meer",
                say=[TextBlock(text=say(turn.lang, "path_builder.removed", name=removed))])


async def finish(turn: Turn, state: PathBuilderState) -> list[Block]:
    if not state.save:
        return [TextBlock(text=say(turn.lang, "path_builder.discarded"))]
    saved = []
    notes: list[Block] = []
    for level in state.done:
        draft = PathDraft(name=level.name, level=level.level,
                          spec=spec_of(level).model_dump(mode="json"),
                          trainings=level.proposal, total_minutes=level.total_minutes,
                          warnings=level.warnings)
        path, asked = await save_new(turn, draft)
        saved.append(f"{path.name} (#{path.id})")
        if asked is not None:  # the name was taken while building
            notes.append(TextBlock(text=say(turn.lang, "saved_paths.saved_as", name=asked,
                                            saved=path.name)))
    return [TextBlock(text=say(turn.lang, "path_builder.saved", paths=", ".join(saved))),
            *notes]


DIALOG = Dialog(
    id="path_builder", title="path_builder.title", state=PathBuilderState, roles=MANAGERS,
    menu=60, aliases=["leerlijn"], finish=finish, help="path_builder.help",
    steps=[
        Choose("niveau", prompt=level_prompt, options=level_options, handle=set_level,
               help="path_builder.help_level"),
        Choose("basis", prompt=base_prompt, options=base_options, handle=set_bases, multi=True,
               skip=lambda turn, state: not state.bases, help="path_builder.help_base"),
        Ask("naam", prompt="path_builder.ask_name", handle=set_name,
            suggestions=name_suggestions),
        SentenceForm("doelgroep", prompt="path_builder.step2",
                     title=lambda turn, state: say(turn.lang, "path_builder.group_title"),
                     fields=group_fields, handle=set_group, read=read_group,
                     help="path_builder.help_group"),
        Choose("soort", prompt="path_builder.step3", options=kind_options, handle=set_kind),
        Ask("leerdoel", prompt=goal_prompt, handle=set_goals, help="path_builder.help_goals"),
        Choose("bedoel", prompt=confirm_prompt, options=confirm_options, handle=confirm_goal,
               skip=lambda turn, state: not state.current.pending),
        Confirm("zelfde", prompt=same_prompt, handle=on_same, skip=skip_same),
        SentenceForm("randvoorwaarden", prompt="path_builder.step4",
                     title=lambda turn, state: say(turn.lang, "path_builder.constraints_title"),
                     fields=constraint_fields, handle=set_constraints, read=read_constraints,
                     help="path_builder.help_constraints"),
        ProposalChoose("samenstellen", prompt=compose_prompt, options=compose_options,
                       handle=on_compose, help="path_builder.help_compose", hears=asks_why),
        Choose("welke", prompt=which_prompt, options=which_options, handle=pick_which,
               skip=lambda turn, state: state.action is None),
        Choose("vervang", prompt=alternative_prompt, options=alternative_options,
               handle=pick_alternative, skip=lambda turn, state: state.target_training is None),
        Choose("controle", prompt=check_prompt, options=check_options, handle=on_check,
               help="path_builder.help_check"),
        Choose("meer", prompt=more_prompt, options=more_options, handle=on_more),
        Choose("welk", prompt=which_level_prompt, options=which_level_options,
               handle=on_which_level, skip=lambda turn, state: state.level_action is None),
    ],
    phrases=["leerlijn", "leerlijn maken", "nieuwe leerlijn", "leerlijn samenstellen",
             "leerlijn bouwen", "ik wil een leerlijn maken", "leerpad maken",
             "create a learning path", "new learning path", "build a learning path"],
)
