"""Leerlijn maken (manager/HR): the e-book's 5 steps as a conversation.

Niveau -> Doelgroep -> Leerdoel (free text matched to the catalogue, "bedoel je ...?" when
unsure) -> Randvoorwaarden -> Samenstellen (the engine's proposal with the reason for each
training; swap or remove a training, constraints re-checked) -> the e-book's final check.
Several levels can be built in one session; a new level never reuses a training of an earlier
one (the paths are stacked on the same people). Nothing is saved until the user says so at the
end.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

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
from engine.matching import CompetencyMatcher
from engine.notes import Note
from engine.paths import LEVELS, PathRequest, PathSpec, build_paths, fit_score
from knowledge.catalogue import Training

GOAL_KINDS = ("competencies", "function", "interest")
FORMATS = ("online", "microlearning", "webinar", "blended", "klassikaal")
NONE_OF_THESE = "__none__"
SUGGEST_FROM = 45.0
MAX_GOALS = 10


class Level(BaseModel):
    """One leerlijn of the session."""

    level: str = ""
    name: str = ""
    target: dict[str, Any] = {}
    goal_kind: str = "competencies"
    goals: list[str] = []  # catalogue competency labels
    pending: list[tuple[str, list[str]]] = []  # unsure goal text -> candidate labels
    unmatched: list[str] = []
    constraints: dict[str, Any] = {}
    include: list[str] = []
    exclude: list[str] = []
    manual: bool = False  # the user changed the proposal by hand
    proposal: list[dict[str, Any]] = []  # ChosenTraining dumps
    total_minutes: int = 0
    uncovered: list[str] = []
    warnings: list[str] = []
    optimal: bool = True


class WizardState(BaseModel):
    done: list[Level] = []  # accepted levels
    current: Level = Level()
    action: str | None = None  # swap | remove while editing the proposal
    target_training: str | None = None
    alternatives: list[tuple[str, str]] = []  # (id, title) offered for the swap
    save: bool = False


# ---------------------------------------------------------------- helpers


def _spec(level: Level) -> PathSpec:
    return PathSpec(name=level.name or "leerlijn", level=level.level or "functie",
                    target_group=level.target, competencies=level.goals or ["-"],
                    constraints=level.constraints, include=level.include,
                    exclude=level.exclude)


def _taken(state: WizardState) -> list[str]:
    return [t["id"] for level in state.done for t in level.proposal]


async def _compose(turn: Turn, state: WizardState) -> WizardState:
    """Build (or re-check) the current level; trainings of accepted levels are excluded."""
    matcher = await turn.services.matcher(turn.workspace)
    level = state.current
    exclude = sorted(set(level.exclude) | set(_taken(state)))
    if level.manual:  # exactly the hand-picked trainings, re-checked
        exclude = [t.id for t in matcher.catalogue.trainings if t.id not in level.include]
    spec = _spec(level).model_copy(update={"exclude": exclude})
    result = build_paths(PathRequest(paths=[spec]), matcher)
    path = result.paths[0]
    updated = level.model_copy(update={
        "proposal": [t.model_dump(mode="json") for t in path.trainings],
        "total_minutes": path.total_minutes,
        "uncovered": [u for u in path.uncovered if u != "-"],
        "warnings": [w.text(turn.lang) for w in path.warnings
                     if w.code not in {"paths.warn.no_match"}],
        "optimal": result.optimal,
    })
    return state.model_copy(update={"current": updated})


def _training(matcher: CompetencyMatcher, training_id: str) -> Training:
    return next(t for t in matcher.catalogue.trainings if t.id == training_id)


def _minutes(minutes: int, lang: str) -> Rich:
    hours, rest = divmod(minutes, 60)
    return say(lang, "wizard.duration", hours=hours, minutes=f"{rest:02d}")


# ---------------------------------------------------------------- step 1: level


def level_prompt(turn: Turn, state: WizardState) -> list[Block]:
    blocks: list[Block] = []
    if state.done:
        names = ", ".join(f"{lv.name} ({lv.level})" for lv in state.done)
        blocks.append(TextBlock(text=say(turn.lang, "wizard.next_level", names=names)))
    else:
        blocks.append(TextBlock(text=say(turn.lang, "wizard.intro")))
    facts = [Fact(label=say(turn.lang, f"wizard.level.{lv}"),
                  value=say(turn.lang, f"wizard.level_when.{lv}")) for lv in LEVELS]
    blocks.append(CardBlock(title=say(turn.lang, "wizard.step1"), facts=facts))
    blocks.append(TextBlock(text=say(turn.lang, "wizard.ask_level")))
    return blocks


def level_options(turn: Turn, state: WizardState) -> list[Choice]:
    return [Choice(value=lv, label=say(turn.lang, f"wizard.level.{lv}")) for lv in LEVELS]


def set_level(turn: Turn, state: WizardState, value: str) -> WizardState:
    current = state.current.model_copy(update={"level": value})
    if state.done:  # start from the previous level's constraints
        current = current.model_copy(update={"constraints": state.done[-1].constraints})
    return state.model_copy(update={"current": current})


def name_suggestions(turn: Turn, state: WizardState) -> list[Choice]:
    default = say(turn.lang, "wizard.default_name",
                  level=say(turn.lang, f"wizard.level.{state.current.level}")).plain
    return [Choice(value=default, label=plain(default))]


def set_name(turn: Turn, state: WizardState, text: str) -> WizardState:
    if len(text) > 80:
        raise InputError("input.too_long", field=say(turn.lang, "wizard.name_field").plain,
                         max=80)
    if any(level.name.casefold() == text.casefold() for level in state.done):
        raise InputError("wizard.name_taken", name=text)
    return state.model_copy(update={"current": state.current.model_copy(update={"name": text})})


# ---------------------------------------------------------------- step 2: target group


def group_fields(turn: Turn, state: WizardState) -> list[FormField]:
    old = state.current.target
    individual = state.current.level == "individueel"

    def number(name: str, low: int, high: int, default: int | None) -> FormField:
        return FormField(name=name, label=say(turn.lang, f"wizard.field.{name}"),
                         kind="number", min=low, max=high,
                         default=str(default) if default is not None else None)

    age = old.get("age") or [None, None]
    years = old.get("experience_years") or [None, None]
    fields = [] if individual else [number("size", 1, 100_000, old.get("size"))]
    fields += [
        number("age_low", 15, 80, age[0]), number("age_high", 15, 80, age[1]),
        number("years_low", 0, 60, years[0]), number("years_high", 0, 60, years[1]),
        FormField(name="education", label=say(turn.lang, "wizard.field.education"),
                  kind="multichoice",
                  choices=[Choice(value=v, label=plain(v)) for v in ("mbo", "hbo", "wo")],
                  default=",".join(old.get("education", [])) or None),
    ]
    return fields


def set_group(turn: Turn, state: WizardState, values: dict[str, Any]) -> WizardState:
    age = (values["age_low"], values["age_high"])
    years = (values["years_low"], values["years_high"])
    if age[0] > age[1]:
        raise InputError("wizard.range", what=say(turn.lang, "wizard.field.age").plain)
    if years[0] > years[1]:
        raise InputError("wizard.range", what=say(turn.lang, "wizard.field.years").plain)
    target = {"size": values.get("size") or 1, "age": list(age),
              "experience_years": list(years), "education": values["education"]}
    return state.model_copy(update={"current": state.current.model_copy(
        update={"target": target})})


# ---------------------------------------------------------------- step 3: learning goal


def kind_options(turn: Turn, state: WizardState) -> list[Choice]:
    return [Choice(value=k, label=say(turn.lang, f"wizard.goal_kind.{k}")) for k in GOAL_KINDS]


def set_kind(turn: Turn, state: WizardState, value: str) -> WizardState:
    return state.model_copy(update={"current": state.current.model_copy(
        update={"goal_kind": value})})


def goal_prompt(turn: Turn, state: WizardState) -> Rich:
    return say(turn.lang, f"wizard.ask_goals.{state.current.goal_kind}")


async def set_goals(turn: Turn, state: WizardState,
                    text: str) -> WizardState | Flow[WizardState]:
    # only commas, semicolons and lines separate goals: many labels contain "en"
    parts = [p.strip() for p in re.split(r"[,;\n]", text) if p.strip()]
    if len(parts) > MAX_GOALS:
        raise InputError("wizard.too_many_goals", maximum=MAX_GOALS)
    matcher = await turn.services.matcher(turn.workspace)
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
    if not goals and not pending:
        raise InputError("wizard.no_goals", goals=", ".join(unmatched))
    current = state.current.model_copy(update={"goals": goals, "pending": pending,
                                               "unmatched": unmatched})
    moved = state.model_copy(update={"current": current})
    if unmatched and not pending:  # say it now; "bedoel je" says it otherwise
        note = say(turn.lang, "wizard.unmatched", goals=", ".join(unmatched))
        return Flow(state=moved, say=[TextBlock(text=note)])
    return moved


def confirm_prompt(turn: Turn, state: WizardState) -> list[Block]:
    text, _ = state.current.pending[0]
    blocks: list[Block] = []
    if state.current.unmatched:
        blocks.append(TextBlock(text=say(turn.lang, "wizard.unmatched",
                                         goals=", ".join(state.current.unmatched))))
    blocks.append(TextBlock(text=say(turn.lang, "wizard.did_you_mean", text=text)))
    return blocks


def confirm_options(turn: Turn, state: WizardState) -> list[Choice]:
    _, candidates = state.current.pending[0]
    return [*(Choice(value=c, label=user(c)) for c in candidates),
            Choice(value=NONE_OF_THESE, label=say(turn.lang, "wizard.none_of_these"))]


def confirm_goal(turn: Turn, state: WizardState, value: str) -> WizardState | Flow[WizardState]:
    current = state.current
    text, _ = current.pending[0]
    goals = list(current.goals)
    unmatched = list(current.unmatched)
    if value == NONE_OF_THESE:
        unmatched.append(text)
    elif value not in goals:
        goals.append(value)
    current = current.model_copy(update={"goals": goals, "pending": current.pending[1:],
                                         "unmatched": unmatched})
    moved = state.model_copy(update={"current": current})
    if current.pending:
        return Flow(state=moved, goto="bedoel")
    if not goals:
        return Flow(state=moved, goto="leerdoel",
                    say=[TextBlock(text=say(turn.lang, "wizard.no_goals_left"))])
    return moved


# ---------------------------------------------------------------- step 4: constraints


def constraint_fields(turn: Turn, state: WizardState) -> list[FormField]:
    old = state.current.constraints

    def number(name: str, low: int, high: int, default: Any) -> FormField:
        return FormField(name=name, label=say(turn.lang, f"wizard.field.{name}"), kind="number",
                         min=low, max=high, default=str(default))

    formats = old.get("formats") or ["online"]
    return [
        number("max_interventions", 1, 20, old.get("max_interventions", 4)),
        number("max_hours", 1, 500, round(old.get("max_hours", 5))),
        number("deadline_months", 1, 36, old.get("deadline_months", 6)),
        FormField(name="formats", label=say(turn.lang, "wizard.field.formats"),
                  kind="multichoice",
                  choices=[Choice(value=f, label=say(turn.lang, f"format.{f}"))
                           for f in FORMATS],
                  default=",".join(formats)),
    ]


async def set_constraints(turn: Turn, state: WizardState,
                          values: dict[str, Any]) -> WizardState:
    constraints = {name: values[name] for name in ("max_interventions", "max_hours",
                                                   "deadline_months", "formats")}
    current = state.current.model_copy(update={"constraints": constraints, "include": [],
                                               "exclude": [], "manual": False})
    return await _compose(turn, state.model_copy(update={"current": current}))


# ---------------------------------------------------------------- step 5: composing


def _proposal_card(turn: Turn, level: Level) -> CardBlock:
    facts = []
    for item in level.proposal:
        reason = " ".join(_render_note(turn, n) for n in item["reason"])
        details = say(turn.lang, "wizard.training_details", minutes=item["minutes"],
                      format=say(turn.lang, f"format.{item['format']}")
                      if item["format"] in FORMATS else item["format"],
                      level=item["level"] or "-")
        facts.append(Fact(label=user(item["title"]), value=details + plain(" — ")
                          + user(reason)))
    limits = level.constraints
    summary = say(turn.lang, "wizard.totals", count=len(level.proposal),
                  max_count=limits.get("max_interventions", "-"),
                  duration=_minutes(level.total_minutes, turn.lang),
                  max_hours=limits.get("max_hours", "-"))
    return CardBlock(title=say(turn.lang, "wizard.proposal_title", name=level.name,
                               level=say(turn.lang, f"wizard.level.{level.level}")),
                     text=summary, facts=facts)


def _render_note(turn: Turn, note: dict[str, Any]) -> str:
    return Note.model_validate(note).text(turn.lang)


def compose_prompt(turn: Turn, state: WizardState) -> list[Block]:
    level = state.current
    blocks: list[Block] = [_proposal_card(turn, level)]
    notes: list[Rich] = []
    if level.uncovered:
        notes.append(say(turn.lang, "wizard.uncovered", goals=", ".join(level.uncovered)))
    notes.extend(user(w) for w in level.warnings)
    if level.unmatched:
        notes.append(say(turn.lang, "wizard.unmatched", goals=", ".join(level.unmatched)))
    if state.done:
        notes.append(say(turn.lang, "wizard.no_overlap_note"))
    if notes:
        blocks.append(TextBlock(text=join([plain("⚠ ") + n for n in notes])))
    blocks.append(TextBlock(text=say(turn.lang, "wizard.ask_compose")))
    return blocks


def compose_options(turn: Turn, state: WizardState) -> list[Choice]:
    options = [Choice(value="accept", label=say(turn.lang, "wizard.accept"), style="primary")]
    if state.current.proposal:
        options += [Choice(value="swap", label=say(turn.lang, "wizard.swap")),
                    Choice(value="remove", label=say(turn.lang, "wizard.remove"))]
    options += [Choice(value="constraints", label=say(turn.lang, "wizard.change_constraints")),
                Choice(value="goals", label=say(turn.lang, "wizard.change_goals"))]
    return options


def on_compose(turn: Turn, state: WizardState, value: str) -> WizardState | Flow[WizardState]:
    if value == "accept":
        if not state.current.proposal:
            raise InputError("wizard.empty_path")
        return Flow(state=state.model_copy(update={"action": None}), goto="controle")
    if value == "constraints":
        return Flow(state=state, goto="randvoorwaarden")
    if value == "goals":
        return Flow(state=state, goto="leerdoel")
    return Flow(state=state.model_copy(update={"action": value}), goto="welke")


def which_prompt(turn: Turn, state: WizardState) -> Rich:
    return say(turn.lang, f"wizard.ask_which.{state.action}")


def which_options(turn: Turn, state: WizardState) -> list[Choice]:
    return [Choice(value=t["id"], label=user(t["title"])) for t in state.current.proposal]


async def _alternatives(turn: Turn, state: WizardState, training_id: str) -> list[Training]:
    matcher = await turn.services.matcher(turn.workspace)
    level = state.current
    old = _training(matcher, training_id)
    spec = _spec(level)
    used = set(_taken(state)) | {t["id"] for t in level.proposal}
    covers = set(old.competencies) & set(level.goals)
    cap = spec.constraints.minutes_cap
    spare = None if cap is None else cap - (level.total_minutes - old.minutes)
    options = [
        t for t in matcher.catalogue.trainings
        if t.id not in used and covers & set(t.competencies)
        and (not spec.constraints.formats or t.format in spec.constraints.formats)
        and (spare is None or t.minutes <= spare)
    ]
    options.sort(key=lambda t: (-fit_score(t, spec.target_group), t.minutes, t.title))
    return options[:10]


async def pick_which(turn: Turn, state: WizardState, value: str) -> WizardState | Flow[WizardState]:
    level = state.current
    if state.action == "remove":
        include = [t["id"] for t in level.proposal if t["id"] != value]
        current = level.model_copy(update={"include": include, "manual": True,
                                           "exclude": [*level.exclude, value]})
        composed = await _compose(turn, state.model_copy(update={"current": current,
                                                                 "action": None}))
        return Flow(state=composed, goto="samenstellen")
    alternatives = await _alternatives(turn, state, value)
    if not alternatives:
        raise InputError("wizard.no_alternatives")
    return state.model_copy(update={"target_training": value,
                                    "alternatives": [(t.id, t.title) for t in alternatives]})


async def alternative_prompt(turn: Turn, state: WizardState) -> list[Block]:
    matcher = await turn.services.matcher(turn.workspace)
    old = _training(matcher, state.target_training or "")
    return [TextBlock(text=say(turn.lang, "wizard.ask_alternative", title=old.title))]


def alternative_options(turn: Turn, state: WizardState) -> list[Choice]:
    return [Choice(value=ident, label=user(title)) for ident, title in state.alternatives]


async def pick_alternative(turn: Turn, state: WizardState, value: str) -> Flow[WizardState]:
    level = state.current
    old = state.target_training
    include = [value if t["id"] == old else t["id"] for t in level.proposal]
    current = level.model_copy(update={"include": include, "manual": True,
                                       "exclude": [*level.exclude, old or ""]})
    composed = await _compose(turn, state.model_copy(update={
        "current": current, "action": None, "target_training": None, "alternatives": []}))
    return Flow(state=composed, goto="samenstellen")


# ---------------------------------------------------------------- final check


def check_prompt(turn: Turn, state: WizardState) -> list[Block]:
    level = state.current
    limits = level.constraints
    formats = ", ".join(say(turn.lang, f"format.{f}").plain for f in limits.get("formats", []))
    checks = [
        say(turn.lang, "wizard.check.count", count=len(level.proposal),
            maximum=limits.get("max_interventions")),
        say(turn.lang, "wizard.check.hours", duration=_minutes(level.total_minutes, turn.lang),
            maximum=limits.get("max_hours")),
        say(turn.lang, "wizard.check.formats", formats=formats),
        say(turn.lang, "wizard.check.deadline", months=limits.get("deadline_months")),
        say(turn.lang, "wizard.check.overlap"),
    ]
    if level.uncovered:
        checks.append(say(turn.lang, "wizard.check.uncovered", goals=", ".join(level.uncovered)))
    return [TextBlock(text=join([say(turn.lang, "wizard.check_intro"),
                                 *(plain("✓ ") + c for c in checks)])),
            TextBlock(text=say(turn.lang, "wizard.ask_check", goal=", ".join(level.goals)))]


def check_options(turn: Turn, state: WizardState) -> list[Choice]:
    return [Choice(value="ok", label=say(turn.lang, "wizard.check_ok"), style="primary"),
            Choice(value="edit", label=say(turn.lang, "wizard.check_edit"))]


def on_check(turn: Turn, state: WizardState, value: str) -> WizardState | Flow[WizardState]:
    if value == "edit":
        return Flow(state=state, goto="samenstellen")
    return state


def more_options(turn: Turn, state: WizardState) -> list[Choice]:
    return [Choice(value="save", label=say(turn.lang, "wizard.save"), style="primary"),
            Choice(value="another", label=say(turn.lang, "wizard.another")),
            Choice(value="discard", label=say(turn.lang, "wizard.discard"), style="danger")]


def on_more(turn: Turn, state: WizardState, value: str) -> Flow[WizardState]:
    done = [*state.done, state.current]
    if value == "another":
        return Flow(state=WizardState(done=done), goto="niveau")
    return Flow(state=WizardState(done=done, save=value == "save"), done=True)


async def finish(turn: Turn, state: WizardState) -> list[Block]:
    if not state.save:
        return [TextBlock(text=say(turn.lang, "wizard.discarded"))]
    saved = []
    for level in state.done:
        path = await turn.services.save_path(
            turn.workspace, turn.member.user, level.name, level.level,
            _spec(level).model_dump(mode="json"), level.proposal, level.total_minutes,
            level.warnings)
        saved.append(f"{path.name} (#{path.id})")
    return [TextBlock(text=say(turn.lang, "wizard.saved", paths=", ".join(saved)))]


DIALOG = Dialog(
    id="leerlijn", title="wizard.title", state=WizardState, roles=frozenset({"manager", "admin"}),
    finish=finish, help="wizard.help",
    steps=[
        Choose("niveau", prompt=level_prompt, options=level_options, handle=set_level,
               help="wizard.help_level"),
        Ask("naam", prompt=lambda turn, state: say(turn.lang, "wizard.ask_name"),
            handle=set_name, suggestions=name_suggestions),
        Form("doelgroep", prompt=lambda turn, state: say(turn.lang, "wizard.step2"),
             title=lambda turn, state: say(turn.lang, "wizard.group_title"),
             fields=group_fields, handle=set_group, help="wizard.help_group"),
        Choose("soort", prompt=lambda turn, state: say(turn.lang, "wizard.step3"),
               options=kind_options, handle=set_kind),
        Ask("leerdoel", prompt=goal_prompt, handle=set_goals, help="wizard.help_goals"),
        Choose("bedoel", prompt=confirm_prompt, options=confirm_options, handle=confirm_goal,
               skip=lambda turn, state: not state.current.pending),
        Form("randvoorwaarden", prompt=lambda turn, state: say(turn.lang, "wizard.step4"),
             title=lambda turn, state: say(turn.lang, "wizard.constraints_title"),
             fields=constraint_fields, handle=set_constraints, help="wizard.help_constraints"),
        Choose("samenstellen", prompt=compose_prompt, options=compose_options,
               handle=on_compose, help="wizard.help_compose"),
        Choose("welke", prompt=which_prompt, options=which_options, handle=pick_which,
               skip=lambda turn, state: state.action is None),
        Choose("vervang", prompt=alternative_prompt, options=alternative_options,
               handle=pick_alternative, skip=lambda turn, state: state.target_training is None),
        Choose("controle", prompt=check_prompt, options=check_options, handle=on_check,
               help="wizard.help_check"),
        Choose("meer", prompt=lambda turn, state: say(turn.lang, "wizard.ask_more",
                                                      name=state.current.name),
               options=more_options, handle=on_more),
    ],
)
PHRASES = ["leerlijn maken", "nieuwe leerlijn", "leerlijn samenstellen", "leerlijn bouwen",
           "ik wil een leerlijn maken", "leerpad maken", "create a learning path",
           "new learning path", "build a learning path"]
