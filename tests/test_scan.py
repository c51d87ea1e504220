"""Scan scoring: barrier scores, dominant profile, top actions, input errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.scan import (
    ScanInputError,
    barrier_scores,
    dominant_profile,
    rank_actions,
    score_scan,
)
from knowledge.actions import load_action_library
from knowledge.scan import load_scan

SCAN = load_scan()
LIBRARY = load_action_library()


def answers_with(barrier: dict[int, int], default: int = 0) -> dict[str, int]:
    """Answers that give challenge n the barrier value 0 (none) or 1 (full) on every item."""
    answers = {}
    for statement in SCAN.statements:
        full = barrier.get(statement.challenge, default)
        agree = 5 if full else 1
        answers[statement.id] = (6 - agree) if statement.reverse else agree
    return answers


def test_extremes() -> None:
    assert set(barrier_scores(SCAN, answers_with({}, default=1)).values()) == {100}
    assert set(barrier_scores(SCAN, answers_with({}, default=0)).values()) == {0}


def test_reverse_items_count_the_other_way() -> None:
    answers = {s.id: 3 for s in SCAN.statements}
    assert set(barrier_scores(SCAN, answers).values()) == {50}
    statement = next(s for s in SCAN.statements_for(4) if s.reverse)
    answers[statement.id] = 5  # agreeing with a reverse item lowers the barrier
    count = len(SCAN.statements_for(4))
    assert barrier_scores(SCAN, answers)[4] == round(100 * (0.5 * (count - 1)) / count)


def test_dominant_profile_is_the_highest_barrier() -> None:
    result = score_scan(LIBRARY, SCAN, answers_with({6: 1}))
    assert result.profile == 6
    assert result.scores[6] == 100 and result.scores[1] == 0


def test_ties_are_broken_by_the_stated_priorities() -> None:
    scores = {n: 50 for n in range(1, 10)}
    scores[3] = scores[7] = 80
    assert dominant_profile(scores, [7, 3]) == 7
    assert dominant_profile(scores, [3]) == 3
    assert dominant_profile(scores, [5]) == 3  # priority not among the tied: lowest number
    assert dominant_profile(scores) == 3


def test_top_actions_fit_the_profile() -> None:
    result = score_scan(LIBRARY, SCAN, answers_with({2: 1}))
    assert result.profile == 2
    assert len(result.top_actions) == 3
    for ranked in result.top_actions:
        assert 2 in LIBRARY.action(ranked.id).challenges


def test_an_action_never_appears_twice() -> None:
    for profile in range(1, 10):
        scores = {n: 30 for n in range(1, 10)}
        scores[profile] = 90
        ranked = rank_actions(LIBRARY, SCAN, scores, profile, [])
        groups = [frozenset(LIBRARY.twins(r.id)) for r in ranked]
        assert len(groups) == len(set(groups))
        ids = [r.id for r in ranked]
        assert len(ids) == len(set(ids))


def test_priorities_reorder_actions_that_also_serve_them() -> None:
    overlapping = [a for a in LIBRARY.actions if len(a.challenges) > 1]
    assert overlapping, "the library has actions serving several challenges"
    action = overlapping[0]
    profile, other = action.challenges[0], action.challenges[1]
    scores = {n: 40 for n in range(1, 10)}
    scores[profile] = 90
    without = [r.id for r in rank_actions(LIBRARY, SCAN, scores, profile, [])]
    with_need = [r.id for r in rank_actions(LIBRARY, SCAN, scores, profile, [other])]
    assert with_need.index(action.id) <= without.index(action.id)
    assert with_need[0] == action.id


def test_errors_name_every_faulty_item() -> None:
    answers = {s.id: 3 for s in SCAN.statements}
    first, second = SCAN.statements[0].id, SCAN.statements[1].id
    del answers[first]
    answers[second] = 7
    answers["s0x"] = 2
    with pytest.raises(ScanInputError) as caught:
        score_scan(LIBRARY, SCAN, answers, [12, 3, 3])
    codes = [(n.code, n.params.get("item", n.params.get("value"))) for n in caught.value.notes]
    assert ("scan.error.missing", first) in codes
    assert ("scan.error.range", second) in codes
    assert any(n.params.get("value") == "7" for n in caught.value.notes)
    assert ("scan.error.unknown", "s0x") in codes
    assert ("scan.error.priority", "12") in codes
    assert ("scan.error.priority_twice", 3) in codes
    assert first in str(caught.value)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=len(SCAN.statements),
                max_size=len(SCAN.statements)),
       st.lists(st.integers(1, 9), max_size=3, unique=True))
def test_any_valid_answers_give_a_full_report(values: list[int], priorities: list[int]) -> None:
    answers = {s.id: v for s, v in zip(SCAN.statements, values, strict=True)}
    result = score_scan(LIBRARY, SCAN, answers, priorities)
    assert set(result.scores) == set(range(1, 10))
    assert all(0 <= v <= 100 for v in result.scores.values())
    assert result.scores[result.profile] == max(result.scores.values())
    assert len(result.top_actions) == 3
    assert len({r.id for r in result.top_actions}) == 3
