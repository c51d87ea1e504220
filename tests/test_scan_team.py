"""Team scan rounds (privacy threshold, mean and spread, trend) and the scan's chart data."""

from __future__ import annotations

import json

import pytest

from engine.scan import ScanInputError, result_for_scores
from engine.scan_chart import ChartSeries, ScanChart, result_chart, trend_chart
from engine.scan_team import (
    MIN_GROUP,
    ChallengeSummary,
    TeamRound,
    aggregate_round,
    compare_rounds,
)
from knowledge.actions import load_action_library
from knowledge.base import Text
from knowledge.scan import load_scan

SCAN = load_scan()
LIBRARY = load_action_library()
CHALLENGES = range(1, 10)


def respondents(*values: int) -> list[dict[int, int]]:
    """One respondent per value; challenge n scores value + n (challenge 1 = value + 1)."""
    return [{n: value + n for n in CHALLENGES} for value in values]


def test_the_threshold_is_five() -> None:
    assert MIN_GROUP == 5


@pytest.mark.parametrize("count", [0, 1, 4])
def test_fewer_than_five_respondents_show_no_numbers(count: int) -> None:
    round_ = aggregate_round(respondents(*[10 * i for i in range(count)]))
    assert round_.hidden is True and round_.respondents == count
    assert round_.challenges == [] and round_.means() == {}
    assert [n.code for n in round_.notes] == ["scan.team.hidden"]
    dumped = round_.model_dump(mode="json")
    assert set(dumped) == {"respondents", "hidden", "challenges", "notes"}
    assert "5" in round_.notes[0].text("nl")


def test_five_respondents_show_mean_and_spread() -> None:
    group = [{n: value for n in CHALLENGES} for value in (0, 25, 50, 75, 100)]
    group[4][9] = 50  # challenge 9: 0, 25, 50, 75, 50
    round_ = aggregate_round(group)
    assert round_.hidden is False and round_.respondents == 5 and round_.notes == []
    assert [c.challenge for c in round_.challenges] == list(CHALLENGES)
    # mean 50; deviations -50, -25, 0, 25, 50: population stdev sqrt(6250 / 5) = 35.36
    assert round_.challenges[0] == ChallengeSummary(challenge=1, mean=50, low=0, high=100,
                                                    stdev=35.4)
    # mean 40; deviations -40, -15, 10, 35, 10: sqrt(3250 / 5) = 25.50
    assert round_.challenges[8] == ChallengeSummary(challenge=9, mean=40, low=0, high=75,
                                                    stdev=25.5)


def test_a_round_cannot_be_built_around_the_threshold() -> None:
    summary = ChallengeSummary(challenge=1, mean=50, low=0, high=100, stdev=10)
    with pytest.raises(ValueError, match="must be hidden"):
        TeamRound(respondents=4, hidden=False, challenges=[summary])
    with pytest.raises(ValueError, match="carries no summaries"):
        TeamRound(respondents=4, hidden=True, challenges=[summary])


@pytest.mark.parametrize("bad", [
    {n: 50 for n in range(1, 9)},                 # challenge 9 missing
    {**{n: 50 for n in CHALLENGES}, 3: 101},      # out of range
    {**{n: 50 for n in CHALLENGES}, 3: True},     # not a number
    {**{n: 50 for n in CHALLENGES}, 10: 50},      # unknown challenge
])
def test_malformed_scores_name_the_respondent(bad: dict[int, int]) -> None:
    with pytest.raises(ScanInputError) as caught:
        aggregate_round([*respondents(1, 2), bad, *respondents(3, 4)])
    assert [(n.code, n.params) for n in caught.value.notes] == [
        ("scan.error.team_scores", {"number": 3})]


def test_the_trend_is_the_change_of_the_means() -> None:
    before = aggregate_round(respondents(40, 40, 40, 40, 40))
    after = aggregate_round(respondents(30, 30, 30, 30, 35))
    trend = compare_rounds(before, after)
    assert trend.hidden is False and trend.notes == []
    assert [c.challenge for c in trend.changes] == list(CHALLENGES)
    first = trend.changes[0]
    assert (first.previous, first.current, first.delta) == (41.0, 32.0, -9.0)


@pytest.mark.parametrize(("before", "after"), [(4, 5), (5, 4), (3, 3)])
def test_no_trend_when_a_round_is_hidden(before: int, after: int) -> None:
    trend = compare_rounds(aggregate_round(respondents(*[20] * before)),
                           aggregate_round(respondents(*[10] * after)))
    assert trend.hidden is True and trend.changes == []
    assert [n.code for n in trend.notes] == ["scan.team.trend_hidden"]


# ---------------------------------------------------------------- chart data


@pytest.mark.parametrize(("scores", "emphasis", "phrase"), [
    ({**{n: 25 for n in CHALLENGES}, 4: 90}, [4], "hoogste drempel is uitdaging 4"),
    ({**{n: 25 for n in CHALLENGES}, 3: 80, 7: 80}, [3, 7], "uitdagingen 3, 7 delen"),
    ({n: 50 for n in CHALLENGES}, list(CHALLENGES), "geen duidelijk dominant profiel"),
    ({**{n: 50 for n in CHALLENGES}, 2: 58}, [], "geen duidelijk dominant profiel"),
])
def test_result_chart_describes_bars_and_verdict(scores: dict[int, int], emphasis: list[int],
                                                 phrase: str) -> None:
    result = result_for_scores(LIBRARY, SCAN, scores)
    chart = result_chart(result, LIBRARY, team="Zorg")
    assert chart.kind == "bars" and chart.challenges == list(CHALLENGES)
    assert chart.labels == [LIBRARY.challenge(n).title for n in CHALLENGES]
    assert [s.values for s in chart.series] == [[float(scores[n]) for n in CHALLENGES]]
    assert chart.emphasis == emphasis
    assert chart.title.nl.endswith(": Zorg") and chart.title.en.endswith(": Zorg")
    assert phrase in chart.alt.nl.lower()
    assert f"4: {scores[4]}" in chart.alt.nl and f"4: {scores[4]}" in chart.alt.en
    json.dumps(chart.model_dump(mode="json"))


def test_result_chart_with_the_previous_scan() -> None:
    result = result_for_scores(LIBRARY, SCAN, {n: 10 * n for n in CHALLENGES})
    chart = result_chart(result, LIBRARY, previous={n: 5 * n for n in CHALLENGES})
    assert [s.name.nl for s in chart.series] == ["nu", "vorige scan"]
    assert chart.series[1].values == [5.0 * n for n in CHALLENGES]
    assert chart.title.nl == "Drempels voor informeel leren"


def test_trend_chart_is_rounds_by_challenges_without_hidden_numbers() -> None:
    rounds: list[tuple[str | Text, TeamRound]] = [
        ("2025-01", aggregate_round(respondents(40, 41, 42, 43, 44))),
        ("2025-04", aggregate_round(respondents(90, 90, 90))),
        (Text(nl="deze ronde", en="this round"), aggregate_round(respondents(*[30] * 6))),
    ]
    chart = trend_chart(rounds, LIBRARY, team="Zorg")
    assert chart.kind == "trend"
    assert [s.name.en for s in chart.series] == ["2025-01", "this round"]
    assert chart.series[0].values == [42.0 + n for n in CHALLENGES]
    assert chart.series[1].values == [30.0 + n for n in CHALLENGES]
    for text in (chart.alt.nl, chart.alt.en):
        assert "2025-04" in text and "91" not in text  # hidden round: named, no numbers
    assert "1: 43" in chart.alt.en and "Deze ronde: 1: 31" in chart.alt.nl
    assert chart.title.en == "Team scan over time: Zorg"


def test_chart_values_must_fit_the_labels() -> None:
    chart = result_chart(result_for_scores(LIBRARY, SCAN, {n: 50 for n in CHALLENGES}), LIBRARY)
    broken = chart.model_dump()
    broken["series"] = [ChartSeries(name=Text(nl="a", en="a"), values=[1.0, 2.0]).model_dump()]
    with pytest.raises(ValueError, match="one value per challenge"):
        ScanChart.model_validate(broken)
