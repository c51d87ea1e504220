"""Reasons and warnings: why each training is in a path, and why a goal is not covered (or
not by a training at the group's level). Every note states a fact of this result: a warning
that names a cause is only given when that cause holds."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from engine.notes import Note, note
from engine.paths.fit import breach, education_fit, experience_fit
from engine.paths.goals import Goals
from engine.paths.models import (
    ChosenTraining,
    Overlap,
    PathRequest,
    PathResult,
    PathSpec,
    TargetGroup,
)
from engine.paths.problem import Problem, Solution, chosen, servers
from knowledge.catalogue import Training

#: why a training that would serve a goal is not in the path, in the order they are told
OBSTACLES = ("excluded", "format", "language", "too_long", "held", "other_path", "no_room")


@dataclass(frozen=True)
class Composition:
    """A solved request with everything its explanation needs."""

    request: PathRequest
    trainings: Sequence[Training]
    goals: list[Goals]
    problem: Problem
    solution: Solution
    held: dict[str, list[str]] = field(default_factory=dict)  # id -> paths that hold it
    accepted: frozenset[str] = frozenset()  # held ids that may be repeated
    pins: dict[str, int] = field(default_factory=dict)  # included id -> its path

    def spec(self, p: int) -> PathSpec:
        return self.request.paths[p]

    def chosen(self, p: int) -> list[int]:
        return chosen(self.solution.assignment, p)


def describe(comp: Composition) -> list[PathResult]:
    return [_describe_path(comp, p) for p in range(len(comp.request.paths))]


def _describe_path(comp: Composition, p: int) -> PathResult:
    spec, goals = comp.spec(p), comp.goals[p]
    mine = comp.chosen(p)
    served = servers(comp.problem, comp.solution.assignment, p) or {}
    uncovered = [text for text, r in zip(spec.competencies, goals.resolutions, strict=True)
                 if r.competency is None]
    warnings = [*goals.warnings, *_include_warnings(comp, p)]
    for c, label in enumerate(goals.labels):
        if c in served:
            warnings += _level_warnings(comp, p, c, served[c])
        else:
            uncovered.append(label)
            warnings += _uncovered_warnings(comp, p, c)
    warnings += _path_warnings(comp, p)
    return PathResult(
        name=spec.name, level=spec.level, goals=goals.resolutions,
        trainings=[_chosen_training(comp, p, t, served) for t in _in_goal_order(comp, p, mine)],
        total_minutes=sum(comp.trainings[t].minutes for t in mine), uncovered=uncovered,
        warnings=warnings, overlaps=_overlaps(comp, mine))


def _in_goal_order(comp: Composition, p: int, mine: list[int]) -> list[int]:
    goals = comp.problem.goals[p]

    def first_goal(t: int) -> tuple[int, int]:
        covered = [c for c in range(goals) if comp.problem.covers(p, t, c)]
        return (min(covered) if covered else goals, t)

    return sorted(mine, key=first_goal)


# ------------------------------------------------------------------ reasons


def _chosen_training(comp: Composition, p: int, t: int, served: dict[int, int]) -> ChosenTraining:
    training, group = comp.trainings[t], comp.spec(p).target_group
    labels = comp.goals[p].labels
    covers = [label for c, label in enumerate(labels) if comp.problem.covers(p, t, c)]
    serving = [labels[c] for c, u in served.items() if u == t]
    extra = [label for label in covers if label not in serving]
    reason: list[Note] = []
    if training.id in comp.pins:
        reason.append(note("paths.reason.included"))
    if serving:
        reason.append(note("paths.reason.covers", competencies=", ".join(serving)))
    if extra:
        reason.append(note("paths.reason.extra", competencies=", ".join(extra)))
    reason.append(_education_note(training, group))
    experience = _experience_note(training, group)
    if experience:
        reason.append(experience)
    if training.id in comp.held:
        reason.append(note("paths.reason.repeat", paths=_quoted(comp.held[training.id])))
    return ChosenTraining(
        id=training.id, title=training.title, minutes=training.minutes, format=training.format,
        level=training.level, competencies=covers, reason=reason, fit=comp.problem.fit[p][t],
        included=training.id in comp.pins)


def _education_note(training: Training, group: TargetGroup) -> Note:
    fit = education_fit(training, group)
    if fit == 2:
        return note("paths.reason.level_match", level=training.level,
                    education="/".join(group.education))
    if fit == 0:
        return note("paths.reason.level_mismatch", level=training.level,
                    education="/".join(group.education))
    return note("paths.reason.level_unknown")


def _experience_note(training: Training, group: TargetGroup) -> Note | None:
    if training.experience is None or group.experience_years is None:
        return None
    low, high = group.experience_years
    code = ("paths.reason.experience_match" if experience_fit(training, group) == 2
            else "paths.reason.experience_mismatch")
    return note(code, experience=training.experience,
                years=str(low) if low == high else f"{low}-{high}")


def _overlaps(comp: Composition, mine: list[int]) -> list[Overlap]:
    return [Overlap(training_id=comp.trainings[t].id, title=comp.trainings[t].title,
                    path_name=name)
            for t in mine for name in comp.held.get(comp.trainings[t].id, [])]


# ------------------------------------------------------------------ warnings


def _include_warnings(comp: Composition, p: int) -> list[Note]:
    """About the trainings the manager put in: unknown, outside the constraints, serving no
    goal, or together over the path's limits."""
    spec = comp.spec(p)
    index = {training.id: t for t, training in enumerate(comp.trainings)}
    warnings = [note("paths.warn.unknown_training", id=training_id)
                for training_id in spec.include if training_id not in index]
    pinned = [index[training_id] for training_id in spec.include if training_id in index]
    for t in pinned:
        training = comp.trainings[t]
        if breach(training, spec.constraints):
            warnings.append(note("paths.warn.included_outside", title=training.title,
                                 format=training.format, language=training.language,
                                 minutes=training.minutes))
        if comp.problem.cover[p][t] == 0:
            warnings.append(note("paths.warn.included_no_goal", title=training.title))
    limit, cap = spec.constraints.max_interventions, spec.constraints.minutes_cap
    minutes = sum(comp.trainings[t].minutes for t in pinned)
    if (limit is not None and len(pinned) > limit) or (cap is not None and minutes > cap):
        warnings.append(note("paths.warn.over_limit", count=len(pinned), minutes=minutes))
    return warnings


def _level_warnings(comp: Composition, p: int, c: int, t: int) -> list[Note]:
    """When goal c's training is not at the group's education level: that, and why none of
    the trainings at their level is used instead."""
    group = comp.spec(p).target_group
    training = comp.trainings[t]
    if education_fit(training, group) != 0:
        return []
    label = comp.goals[p].labels[c]
    education = "/".join(group.education)
    warnings = [note("paths.warn.level_fallback", title=training.title,
                     level=training.level or "?", education=education, competency=label)]
    alternatives = [u for u in range(comp.problem.n_trainings)
                    if comp.problem.covers(p, u, c) and comp.solution.assignment[u] != p
                    and education_fit(comp.trainings[u], group) == 2]
    if not alternatives:
        warnings.append(note("paths.warn.none_at_level", competency=label, education=education))
    elif training.id in comp.pins:
        warnings.append(note("paths.warn.level_chosen", title=training.title, competency=label,
                             titles=_titles(comp, alternatives)))
    else:
        warnings += _blocked(comp, p, label, alternatives)
    return warnings


def _uncovered_warnings(comp: Composition, p: int, c: int) -> list[Note]:
    label = comp.goals[p].labels[c]
    offering = [u for u in range(comp.problem.n_trainings) if comp.problem.covers(p, u, c)]
    if not offering:
        return [note("paths.warn.no_training", competency=label)]
    return _blocked(comp, p, label, offering)


def _path_warnings(comp: Composition, p: int) -> list[Note]:
    spec = comp.spec(p)
    warnings = []
    if spec.level == "individueel" and spec.target_group.size > 1:
        warnings.append(note("paths.warn.individual_size", size=spec.target_group.size))
    if not comp.solution.optimal:
        warnings.append(note("paths.warn.not_proven"))
    return warnings


# ------------------------------------------------------------------ obstacles


def _blocked(comp: Composition, p: int, label: str, candidates: list[int]) -> list[Note]:
    """One warning per kind of obstacle that keeps ``candidates`` (trainings that would serve
    the goal ``label``) out of path p, naming the trainings."""
    found: dict[str, list[int]] = {}
    for u in candidates:
        kind = _obstacle(comp, p, u)
        if kind is not None:
            found.setdefault(kind, []).append(u)
    return [note(f"paths.warn.{_CODES[kind]}", competency=label, titles=_titles(comp, us),
                 **_DETAILS[kind](comp, p, us))
            for kind in OBSTACLES if (us := found.get(kind))]


def _obstacle(comp: Composition, p: int, u: int) -> str | None:
    """Why training u is not in path p; None when nothing explains it (only possible when
    the result is not proven optimal)."""
    training, spec = comp.trainings[u], comp.spec(p)
    where = comp.solution.assignment[u]
    if comp.pins.get(training.id, p) != p:
        return "other_path"
    if training.id in spec.exclude:
        return "excluded"
    broken = breach(training, spec.constraints)
    if broken is not None:
        return broken
    if training.id in comp.held and training.id not in comp.accepted:
        return "held"
    if where not in (-1, p):
        return "other_path"
    return "no_room" if where == -1 and _no_room(comp, p, u) else None


def _no_room(comp: Composition, p: int, u: int) -> bool:
    """Adding u to path p would break its maximum number of trainings or minutes."""
    mine = comp.chosen(p)
    limit, cap = comp.problem.max_count[p], comp.problem.max_minutes[p]
    spent = sum(comp.problem.minutes[t] for t in mine)
    return ((limit is not None and len(mine) + 1 > limit)
            or (cap is not None and spent + comp.problem.minutes[u] > cap))


def _titles(comp: Composition, us: list[int]) -> str:
    return _quoted(comp.trainings[u].title for u in us)


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _other_paths(comp: Composition, p: int, us: list[int]) -> dict[str, str]:
    paths = []
    for u in us:
        q = comp.pins.get(comp.trainings[u].id, comp.solution.assignment[u])
        name = comp.spec(q).name
        if name not in paths:
            paths.append(name)
    return {"paths": _quoted(paths)}


def _held_paths(comp: Composition, p: int, us: list[int]) -> dict[str, str]:
    paths: list[str] = []
    for u in us:
        paths += [name for name in comp.held[comp.trainings[u].id] if name not in paths]
    return {"paths": _quoted(paths)}


def _formats(comp: Composition, p: int, us: list[int]) -> dict[str, str]:
    return {"formats": ", ".join(sorted({comp.trainings[u].format for u in us})),
            "allowed": ", ".join(comp.spec(p).constraints.formats or [])}


def _languages(comp: Composition, p: int, us: list[int]) -> dict[str, str]:
    return {"languages": ", ".join(sorted({comp.trainings[u].language for u in us})),
            "allowed": ", ".join(comp.spec(p).constraints.languages or [])}


def _cap(comp: Composition, p: int, us: list[int]) -> dict[str, object]:
    return {"minutes": comp.spec(p).constraints.minutes_cap}


def _nothing(comp: Composition, p: int, us: list[int]) -> dict[str, object]:
    return {}


_CODES = {"excluded": "excluded", "format": "format_not_allowed",
          "language": "language_not_allowed", "too_long": "too_long", "held": "held",
          "other_path": "taken_by_other_path", "no_room": "no_room"}
_DETAILS: dict[str, Callable[[Composition, int, list[int]], dict[str, object]]] = {
    "excluded": _nothing, "format": _formats, "language": _languages, "too_long": _cap,
    "held": _held_paths, "other_path": _other_paths, "no_room": _nothing}
