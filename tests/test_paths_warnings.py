"""Every warning of the path builder appears exactly when what it says is true.

Each row is a small catalogue and request with the exact warning codes every path must get:
for every code a row where its cause holds and a twin row, one detail different, where it
does not. A last test checks that every ``paths.warn.*`` message has such rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

import engine.paths.build as build_module
from engine.matching import CompetencyMatcher
from engine.paths import PathRequest, Problem, Solution, build_paths
from knowledge.catalogue import Catalogue, Training
from knowledge.messages import catalogue as message_catalogue
from knowledge.taxonomy import load_taxonomy


def training(ident: str, competency: str = "Excel", **extra: Any) -> Training:
    values: dict[str, Any] = {"id": ident, "title": f"Training {ident}", "minutes": 60,
                              "format": "online", "competencies": (competency,)}
    values.update(extra)
    return Training.model_validate(values)


def path(**spec: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"name": "p", "level": "functie", "competencies": ["Excel"]}
    values.update(spec)
    return values


@dataclass
class Case:
    """``expected``: per path, the warning codes (without ``paths.warn.``) in order;
    ``says``: per path, words the first warning's Dutch text must contain."""

    name: str
    trainings: list[Training]
    paths: list[dict[str, Any]]
    expected: list[list[str]]
    request: dict[str, Any] = field(default_factory=dict)
    says: list[str] = field(default_factory=list)
    own_competencies: bool = True


MBO = {"education": ["mbo"]}
CASES = [
    # goals that cannot be read
    Case("no_match", [training("a")], [path(competencies=["Excel", "heftruck rijden"])],
         [["no_match"]], says=["heftruck rijden"]),
    Case("no_match: every goal known", [training("a")], [path()], [[]]),
    Case("unsure_match", [training("a"), training("b", "Presentatievaardigheden")],
         [path(competencies=["Excel", "spreken"])], [["unsure_match"]],
         says=["Presentatievaardigheden"]),
    Case("duplicate_goal", [training("a")], [path(competencies=["Excel", "excel"])],
         [["duplicate_goal"]]),
    # a goal no training of the catalogue serves
    Case("no_training", [training("a")], [path(competencies=["Excel", "Zakelijk Engels"])],
         [["no_training"]], own_competencies=False, says=["Zakelijk Engels"]),
    Case("no_training: there is one", [training("a"), training("b", "Zakelijk Engels")],
         [path(competencies=["Excel", "Zakelijk Engels"])], [[]], own_competencies=False),
    # trainings that exist but are kept out
    Case("excluded", [training("a")], [path(exclude=["a"])], [["excluded"]],
         says=["Training a"]),
    Case("excluded: online and allowed, so no word about formats",
         [training("a"), training("b")], [path(exclude=["a"], constraints={
             "formats": ["online"], "max_interventions": 1})], [[]]),
    Case("format_not_allowed", [training("a", format="klassikaal")],
         [path(constraints={"formats": ["online"]})], [["format_not_allowed"]],
         says=["klassikaal", "online"]),
    Case("format_not_allowed: format allowed", [training("a", format="klassikaal")],
         [path(constraints={"formats": ["online", "klassikaal"]})], [[]]),
    Case("language_not_allowed", [training("a", language="en")],
         [path(constraints={"languages": ["nl"]})], [["language_not_allowed"]], says=["en"]),
    Case("language_not_allowed: language allowed", [training("a", language="en")],
         [path(constraints={"languages": ["nl", "en"]})], [[]]),
    Case("too_long", [training("a", minutes=400)], [path(constraints={"max_hours": 5})],
         [["too_long"]], says=["300"]),
    Case("too_long: within the hours", [training("a", minutes=400)],
         [path(constraints={"max_hours": 7})], [[]]),
    Case("held", [training("a")], [path()], [["held"]],
         request={"held": [{"training_id": "a", "path_name": "Onboarding"}]},
         says=["Onboarding"]),
    Case("held: repeat accepted", [training("a")], [path()], [[]],
         request={"held": [{"training_id": "a", "path_name": "Onboarding"}],
                  "accept_overlap": ["a"]}),
    Case("taken_by_other_path", [training("a", level="hbo")],
         [path(name="hbo", target_group={"education": ["hbo"]}), path(name="mbo")],
         [[], ["taken_by_other_path"]], says=["", "'hbo'"]),
    Case("taken_by_other_path: one for each", [training("a", level="hbo"), training("b")],
         [path(name="hbo", target_group={"education": ["hbo"]}), path(name="mbo")],
         [[], []]),
    Case("no_room", [training("a"), training("b", "Word")],
         [path(competencies=["Excel", "Word"], constraints={"max_interventions": 1})],
         [["no_room"]]),
    Case("no_room: hours", [training("a"), training("b", "Word")],
         [path(competencies=["Excel", "Word"], constraints={"max_hours": 1})], [["no_room"]]),
    Case("no_room: room for both", [training("a"), training("b", "Word")],
         [path(competencies=["Excel", "Word"], constraints={"max_interventions": 2})], [[]]),
    # a goal served by a training not at the group's level
    Case("level_fallback with none_at_level", [training("a", level="hbo")],
         [path(target_group=MBO)], [["level_fallback", "none_at_level"]], says=["hbo"]),
    Case("level_fallback: group at the training's level", [training("a", level="hbo")],
         [path(target_group={"education": ["hbo"]})], [[]]),
    Case("level_fallback: group without a level", [training("a", level="hbo")],
         [path()], [[]]),
    Case("level_chosen: the manager swapped an mbo training for an hbo one",
         [training("a", level="mbo"), training("b", level="hbo")],
         [path(target_group=MBO, include=["b"], exclude=["a"],
               constraints={"max_interventions": 1})],
         [["level_fallback", "level_chosen"]], says=["Training b"]),
    Case("level_chosen: the manager chose one at the group's level",
         [training("a", level="mbo"), training("b", level="hbo")],
         [path(target_group=MBO, include=["a"], constraints={"max_interventions": 1})], [[]]),
    Case("level_fallback: the mbo training is excluded",
         [training("a", level="mbo"), training("b", level="hbo")],
         [path(target_group=MBO, exclude=["a"])], [["level_fallback", "excluded"]]),
    Case("level_fallback: the mbo training is in the other path",
         [training("a", level="mbo"), training("b", level="hbo")],
         [path(name="first", target_group=MBO, include=["a"]),
          path(name="second", target_group=MBO)],
         [[], ["level_fallback", "taken_by_other_path"]]),
    # the manager's own choices
    Case("unknown_training", [training("a")], [path(include=["zzz"])],
         [["unknown_training"]], says=["zzz"]),
    Case("unknown_training: known", [training("a")], [path(include=["a"])], [[]]),
    Case("included_outside", [training("a", format="klassikaal")],
         [path(include=["a"], constraints={"formats": ["online"]})],
         [["included_outside"]], says=["klassikaal"]),
    Case("included_no_goal", [training("a"), training("b", "Word")], [path(include=["b"])],
         [["included_no_goal"]], says=["Training b"]),
    Case("over_limit", [training("a"), training("b", "Word"), training("c")],
         [path(competencies=["Excel", "Word"], include=["a", "b"],
               constraints={"max_interventions": 1})], [["over_limit"]]),
    Case("over_limit: minutes", [training("a"), training("b", "Word")],
         [path(competencies=["Excel", "Word"], include=["a", "b"],
               constraints={"max_hours": 1.5})], [["over_limit"]]),
    Case("over_limit: within the limits", [training("a"), training("b", "Word")],
         [path(competencies=["Excel", "Word"], include=["a", "b"],
               constraints={"max_interventions": 2, "max_hours": 2})], [[]]),
    Case("individual_size", [training("a")],
         [path(level="individueel", target_group={"size": 3})], [["individual_size"]]),
    Case("individual_size: one person", [training("a")],
         [path(level="individueel", target_group={"size": 1})], [[]]),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_warnings_appear_exactly_when_true(case: Case) -> None:
    catalogue = Catalogue(name="test", trainings=tuple(case.trainings),
                          own_competencies=case.own_competencies)
    matcher = CompetencyMatcher(catalogue, load_taxonomy())
    request = PathRequest.model_validate({"paths": case.paths, **case.request})
    result = build_paths(request, matcher)
    assert result.optimal
    got = [[w.code.removeprefix("paths.warn.") for w in p.warnings] for p in result.paths]
    assert got == case.expected
    for words, p in zip(case.says, result.paths, strict=False):
        if words:
            assert words in p.warnings[0].text("nl")


def test_not_proven_appears_exactly_when_the_solver_ran_out_of_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    matcher = CompetencyMatcher(Catalogue(name="t", trainings=(training("a"),)),
                                load_taxonomy())
    request = PathRequest.model_validate({"paths": [path()]})
    assert build_paths(request, matcher).paths[0].warnings == []
    solve = build_module.solve

    def out_of_time(problem: Problem, seconds: float) -> Solution:
        found = solve(problem, seconds)
        return Solution(found.assignment, False, found.value)

    monkeypatch.setattr(build_module, "solve", out_of_time)
    result = build_paths(request, matcher)
    assert not result.optimal
    assert [w.code for w in result.paths[0].warnings] == ["paths.warn.not_proven"]


def test_every_warning_has_rows_where_it_appears() -> None:
    codes = {key.removeprefix("paths.warn.") for key in message_catalogue("nl")
             if key.startswith("paths.warn.")}
    shown = {code for case in CASES for codes_of_path in case.expected for code in codes_of_path}
    assert codes - shown == {"not_proven"}  # tested above, with a solver out of time
    assert shown <= codes
