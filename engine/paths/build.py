"""Step 5 of the method: from a request to paths. The request becomes a :class:`Problem`, the
solver chooses, and :mod:`engine.paths.explain` says why."""

from __future__ import annotations

import time
from collections.abc import Sequence

from engine.matching import CompetencyMatcher
from engine.paths.explain import Composition, describe
from engine.paths.fit import breach, fit_score, fits
from engine.paths.goals import Goals, resolve_goals
from engine.paths.models import BuildResult, PathRequest, PathSpec
from engine.paths.problem import Problem
from engine.paths.solver import SOLVER_SECONDS, solve
from engine.solving import run_solver
from knowledge.catalogue import Training


def build_paths(request: PathRequest, matcher: CompetencyMatcher,
                seconds: float = SOLVER_SECONDS) -> BuildResult:
    """Compose every requested path at once: no training in two of them, none that the
    people already hold unless accepted (rules in :mod:`engine.paths`)."""
    started = time.perf_counter()
    trainings = matcher.catalogue.trainings
    goals = [resolve_goals(spec.competencies, matcher) for spec in request.paths]
    comp = compose(request, trainings, goals, seconds)
    return BuildResult(paths=describe(comp), optimal=comp.solution.optimal,
                       objective=comp.solution.value,
                       seconds=round(time.perf_counter() - started, 4))


async def build_paths_async(request: PathRequest, matcher: CompetencyMatcher,
                            seconds: float = SOLVER_SECONDS) -> BuildResult:
    """:func:`build_paths` in a solver thread, so the event loop keeps serving others."""
    return await run_solver(build_paths, request, matcher, seconds)


def compose(request: PathRequest, trainings: Sequence[Training], goals: list[Goals],
            seconds: float = SOLVER_SECONDS) -> Composition:
    """The problem of ``request`` over ``trainings``, solved."""
    pins = {training_id: p for p, spec in enumerate(request.paths)
            for training_id in spec.include}
    held: dict[str, list[str]] = {}
    for item in request.held:
        names = held.setdefault(item.training_id, [])
        if item.path_name not in names:
            names.append(item.path_name)
    accepted = frozenset(request.accept_overlap) | frozenset(pins)
    problem = make_problem(request.paths, trainings, goals, pins, frozenset(held), accepted)
    return Composition(request=request, trainings=trainings, goals=goals, problem=problem,
                       solution=solve(problem, seconds), held=held, accepted=accepted,
                       pins=pins)


def make_problem(specs: Sequence[PathSpec], trainings: Sequence[Training], goals: list[Goals],
                 pins: dict[str, int], held: frozenset[str] = frozenset(),
                 accepted: frozenset[str] = frozenset()) -> Problem:
    """The numbers of the problem. ``pins``: included training id -> its path; ``held``: ids
    the people already have, of which only the ``accepted`` ones may be used."""
    blocked = held - accepted
    pinned = [[t for t, tr in enumerate(trainings) if pins.get(tr.id) == p]
              for p in range(len(specs))]
    return Problem(
        minutes=[tr.minutes for tr in trainings],
        cover=[[sum(1 << c for c, label in enumerate(g.labels) if label in tr.competencies)
                for tr in trainings] for g in goals],
        fit=[[fit_score(tr, spec.target_group) for tr in trainings] for spec in specs],
        eligible=[[_allowed(tr, spec, g, p, pins, blocked) for tr in trainings]
                  for p, (spec, g) in enumerate(zip(specs, goals, strict=True))],
        goals=[len(g.labels) for g in goals],
        max_count=[_at_least(spec.constraints.max_interventions, len(mine))
                   for spec, mine in zip(specs, pinned, strict=True)],
        max_minutes=[_at_least(spec.constraints.minutes_cap,
                               sum(trainings[t].minutes for t in mine))
                     for spec, mine in zip(specs, pinned, strict=True)],
        required=[[pins.get(tr.id) == p for tr in trainings] for p in range(len(specs))],
        fill_ok=[[fits(tr, spec.target_group) for tr in trainings] for spec in specs],
        repeat=[tr.id in held for tr in trainings],
    )


def _at_least(limit: int | None, used: int) -> int | None:
    """A path's limit, raised to what the manager's own choices already use (they stay)."""
    return None if limit is None else max(limit, used)


def _allowed(training: Training, spec: PathSpec, goals: Goals, p: int, pins: dict[str, int],
             blocked: frozenset[str]) -> bool:
    """May ``training`` be in path ``p``: pinned there, or allowed and covering a goal."""
    if training.id in pins:
        return pins[training.id] == p
    if training.id in spec.exclude or training.id in blocked:
        return False
    return breach(training, spec.constraints) is None and any(
        c in training.competencies for c in goals.labels)
