"""Scan scoring: barrier scores, profile/tie/flat, top actions, labels, priorities, errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.scan import (
    ScanInputError,
    barrier_scores,
    dominant_profile,
    rank_actions,
    read_profile,
    result_for_scores,
    score_scan,
)
from knowledge.actions import load_action_library
from knowledge.base import KnowledgeError, Text
from knowledge.scan import ProfileRules, ScanDefinition, check_profile_titles, load_scan

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
    scores = result.scores
    assert set(scores) == set(range(1, 10))
    assert all(0 <= v <= 100 for v in scores.values())
    highest = [n for n in scores if scores[n] == max(scores.values())]
    assert result.tied == (highest if len(highest) > 1 else [])
    flat = max(scores.values()) - min(scores.values()) <= SCAN.profile_rules.flat_margin
    assert result.flat is flat
    if result.profile is None:
        assert result.tied or result.flat
    else:
        assert highest == [result.profile] and not flat
    assert len(result.top_actions) == 3
    assert len({r.id for r in result.top_actions}) == 3
    if priorities:
        assert any(priorities[0] in a.challenges for a in result.top_actions)
        assert [n.params["challenge"] for n in result.notes
                if n.code.startswith("scan.why.priority_")] == priorities


# ---------------------------------------------------------------- how a result reads

BASE = {n: 25 for n in range(1, 10)}


def scores_with(**high: int) -> dict[int, int]:
    """BASE with some challenges raised: scores_with(c3=80, c7=80)."""
    return {**BASE, **{int(key[1:]): value for key, value in high.items()}}


@pytest.mark.parametrize(("scores", "profile", "tied", "flat"), [
    (scores_with(c8=100), 8, [], False),
    (scores_with(c3=80, c7=80), None, [3, 7], False),
    (scores_with(c2=75, c4=75, c5=75, c6=75, c9=75), None, [2, 4, 5, 6, 9], False),
    ({n: 50 for n in range(1, 10)}, None, list(range(1, 10)), True),
    ({n: 0 for n in range(1, 10)}, None, list(range(1, 10)), True),
    ({**{n: 50 for n in range(1, 10)}, 3: 60}, None, [], True),   # spread 10: flat
    ({**{n: 50 for n in range(1, 10)}, 3: 61}, 3, [], False),     # spread 11: a profile
])
def test_profile_tie_and_flat_rules(scores: dict[int, int], profile: int | None,
                                    tied: list[int], flat: bool) -> None:
    reading = read_profile(scores, SCAN.profile_rules)
    assert (reading.profile, reading.tied, reading.flat) == (profile, tied, flat)
    result = result_for_scores(LIBRARY, SCAN, scores)
    assert (result.profile, result.tied, result.flat) == (profile, tied, flat)
    verdict = result.notes[0].code
    if flat:
        assert verdict in {"scan.why.flat", "scan.why.flat_equal"}
    else:
        assert verdict == ("scan.why.tied" if tied else "scan.why.profile")


def test_neutral_answers_give_no_profile_and_say_so() -> None:
    result = score_scan(LIBRARY, SCAN, {s.id: 3 for s in SCAN.statements})
    assert set(result.scores.values()) == {50}
    assert result.profile is None and result.profile_title is None
    assert result.flat is True and result.tied == list(range(1, 10))
    codes = [n.code for n in result.notes]
    assert codes[:2] == ["scan.why.flat_equal", "scan.why.flat_choose_priorities"]
    assert "scan.why.profile" not in codes
    assert "geen duidelijk dominant profiel" in result.notes[0].text("nl").lower()
    assert len({a.challenge for a in result.top_actions}) == 3


def test_a_clear_profile_is_named_by_its_challenge() -> None:
    result = score_scan(LIBRARY, SCAN, answers_with({6: 1}), lang="en")
    assert result.profile == 6 and not result.tied and not result.flat
    assert result.profile_title == LIBRARY.challenge(6).title.en
    assert SCAN.profile(6).title == LIBRARY.challenge(6).title
    assert result.notes[0].code == "scan.why.profile"
    assert result.notes[0].params == {"challenge": 6, "score": 100}


def test_profiles_must_carry_their_challenge_title() -> None:
    renamed = SCAN.profile(2).model_copy(update={"title": Text(nl="Iets", en="Something")})
    broken = SCAN.model_copy(update={"profiles": [
        renamed if p.challenge == 2 else p for p in SCAN.profiles]})
    with pytest.raises(KnowledgeError, match="profile 2 must be named by its challenge"):
        check_profile_titles(broken, LIBRARY)


@pytest.mark.parametrize(("barriers", "tied"), [
    ({3: 1, 7: 1}, [3, 7]),
    ({2: 1, 4: 1, 5: 1, 6: 1, 9: 1}, [2, 4, 5, 6, 9]),
])
def test_a_tie_is_reported_and_the_top_is_drawn_across_it(barriers: dict[int, int],
                                                          tied: list[int]) -> None:
    result = score_scan(LIBRARY, SCAN, answers_with(barriers))
    assert result.profile is None and result.tied == tied and not result.flat
    assert result.notes[0].code == "scan.why.tied"
    assert result.notes[0].params["challenges"] == ", ".join(map(str, tied))
    served = [set(a.challenges) & set(tied) for a in result.top_actions]
    assert all(served), "every top action serves a tied challenge"
    mains = {a.challenge for a in result.top_actions}
    assert len(mains) >= 2, "the top is not taken from one challenge only"
    if len(tied) >= 3:
        assert len(mains) == 3


def test_the_tie_breaker_for_older_callers_is_unchanged() -> None:
    scores = scores_with(c3=80, c7=80)
    assert dominant_profile(scores, [7]) == 7
    legacy = rank_actions(LIBRARY, SCAN, scores, 7, [7], limit=3)
    assert legacy[0].challenge == 7 and len(legacy) == 3


# ---------------------------------------------------------------- top 3 and its labels


def test_ranked_actions_expose_the_library_labels() -> None:
    for ranked in rank_actions(LIBRARY, SCAN, scores_with(c8=100, c1=92, c4=92)):
        action = LIBRARY.action(ranked.id)
        assert (ranked.highlight, ranked.overlap) == (action.highlight, action.overlap)
        assert ranked.challenges == action.challenges and ranked.challenge == action.challenge


def no_overlap_bonus() -> ScanDefinition:
    return SCAN.model_copy(update={"ranking": SCAN.ranking.model_copy(update={"overlap": 0.0})})


@pytest.mark.parametrize(("scan", "scores", "first"), [
    # 8.3 (OVERLAP: challenges 8, 1 and 4) leads when all three are high barriers ...
    (SCAN, scores_with(c8=100, c1=92, c4=92), "8.3"),
    # ... but not when only its own challenge is high ...
    (SCAN, scores_with(c8=100), "8.1"),
    # ... nor without the OVERLAP bonus: then the library order decides among equals
    (no_overlap_bonus(), scores_with(c8=100, c1=92, c4=92), "8.1"),
    # 9.1..9.3 are OVERLAP with challenge 5: 9.1 leads a 5/9 tie
    (SCAN, scores_with(c5=80, c9=80), "9.1"),
])
def test_overlap_actions_serving_several_high_barriers_rank_up(
        scan: ScanDefinition, scores: dict[int, int], first: str) -> None:
    top = rank_actions(LIBRARY, scan, scores, limit=3)
    assert top[0].id == first


def test_overlap_and_nearby_challenges_are_explained() -> None:
    result = result_for_scores(LIBRARY, SCAN, scores_with(c8=100, c1=92, c4=92))
    assert result.profile == 8 and result.high_barriers == [8, 1, 4]
    assert result.top_actions[0].id == "8.3"
    assert {a.challenge for a in result.top_actions} == {8, 1, 4}, "combined across barriers"
    overlap = next(n for n in result.notes if n.code == "scan.why.overlap")
    assert overlap.params == {"action": "8.3", "challenges": "8, 1, 4"}
    assert "OVERLAP" in overlap.text("nl")
    near = [n.params["challenge"] for n in result.notes if n.code == "scan.why.near"]
    assert sorted(near) == [1, 4]


def test_a_clear_profile_keeps_its_top_without_near_barriers() -> None:
    result = result_for_scores(LIBRARY, SCAN, scores_with(c6=100))
    assert [a.challenge for a in result.top_actions] == [6, 6, 6]
    assert [n.code for n in result.notes] == ["scan.why.profile"]


# ---------------------------------------------------------------- priorities


@pytest.mark.parametrize(("scores", "priorities", "raised"), [
    (scores_with(c8=100), [4], 4),                           # clear profile
    (scores_with(c3=80, c7=80), [6], 6),                     # a tie
    ({n: 50 for n in range(1, 10)}, [5], 5),                 # flat
    (scores_with(c2=75, c4=75, c5=75, c6=75, c9=75), [4], 4),  # a priority among the tied
])
def test_priorities_change_the_ranking_and_say_how(scores: dict[int, int],
                                                   priorities: list[int], raised: int) -> None:
    without = result_for_scores(LIBRARY, SCAN, scores)
    with_ = result_for_scores(LIBRARY, SCAN, scores, priorities)
    assert [a.id for a in with_.top_actions] != [a.id for a in without.top_actions]
    assert any(raised in a.challenges for a in with_.top_actions)
    note_ = next(n for n in with_.notes if n.code == "scan.why.priority_raised")
    assert note_.params["challenge"] == raised and note_.params["rank"] == 1
    assert note_.params["actions"]
    assert not any(n.code.startswith("scan.why.priority") for n in without.notes)
    assert f"uitdaging {raised}" in note_.text("nl")


def test_the_first_priority_always_reaches_the_top() -> None:
    cases = [({**{n: 0 for n in range(1, 10)}, profile: 100}, priority)
             for profile in range(1, 10) for priority in set(range(1, 10)) - {profile}]
    five_way = scores_with(c2=75, c4=75, c5=75, c6=75, c9=75)
    cases += [(five_way, priority) for priority in (1, 3, 7, 8)]
    for scores, priority in cases:
        top = result_for_scores(LIBRARY, SCAN, scores, [priority]).top_actions
        assert any(priority in a.challenges for a in top), (scores, priority)


def test_every_priority_gets_an_honest_note() -> None:
    result = result_for_scores(LIBRARY, SCAN, scores_with(c8=100), [4, 6, 2])
    codes = {n.params["challenge"]: n.code for n in result.notes
             if n.code.startswith("scan.why.priority")}
    assert codes[4] == "scan.why.priority_raised"
    assert codes[6] == codes[2] == "scan.why.priority_outranked"
    already = result_for_scores(LIBRARY, SCAN, scores_with(c8=100), [8])
    assert [n.code for n in already.notes][-1] == "scan.why.priority_already"


def test_weights_reject_a_flat_margin_above_the_high_margin() -> None:
    with pytest.raises(ValueError, match="high_margin must be at least flat_margin"):
        ProfileRules(flat_margin=30, high_margin=20)


def test_twin_groups_match_the_twins_of_each_action() -> None:
    groups = LIBRARY.twin_groups()
    assert set(groups) == {a.id for a in LIBRARY.actions}
    for action in LIBRARY.actions:
        assert groups[action.id] == frozenset(LIBRARY.twins(action.id))
    assert groups["8.3"] == {"8.3", "1.2", "4.3"}
