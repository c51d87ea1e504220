"""The leerlijn builder: the 5 steps of the method (level, target group, learning goal,
constraints, composition) turned into an exact optimisation.

For every requested path we choose trainings so that, in this order of importance:

1. as many goal competencies as possible are covered;
2. each covered competency is covered by a training that fits the target group as well as
   possible (education level first, then experience);
3. free slots are used for further fitting trainings on the goal competencies;
4. the total duration is as small as possible,

without ever breaking a constraint (allowed formats and languages, number of trainings, hours)
and, because paths requested together are stacked on the same people, without any training
appearing in two paths. The choice is solved exactly with OR-tools CP-SAT on one worker; a
time limit guards against pathological inputs, and the result says whether optimality was
proven.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from ortools.sat.python import cp_model
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.matching import CompetencyMatcher
from engine.notes import Note, note
from engine.text import fold
from knowledge.catalogue import Catalogue, EducationLevel, Training, normalise_format

Level = Literal["organisatie", "afdeling", "functie", "individueel"]
LEVELS: tuple[str, ...] = Level.__args__  # type: ignore[attr-defined]
LEVEL_ALIASES = {
    "organisatie": "organisatie", "organisation": "organisatie", "organization": "organisatie",
    "afdeling": "afdeling", "afdelings": "afdeling", "team": "afdeling", "department": "afdeling",
    "functie": "functie", "function": "functie", "rol": "functie", "role": "functie",
    "individueel": "individueel", "individual": "individueel", "persoonlijk": "individueel",
    "personal": "individueel",
}
#: From this many years of experience on, "gevorderd" trainings fit; below it "beginner" ones.
EXPERIENCED_YEARS = 3
SOLVER_SECONDS = 10.0


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TargetGroup(Spec):
    size: int = Field(1, ge=1, le=1_000_000)
    age: tuple[int, int] | None = None
    experience_years: tuple[int, int] | None = None
    education: list[EducationLevel] = Field(default_factory=list)

    @field_validator("age", "experience_years")
    @classmethod
    def _ordered(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        if value is not None:
            low, high = value
            if low < 0 or high < low or high > 100:
                raise ValueError("give a range [low, high] with 0 <= low <= high <= 100")
        return value

    @field_validator("education", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.replace("+", " ").replace("/", " ").split() if part]
        if isinstance(value, list):
            return [v.casefold().strip() if isinstance(v, str) else v for v in value]
        return value


class Constraints(Spec):
    max_interventions: int | None = Field(None, ge=1, le=100)
    max_hours: float | None = Field(None, gt=0, le=10_000)
    deadline_months: int | None = Field(None, ge=1, le=120)
    hours_per_month: float | None = Field(None, gt=0, le=200,
                                          description="study time; with a deadline it caps hours")
    formats: list[str] | None = None
    languages: list[str] | None = None

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        result = []
        for item in value:
            canonical = normalise_format(item)
            if canonical is None:
                raise ValueError(f"unknown learning format {item!r}")
            result.append(canonical)
        return result

    @field_validator("languages")
    @classmethod
    def _lower_languages(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [v.casefold() for v in value]

    @property
    def minutes_cap(self) -> int | None:
        caps = []
        if self.max_hours is not None:
            caps.append(round(self.max_hours * 60))
        if self.deadline_months is not None and self.hours_per_month is not None:
            caps.append(round(self.deadline_months * self.hours_per_month * 60))
        return min(caps) if caps else None


class PathSpec(Spec):
    name: str = Field(min_length=1, max_length=120)
    level: Level
    target_group: TargetGroup = Field(default_factory=TargetGroup)
    competencies: list[str] = Field(min_length=1, max_length=30)
    constraints: Constraints = Field(default_factory=Constraints)
    include: list[str] = Field(default_factory=list, description="training ids that must be in")
    exclude: list[str] = Field(default_factory=list, description="training ids never to use")

    @field_validator("level", mode="before")
    @classmethod
    def _level_alias(cls, value: object) -> object:
        if isinstance(value, str):
            return LEVEL_ALIASES.get(fold(value).strip(), value)
        return value


class PathRequest(Spec):
    paths: list[PathSpec] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _unique_names(self) -> PathRequest:
        names = [p.name.casefold() for p in self.paths]
        if len(names) != len(set(names)):
            raise ValueError("every path needs its own name")
        included = [i for p in self.paths for i in p.include]
        if len(included) != len(set(included)):
            raise ValueError("a training can be included in one path only")
        return self


class ChosenTraining(BaseModel):
    id: str
    title: str
    minutes: int
    format: str
    level: str | None
    competencies: list[str] = Field(description="goal competencies this training covers")
    reason: list[Note]
    fit: int


class GoalResolution(BaseModel):
    text: str
    competency: str | None
    score: float


class PathResult(BaseModel):
    name: str
    level: str
    goals: list[GoalResolution]
    trainings: list[ChosenTraining]
    total_minutes: int
    uncovered: list[str]
    warnings: list[Note]


class BuildResult(BaseModel):
    paths: list[PathResult]
    optimal: bool
    objective: tuple[int, int, int, int]
    seconds: float


# ------------------------------------------------------------------------- fit


def education_fit(training: Training, group: TargetGroup) -> int:
    """2: the training's level is one of the group's, 1: unknown, 0: it is not."""
    if training.level is None or not group.education:
        return 1
    return 2 if training.level in group.education else 0


def experience_fit(training: Training, group: TargetGroup) -> int:
    if training.experience is None or group.experience_years is None:
        return 1
    low, high = group.experience_years
    if training.experience == "beginner":
        return 2 if low < EXPERIENCED_YEARS else 0
    return 2 if high >= EXPERIENCED_YEARS else 0


def fit_score(training: Training, group: TargetGroup) -> int:
    """0..8; education level outweighs experience, as in the method's worked case."""
    return 3 * education_fit(training, group) + experience_fit(training, group)


# ------------------------------------------------------------------ the problem


@dataclass
class Problem:
    """The optimisation problem in plain numbers; shared by the solver and the tests."""

    minutes: list[int]  # per training
    cover: list[list[int]]  # per path, per training: bitmask of goal competencies covered
    fit: list[list[int]]  # per path, per training
    eligible: list[list[bool]]  # per path, per training: allowed and covering some goal
    goals: list[int]  # per path: number of goal competencies
    max_count: list[int | None]
    max_minutes: list[int | None]
    required: list[list[bool]] | None = None  # per path, per training: must be in this path

    def must(self, p: int, t: int) -> bool:
        return bool(self.required and self.required[p][t])

    @property
    def n_paths(self) -> int:
        return len(self.goals)

    @property
    def n_trainings(self) -> int:
        return len(self.minutes)


def objective(problem: Problem, assignment: Sequence[int]) -> tuple[int, int, int, int] | None:
    """Lexicographic value of ``assignment`` (path index per training, -1 for none), or None
    when it breaks a constraint."""
    covered = cover_fit = total_fit = minutes = 0
    for p in range(problem.n_paths):
        chosen = [t for t, a in enumerate(assignment) if a == p]
        if any(not problem.eligible[p][t] for t in chosen):
            return None
        if any(problem.must(p, t) and assignment[t] != p for t in range(problem.n_trainings)):
            return None
        limit = problem.max_count[p]
        if limit is not None and len(chosen) > limit:
            return None
        spent = sum(problem.minutes[t] for t in chosen)
        cap = problem.max_minutes[p]
        if cap is not None and spent > cap:
            return None
        for c in range(problem.goals[p]):
            fits = [problem.fit[p][t] for t in chosen if problem.cover[p][t] >> c & 1]
            if fits:
                covered += 1
                cover_fit += max(fits)
        total_fit += sum(problem.fit[p][t] for t in chosen)
        minutes += spent
    return covered, cover_fit, total_fit, -minutes


@dataclass
class Solution:
    assignment: list[int]
    optimal: bool
    value: tuple[int, int, int, int] = field(default=(0, 0, 0, 0))


def _dominated(problem: Problem) -> list[np.ndarray]:
    """Per path, trainings that can be left out without losing optimality.

    t is dominated in path p when at least as many other trainings as the paths can hold
    together cover everything t covers, fit at least as well and take no longer (ties broken
    by position). In any solution using t one of them is then free to take its place.
    """
    n = problem.n_trainings
    slots = sum(
        min(k if k is not None else n, sum(problem.eligible[p]))
        for p, k in enumerate(problem.max_count)
    )
    minutes = np.array(problem.minutes)
    index = np.arange(n)
    result = []
    for p in range(problem.n_paths):
        eligible = np.array(problem.eligible[p])
        cover = np.array(problem.cover[p], dtype=np.int64)
        fit = np.array(problem.fit[p])
        superset = (cover[:, None] & cover[None, :]) == cover[None, :]  # [u, t]: u ⊇ t
        no_worse = (superset & (fit[:, None] >= fit[None, :])
                    & (minutes[:, None] <= minutes[None, :]))
        better = (cover[:, None] != cover[None, :]) | (fit[:, None] > fit[None, :]) | (
            minutes[:, None] < minutes[None, :]) | (index[:, None] < index[None, :])
        dominators = no_worse & better & eligible[:, None]
        np.fill_diagonal(dominators, False)
        pinned = np.array([problem.must(p, t) for t in range(n)], dtype=bool)
        result.append(eligible & ~pinned & (dominators.sum(axis=0) >= max(slots, 1)))
    return result


def _greedy(problem: Problem, usable: list[np.ndarray]) -> list[int]:
    """A quick feasible assignment used as the solver's starting point."""
    assignment = [-1] * problem.n_trainings
    for p in range(problem.n_paths):
        for t in range(problem.n_trainings):
            if problem.must(p, t):
                assignment[t] = p
    for p in range(problem.n_paths):
        pinned = [t for t in range(problem.n_trainings) if problem.must(p, t)]
        count = len(pinned)
        spent = sum(problem.minutes[t] for t in pinned)
        covered = 0
        for t in pinned:
            covered |= problem.cover[p][t]
        order = sorted(
            (t for t in range(problem.n_trainings) if usable[p][t]),
            key=lambda t: (-bin(problem.cover[p][t]).count("1"), -problem.fit[p][t],
                           problem.minutes[t]),
        )
        for t in order:
            if assignment[t] != -1 or problem.cover[p][t] & ~covered == 0:
                continue
            if problem.max_count[p] is not None and count + 1 > problem.max_count[p]:
                break
            cap = problem.max_minutes[p]
            if cap is not None and spent + problem.minutes[t] > cap:
                continue
            assignment[t] = p
            count += 1
            spent += problem.minutes[t]
            covered |= problem.cover[p][t]
    return assignment


def solve(problem: Problem, seconds: float = SOLVER_SECONDS) -> Solution:
    """The lexicographically best assignment (see the module docstring).

    The levels are solved in stages on one model: (1) coverage and the fit of the covering
    trainings, (2) total fit, (3) minutes; after each stage its optimum is fixed as a
    constraint and the solution is the next stage's hint. Measured in bench/paths.py: this is
    as fast as one big weighted objective on one path and far faster on stacked paths.
    """
    n = problem.n_trainings
    usable = [np.array(problem.eligible[p]) & ~dominated
              for p, dominated in enumerate(_dominated(problem))]
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for p in range(problem.n_paths):
        for t in np.flatnonzero(usable[p]):
            x[p, int(t)] = model.new_bool_var(f"x{p}_{t}")
    if not x:
        return Solution([-1] * n, True, (0, 0, 0, 0))
    for t in range(n):
        uses = [x[p, t] for p in range(problem.n_paths) if (p, t) in x]
        if len(uses) > 1:
            model.add_at_most_one(uses)
        for p in range(problem.n_paths):
            if problem.must(p, t):
                if (p, t) not in x:
                    return Solution([-1] * n, False, (0, 0, 0, 0))
                model.add(x[p, t] == 1)
    covered_terms, cover_fit_terms, fit_terms, minute_terms = [], [], [], []
    for p in range(problem.n_paths):
        mine = [(t, var) for (q, t), var in x.items() if q == p]
        if problem.max_count[p] is not None:
            model.add(sum(var for _, var in mine) <= problem.max_count[p])
        if problem.max_minutes[p] is not None:
            model.add(sum(problem.minutes[t] * var for t, var in mine) <= problem.max_minutes[p])
        for c in range(problem.goals[p]):
            servers = []
            for t, var in mine:
                if problem.cover[p][t] >> c & 1:
                    serves = model.new_bool_var(f"z{p}_{c}_{t}")
                    model.add_implication(serves, var)
                    servers.append(serves)
                    cover_fit_terms.append(problem.fit[p][t] * serves)
            if servers:
                model.add_at_most_one(servers)
                covered_terms.extend(servers)
        for t, var in mine:
            fit_terms.append(problem.fit[p][t] * var)
            minute_terms.append(problem.minutes[t] * var)
    stages = [
        (8 * sum(problem.goals) + 1) * sum(covered_terms) + sum(cover_fit_terms),
        sum(fit_terms),
        -sum(minute_terms),
    ]
    for t, p in enumerate(_greedy(problem, usable)):
        for q in range(problem.n_paths):
            if (q, t) in x:
                model.add_hint(x[q, t], 1 if p == q else 0)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    solver.parameters.cp_model_presolve = False
    deadline = time.perf_counter() + seconds
    optimal = True
    found = False
    for stage in stages:
        solver.parameters.max_time_in_seconds = max(deadline - time.perf_counter(), 0.01)
        model.maximize(stage)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        found = True
        optimal = optimal and status == cp_model.OPTIMAL
        values = {key: solver.value(var) for key, var in x.items()}
        model.clear_hints()
        for key, var in x.items():
            model.add_hint(var, values[key])
        model.add(stage >= round(solver.objective_value))
        if status != cp_model.OPTIMAL:
            break
    if not found:
        assignment = _greedy(problem, usable)
        return Solution(assignment, False, objective(problem, assignment) or (0, 0, 0, 0))
    assignment = [-1] * n
    for (p, t), value in values.items():
        if value:
            assignment[t] = p
    value = objective(problem, assignment)
    assert value is not None, "solver returned an infeasible assignment"
    return Solution(assignment, optimal, value)


# ------------------------------------------------------------------- building


@dataclass
class _Goals:
    labels: list[str]
    resolutions: list[GoalResolution]
    warnings: list[Note]


def resolve_goals(texts: list[str], matcher: CompetencyMatcher) -> _Goals:
    """Map goal texts onto catalogue competencies; exact labels are taken as they are."""
    exact = {fold(label): label for label in matcher.labels}
    labels: list[str] = []
    resolutions: list[GoalResolution] = []
    warnings: list[Note] = []
    for text in texts:
        label = exact.get(fold(text).strip())
        score = 100.0
        if label is None:
            result = matcher.match(text, k=1)
            best = result.best
            if best is None or not result.confident:
                resolutions.append(GoalResolution(text=text, competency=None,
                                                  score=best.score if best else 0.0))
                if best is None:
                    warnings.append(note("paths.warn.no_match", goal=text))
                else:
                    warnings.append(note("paths.warn.unsure_match", goal=text,
                                         closest=best.competency))
                continue
            label, score = best.competency, best.score
        resolutions.append(GoalResolution(text=text, competency=label, score=score))
        if label in labels:
            warnings.append(note("paths.warn.duplicate_goal", goal=text, competency=label))
        else:
            labels.append(label)
    return _Goals(labels, resolutions, warnings)


def _allowed(training: Training, spec: PathSpec, goals: _Goals, p: int,
             pins: dict[str, int]) -> bool:
    """May ``training`` be in path ``p``: pinned there, or allowed and covering a goal."""
    if training.id in pins:
        return pins[training.id] == p
    if training.id in spec.exclude:
        return False
    return _eligible(training, spec.constraints) and any(
        c in training.competencies for c in goals.labels)


def _eligible(training: Training, constraints: Constraints) -> bool:
    if constraints.formats is not None and training.format not in constraints.formats:
        return False
    if constraints.languages is not None and training.language not in constraints.languages:
        return False
    cap = constraints.minutes_cap
    return cap is None or training.minutes <= cap


def build_paths(request: PathRequest, matcher: CompetencyMatcher,
                seconds: float = SOLVER_SECONDS) -> BuildResult:
    """Compose every requested path at once, without overlap between them."""
    started = time.perf_counter()
    catalogue: Catalogue = matcher.catalogue
    trainings = catalogue.trainings
    goals = [resolve_goals(spec.competencies, matcher) for spec in request.paths]
    pins = {training_id: p for p, spec in enumerate(request.paths) for training_id in spec.include}
    problem = Problem(
        minutes=[tr.minutes for tr in trainings],
        cover=[[sum(1 << c for c, label in enumerate(g.labels) if label in tr.competencies)
                for tr in trainings] for g in goals],
        fit=[[fit_score(tr, spec.target_group) for tr in trainings] for spec in request.paths],
        eligible=[[_allowed(tr, spec, g, p, pins) for tr in trainings]
                  for p, (spec, g) in enumerate(zip(request.paths, goals, strict=True))],
        goals=[len(g.labels) for g in goals],
        max_count=[spec.constraints.max_interventions for spec in request.paths],
        max_minutes=[spec.constraints.minutes_cap for spec in request.paths],
        required=[[pins.get(tr.id) == p for tr in trainings] for p in range(len(request.paths))],
    )
    solution = solve(problem, seconds)
    results = [
        _describe(p, spec, goals[p], problem, solution, request, trainings)
        for p, spec in enumerate(request.paths)
    ]
    return BuildResult(paths=results, optimal=solution.optimal, objective=solution.value,
                       seconds=round(time.perf_counter() - started, 4))


def _describe(p: int, spec: PathSpec, goals: _Goals, problem: Problem, solution: Solution,
              request: PathRequest, trainings: Sequence[Training]) -> PathResult:
    group = spec.target_group
    chosen = [t for t, a in enumerate(solution.assignment) if a == p]
    warnings = list(goals.warnings)
    covered_by: dict[int, list[int]] = {}
    for t in chosen:
        for c in range(len(goals.labels)):
            if problem.cover[p][t] >> c & 1:
                covered_by.setdefault(c, []).append(t)

    def sort_key(t: int) -> tuple[int, int]:
        firsts = [c for c in range(len(goals.labels)) if problem.cover[p][t] >> c & 1]
        return (min(firsts) if firsts else len(goals.labels), t)

    items: list[ChosenTraining] = []
    for t in sorted(chosen, key=sort_key):
        training = trainings[t]
        covers = [goals.labels[c] for c in range(len(goals.labels))
                  if problem.cover[p][t] >> c & 1]
        serving = [c for c in covered_by if max(covered_by[c], key=lambda u: (
            problem.fit[p][u], -problem.minutes[u], -u)) == t]
        reason = [note("paths.reason.covers" if serving else "paths.reason.extra",
                       competencies=", ".join(covers))]
        reason.append(_education_note(training, group))
        experience = _experience_note(training, group)
        if experience:
            reason.append(experience)
        items.append(ChosenTraining(
            id=training.id, title=training.title, minutes=training.minutes,
            format=training.format, level=training.level, competencies=covers,
            reason=reason, fit=problem.fit[p][t]))
        if serving and education_fit(training, group) == 0:
            warnings.append(note("paths.warn.level_fallback", title=training.title,
                                 level=training.level or "?",
                                 education="/".join(group.education),
                                 competency=", ".join(goals.labels[c] for c in serving)))
    uncovered = [text for text, r in zip(spec.competencies, goals.resolutions, strict=True)
                 if r.competency is None]
    for c, label in enumerate(goals.labels):
        if c in covered_by:
            continue
        uncovered.append(label)
        warnings.append(_why_uncovered(p, c, label, spec, problem, solution, request,
                                       trainings))
    if spec.level == "individueel" and group.size > 1:
        warnings.append(note("paths.warn.individual_size", size=group.size))
    if not solution.optimal:
        warnings.append(note("paths.warn.not_proven"))
    return PathResult(
        name=spec.name, level=spec.level, goals=goals.resolutions, trainings=items,
        total_minutes=sum(trainings[t].minutes for t in chosen), uncovered=uncovered,
        warnings=warnings)


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
    return note(code, experience=training.experience, low=low, high=high)


def _why_uncovered(p: int, c: int, label: str, spec: PathSpec, problem: Problem,
                   solution: Solution, request: PathRequest,
                   trainings: Sequence[Training]) -> Note:
    offering = [t for t in range(problem.n_trainings) if problem.cover[p][t] >> c & 1]
    if not offering:
        return note("paths.warn.no_training", competency=label)
    allowed = [t for t in offering if problem.eligible[p][t]]
    if not allowed:
        formats = sorted({trainings[t].format for t in offering})
        return note("paths.warn.no_allowed_training", competency=label,
                    formats=", ".join(formats))
    free = [t for t in allowed if solution.assignment[t] == -1]
    if not free:
        other = request.paths[solution.assignment[allowed[0]]].name
        return note("paths.warn.taken_by_other_path", competency=label, path=other)
    return note("paths.warn.constraints_full", competency=label)
