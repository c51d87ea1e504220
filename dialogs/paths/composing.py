"""Step 5 of the leerlijn builder, composing: the engine's proposal as a card with the reason for
each training, and changing it by hand (swap a training for an alternative, or remove one),
after which the engine checks the hand-picked trainings against the constraints again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from dialogs.kit import (
    Answer,
    Block,
    CardBlock,
    Choice,
    Choose,
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
from dialogs.paths.builder_state import Level, PathBuilderState, request_of, spec_of, taken
from dialogs.paths.path_exports import AGE, YEARS, span_text
from engine.matching import CompetencyMatcher
from engine.notes import Note
from engine.paths import PathResult, build_paths_async, fit_score
from engine.paths.fit import breach, education_fit
from engine.text import fold
from knowledge.catalogue import Training

FORMATS = ("online", "microlearning", "webinar", "blended", "klassikaal")
MAX_ALTERNATIVES = 10
WHY_WORDS = frozenset({"waarom", "why", "wrm"})
#: how closely a typed name must match a training's title ("waarom notuleren")
NAMED = 80


async def compose(turn: Turn, state: PathBuilderState) -> PathBuilderState:
    """Solve every level of the session together (the current one where it belongs), as
    ``leerbot paths build`` does with the same specs; hand-made levels keep their trainings.
    Earlier levels whose trainings change are named in ``changed``."""
    matcher = await turn.catalogue.matcher()
    trainings = matcher.catalogue.trainings
    levels = state.levels()
    if not levels:
        return state
    request = request_of(state)
    result = await build_paths_async(request, matcher)
    held = {h["training_id"] for h in state.held} - set(state.accept_overlap)
    solved = []
    for level, path in zip(levels, result.paths, strict=True):
        uncovered = [u for u in path.uncovered if u != "-"]
        solved.append(level.model_copy(update={
            "proposal": [t.model_dump(mode="json") for t in path.trainings],
            "total_minutes": path.total_minutes, "uncovered": uncovered,
            "warnings": [w.text(turn.lang) for w in path.warnings
                         if w.code not in {"paths.warn.no_match"}],
            "overlaps": [o.model_dump(mode="json") for o in path.overlaps],
            "repeatable": _repeatable(trainings, level, path, held),
            "optimal": result.optimal, "solved": True}))
    before = {lv.name: [t["id"] for t in lv.proposal] for lv in state.done}
    changed = [lv.name for lv in solved  # the level being built is not in ``done``
               if lv.name in before and before[lv.name] != [t["id"] for t in lv.proposal]]
    return state.with_levels(solved).model_copy(update={"changed": changed})


def _repeatable(trainings: Sequence[Training], level: Level, path: PathResult,
                held: set[str]) -> list[tuple[str, str]]:
    """The trainings the people already have that the engine left out of ``level`` and that
    would make it better (the ones its "held" warnings name): allowed by the constraints, and
    covering a goal that is not covered, or only by a training that does not fit the group's
    education level while this one does. The manager may accept to repeat them."""
    spec = spec_of(level)
    group = spec.target_group
    uncovered = set(path.uncovered)
    fitting = {c for t in path.trainings if education_fit(_as_training(trainings, t.id), group)
               != 0 for c in t.competencies}
    misfit = {c for t in path.trainings for c in t.competencies} - fitting
    return [(t.id, t.title) for t in trainings
            if t.id in held and t.id not in spec.exclude and breach(t, spec.constraints) is None
            and (set(t.competencies) & uncovered
                 or (set(t.competencies) & misfit and education_fit(t, group) == 2))]


def _as_training(trainings: Sequence[Training], training_id: str) -> Training:
    return next(t for t in trainings if t.id == training_id)


def duration(minutes: int, lang: str) -> Rich:
    hours, rest = divmod(minutes, 60)
    return say(lang, "path_builder.duration", hours=hours, minutes=f"{rest:02d}")


def _training(matcher: CompetencyMatcher, training_id: str) -> Training:
    return next(t for t in matcher.catalogue.trainings if t.id == training_id)


# ---------------------------------------------------------------- the proposal


def _reason(turn: Turn, item: dict[str, Any]) -> str:
    return " ".join(Note.model_validate(n).text(turn.lang) for n in item["reason"])


def why_text(turn: Turn, item: dict[str, Any]) -> Rich:
    """Why this training is in the proposal: the engine's reason, in a sentence or two."""
    return say(turn.lang, "path_builder.why_training", title=item["title"],
               reason=_reason(turn, item))


def _training_fact(turn: Turn, item: dict[str, Any]) -> Fact:
    learning_format = (say(turn.lang, f"format.{item['format']}")
                       if item["format"] in FORMATS else item["format"])
    details = say(turn.lang, "paths.training_details", minutes=item["minutes"],
                  format=learning_format, level=item["level"] or "-")
    return Fact(label=user(item["title"]), value=details + plain(" — ") + user(_reason(turn, item)))


def target_summary(turn: Turn, level: Level) -> Rich:
    """The target group in a few words: "3 mensen, 40-55 jaar, 5-30 jaar ervaring, mbo"."""
    target = level.target
    parts: list[Rich] = []
    if level.level != "individueel":
        parts.append(say(turn.lang, "path_builder.group.size", count=target.get("size") or 1))
    for key, name, bounds in (("age", "age", AGE), ("experience_years", "years", YEARS)):
        if (span := span_text(target.get(key), bounds, turn.lang)) is not None:
            parts.append(say(turn.lang, f"path_builder.group.{name}", years=span))
    if target.get("education"):
        parts.append(plain("/".join(target["education"])))
    if not parts:
        return say(turn.lang, "path_builder.group.anyone")
    return join(parts, ", ")


def proposal_card(turn: Turn, level: Level) -> CardBlock:
    limits = level.constraints
    summary = say(turn.lang, "path_builder.totals", count=len(level.proposal),
                  max_count=limits.get("max_interventions", "-"),
                  duration=duration(level.total_minutes, turn.lang),
                  max_hours=limits.get("max_hours", "-"))
    group = say(turn.lang, "path_builder.for_group", group=target_summary(turn, level))
    return CardBlock(title=say(turn.lang, "path_builder.proposal_title", name=level.name,
                               level=say(turn.lang, f"paths.level.{level.level}")),
                     text=join([group, summary]),
                     facts=[_training_fact(turn, item) for item in level.proposal])


def _proposal_notes(turn: Turn, state: PathBuilderState) -> list[Rich]:
    level = state.current
    notes: list[Rich] = []
    if level.uncovered:
        notes.append(say(turn.lang, "path_builder.uncovered", goals=", ".join(level.uncovered)))
    notes.extend(user(w) for w in level.warnings)
    for overlap in level.overlaps:
        notes.append(say(turn.lang, "path_builder.repeats", title=overlap["title"],
                         path=overlap["path_name"]))
    if level.unmatched:
        notes.append(say(turn.lang, "path_builder.unmatched", goals=", ".join(level.unmatched)))
    return notes


def changed_notes(turn: Turn, state: PathBuilderState) -> list[Rich]:
    """What the last solve changed in earlier levels: their trainings now, and what they no
    longer cover."""
    notes = []
    for level in state.done:
        if level.name not in state.changed:
            continue
        titles = ", ".join(f"'{t['title']}'" for t in level.proposal)
        text = (say(turn.lang, "path_builder.changed", name=level.name, titles=titles)
                if titles else say(turn.lang, "path_builder.changed_empty", name=level.name))
        if level.uncovered:
            text = text + plain(" ") + say(turn.lang, "path_builder.uncovered",
                                           goals=", ".join(level.uncovered))
        notes.append(text)
    return notes


async def compose_prompt(turn: Turn, state: PathBuilderState) -> list[Block]:
    blocks: list[Block] = [proposal_card(turn, state.current)]
    notes = _proposal_notes(turn, state)
    if notes:
        blocks.append(TextBlock(text=join([plain("⚠ ") + n for n in notes])))
    facts = []
    if state.done:
        facts.append(say(turn.lang, "path_builder.no_overlap_note",
                         names=", ".join(f"'{lv.name}'" for lv in state.done)))
    facts += changed_notes(turn, state)
    if state.based_on:
        key = "held_note_except" if state.current.overlaps else "held_note"
        facts.append(say(turn.lang, f"path_builder.{key}",
                         names=", ".join(f"'{name}'" for name in state.based_on)))
    if facts:
        blocks.append(TextBlock(text=join(facts)))
    blocks.append(TextBlock(text=say(turn.lang, "path_builder.ask_compose")))
    return blocks


def compose_options(turn: Turn, state: PathBuilderState) -> list[Choice]:
    options = [Choice(value="accept", label=say(turn.lang, "path_builder.accept"),
                      style="primary")]
    if state.current.repeatable:
        titles = ", ".join(f"'{title}'" for _, title in state.current.repeatable)
        options.append(Choice(value="repeat", label=say(turn.lang, "path_builder.allow_repeat",
                                                        titles=titles)))
    if state.current.proposal:
        options += [Choice(value="swap", label=say(turn.lang, "path_builder.swap")),
                    Choice(value="remove", label=say(turn.lang, "path_builder.remove")),
                    Choice(value="why", label=say(turn.lang, "path_builder.why"))]
    options += [Choice(value="constraints",
                       label=say(turn.lang, "path_builder.change_constraints")),
                Choice(value="goals", label=say(turn.lang, "path_builder.change_goals"))]
    return options


def asks_why(turn: Turn, state: PathBuilderState, text: str) -> bool:
    """ "waarom deze training?", "waarom prioriteiten stellen", "why ...": a question about
    the proposal, never a request to leave it."""
    words = fold(text).replace("?", " ").split()
    return bool(words) and words[0] in WHY_WORDS and bool(state.current.proposal)


def training_named(state: PathBuilderState, text: str) -> str | None:
    """The training of the proposal that ``text`` names; the only one when there is one."""
    proposal = state.current.proposal
    if len(proposal) == 1:
        return str(proposal[0]["id"])
    rest = " ".join(fold(text).replace("?", " ").split()[1:])
    scored = [(fuzz.partial_ratio(fold(t["title"]), rest), t["id"]) for t in proposal]
    best = max(scored, default=(0.0, None))
    return str(best[1]) if best[1] is not None and best[0] >= NAMED and len(rest) > 3 else None


@dataclass
class ProposalChoose(Choose):
    """The proposal's question, which also answers "waarom <training>" (see ``asks_why``)."""

    def read(self, turn: Turn, state: Any, answer: Answer) -> Any:
        if answer.value is None and answer.text and asks_why(turn, state, answer.text):
            named = training_named(state, answer.text)
            return f"why:{named}" if named else "why"
        return super().read(turn, state, answer)


async def on_compose(turn: Turn, state: PathBuilderState,
                     value: str) -> PathBuilderState | Flow[PathBuilderState]:
    if value.startswith("why:"):
        item = next(t for t in state.current.proposal if t["id"] == value[len("why:"):])
        return Flow(state=state, goto="samenstellen", say=[TextBlock(text=why_text(turn, item))])
    if value == "accept":
        if not state.current.proposal:
            raise InputError("path_builder.empty_path")
        return Flow(state=state.model_copy(update={"action": None}), goto="controle")
    if value == "repeat":
        accepted = sorted({*state.accept_overlap, *(i for i, _ in state.current.repeatable)})
        return Flow(state=await compose(turn, state.model_copy(
            update={"accept_overlap": accepted})), goto="samenstellen")
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


async def _recompose(turn: Turn, state: PathBuilderState, dropped: str,
                     chosen: str | None = None) -> Flow[PathBuilderState]:
    """Compose every level again with the manager's choice kept in this level: ``dropped``
    stays out of it (exclude) and ``chosen``, when swapped in, stays in (include)."""
    level = state.current
    include = [i for i in level.include if i != dropped]
    if chosen is not None and chosen not in include:
        include.append(chosen)
    exclude = [i for i in level.exclude if i != chosen]
    current = level.model_copy(update={"include": include, "exclude": [*exclude, dropped]})
    composed = await compose(turn, state.model_copy(update={
        "current": current, "action": None, "target_training": None, "alternatives": []}))
    return Flow(state=composed, goto="samenstellen")


async def pick_which(turn: Turn, state: PathBuilderState,
                     value: str) -> PathBuilderState | Flow[PathBuilderState]:
    if state.action == "remove":
        return await _recompose(turn, state, value)
    if state.action == "why":
        item = next(t for t in state.current.proposal if t["id"] == value)
        return Flow(state=state.model_copy(update={"action": None}), goto="samenstellen",
                    say=[TextBlock(text=why_text(turn, item))])
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
    return await _recompose(turn, state, old, value)
