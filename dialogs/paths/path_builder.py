"""Leerlijn maken (manager/HR): the e-book's 5 steps as a conversation.

Niveau -> Doelgroep -> Leerdoel (free text matched to the catalogue, "bedoel je ...?" when
unsure) -> Randvoorwaarden -> Samenstellen (the engine's proposal with the reason for each
training; swap or remove a training, constraints re-checked: ``composing``) -> the e-book's
final check. Several levels can be built in one session; a new level never reuses a training
of an earlier one (the paths are stacked on the same people). Nothing is saved until the user
says so at the end.
"""

from __future__ import annotations

import re
from typing import Any

from dialogs.kit import (
    Ask,
    Block,
    CardBlock,
    Choice,
    Choose,
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
from dialogs.paths.builder_state import PathBuilderState, spec_of
from dialogs.paths.composing import (
    FORMATS,
    alternative_options,
    alternative_prompt,
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
from dialogs.paths.port import PathDraft
from dialogs.policy import MANAGERS
from engine.matching import CompetencyMatcher
from engine.paths import LEVELS

GOAL_KINDS = ("competencies", "function", "interest")
NONE_OF_THESE = "__none__"
SUGGEST_FROM = 45.0
MAX_GOALS = 10
MAX_NAME = 80


# ---------------------------------------------------------------- step 1: level


def level_prompt(turn: Turn, state: PathBuilderState) -> list[Block]:
    blocks: list[Block] = []
    if state.done:
        names = ", ".join(f"{lv.name} ({lv.level})" for lv in state.done)
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


def set_level(turn: Turn, state: PathBuilderState, value: str) -> PathBuilderState:
    if state.done:  # start from the previous level's constraints
        return state.with_current(level=value, constraints=state.done[-1].constraints)
    return state.with_current(level=value)


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


def _number(turn: Turn, name: str, low: int, high: int, default: Any) -> FormField:
    return FormField(name=name, label=say(turn.lang, f"path_builder.field.{name}"),
                     kind="number", min=low, max=high,
                     default=str(default) if default is not None else None)


def group_fields(turn: Turn, state: PathBuilderState) -> list[FormField]:
    old = state.current.target
    age = old.get("age") or [None, None]
    years = old.get("experience_years") or [None, None]
    individual = state.current.level == "individueel"
    fields = [] if individual else [_number(turn, "size", 1, 100_000, old.get("size"))]
    fields += [
        _number(turn, "age_low", 15, 80, age[0]), _number(turn, "age_high", 15, 80, age[1]),
        _number(turn, "years_low", 0, 60, years[0]),
        _number(turn, "years_high", 0, 60, years[1]),
        FormField(name="education", label=say(turn.lang, "path_builder.field.education"),
                  kind="multichoice",
                  choices=[Choice(value=v, label=plain(v)) for v in ("mbo", "hbo", "wo")],
                  default=",".join(old.get("education", [])) or None),
    ]
    return fields


def set_group(turn: Turn, state: PathBuilderState, values: dict[str, Any]) -> PathBuilderState:
    age: tuple[int, int] = (values["age_low"], values["age_high"])
    years: tuple[int, int] = (values["years_low"], values["years_high"])
    if age[0] > age[1]:
        raise InputError("path_builder.range",
                         what=say(turn.lang, "path_builder.field.age").plain)
    if years[0] > years[1]:
        raise InputError("path_builder.range",
                         what=say(turn.lang, "path_builder.field.years").plain)
    size: int | None = values.get("size")
    education: list[str] = values["education"]
    return state.with_current(target={"size": size or 1, "age": list(age),
                                      "experience_years": list(years),
                                      "education": education})


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
    if unmatched and not pending:  # say it now; "bedoel je" says it otherwise
        note = say(turn.lang, "path_builder.unmatched", goals=", ".join(unmatched))
        return Flow(state=moved, say=[TextBlock(text=note)])
    return moved


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


def confirm_goal(turn: Turn, state: PathBuilderState,
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
    return moved


# ---------------------------------------------------------------- step 4: constraints


def constraint_fields(turn: Turn, state: PathBuilderState) -> list[FormField]:
    old = state.current.constraints
    formats = old.get("formats") or ["online"]
    return [
        _number(turn, "max_interventions", 1, 20, old.get("max_interventions", 4)),
        _number(turn, "max_hours", 1, 500, round(old.get("max_hours", 5))),
        _number(turn, "deadline_months", 1, 36, old.get("deadline_months", 6)),
        FormField(name="formats", label=say(turn.lang, "path_builder.field.formats"),
                  kind="multichoice",
                  choices=[Choice(value=f, label=say(turn.lang, f"format.{f}"))
                           for f in FORMATS],
                  default=",".join(formats)),
    ]


async def set_constraints(turn: Turn, state: PathBuilderState,
                          values: dict[str, Any]) -> PathBuilderState:
    constraints = {name: values[name] for name in ("max_interventions", "max_hours",
                                                   "deadline_months", "formats")}
    return await compose(turn, state.with_current(constraints=constraints, include=[],
                                                  exclude=[], manual=False))


# ---------------------------------------------------------------- final check


def check_prompt(turn: Turn, state: PathBuilderState) -> list[Block]:
    level = state.current
    limits = level.constraints
    formats = ", ".join(say(turn.lang, f"format.{f}").plain for f in limits.get("formats", []))
    checks = [
        say(turn.lang, "path_builder.check.count", count=len(level.proposal),
            maximum=limits.get("max_interventions")),
        say(turn.lang, "path_builder.check.hours",
            duration=duration(level.total_minutes, turn.lang), maximum=limits.get("max_hours")),
        say(turn.lang, "path_builder.check.formats", formats=formats),
        say(turn.lang, "path_builder.check.deadline", months=limits.get("deadline_months")),
        say(turn.lang, "path_builder.check.overlap"),
    ]
    if level.uncovered:
        checks.append(say(turn.lang, "path_builder.check.uncovered",
                          goals=", ".join(level.uncovered)))
    return [TextBlock(text=join([say(turn.lang, "path_builder.check_intro"),
                                 *(plain("✓ ") + c for c in checks)])),
            TextBlock(text=say(turn.lang, "path_builder.ask_check", goal=", ".join(level.goals)))]


def check_options(turn: Turn, state: PathBuilderState) -> list[Choice]:
    return [Choice(value="ok", label=say(turn.lang, "path_builder.check_ok"), style="primary"),
            Choice(value="edit", label=say(turn.lang, "path_builder.check_edit"))]


def on_check(turn: Turn, state: PathBuilderState,
             value: str) -> PathBuilderState | Flow[PathBuilderState]:
    if value == "edit":
        return Flow(state=state, goto="samenstellen")
    return state


def more_prompt(turn: Turn, state: PathBuilderState) -> Rich:
    return say(turn.lang, "path_builder.ask_more", name=state.current.name)


def more_options(turn: Turn, state: PathBuilderState) -> list[Choice]:
    return [Choice(value="save", label=say(turn.lang, "path_builder.save"), style="primary"),
            Choice(value="another", label=say(turn.lang, "path_builder.another")),
            Choice(value="discard", label=say(turn.lang, "path_builder.discard"),
                   style="danger")]


def on_more(turn: Turn, state: PathBuilderState, value: str) -> Flow[PathBuilderState]:
    done = [*state.done, state.current]
    if value == "another":
        return Flow(state=PathBuilderState(done=done), goto="niveau")
    return Flow(state=PathBuilderState(done=done, save=value == "save"), done=True)


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
        Ask("naam", prompt="path_builder.ask_name", handle=set_name,
            suggestions=name_suggestions),
        Form("doelgroep", prompt="path_builder.step2",
             title=lambda turn, state: say(turn.lang, "path_builder.group_title"),
             fields=group_fields, handle=set_group, help="path_builder.help_group"),
        Choose("soort", prompt="path_builder.step3", options=kind_options, handle=set_kind),
        Ask("leerdoel", prompt=goal_prompt, handle=set_goals, help="path_builder.help_goals"),
        Choose("bedoel", prompt=confirm_prompt, options=confirm_options, handle=confirm_goal,
               skip=lambda turn, state: not state.current.pending),
        Form("randvoorwaarden", prompt="path_builder.step4",
             title=lambda turn, state: say(turn.lang, "path_builder.constraints_title"),
             fields=constraint_fields, handle=set_constraints,
             help="path_builder.help_constraints"),
        Choose("samenstellen", prompt=compose_prompt, options=compose_options,
               handle=on_compose, help="path_builder.help_compose"),
        Choose("welke", prompt=which_prompt, options=which_options, handle=pick_which,
               skip=lambda turn, state: state.action is None),
        Choose("vervang", prompt=alternative_prompt, options=alternative_options,
               handle=pick_alternative, skip=lambda turn, state: state.target_training is None),
        Choose("controle", prompt=check_prompt, options=check_options, handle=on_check,
               help="path_builder.help_check"),
        Choose("meer", prompt=more_prompt, options=more_options, handle=on_more),
    ],
    phrases=["leerlijn", "leerlijn maken", "nieuwe leerlijn", "leerlijn samenstellen",
             "leerlijn bouwen", "ik wil een leerlijn maken", "leerpad maken",
             "create a learning path", "new learning path", "build a learning path"],
)
