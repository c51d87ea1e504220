"""``leerbot scan score|team``: ties, flat results, labels and team rounds on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from knowledge.actions import load_action_library
from knowledge.scan import load_scan

STATEMENTS = load_scan().statements


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def answers_file(tmp_path: Path, barriers: set[int], priorities: list[int]) -> str:
    """Full barrier (100) for ``barriers``, neutral (50) elsewhere."""
    answers = {s.id: ((1 if s.reverse else 5) if s.challenge in barriers else 3)
               for s in STATEMENTS}
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"answers": answers, "priorities": priorities}))
    return str(path)


@pytest.mark.parametrize(("barriers", "priorities", "profile", "tied", "flat"), [
    ({3, 7}, [], None, [3, 7], False),
    ({2, 4, 5, 6, 9}, [1], None, [2, 4, 5, 6, 9], False),
    (set(), [], None, list(range(1, 10)), True),
    ({8}, [], 8, [], False),
])
def test_score_json_reports_profile_tie_and_flat(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, barriers: set[int],
        priorities: list[int], profile: int | None, tied: list[int], flat: bool) -> None:
    code, out, _ = run(capsys, "scan", "score", answers_file(tmp_path, barriers, priorities),
                       "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["tied"], data["flat"]) == (tied, flat)
    if profile is None:
        assert data["profile"] is None
    else:
        assert data["profile"]["challenge"] == profile
        assert data["profile"]["title"] == load_action_library().challenge(profile).title.nl
    assert data["priorities"] == priorities
    assert data["notes"][0]["code"].startswith("scan.why.")
    assert all(set(a) == {"id", "title", "highlight", "overlap", "challenges"}
               for a in data["top_actions"])
    assert data["chart"]["kind"] == "bars" and len(data["chart"]["series"][0]["values"]) == 9


def test_score_json_for_a_tie(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "scan", "score", answers_file(tmp_path, {5, 9}, []), "--json")
    data = json.loads(out)
    assert code == 0 and data["profile"] is None and data["tied"] == [5, 9]
    first = data["top_actions"][0]
    assert (first["id"], first["overlap"], first["challenges"]) == ("9.1", True, [9, 5])
    assert [n["code"] for n in data["notes"]][:2] == ["scan.why.tied", "scan.why.overlap"]
    assert data["chart"]["emphasis"] == [5, 9]


def test_score_text_shows_no_profile_story_on_a_tie(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    code, out, _ = run(capsys, "--lang", "en", "scan", "score",
                       answers_file(tmp_path, {5, 9}, [6]))
    assert code == 0
    assert "Dominant profile" not in out
    assert "Challenges 5, 9 share the highest score" in out
    assert "Your priority 1 (challenge 6) moved actions up" in out
    assert "[OVERLAP (challenges 9, 5)]" in out and "[HIGHLIGHT]" in out
    code, out, _ = run(capsys, "--lang", "en", "scan", "score", answers_file(tmp_path, {8}, []))
    assert "Dominant profile: Employees often work alone" in out


def team_file(tmp_path: Path, name: str, respondents: list[dict[str, int]]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps({"respondents": respondents}))
    return str(path)


def scores(value: int) -> dict[str, int]:
    return {str(n): value for n in range(1, 10)}


def test_team_round_is_hidden_below_five(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    small = team_file(tmp_path, "small.json", [scores(60)] * 4)
    code, out, _ = run(capsys, "scan", "team", small, "--json")
    data = json.loads(out)
    assert code == 0 and data["round"]["hidden"] is True and data["round"]["challenges"] == []
    assert data["trend"] is None and data["chart"]["series"] == []
    assert "60" not in out
    code, out, _ = run(capsys, "scan", "team", small)
    assert "Verborgen" in out and "60" not in out


def test_team_round_with_answers_and_a_trend(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    neutral = {s.id: 3 for s in STATEMENTS}  # answers: 50 on every challenge
    before = team_file(tmp_path, "before.json", [neutral] * 5)
    after = team_file(tmp_path, "after.json", [scores(40)] * 4 + [scores(20)])
    code, out, _ = run(capsys, "scan", "team", after, "--previous", before, "--json")
    data = json.loads(out)
    assert code == 0 and data["round"]["respondents"] == 5
    assert data["round"]["challenges"][0] == {"challenge": 1, "mean": 36.0, "low": 20,
                                              "high": 40, "stdev": 8.0}
    assert [c["delta"] for c in data["trend"]["changes"]] == [-14.0] * 9
    assert [s["name"]["nl"] for s in data["chart"]["series"]] == ["vorige ronde", "deze ronde"]
    code, out, _ = run(capsys, "scan", "team", after, "--previous", before)
    assert "1. gemiddeld 36  (laagste 20, hoogste 40, standaardafwijking 8)" in out
    assert "1. 50 -> 36 (-14)" in out


def test_team_file_errors_name_the_participant(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    bad_answers = {s.id: 3 for s in STATEMENTS}
    bad_answers[STATEMENTS[0].id] = 8
    file = team_file(tmp_path, "bad.json", [scores(10), bad_answers])
    code, _, err = run(capsys, "scan", "team", file)
    assert code == 1 and "deelnemer 2:" in err and STATEMENTS[0].id in err
    file = team_file(tmp_path, "bad2.json", [scores(10), {**scores(10), "3": 120}])
    code, _, err = run(capsys, "scan", "team", file)
    assert code == 1 and "deelnemer 2" in err
    (tmp_path / "shape.json").write_text(json.dumps({"people": []}))
    code, _, err = run(capsys, "scan", "team", str(tmp_path / "shape.json"))
    assert code == 1 and "respondents" in err
