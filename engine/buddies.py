"""Buddy pairing (actions 4.2 and 8.1): pair each learner with a colleague who can help with
what they want to learn.

Rules: excluded pairs never meet; pairs that met before do not meet again until no pairing
without repeats exists (then a new round starts: ``reset_history``); with an odd number one
trio is formed, so nobody is left out; among the valid pairings the most useful one wins (a
pair scores one point for every competency one offers and the other wants). The choice is an
exact maximum-weight matching (CP-SAT), deterministic for a given seed.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence

from ortools.sat.python import cp_model
from pydantic import BaseModel, Field

SOLVE_SECONDS = 5.0


class Participant(BaseModel, frozen=True):
    user: str
    wants: frozenset[str] = frozenset()
    offers: frozenset[str] = frozenset()


class Pair(BaseModel):
    members: tuple[str, ...]  # two, or three for the odd one out
    helps: dict[str, list[str]] = Field(default_factory=dict)  # helper -> competencies
    score: int = 0


class Unmatched(BaseModel):
    user: str
    reason: str  # alone | excluded


class Pairing(BaseModel):
    pairs: list[Pair] = Field(default_factory=list)
    unmatched: list[Unmatched] = Field(default_factory=list)
    reset_history: bool = False


def _helps(group: Sequence[Participant]) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    for helper, learner in itertools.permutations(group, 2):
        common = helper.offers & learner.wants
        if common:
            found.setdefault(helper.user, set()).update(common)
    return {user: sorted(items) for user, items in sorted(found.items())}


def _score(group: Sequence[Participant]) -> int:
    return sum(len(helper.offers & learner.wants)
               for helper, learner in itertools.permutations(group, 2))


def _allowed(a: Participant, b: Participant, blocked: set[frozenset[str]]) -> bool:
    return frozenset({a.user, b.user}) not in blocked


def _solve(people: list[Participant], blocked: set[frozenset[str]], seed: int,
           avoid: frozenset[frozenset[str]] = frozenset()) -> list[tuple[Participant, ...]] | None:
    """The best grouping into pairs (and one trio when odd) avoiding ``blocked`` pairs, or
    None when that is impossible. An odd member is first matched to a stand-in, then joins
    the pair where both members may meet them and they are most useful."""
    count = len(people)
    stand_in = count if count % 2 else None
    edges = [(a, b) for a, b in itertools.combinations(range(count), 2)
             if _allowed(people[a], people[b], blocked)]
    if stand_in is not None:
        edges += [(a, stand_in) for a in range(count)]
    model = cp_model.CpModel()
    chosen = {e: model.NewBoolVar(f"{e[0]}-{e[1]}") for e in edges}
    for person in range(count + (stand_in is not None)):
        touching = [chosen[e] for e in edges if person in e]
        if not touching:
            return None
        model.AddExactlyOne(touching)
    noise = random.Random(seed)
    # usefulness first; a small seeded tie-break keeps equal choices reproducible but varied
    # (``avoid``: pairs that met before, allowed again after a reset but not preferred)
    weights = {e: (0 if stand_in in e else _score([people[e[0]], people[e[1]]]) * 1000
                   - (1_000_000 if frozenset({people[e[0]].user, people[e[1]].user}) in avoid
                      else 0))
               + noise.randrange(1000) for e in edges}
    model.Maximize(sum(weights[e] * chosen[e] for e in edges))
    # a greedy matching as a starting point, so large groups get a good answer at once
    taken: set[int] = set()
    for edge in sorted(edges, key=lambda e: -weights[e]):
        use = not (set(edge) & taken)
        if use:
            taken.update(edge)
        model.AddHint(chosen[edge], use)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = SOLVE_SECONDS
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    if solver.Solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    picked = [e for e in edges if solver.Value(chosen[e])]
    groups: list[tuple[Participant, ...]] = [(people[a], people[b]) for a, b in picked
                                             if stand_in not in (a, b)]
    odd = [people[a] for a, b in picked if b == stand_in]
    if odd:
        extra = odd[0]
        fits = [g for g in groups if all(_allowed(extra, other, blocked) for other in g)]
        if not fits:
            return None
        best = max(fits, key=lambda g: (_score([*g, extra]), [p.user for p in g]))
        groups[groups.index(best)] = (*best, extra)
    return groups


def _as_pairing(groups: list[tuple[Participant, ...]], unmatched: list[Unmatched],
                reset: bool) -> Pairing:
    pairs = [Pair(members=tuple(p.user for p in g), helps=_helps(g), score=_score(g))
             for g in groups]
    pairs.sort(key=lambda p: p.members)
    return Pairing(pairs=pairs, unmatched=unmatched, reset_history=reset)


def pair_buddies(participants: Sequence[Participant],
                 history: Iterable[frozenset[str]] = (),
                 exclusions: Iterable[frozenset[str]] = (), seed: int = 0) -> Pairing:
    people = sorted({p.user: p for p in participants}.values(), key=lambda p: p.user)
    if not people:
        return Pairing()
    if len(people) == 1:
        return Pairing(unmatched=[Unmatched(user=people[0].user, reason="alone")])
    excluded = {frozenset(e) for e in exclusions if len(e) == 2}
    met = {frozenset(h) for h in history if len(h) == 2}
    found = _solve(people, excluded | met, seed)
    if found is not None:
        return _as_pairing(found, [], False)
    # no pairing without repeats is left: a new round, still preferring pairs that did not
    # meet (an odd group's trio uses up pairs faster, so some never got their turn)
    found = _solve(people, excluded, seed, frozenset(met))
    if found is not None:
        return _as_pairing(found, [], True)
    return _partial(people, excluded, seed)


def _partial(people: list[Participant], excluded: set[frozenset[str]],
             seed: int) -> Pairing:
    """Exclusions make a complete pairing impossible: place as many as possible, and say who
    is left and why."""
    model = cp_model.CpModel()
    count = len(people)
    allowed = [g for g in itertools.combinations(range(count), 2)
               if frozenset({people[g[0]].user, people[g[1]].user}) not in excluded]
    chosen = {g: model.NewBoolVar(str(g)) for g in allowed}
    for person in range(count):
        model.AddAtMostOne(chosen[g] for g in allowed if person in g)
    model.Maximize(sum(chosen[g] * (10_000 + _score([people[i] for i in g]))
                       for g in allowed))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = SOLVE_SECONDS
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solved = solver.Solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    groups = [tuple(people[i] for i in g) for g in allowed
              if solved and solver.Value(chosen[g])]
    placed = {p.user for g in groups for p in g}
    left = [p for p in people if p.user not in placed]
    # one left over next to a pair it may join makes a trio: nobody dropped needlessly
    still: list[Unmatched] = []
    for person in left:
        for index, group in enumerate(groups):
            if len(group) == 2 and all(frozenset({person.user, other.user}) not in excluded
                                       for other in group):
                groups[index] = (*group, person)
                break
        else:
            still.append(Unmatched(user=person.user, reason="excluded"))
    return _as_pairing(groups, still, False)
