"""The leerlijn builder: the e-book case, the rules, and optimality against brute force."""

from __future__ import annotations

import asyncio
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
    BuildResult,
    DuplicateTraining,
    HeldTraining,
    PathRequest,
    Problem,
    Solution,
    TargetGroup,
    build_paths,
    build_paths_async,
    duplicate_trainings,
    fit_score,
    fits,
    held_trainings,
    objective,
    solve,
    without_idle,
)
from knowledge.base import data_path
from knowledge.catalogue import Catalogue, Training
from knowledge.catalogue_import import read_catalogue
from knowledge.taxonomy import load_taxonomy

CASE_SPEC = data_path("examples", "casus-secretaresse.yaml")


def brute_force(problem: Problem) -> tuple[int, ...]:
    best = None
    for assignment in itertools.product(range(-1, problem.n_paths), repeat=problem.n_trainings):
        value = objective(problem, assignment)
        if value is not None and (best is None or value > best):
            best = value
    assert best is not None
    return best


def random_problem(rng: random.Random, n: int, paths: int, rules: bool = False) -> Problem:
    """A random problem; with ``rules`` also trainings that may not fill, repeats and pins."""
    goals = [rng.randint(1, 3) for _ in range(paths)]
    problem = Problem(
        minutes=[rng.choice([10, 20, 30, 45, 60, 90, 120]) for _ in range(n)],
        cover=[[rng.randrange(0, 1 << g) if rng.random() < 0.8 else 0 for _ in range(n)]
               for g in goals],
        fit=[[rng.randint(0, 8) for _ in range(n)] for _ in range(paths)],
        eligible=[[rng.random() < 0.85 for _ in range(n)] for _ in range(paths)],
        goals=goals,
        max_count=[rng.choice([None, 1, 2, 3]) for _ in range(paths)],
        max_minutes=[rng.choice([None, 30, 60, 120, 200]) for _ in range(paths)],
    )
    if rules:
        problem.fill_ok = [[rng.random() < 0.6 for _ in range(n)] for _ in range(paths)]
        problem.repeat = [rng.random() < 0.25 for _ in range(n)]
        problem.required = [[False] * n for _ in range(paths)]
        if rng.random() < 0.3:
            p, t = rng.randrange(paths), rng.randrange(n)
            problem.required[p][t] = problem.eligible[p][t] = True
            problem.max_count = [None] * paths
            problem.max_minutes = [None] * paths
    return problem


def _consistent(problem: Problem) -> Problem:
    """Trainings covering no goal are not eligible, as build_paths guarantees."""
    for p in range(problem.n_paths):
        for t in range(problem.n_trainings):
            if problem.cover[p][t] == 0 and not problem.must(p, t):
                problem.eligible[p][t] = False
    return problem


@pytest.mark.parametrize("seed", range(160))
def test_solver_matches_brute_force_on_random_small_catalogues(seed: int) -> None:
    rng = random.Random(seed)
    paths = 1 if seed % 3 == 0 else 2
    n = rng.randint(1, 9 if paths == 1 else 7)
    problem = _consistent(random_problem(rng, n, paths, rules=seed % 4 != 0))
    solution = solve(problem)
    assert solution.optimal
    assert objective(problem, solution.assignment) == solution.value
    assert solution.value == brute_force(problem)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3), st.booleans())
def test_solver_never_breaks_a_constraint(seed: int, paths: int, rules: bool) -> None:
    rng = random.Random(seed)
    problem = _consistent(random_problem(rng, rng.randint(1, 25), paths, rules))
    solution = solve(problem)
    assert objective(problem, solution.assignment) is not None  # feasible
    # no training in two paths: an assignment holds one path per training by construction
    assert len(solution.assignment) == problem.n_trainings


def _matcher(path: Path) -> CompetencyMatcher:
    return CompetencyMatcher(read_catalogue(path).catalogue, load_taxonomy())


FUNCTION_PATH = {"Prioriteiten stellen", "Klantvriendelijkheid",
                 "12 werkvormen voor vergaderingen", "Vergadering notuleren"}


def _case(case_catalogue: Path) -> tuple[PathRequest, CompetencyMatcher]:
    request = PathRequest.model_validate(yaml.safe_load(CASE_SPEC.read_text(encoding="utf-8")))
    return request, _matcher(case_catalogue)


def test_ebook_case_end_to_end(case_catalogue: Path) -> None:
    """The three stacked levels of the e-book: the function path of the e-book, every goal
    of every level covered, no training twice, and nothing in a path that is not there for a
    goal of it or does not fit its group."""
    request, matcher = _case(case_catalogue)
    result = build_paths(request, matcher)
    assert result.optimal
    department, function, individual = result.paths
    assert {t.title for t in function.trainings} == FUNCTION_PATH
    assert [t.title for t in function.trainings] == [
        "Prioriteiten stellen", "Klantvriendelijkheid", "12 werkvormen voor vergaderingen",
        "Vergadering notuleren"]
    klant = next(t for t in function.trainings if t.title == "Klantvriendelijkheid")
    assert klant.reason[0].code == "paths.reason.covers"
    assert "Directie ondersteunen" in klant.reason[0].text("nl")
    ids = [t.id for path in result.paths for t in path.trainings]
    assert len(ids) == len(set(ids)), "paths must not overlap"
    by_id = {t.id: t for t in matcher.catalogue.trainings}
    for path, spec in zip(result.paths, request.paths, strict=True):
        assert path.uncovered == [] and path.warnings == []
        assert {r.competency for r in path.goals} <= {c for t in path.trainings
                                                        for c in t.competencies}
        assert len(path.trainings) <= 4 and path.total_minutes <= 300
        assert all(t.format == "online" for t in path.trainings)
        for item in path.trainings:
            serves = any(n.code == "paths.reason.covers" for n in item.reason)
            assert serves or fits(by_id[item.id], spec.target_group), item.title
    assert "Feedback die landt" not in {t.title for t in individual.trainings}
    assert "Omgaan met lastige klanten" in {t.title for t in department.trainings}


def test_same_specs_give_the_same_paths_in_cli_chat_and_async(case_catalogue: Path) -> None:
    from bot.cli import paths_json

    request, matcher = _case(case_catalogue)
    first = build_paths(request, matcher)
    again = build_paths(PathRequest.model_validate(request.model_dump()), matcher)
    threaded = asyncio.run(build_paths_async(request, matcher))
    assert _chosen(first) == _chosen(again) == _chosen(threaded)
    assert paths_json(first, "nl") == paths_json(threaded, "nl")


def _chosen(result: BuildResult) -> list[list[str]]:
    return [[t.id for t in path.trainings] for path in result.paths]


def test_editing_one_level_re_solves_all_of_them_jointly(case_catalogue: Path) -> None:
    """The chat re-solves every level on each change: a swap (include) in the function path
    moves the other levels around it, and a removal (exclude) is honoured."""
    request, matcher = _case(case_catalogue)
    ids = {t.title: t.id for t in matcher.catalogue.trainings}
    swapped = request.model_copy(deep=True)
    swapped.paths[1].include = [ids["Het nieuwe vergaderen"]]
    swapped.paths[0].exclude = [ids["Effectief e-mailen"]]
    result = build_paths(swapped, matcher)
    department, function, _ = result.paths
    assert ids["Het nieuwe vergaderen"] in [t.id for t in function.trainings]
    assert next(t for t in function.trainings if t.title == "Het nieuwe vergaderen").included
    assert "Effectief e-mailen" not in {t.title for t in department.trainings}
    used = [t.id for path in result.paths for t in path.trainings]
    assert len(used) == len(set(used))
    assert all(path.uncovered == [] for path in result.paths)
    assert result.optimal


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
    assert [w.code for w in fallback.paths[0].warnings] == ["paths.warn.level_fallback",
                                                             "paths.warn.none_at_level"]


def test_disallowed_format_leaves_competency_uncovered_with_reason() -> None:
    matcher = CompetencyMatcher(_catalogue(_training("a", "Excel", format="klassikaal")),
                                load_taxonomy())
    result = build_paths(_request(constraints={"formats": ["online"]}), matcher)
    path = result.paths[0]
    assert path.trainings == [] and path.uncovered == ["Excel"]
    assert path.warnings[0].code == "paths.warn.format_not_allowed"
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


@pytest.mark.parametrize(("level", "experience", "group", "expected"), [
    ("mbo", "beginner", {"education": ["mbo"], "experience_years": [0, 2]}, True),
    ("mbo", "beginner", {"education": ["mbo"], "experience_years": [5, 30]}, True),
    ("hbo", "beginner", {"education": ["mbo"], "experience_years": [0, 2]}, False),
    ("mbo", "gevorderd", {"education": ["mbo"], "experience_years": [0, 2]}, False),
    ("mbo", "gevorderd", {"education": ["mbo"], "experience_years": [0, 5]}, True),
    (None, None, {"education": ["mbo"], "experience_years": [0, 2]}, True),
    ("wo", "gevorderd", {}, True),
])
def test_what_fits_a_target_group(level: str | None, experience: str | None,
                                  group: dict[str, object], expected: bool) -> None:
    item = _training("a", "Excel", level=level, experience=experience)
    assert fits(item, TargetGroup.model_validate(group)) is expected


def test_free_slots_only_take_trainings_that_fit() -> None:
    catalogue = _catalogue(
        _training("a", "Excel", level="mbo", experience="beginner"),
        _training("b", "Excel", level="hbo", experience="beginner"),  # other level
        _training("c", "Excel", level="mbo", experience="gevorderd"),  # too advanced
        _training("d", "Excel", level="mbo", experience="beginner", minutes=90),
        _training("e", "Word", level="mbo", experience="beginner"),  # no goal of the path
    )
    matcher = CompetencyMatcher(catalogue, load_taxonomy())
    result = build_paths(_request(target_group={"education": ["mbo"], "experience_years": [0, 2]},
                                  constraints={"max_interventions": 5}), matcher)
    items = result.paths[0].trainings
    assert [t.id for t in items] == ["a", "d"]
    assert items[1].reason[0].code == "paths.reason.extra"


def _held_request(**extra: object) -> PathRequest:
    return PathRequest.model_validate({
        "paths": [{"name": "p", "level": "functie", "competencies": ["Excel"],
                   "constraints": {"max_interventions": 2}, **extra.pop("spec", {})}],
        "held": [{"training_id": "a", "path_name": "Onboarding"}], **extra})


def test_held_trainings_are_avoided_and_accepted_repeats_listed() -> None:
    both = CompetencyMatcher(_catalogue(_training("a", "Excel"), _training("b", "Excel")),
                             load_taxonomy())
    fresh = build_paths(_held_request(), both).paths[0]
    assert [t.id for t in fresh.trainings] == ["b"] and fresh.overlaps == []
    # accepted, but a fresh training as good exists: the repeat is not used to fill a slot
    accepted = build_paths(_held_request(accept_overlap=["a"]), both).paths[0]
    assert [t.id for t in accepted.trainings] == ["b"]
    only_a = CompetencyMatcher(_catalogue(_training("a", "Excel")), load_taxonomy())
    repeated = build_paths(_held_request(accept_overlap=["a"]), only_a).paths[0]
    assert [t.id for t in repeated.trainings] == ["a"]
    assert [(o.training_id, o.title, o.path_name) for o in repeated.overlaps] == [
        ("a", "Training a", "Onboarding")]
    assert "paths.reason.repeat" in [n.code for n in repeated.trainings[0].reason]
    assert repeated.warnings == []
    chosen = build_paths(_held_request(spec={"include": ["a"]}), both).paths[0]
    assert [o.training_id for o in chosen.overlaps] == ["a"]
    assert {t.id for t in chosen.trainings} == {"a", "b"}


def test_duplicate_trainings_across_the_paths_of_one_person() -> None:
    found = duplicate_trainings({"Afdeling": ["x", "y"], "Functie": ["y", "z", "z"],
                                 "Nieuw": ["y", "x"]})
    assert found == [DuplicateTraining(training_id="x", paths=["Afdeling", "Nieuw"]),
                     DuplicateTraining(training_id="y", paths=["Afdeling", "Functie", "Nieuw"])]
    assert duplicate_trainings({"Afdeling": ["x"], "Functie": ["z", "z"]}) == []
    assert held_trainings({"Afdeling": ["x", "x"], "Functie": ["z"]}) == [
        HeldTraining(training_id="x", path_name="Afdeling"),
        HeldTraining(training_id="z", path_name="Functie")]


def test_a_solution_cut_short_loses_trainings_that_serve_no_goal() -> None:
    """Training 1 may not fill a slot; next to training 0 (better fit, same goal) it serves
    nothing, so a solver stopped by its time limit must not hand it back."""
    problem = Problem(minutes=[60, 60], cover=[[1, 1]], fit=[[8, 2]], eligible=[[True, True]],
                      goals=[1], max_count=[None], max_minutes=[None],
                      fill_ok=[[True, False]])
    assert objective(problem, [0, 0]) is None
    assert without_idle(problem, [0, 0]) == [0, -1]
    assert without_idle(problem, [-1, 0]) == [-1, 0]  # alone it is the goal's training
    assert objective(problem, [-1, 0]) == (1, 2, 0, 2, -60)


def test_build_paths_async_solves_in_a_solver_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import engine.paths.build as build_module

    threads: list[str] = []
    solve_in_thread = build_module.solve

    def recording(problem: Problem, seconds: float) -> Solution:
        threads.append(threading.current_thread().name)
        return solve_in_thread(problem, seconds)

    monkeypatch.setattr(build_module, "solve", recording)
    matcher = CompetencyMatcher(_catalogue(_training("a", "Excel")), load_taxonomy())
    result = asyncio.run(build_paths_async(_request(), matcher))
    assert [t.id for t in result.paths[0].trainings] == ["a"]
    assert threads and threads[0].startswith("solver") and threads[0] != "MainThread"


def test_run_solver_passes_arguments_and_context() -> None:
    import contextvars

    from engine.solving import run_solver

    current: contextvars.ContextVar[str] = contextvars.ContextVar("current", default="-")

    def work(a: int, *, b: int) -> tuple[int, str]:
        return a + b, current.get()

    async def main() -> tuple[int, str]:
        current.set("request 7")
        return await run_solver(work, 2, b=3)

    assert asyncio.run(main()) == (5, "request 7")


def test_cli_shows_repeats_and_the_new_warnings(capsys: pytest.CaptureFixture[str],
                                                case_catalogue: Path, tmp_path: Path) -> None:
    import json

    from bot.cli import main

    spec = yaml.safe_load(CASE_SPEC.read_text(encoding="utf-8"))
    spec["held"] = [{"training_id": "C11", "path_name": "Onboarding"},
                    {"training_id": "C12", "path_name": "Onboarding"}]
    spec["accept_overlap"] = ["C12"]
    file = tmp_path / "spec.yaml"
    file.write_text(yaml.safe_dump(spec), encoding="utf-8")
    assert main(["paths", "build", str(file), "--catalogue", str(case_catalogue), "--json"]) == 0
    individual = json.loads(capsys.readouterr().out)["paths"][2]
    assert individual["overlaps"] == [
        {"id": "C12", "title": "Feedback geven en ontvangen", "path": "Onboarding"}]
    assert "paths.warn.held" not in individual["warning_codes"]  # C09 serves e-mail instead
    assert [t["id"] for t in individual["trainings"]] == ["C12", "C14", "C09"]
    assert main(["--lang", "en", "paths", "build", str(file), "--catalogue",
                 str(case_catalogue)]) == 0
    human = capsys.readouterr().out
    assert "repeat: 'Feedback geven en ontvangen' (already in path 'Onboarding')" in human


def test_a_solve_cut_short_by_its_work_limit_is_reproducible() -> None:
    problem = _consistent(random_problem(random.Random(5), 300, 3, rules=True))
    first, again = solve(problem, work=0.001), solve(problem, work=0.001)
    assert not first.optimal
    assert first.assignment == again.assignment
    assert objective(problem, first.assignment) == first.value
