"""The exact solver: CP-SAT over one model, in three stages.

1. the model: a boolean per usable (path, training), limits per path, and per goal a boolean
   per training that may be the goal's training ("serves" it);
2. the stages: (a) covered goals and the fit of their trainings, (b) fewer repeats, then more
   total fit, (c) fewer minutes. After each stage its optimum becomes a constraint and its
   solution the next stage's hint. Measured in bench/paths.py: as fast as one big weighted
   objective on one path and far faster on stacked paths;
3. extraction of the assignment, checked against :func:`objective`.

A quick greedy assignment is the first hint, and the answer when the solver finds nothing in
time. Trainings that another, at least as good training can always replace are left out of
the model beforehand (:func:`dominated`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from engine.paths.problem import MAX_FIT, Problem, Solution, objective, without_idle

#: CP-SAT's deterministic work for all stages together. Stopping on work, not on the clock,
#: keeps even a cut-short answer reproducible. The heaviest instance of bench/paths.py (three
#: stacked paths over 500 candidates with the serving rule) uses under 0.5; one unit is two
#: to four seconds of CPU on the two-core development machine.
SOLVER_WORK = 2.0
#: wall-clock limit: the safety net for slow or overloaded machines (then results may vary)
SOLVER_SECONDS = 10.0
#: CP-SAT's search order: with one worker and a fixed seed the same input gives the same answer
SOLVER_SEED = 0


# ------------------------------------------------------------------ before the model


def dominated(problem: Problem) -> list[np.ndarray]:
    """Per path, trainings that can be left out without losing optimality.

    t is dominated in path p when at least as many other trainings as the paths can hold
    together cover everything t covers, fit at least as well, take no longer, may fill when t
    may and are no repeat when t is none (ties broken by position). In any solution using t
    one of them is then free to take its place.
    """
    n = problem.n_trainings
    slots = sum(
        min(k if k is not None else n, sum(problem.eligible[p]))
        for p, k in enumerate(problem.max_count)
    )
    minutes = np.array(problem.minutes)
    repeat = np.array([problem.repeats(t) for t in range(n)], dtype=bool)
    index = np.arange(n)
    result = []
    for p in range(problem.n_paths):
        eligible = np.array(problem.eligible[p], dtype=bool)
        cover = np.array(problem.cover[p], dtype=np.int64)
        fit = np.array(problem.fit[p])
        fill = np.array([problem.may_fill(p, t) for t in range(n)], dtype=bool)
        superset = (cover[:, None] & cover[None, :]) == cover[None, :]  # [u, t]: u ⊇ t
        no_worse = (superset & (fit[:, None] >= fit[None, :])
                    & (minutes[:, None] <= minutes[None, :])
                    & (fill[:, None] | ~fill[None, :]) & (~repeat[:, None] | repeat[None, :]))
        better = (cover[:, None] != cover[None, :]) | (fit[:, None] > fit[None, :]) | (
            minutes[:, None] < minutes[None, :]) | (index[:, None] < index[None, :])
        dominators = no_worse & better & eligible[:, None]
        np.fill_diagonal(dominators, False)
        pinned = np.array([problem.must(p, t) for t in range(n)], dtype=bool)
        result.append(eligible & ~pinned & (dominators.sum(axis=0) >= max(slots, 1)))
    return result


def usable(problem: Problem) -> list[np.ndarray]:
    """Per path, the trainings the model considers: eligible and not dominated."""
    return [np.array(problem.eligible[p], dtype=bool) & ~left_out
            for p, left_out in enumerate(dominated(problem))]


def greedy(problem: Problem, allowed: list[np.ndarray]) -> list[int]:
    """A quick feasible assignment: the pinned trainings, then per path the trainings that
    cover most goals not yet covered (best fit, then shortest first), within the limits."""
    assignment = [-1] * problem.n_trainings
    for p in range(problem.n_paths):
        for t in range(problem.n_trainings):
            if problem.must(p, t):
                assignment[t] = p
    for p in range(problem.n_paths):
        _greedy_fill(problem, allowed[p], assignment, p)
    return assignment


def _greedy_fill(problem: Problem, allowed: np.ndarray, assignment: list[int], p: int) -> None:
    pinned = [t for t in range(problem.n_trainings) if problem.must(p, t)]
    count = len(pinned)
    spent = sum(problem.minutes[t] for t in pinned)
    covered = 0
    for t in pinned:
        covered |= problem.cover[p][t]
    order = sorted(
        (t for t in range(problem.n_trainings) if allowed[t]),
        key=lambda t: (-bin(problem.cover[p][t]).count("1"), -problem.fit[p][t],
                       problem.minutes[t]),
    )
    limit, cap = problem.max_count[p], problem.max_minutes[p]
    for t in order:
        if assignment[t] != -1 or problem.cover[p][t] & ~covered == 0:
            continue  # taken, or nothing new: then it could not be the goal's training
        if limit is not None and count + 1 > limit:
            break
        if cap is not None and spent + problem.minutes[t] > cap:
            continue
        assignment[t] = p
        count += 1
        spent += problem.minutes[t]
        covered |= problem.cover[p][t]


# ------------------------------------------------------------------ the model


@dataclass
class _Model:
    """``x[p, t]``: training t is in path p; ``stages``: the objectives, most important first;
    ``serving_rule``: some trainings may only be in a path as the training of a goal."""

    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    stages: list[cp_model.LinearExprT]
    serving_rule: bool = False


def _build(problem: Problem, allowed: list[np.ndarray]) -> _Model | None:
    """The model, or None when a pinned training cannot be in its path."""
    model = cp_model.CpModel()
    x = {(p, int(t)): model.new_bool_var(f"x{p}_{t}")
         for p in range(problem.n_paths) for t in np.flatnonzero(allowed[p])}
    if not _add_placement(problem, model, x):
        return None
    _add_limits(problem, model, x)
    covered, cover_fit = _add_goals(problem, model, x)
    serving_rule = any(not problem.may_fill(p, t) and not problem.must(p, t) for p, t in x)
    return _Model(model, x, _stages(problem, x, covered, cover_fit), serving_rule)


def _add_placement(problem: Problem, model: cp_model.CpModel,
                   x: dict[tuple[int, int], cp_model.IntVar]) -> bool:
    """Every training in one path at most; pinned trainings in theirs."""
    for t in range(problem.n_trainings):
        uses = [x[p, t] for p in range(problem.n_paths) if (p, t) in x]
        if len(uses) > 1:
            model.add_at_most_one(uses)
        for p in range(problem.n_paths):
            if problem.must(p, t):
                if (p, t) not in x:
                    return False
                model.add(x[p, t] == 1)
    return True


def _add_limits(problem: Problem, model: cp_model.CpModel,
                x: dict[tuple[int, int], cp_model.IntVar]) -> None:
    for p in range(problem.n_paths):
        mine = [(t, var) for (q, t), var in x.items() if q == p]
        if problem.max_count[p] is not None:
            model.add(sum(var for _, var in mine) <= problem.max_count[p])
        if problem.max_minutes[p] is not None:
            model.add(sum(problem.minutes[t] * var for t, var in mine) <= problem.max_minutes[p])


def _add_goals(problem: Problem, model: cp_model.CpModel,
               x: dict[tuple[int, int], cp_model.IntVar],
               ) -> tuple[list[cp_model.IntVar], list[cp_model.LinearExprT]]:
    """Per goal at most one serving training, which must be in the path; a training that may
    not fill serves a goal. Returns the terms of covered goals and of their trainings' fit."""
    covered: list[cp_model.IntVar] = []
    cover_fit: list[cp_model.LinearExprT] = []
    serves: dict[tuple[int, int], list[cp_model.IntVar]] = {key: [] for key in x}
    for p in range(problem.n_paths):
        mine = [(t, problem.cover[p][t]) for (q, t) in x if q == p]
        for c in range(problem.goals[p]):
            candidates = []
            for t, bits in mine:
                if bits >> c & 1:
                    var = model.new_bool_var(f"z{p}_{c}_{t}")
                    model.add_implication(var, x[p, t])
                    candidates.append(var)
                    serves[p, t].append(var)
                    cover_fit.append(problem.fit[p][t] * var)
            if candidates:
                model.add_at_most_one(candidates)
                covered.extend(candidates)
    for (p, t), var in x.items():
        if not problem.may_fill(p, t) and not problem.must(p, t):
            model.add_bool_or([var.Not(), *serves[p, t]])
    return covered, cover_fit


def _stages(problem: Problem, x: dict[tuple[int, int], cp_model.IntVar],
            covered: list[cp_model.IntVar],
            cover_fit: list[cp_model.LinearExprT]) -> list[cp_model.LinearExprT]:
    """The lexicographic objective as three weighted stages (each weight exceeds everything
    the next term can add up to)."""
    goal_weight = MAX_FIT * sum(problem.goals) + 1
    repeat_weight = MAX_FIT * problem.n_trainings + 1
    fit_terms = [problem.fit[p][t] * var for (p, t), var in x.items()]
    repeats = [var for (p, t), var in x.items() if problem.repeats(t)]
    minutes = [problem.minutes[t] * var for (p, t), var in x.items()]
    return [
        goal_weight * sum(covered) + sum(cover_fit),
        sum(fit_terms) - repeat_weight * sum(repeats),
        -sum(minutes),
    ]


def _hint(m: _Model, assignment: list[int] | dict[tuple[int, int], int]) -> None:
    m.model.clear_hints()
    for (p, t), var in m.x.items():
        if isinstance(assignment, dict):
            m.model.add_hint(var, assignment[p, t])
        else:
            m.model.add_hint(var, 1 if assignment[t] == p else 0)


def _solver(presolve: bool) -> cp_model.CpSolver:
    """One deterministic worker. Presolve (with its symmetry detection) costs about half
    again on plain models, but without it models with the serving rule can take seconds
    instead of a fraction of one (measured in bench/paths.py)."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = SOLVER_SEED
    solver.parameters.linearization_level = 2
    solver.parameters.cp_model_presolve = presolve
    return solver


def _run_stages(m: _Model, seconds: float,
                work: float) -> tuple[dict[tuple[int, int], int] | None, bool]:
    """Optimise the stages in turn, within ``work`` (deterministic) and ``seconds`` (wall
    clock) together; the last solution found, and whether every stage was proven optimal."""
    solver = _solver(presolve=m.serving_rule)
    deadline = time.perf_counter() + seconds
    values: dict[tuple[int, int], int] | None = None
    for number, stage in enumerate(m.stages, start=1):
        solver.parameters.max_time_in_seconds = max(deadline - time.perf_counter(), 0.01)
        solver.parameters.max_deterministic_time = max(work, 0.001)
        m.model.maximize(stage)
        status = solver.solve(m.model)
        work -= solver.deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return values, False
        values = {key: int(solver.value(var)) for key, var in m.x.items()}
        if status != cp_model.OPTIMAL:
            return values, False
        if number < len(m.stages):  # keep this optimum; its solution starts the next stage
            _hint(m, values)
            m.model.add(stage >= round(solver.objective_value))
    return values, True


def solve(problem: Problem, seconds: float = SOLVER_SECONDS,
          work: float = SOLVER_WORK) -> Solution:
    """The lexicographically best assignment (see :func:`objective`), proven optimal unless
    the work or time runs out first (then the best one found, with ``optimal`` false)."""
    n = problem.n_trainings
    allowed = usable(problem)
    m = _build(problem, allowed)
    if m is None:
        return Solution([-1] * n, False)
    if not m.x:
        return Solution([-1] * n, True, objective(problem, [-1] * n) or (0, 0, 0, 0, 0))
    start = greedy(problem, allowed)
    _hint(m, start)
    values, optimal = _run_stages(m, seconds, work)
    if values is None:
        return Solution(start, False, objective(problem, start) or (0, 0, 0, 0, 0))
    assignment = [-1] * n
    for (p, t), value in values.items():
        if value:
            assignment[t] = p
    if not optimal:
        assignment = without_idle(problem, assignment)
    value = objective(problem, assignment)
    assert value is not None, "solver returned an infeasible assignment"
    return Solution(assignment, optimal, value)
