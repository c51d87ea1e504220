"""The leerlijn builder: the e-book case, the rules, and optimality against brute force."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from engine.matching import CompetencyMatcher
from engine.paths import (
    PathRequest,
    Problem,
    TargetGroup,
    build_paths,
    fit_score,
    objective,
    solve,
)
from knowledge.base import data_path
from knowledge.catalogue import Catalogue, Training
from knowledge.catalogue_import import read_catalogue
from knowledge.taxonomy import load_taxonomy

CASE_SPEC = data_path("examples", "casus-secretaresse.yaml")


def brute_force(problem: Problem) -> tuple[int, int, int, int]:
    best = None
    for assignment in itertools.product(range(-1, problem.n_paths), repeat=problem.n_trainings):
        value = objective(problem, assignment)
        if value is not None and (best is None or value > best):
            best = value
    assert best is not None
    return best


def random_problem(rng: random.Random, n: int, paths: int) -> Problem:
    goals = [rng.randint(1, 3) for _ in range(paths)]
    return Problem(
        minutes=[rng.choice([10, 20, 30, 45, 60, 90, 120]) for _ in range(n)],
        cover=[[rng.randrange(0, 1 << g) if rng.random() < 0.8 else 0 for _ in range(n)]
               for g in goals],
        fit=[[rng.randint(0, 8) for _ in range(n)] for _ in range(paths)],
        eligible=[[rng.random() < 0.85 for _ in range(n)] for _ in range(paths)],
        goals=goals,
        max_count=[rng.choice([None, 1, 2, 3]) for _ in range(paths)],
        max_minutes=[rng.choice([None, 30, 60, 120, 200]) for _ in range(paths)],
    )


def _consistent(problem: Problem) -> Problem:
    """Trainings covering no goal are not eligible, as build_paths guarantees."""
    for p in range(problem.n_paths):
        for t in range(problem.n_trainings):
            if problem.cover[p][t] == 0:
                problem.eligible[p][t] = False
    return problem


@pytest.mark.parametrize("seed", range(120))
def test_solver_matches_brute_force_on_random_small_catalogues(seed: int) -> None:
    rng = random.Random(seed)
    paths = 1 if seed % 3 == 0 else 2
    n = rng.randint(1, 9 if paths == 1 else 7)
    problem = _consistent(random_problem(rng, n, paths))
    solution = solve(problem)
    assert solution.optimal
    assert objective(problem, solution.assignment) == solution.value
    assert solution.value == brute_force(problem)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3))
def test_solver_never_breaks_a_constraint(seed: int, paths: int) -> None:
    rng = random.Random(seed)
    problem = _consistent(random_problem(rng, rng.randint(1, 25), paths))
    solution = solve(problem)
    assert objective(problem, solution.assignment) is not None  # feasible
    # no training in two paths: an assignment holds one path per training by construction
    assert len(solution.assignment) == problem.n_trainings


def _matcher(path: Path) -> CompetencyMatcher:
    return CompetencyMatcher(read_catalogue(path).catalogue, load_taxonomy())


def test_ebook_case_gives_the_function_path_of_the_ebook(case_catalogue: Path) -> None:
    request = PathRequest.model_validate(yaml.safe_load(CASE_SPEC.read_text(encoding="utf-8")))
    result = build_paths(request, _matcher(case_catalogue))
    assert result.optimal
    function = result.paths[1]
    assert [t.title for t in function.trainings] == [
        "Prioriteiten stellen", "Klantvriendelijkheid", "12 werkvormen voor vergaderingen",
        "Vergadering notuleren"]
    titles = [t.title for p in result.paths for t in p.trainings]
    assert len(titles) == len(set(titles)), "paths must not overlap"
    for path in result.paths:
        assert path.uncovered == []
        assert len(path.trainings) <= 4 and path.total_minutes <= 300
        assert all(t.format == "online" for t in path.trainings)
    assert function.trainings[0].reason[0].code == "paths.reason.covers"
    assert "Informatie verwerken" in function.trainings[0].reason[0].text("nl")


def _catalogue(*trainings: Training) -> Catalogue:
    return Catalogue(name="test", trainings=trainings)


def _training(ident: str, competency: str, **extra: object) -> Training:
    values: dict[str, object] = {"id": ident, "title": f"Training {ident}", "minutes": 60,
                                 "format": "online", "competencies": (competency,)}
    values.update(extra)
    return Training.model_validate(values)


def _request(**path: object) -> PathRequest:
    spec: dict[str, object] = {"name": "p", "level": "functie", "competencies": ["Excel"]}
    spec.update(path)
    return PathRequest.model_validate({"paths": [spec]})


def test_level_fit_is_preferred_and_fallback_is_warned() -> None:
    catalogue = _catalogue(_training("a", "Excel", level="hbo"),
                           _training("b", "Excel", level="mbo", minutes=90))
    matcher = CompetencyMatcher(catalogue, load_taxonomy())
    mbo = build_paths(_request(target_group={"education": ["mbo"]},
                               constraints={"max_interventions": 1}), matcher)
    assert [t.id for t in mbo.paths[0].trainings] == ["b"]
    assert mbo.paths[0].warnings == []
    only_hbo = CompetencyMatcher(_catalogue(_training("a", "Excel", level="hbo")),
                                 load_taxonomy())
    fallback = build_paths(_request(target_group={"education": ["mbo"]}), only_hbo)
    assert [t.id for t in fallback.paths[0].trainings] == ["a"]
    assert [w.code for w in fallback.paths[0].warnings] == ["paths.warn.level_fallback"]


def test_disallowed_format_leaves_competency_uncovered_with_reason() -> None:
    matcher = CompetencyMatcher(_catalogue(_training("a", "Excel", format="klassikaal")),
                                load_taxonomy())
    result = build_paths(_request(constraints={"formats": ["online"]}), matcher)
    path = result.paths[0]
    assert path.trainings == [] and path.uncovered == ["Excel"]
    assert path.warnings[0].code == "paths.warn.no_allowed_training"
    assert "klassikaal" in path.warnings[0].text("nl")


def test_unknown_goal_is_reported_not_guessed() -> None:
    matcher = CompetencyMatcher(_catalogue(_training("a", "Excel")), load_taxonomy())
    result = build_paths(_request(competencies=["Excel", "heftruck rijden"]), matcher)
    path = result.paths[0]
    assert path.uncovered == ["heftruck rijden"]
    assert [t.id for t in path.trainings] == ["a"]


def test_overlap_is_resolved_by_giving_the_other_path_an_alternative() -> None:
    catalogue = _catalogue(_training("a", "Excel", level="mbo"),
                           _training("b", "Excel", level="hbo"))
    matcher = CompetencyMatcher(catalogue, load_taxonomy())
    request = PathRequest.model_validate({"paths": [
        {"name": "mbo", "level": "functie", "competencies": ["Excel"],
         "target_group": {"education": ["mbo"]}, "constraints": {"max_interventions": 1}},
        {"name": "hbo", "level": "afdeling", "competencies": ["Excel"],
         "target_group": {"education": ["hbo"]}, "constraints": {"max_interventions": 1}},
    ]})
    result = build_paths(request, matcher)
    assert [[t.id for t in p.trainings] for p in result.paths] == [["a"], ["b"]]


def test_fit_prefers_education_over_experience() -> None:
    group = TargetGroup(education=["mbo"], experience_years=(10, 20))
    matching_level = _training("a", "Excel", level="mbo", experience="beginner")
    matching_experience = _training("b", "Excel", level="hbo", experience="gevorderd")
    assert fit_score(matching_level, group) > fit_score(matching_experience, group)


@pytest.mark.parametrize("bad", [
    {"paths": []},
    {"paths": [{"name": "x", "level": "galaxy", "competencies": ["Excel"]}]},
    {"paths": [{"name": "x", "level": "functie", "competencies": []}]},
    {"paths": [{"name": "x", "level": "functie", "competencies": ["a"],
                "constraints": {"formats": ["telepathy"]}}]},
    {"paths": [{"name": "x", "level": "functie", "competencies": ["a"],
                "target_group": {"age": [50, 20]}}]},
    {"paths": [{"name": "x", "level": "functie", "competencies": ["a"]},
               {"name": "X", "level": "functie", "competencies": ["a"]}]},
])
def test_invalid_specs_are_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PathRequest.model_validate(bad)


def test_level_aliases() -> None:
    request = _request(level="Department")
    assert request.paths[0].level == "afdeling"
