"""Buddy pairing: everyone placed once, exclusions hard, no repeats until all have met,
usefulness preferred, reproducible."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.buddies import Participant, pair_buddies


def people(*names: str) -> list[Participant]:
    return [Participant(user=name) for name in names]


def placed(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [user for pair in result.pairs for user in pair.members]


def test_even_group_pairs_everyone_once() -> None:
    result = pair_buddies(people("a", "b", "c", "d"))
    assert sorted(placed(result)) == ["a", "b", "c", "d"]
    assert all(len(pair.members) == 2 for pair in result.pairs)


def test_odd_group_makes_one_trio_and_drops_nobody() -> None:
    result = pair_buddies(people("a", "b", "c", "d", "e"))
    assert sorted(placed(result)) == ["a", "b", "c", "d", "e"]
    assert sorted(len(pair.members) for pair in result.pairs) == [2, 3]


def test_the_learner_meets_the_colleague_who_offers_the_topic() -> None:
    group = [Participant(user="anna", wants=frozenset({"excel"})),
             Participant(user="bram", offers=frozenset({"plannen"})),
             Participant(user="cor", offers=frozenset({"excel"})),
             Participant(user="dewi", wants=frozenset({"plannen"}))]
    result = pair_buddies(group)
    pairs = {frozenset(pair.members): pair for pair in result.pairs}
    assert frozenset({"anna", "cor"}) in pairs and frozenset({"bram", "dewi"}) in pairs
    assert pairs[frozenset({"anna", "cor"})].helps == {"cor": ["excel"]}


def test_exclusions_are_never_paired() -> None:
    excluded = [frozenset({"a", "b"}), frozenset({"c", "d"})]
    for seed in range(5):
        result = pair_buddies(people("a", "b", "c", "d"), exclusions=excluded, seed=seed)
        assert not {frozenset(p.members) for p in result.pairs} & set(excluded)


def test_no_repeats_until_everyone_has_met() -> None:
    group = people("a", "b", "c", "d", "e", "f")
    history: set[frozenset[str]] = set()
    for round_number in range(5):  # six people can meet in five rounds of new pairs
        result = pair_buddies(group, history, seed=round_number)
        assert not result.reset_history
        pairs = {frozenset(p.members) for p in result.pairs}
        assert not pairs & history
        history |= pairs
    assert len(history) == 15
    assert pair_buddies(group, history).reset_history


def test_impossible_exclusions_report_who_is_left() -> None:
    result = pair_buddies(people("a", "b"), exclusions=[frozenset({"a", "b"})])
    assert result.pairs == [] and {u.user for u in result.unmatched} == {"a", "b"}
    assert {u.reason for u in result.unmatched} == {"excluded"}


def test_one_or_none() -> None:
    assert pair_buddies([]).pairs == []
    alone = pair_buddies(people("a"))
    assert alone.pairs == [] and alone.unmatched[0].reason == "alone"


def test_same_seed_same_pairs() -> None:
    group = people(*"abcdefgh")
    assert pair_buddies(group, seed=3) == pair_buddies(group, seed=3)


@settings(max_examples=30, deadline=None)
@given(size=st.integers(min_value=2, max_value=9),
       excluded=st.sets(st.tuples(st.integers(0, 8), st.integers(0, 8)), max_size=6))
def test_everyone_is_placed_or_reported(size: int, excluded: set[tuple[int, int]]) -> None:
    names = [f"p{i}" for i in range(size)]
    exclusions = {frozenset({names[a], names[b]}) for a, b in excluded
                  if a < size and b < size and a != b}
    result = pair_buddies(people(*names), exclusions=exclusions)
    users = placed(result) + [u.user for u in result.unmatched]
    assert sorted(users) == sorted(names)
    for pair in result.pairs:
        assert 2 <= len(pair.members) <= 3
        assert all(frozenset({x, y}) not in exclusions
                   for i, x in enumerate(pair.members) for y in pair.members[i + 1:])


def test_a_large_odd_group_places_everyone() -> None:
    group = [Participant(user=f"u{i:02d}", wants=frozenset({f"c{i % 7}"}),
                         offers=frozenset({f"c{i % 5}"})) for i in range(41)]
    result = pair_buddies(group)
    assert result.unmatched == []
    assert sorted(placed(result)) == sorted(p.user for p in group)
    assert sorted(len(pair.members) for pair in result.pairs).count(3) == 1
