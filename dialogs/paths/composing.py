"""Step 5 of the leerlijn builder, composing: the engine's proposal as a card with the reason for
each training, and changing it by hand (swap a training for an alternative, or remove one),
after which the engine checks the hand-picked trainings against the constraints again."""

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
from dialogs.paths.builder_state import Level, PathBuilderState, spec_of, taken
from engine.matching import CompetencyMatcher
from engine.notes import Note
from engine.paths import PathRequest, build_paths_async, fit_score
from knowledge.catalogue import Training

FORMATS = ("online", "microlearning", "webinar", "blended", "klassikaal")
MAX_ALTERNATIVES = 10


async def compose(turn: Turn, state: PathBuilderState) -> PathBuilderState:
    """Build (or re-check) the current level; trainings of accepted levels are excluded."""
    matcher = await turn.catalogue.matcher()
    level = state.current
    exclude = sorted(set(level.exclude) | set(taken(state)))
    if level.manual:  # exactly the hand-picked trainings, re-checked
        exclude = [t.id for t in matcher.catalogue.trainings if t.id not in level.include]
    spec = spec_of(level).model_copy(update={"exclude": exclude})
    result = await build_paths_async(PathRequest(paths=[spec]), matcher)
    path = result.paths[0]
    return state.with_current(
        proposal=[t.model_dump(mode="json") for t in path.trainings],
        total_minutes=path.total_minutes,
        uncovered=[u for u in path.uncovered if u != "-"],
        warnings=[w.text(turn.lang) for w in path.warnings
                  if w.code not in {"paths.warn.no_match"}],
        optimal=result.optimal,
    )


def duration(minutes: int, lang: str) -> Rich:
    hours, rest = divmod(minutes, 60)
    return say(lang, "path_builder.duration", hours=hours, minutes=f"{rest:02d}")


def _training(matcher: CompetencyMatcher, training_id: str) -> Training:
    return next(t for t in matcher.catalogue.trainings if t.id == training_id)


# ---------------------------------------------------------------- the proposal


def _reason(turn: Turn, item: dict[str, Any]) -> str:
    return " ".join(Note.model_validate(n).text(turn.lang) for n in item["reason"])


def _training_fact(turn: Turn, item: dict[str, Any]) -> Fact:
    learning_format = (say(turn.lang, f"format.{item['format']}")
                       if item["format"] in FORMATS else item["format"])
    details = say(turn.lang, "paths.training_details", minutes=item["minutes"],
                  format=learning_format, level=item["level"] or "-")
    return Fact(label=user(item["title"]), value=details + plain(" — ") + user(_reason(turn, item)))


def proposal_card(turn: Turn, level: Level) -> CardBlock:
    limits = level.constraints
    summary = say(turn.lang, "path_builder.totals", count=len(level.proposal),
                  max_count=limits.get("max_interventions", "-"),
                  duration=duration(level.total_minutes, turn.lang),
                  max_hours=limits.get("max_hours", "-"))
    return CardBlock(title=say(turn.lang, "path_builder.proposal_title", name=level.name,
                               level=say(turn.lang, f"paths.level.{level.level}")),
                     text=summary, facts=[_training_fact(turn, item) for item in level.proposal])


def _proposal_notes(turn: Turn, state: PathBuilderState) -> list[Rich]:
    level = state.current
    notes: list[Rich] = []
    if level.uncovered:
        notes.append(say(turn.lang, "path_builder.uncovered", goals=", ".join(level.uncovered)))
    notes.extend(user(w) for w in level.warnings)
    if level.unmatched:
        notes.append(say(turn.lang, "path_builder.unmatched", goals=", ".join(level.unmatched)))
    if state.done:
        notes.append(say(turn.lang, "path_builder.no_overlap_note"))
    return notes


def compose_prompt(turn: Turn, state: PathBuilderState) -> list[Block]:
    blocks: list[Block] = [proposal_card(turn, state.current)]
    notes = _proposal_notes(turn, state)
    if notes:
        blocks.append(TextBlock(text=join([plain("⚠ ") + n for n in notes])))
    blocks.append(TextBlock(text=say(turn.lang, "path_builder.ask_compose")))
    return blocks


def compose_options(turn: Turn, state: PathBuilderState) -> list[Choice]:
    options = [Choice(value="accept", label=say(turn.lang, "path_builder.accept"),
                      style="primary")]
    if state.current.proposal:
        options += [Choice(value="swap", label=say(turn.lang, "path_builder.swap")),
                    Choice(value="remove", label=say(turn.lang, "path_builder.remove"))]
    options += [Choice(value="constraints",
                       label=say(turn.lang, "path_builder.change_constraints")),
                Choice(value="goals", label=say(turn.lang, "path_builder.change_goals"))]
    return options


def on_compose(turn: Turn, state: PathBuilderState,
               value: str) -> PathBuilderState | Flow[PathBuilderState]:
    if value == "accept":
        if not state.current.proposal:
            raise InputError("path_builder.empty_path")
        return Flow(state=state.model_copy(update={"action": None}), goto="controle")
    if value == "constraints":
        return Flow(state=state, goto="randvoorwaarden")
    if value == "goals":
        return Flow(state=state, goto="leerdoel")
    return Flow(state=state.model_copy(update={"action": value}), goto="welke")


# ---------------------------------------------------------------- swap or remove a training


def which_prompt(turn: Turn, state: PathBuilderState) -> Rich:
    return say(turn.lang, f"path_builder.ask_which.{state.action}")


def which_options(turn: Turn, state: PathBuilderState) -> list[Choice]:
    return [Choice(value=t["id"], label=user(t["title"])) for t in state.current.proposal]


async def alternatives(turn: Turn, state: PathBuilderState, training_id: str) -> list[Training]:
    """Trainings that could take this one's place: unused, covering a goal it covers, allowed
    and fitting in the hours it leaves; the best fit for the target group first."""
    matcher = await turn.catalogue.matcher()
    level = state.current
    old = _training(matcher, training_id)
    spec = spec_of(level)
    used = set(taken(state)) | {t["id"] for t in level.proposal}
    covers = set(old.competencies) & set(level.goals)
    formats = spec.constraints.formats
    cap = spec.constraints.minutes_cap
    spare = None if cap is None else cap - (level.total_minutes - old.minutes)
    options = [
        t for t in matcher.catalogue.trainings
        if t.id not in used and covers & set(t.competencies)
        and (not formats or t.format in formats)
        and (spare is None or t.minutes <= spare)
    ]
    options.sort(key=lambda t: (-fit_score(t, spec.target_group), t.minutes, t.title))
    return options[:MAX_ALTERNATIVES]


async def _recompose(turn: Turn, state: PathBuilderState, include: list[str],
                     dropped: str) -> Flow[PathBuilderState]:
    """Compose again with exactly ``include`` (``dropped`` never comes back on its own)."""
    level = state.current
    current = level.model_copy(update={"include": include, "manual": True,
                                       "exclude": [*level.exclude, dropped]})
    composed = await compose(turn, state.model_copy(update={
        "current": current, "action": None, "target_training": None, "alternatives": []}))
    return Flow(state=composed, goto="samenstellen")


async def pick_which(turn: Turn, state: PathBuilderState,
                     value: str) -> PathBuilderState | Flow[PathBuilderState]:
    if state.action == "remove":
        include = [t["id"] for t in state.current.proposal if t["id"] != value]
        return await _recompose(turn, state, include, value)
    found = await alternatives(turn, state, value)
    if not found:
        raise InputError("path_builder.no_alternatives")
    return state.model_copy(update={"target_training": value,
                                    "alternatives": [(t.id, t.title) for t in found]})


async def alternative_prompt(turn: Turn, state: PathBuilderState) -> list[Block]:
    matcher = await turn.catalogue.matcher()
    old = _training(matcher, state.target_training or "")
    return [TextBlock(text=say(turn.lang, "path_builder.ask_alternative", title=old.title))]


def alternative_options(turn: Turn, state: PathBuilderState) -> list[Choice]:
    return [Choice(value=ident, label=user(title)) for ident, title in state.alternatives]


async def pick_alternative(turn: Turn, state: PathBuilderState,
                           value: str) -> Flow[PathBuilderState]:
    old = state.target_training or ""
    include = [value if t["id"] == old else t["id"] for t in state.current.proposal]
    return await _recompose(turn, state, include, old)
