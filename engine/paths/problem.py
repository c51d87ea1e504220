"""The optimisation problem in plain numbers, and the exact value of an assignment.

An assignment gives every training the index of its path, or -1 when it is not used. Its
value is lexicographic (see :func:`objective`); the solver maximises it and the tests check
the solver against brute force with the same function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Value = tuple[int, int, int, int, int]
#: the highest fit a training can have (see :func:`engine.paths.fit.fit_score`)
MAX_FIT = 8


@dataclass
class Problem:
    """Per path and training the numbers the solver needs; shared by the solver and the tests.

    ``fill_ok[p][t]`` says whether t may be in path p without being the (best) training of
    one of its goals, i.e. as a further training for a goal that is already covered; when it
    is None every eligible training may. ``repeat[t]`` marks trainings the people already
    have (allowed to repeat): each one used costs more than any fit can gain.
    """

    minutes: list[int]  # per training
    cover: list[list[int]]  # per path, per training: bitmask of goal competencies covered
    fit: list[list[int]]  # per path, per training
    eligible: list[list[bool]]  # per path, per training: allowed and covering some goal
    goals: list[int]  # per path: number of goal competencies
    max_count: list[int | None]
    max_minutes: list[int | None]
    required: list[list[bool]] | None = None  # per path, per training: must be in this path
    fill_ok: list[list[bool]] | None = None
    repeat: list[bool] | None = None

    def must(self, p: int, t: int) -> bool:
        return bool(self.required and self.required[p][t])

    def may_fill(self, p: int, t: int) -> bool:
        return self.fill_ok is None or self.fill_ok[p][t]

    def repeats(self, t: int) -> bool:
        return bool(self.repeat and self.repeat[t])

    def covers(self, p: int, t: int, c: int) -> bool:
        return bool(self.cover[p][t] >> c & 1)

    @property
    def n_paths(self) -> int:
        return len(self.goals)

    @property
    def n_trainings(self) -> int:
        return len(self.minutes)


@dataclass
class Solution:
    assignment: list[int]
    optimal: bool
    value: Value = field(default=(0, 0, 0, 0, 0))


def chosen(assignment: Sequence[int], p: int) -> list[int]:
    return [t for t, a in enumerate(assignment) if a == p]


def servers(problem: Problem, assignment: Sequence[int], p: int) -> dict[int, int] | None:
    """Goal -> the training that covers it in path p (a best-fitting one), such that every
    training that may not fill is the training of some goal; None when that is impossible.

    Those trainings are matched to goals first (augmenting paths); the other goals get their
    best-fitting training, the shortest and then the first among equals.
    """
    best, options = _serving_options(problem, assignment, p)
    owner = _match(options)
    if len(owner) < len(options):
        return None
    mine = chosen(assignment, p)
    for c in best:
        if c not in owner:
            owner[c] = min((t for t in mine if problem.covers(p, t, c)
                            and problem.fit[p][t] == best[c]),
                           key=lambda t: (problem.minutes[t], t))
    return dict(sorted(owner.items()))


def without_idle(problem: Problem, assignment: Sequence[int]) -> list[int]:
    """``assignment`` without the trainings that may not fill a slot yet serve no goal (a
    solution cut short by the time limit may hold some). Such a training is never the only
    best one for a goal, so leaving it out changes no goal's coverage or fit."""
    result = list(assignment)
    for p in range(problem.n_paths):
        _, options = _serving_options(problem, result, p)
        matched = set(_match(options).values())
        for t in options:
            if t not in matched:
                result[t] = -1
    return result


def _serving_options(problem: Problem, assignment: Sequence[int],
                     p: int) -> tuple[dict[int, int], dict[int, list[int]]]:
    """The best fit per covered goal of path p, and per training there that may not fill the
    goals it could be the (best-fitting) training of."""
    mine = chosen(assignment, p)
    best = {}
    for c in range(problem.goals[p]):
        fits = [problem.fit[p][t] for t in mine if problem.covers(p, t, c)]
        if fits:
            best[c] = max(fits)
    options = {t: [c for c in best if problem.covers(p, t, c) and problem.fit[p][t] == best[c]]
               for t in mine if not problem.may_fill(p, t) and not problem.must(p, t)}
    return best, options


def _match(options: dict[int, list[int]]) -> dict[int, int]:
    """A largest matching of trainings to goals (each goal once), as goal -> training."""
    owner: dict[int, int] = {}

    def place(t: int, seen: set[int]) -> bool:
        for c in options[t]:
            if c not in seen:
                seen.add(c)
                if c not in owner or place(owner[c], seen):
                    owner[c] = t
                    return True
        return False

    for t in options:
        place(t, set())
    return owner


def _within_limits(problem: Problem, assignment: Sequence[int], p: int) -> bool:
    mine = chosen(assignment, p)
    if any(not problem.eligible[p][t] for t in mine):
        return False
    if any(problem.must(p, t) and assignment[t] != p for t in range(problem.n_trainings)):
        return False
    limit = problem.max_count[p]
    if limit is not None and len(mine) > limit:
        return False
    cap = problem.max_minutes[p]
    return cap is None or sum(problem.minutes[t] for t in mine) <= cap


def objective(problem: Problem, assignment: Sequence[int]) -> Value | None:
    """Lexicographic value of ``assignment``: (goals covered, fit of the best training of each
    covered goal, minus the trainings repeated, total fit, minus the minutes), or None when it
    breaks a constraint."""
    covered = cover_fit = total_fit = minutes = 0
    for p in range(problem.n_paths):
        if not _within_limits(problem, assignment, p):
            return None
        served = servers(problem, assignment, p)
        if served is None:
            return None
        covered += len(served)
        cover_fit += sum(problem.fit[p][t] for t in served.values())
        mine = chosen(assignment, p)
        total_fit += sum(problem.fit[p][t] for t in mine)
        minutes += sum(problem.minutes[t] for t in mine)
    repeats = sum(1 for t, a in enumerate(assignment) if a != -1 and problem.repeats(t))
    return covered, cover_fit, -repeats, total_fit, -minutes
