"""Buddy pairing (actions 4.2 and 8.1): pair each learner with a colleague who can help with
what they want to learn.

Rules, in order of priority:

1. Excluded pairs never meet, not even in a trio.
2. As many people as possible are placed: in pairs, plus at most one trio (when the number
   is odd, or when exclusions leave someone over), so nobody is left out. Only when the
   exclusions make that impossible are people left over, and they are listed in
   ``Pairing.unmatched`` with the reason (never silently dropped).
3. Pairs that met before (``history``) do not meet again until everyone has met everyone
   they may meet: when every grouping that places as many people needs a repeat, a new round
   starts (``Pairing.reset_history``), with as few repeats as possible.
4. The most useful grouping wins: a pair scores one point for every competency one offers
   and the other wants (both directions; a trio counts its three pairs).
5. Ties are broken by a seeded random order, so the same input and seed give the same result.

These are the levels of one lexicographic objective of an exact CP-SAT model: a boolean per
pair that may meet, and one optional trio written as three such booleans that form a
triangle. A model with pairs only comes first: it is much faster, optimal whenever everyone
can be paired, and otherwise the start for the model with the trio. Measured on a two-core
machine, even groups up to 300 people and odd groups up to about 130 are solved to proven
optimality within five seconds (groups up to 50 in well under a second). Larger odd groups
stop after a fixed amount of solver work (``SOLVE_WORK``) with the best grouping found: always
valid, placing at least as many people as a greedy grouping, and in our measurements within a
few points of usefulness of the best.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model
from pydantic import BaseModel, Field

#: CP-SAT deterministic work per solve (at most two solves per call). Stopping on work, not
#: on the clock, keeps results reproducible. One unit takes one to three seconds on a
#: two-core machine; only odd groups of more than about 130 people use it all up.
SOLVE_WORK = 1.5
#: wall-clock limit per solve: a safety net for slow machines (then results may vary)
SOLVE_SECONDS = 10.0
#: unmatched reasons (message keys ``buddies.reason.<code>``)
ALONE = "alone"
EXCLUDED = "excluded"

Edge = tuple[int, int]  # two participant numbers, smallest first
Group = tuple[int, ...]  # a pair or the trio


class Participant(BaseModel, frozen=True):
    """Someone taking part in a round (people who opted out are simply not passed in)."""

    user: str
    wants: frozenset[str] = Field(default=frozenset(), description="competencies to grow in")
    offers: frozenset[str] = Field(default=frozenset(), description="competencies to help with")


class Pair(BaseModel):
    """Two buddies, or three for the odd one out."""

    members: tuple[str, ...] = Field(min_length=2, max_length=3)
    helps: dict[str, list[str]] = Field(
        default_factory=dict, description="helper -> competencies they can help the others with")
    score: int = Field(default=0, description="usefulness: offered-and-wanted competencies")


class Unmatched(BaseModel):
    """Someone who could not be placed, with the reason code (``alone`` or ``excluded``)."""

    user: str
    reason: str


class Pairing(BaseModel):
    """The result of a round."""

    pairs: list[Pair] = Field(default_factory=list)
    unmatched: list[Unmatched] = Field(default_factory=list)
    reset_history: bool = Field(
        default=False, description="a new round started: pairs from the history meet again")


# ------------------------------------------------------------------------------ usefulness


def usefulness(a: Participant, b: Participant) -> int:
    """How many competencies one of the two offers and the other wants (both directions)."""
    return len(a.offers & b.wants) + len(b.offers & a.wants)


def _helps(group: Sequence[Participant]) -> dict[str, list[str]]:
    """Helper -> the competencies they offer that another member of the group wants."""
    found: dict[str, set[str]] = {}
    for helper, learner in itertools.permutations(group, 2):
        common = helper.offers & learner.wants
        if common:
            found.setdefault(helper.user, set()).update(common)
    return {user: sorted(items) for user, items in sorted(found.items())}


def _score(group: Sequence[Participant]) -> int:
    return sum(usefulness(a, b) for a, b in itertools.combinations(group, 2))


# ------------------------------------------------------------------------------ the problem


@dataclass(frozen=True)
class _Problem:
    """The participants as numbers, the pairs that may meet and what each meeting is worth.

    Weights are lexicographic: one person placed outweighs any number of repeats, and one
    repeat outweighs all usefulness together."""

    size: int
    worth: dict[Edge, int]  # usefulness, minus a repeat's weight for a pair that met before
    rank: dict[Edge, float]  # the seeded tie-break: lower goes first
    place: int  # the weight of one person placed

    @classmethod
    def build(cls, people: Sequence[Participant], excluded: set[frozenset[str]],
              met: set[frozenset[str]], seed: int) -> _Problem:
        most_useful = 2 * sum(len(p.wants) for p in people)  # a learner has two helpers at most
        repeat = most_useful + 1
        place = repeat * (len(people) // 2 + 3)  # more than all repeats and usefulness
        tie = random.Random(seed)
        worth: dict[Edge, int] = {}
        rank: dict[Edge, float] = {}
        for a, b in itertools.combinations(range(len(people)), 2):
            key = frozenset({people[a].user, people[b].user})
            if key not in excluded:
                worth[a, b] = usefulness(people[a], people[b]) - (repeat if key in met else 0)
                rank[a, b] = tie.random()
        return cls(size=len(people), worth=worth, rank=rank, place=place)

    def allowed(self, a: int, b: int) -> bool:
        return (min(a, b), max(a, b)) in self.worth

    def value(self, a: int, b: int) -> int:
        return self.worth[min(a, b), max(a, b)]


def _greedy_pairs(problem: _Problem) -> list[Group]:
    """Pairs taken best first (seeded order among equals): the solver's starting point."""
    taken: set[int] = set()
    pairs: list[Group] = []
    for edge in sorted(problem.worth, key=lambda e: (-problem.worth[e], problem.rank[e])):
        if not taken.intersection(edge):
            taken.update(edge)
            pairs.append(edge)
    return pairs


def _join_trio(problem: _Problem, pairs: list[Group]) -> list[Group]:
    """Let the first person left over who may meet both members of a pair join the pair
    where they are most useful, making the trio."""
    placed = {person for pair in pairs for person in pair}
    for extra in (p for p in range(problem.size) if p not in placed):
        fits = [pair for pair in pairs if all(problem.allowed(extra, m) for m in pair)]
        if fits:
            best = max(fits, key=lambda g: sum(problem.value(extra, m) for m in g))
            return [(*pair, extra) if pair == best else pair for pair in pairs]
    return pairs


# ------------------------------------------------------------------------------ the model


def _objective(problem: _Problem, groups: list[Group]) -> int:
    """The value of a grouping in the model's objective."""
    total = 0
    for group in groups:
        total += problem.place * len(group)
        total += sum(problem.value(a, b) for a, b in itertools.combinations(group, 2))
    return total


def _clearly_best(problem: _Problem, groups: list[Group], with_trio: bool) -> bool:
    """Whether ``groups`` reaches a simple upper bound, so the solver is not needed (as for a
    group where nobody wants anything: any complete grouping is best). The bound: everyone
    placed, each with half the worth of their best pair (or two best pairs, in a trio)."""
    worths: list[list[int]] = [[] for _ in range(problem.size)]
    for (a, b), worth in problem.worth.items():
        worths[a].append(worth)
        worths[b].append(worth)
    twice = 0  # twice the bound, to stay in integers
    for mine in worths:
        top = [*sorted(mine, reverse=True)[:2], 0, 0]
        twice += max(0, top[0] + (max(top[1], 0) if with_trio else 0))
    most = problem.size if with_trio else problem.size // 2 * 2
    return 2 * _objective(problem, groups) >= 2 * problem.place * most + twice


@dataclass
class _Model:
    """The CP-SAT model: ``pair[e]``: the two meet as a pair; ``trio[e]``: the two meet in the
    trio; ``in_trio[v]``: v is in the trio (both empty in a model with pairs only)."""

    model: cp_model.CpModel
    pair: dict[Edge, cp_model.IntVar]
    trio: dict[Edge, cp_model.IntVar]
    in_trio: list[cp_model.IntVar]


def _build(problem: _Problem, with_trio: bool) -> _Model:
    edges = list(problem.worth)
    model = cp_model.CpModel()
    pair = {e: model.new_bool_var(f"pair_{e[0]}_{e[1]}") for e in edges}
    in_trio = [model.new_bool_var(f"in_trio_{v}") for v in range(problem.size * with_trio)]
    touching: list[list[Edge]] = [[] for _ in range(problem.size)]
    for e in edges:
        touching[e[0]].append(e)
        touching[e[1]].append(e)
    for v in range(problem.size):  # everyone in one group at most
        model.add_at_most_one([pair[e] for e in touching[v]] + in_trio[v:v + 1])
    # implied, but it tightens the relaxation a lot for an odd number of people
    model.add(sum(pair.values()) <= problem.size // 2)
    variables = list(pair.values())
    weights = [2 * problem.place + problem.worth[e] for e in edges]
    trio: dict[Edge, cp_model.IntVar] = {}
    if with_trio:  # each member on two trio edges, at most three members: a triangle or none
        trio = {e: model.new_bool_var(f"trio_{e[0]}_{e[1]}") for e in edges}
        for v in range(problem.size):
            model.add(sum(trio[e] for e in touching[v]) == 2 * in_trio[v])
        model.add(sum(in_trio) <= 3)
        variables += [*trio.values(), *in_trio]
        weights += [problem.worth[e] for e in edges] + [problem.place] * problem.size
    model.maximize(cp_model.LinearExpr.weighted_sum(variables, weights))
    return _Model(model=model, pair=pair, trio=trio, in_trio=in_trio)


def _hint(m: _Model, start: list[Group]) -> None:
    """Give the solver the whole starting grouping, so its first solution is at least that."""
    pairs = {g for g in start if len(g) == 2}
    trios = [g for g in start if len(g) == 3]
    trio_edges = {(min(a, b), max(a, b)) for g in trios for a, b in itertools.combinations(g, 2)}
    trio_members = {v for g in trios for v in g}
    for e, var in m.pair.items():
        m.model.add_hint(var, e in pairs)
    for e, var in m.trio.items():
        m.model.add_hint(var, e in trio_edges)
    for v, var in enumerate(m.in_trio):
        m.model.add_hint(var, v in trio_members)


def _solver(seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = SOLVE_WORK
    solver.parameters.max_time_in_seconds = SOLVE_SECONDS
    solver.parameters.num_workers = 1  # a deterministic search
    solver.parameters.random_seed = seed
    # presolve, symmetry detection and probing take seconds on all the pairs of a large group
    # and gain little for a matching
    solver.parameters.cp_model_presolve = False
    solver.parameters.symmetry_level = 0
    solver.parameters.cp_model_probing_level = 0
    return solver


def _solve(problem: _Problem, start: list[Group], with_trio: bool, seed: int) -> list[Group]:
    """The best grouping (pairs, and one trio when ``with_trio``), starting from ``start``
    (a valid grouping, returned when the solver finds nothing in time)."""
    if _clearly_best(problem, start, with_trio):
        return start
    m = _build(problem, with_trio)
    _hint(m, start)
    solver = _solver(seed)
    if solver.solve(m.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return start
    groups: list[Group] = [e for e, var in m.pair.items() if solver.value(var)]
    members = tuple(v for v, var in enumerate(m.in_trio) if solver.value(var))
    return [*groups, members] if members else groups


def _best_grouping(problem: _Problem, seed: int) -> list[Group]:
    """Pairs only first (fast, and optimal when everyone can be paired); then, if someone is
    left over, the model with the trio, starting from those pairs and the best trio join."""
    pairs = _solve(problem, _greedy_pairs(problem), with_trio=False, seed=seed)
    if 2 * len(pairs) == problem.size:
        return pairs
    return _solve(problem, _join_trio(problem, pairs), with_trio=True, seed=seed)


# ------------------------------------------------------------------------------ the round


def _unique(participants: Sequence[Participant]) -> list[Participant]:
    """One entry per user (the last one wins), sorted, so input order never matters."""
    return sorted({p.user: p for p in participants}.values(), key=lambda p: p.user)


def _as_pairs(found: Iterable[frozenset[str]]) -> set[frozenset[str]]:
    return {frozenset(pair) for pair in found if len(frozenset(pair)) == 2}


def pair_buddies(participants: Sequence[Participant],
                 history: Iterable[frozenset[str]] = (),
                 exclusions: Iterable[frozenset[str]] = (), seed: int = 0) -> Pairing:
    """Pair the participants for a round of informal learning (rules in the module docstring).

    ``history``: pairs (two user ids) that met before; ``exclusions``: pairs that must never
    meet; ``seed``: the tie-break between equally good groupings (same seed, same result)."""
    people = _unique(participants)
    if len(people) < 2:
        return Pairing(unmatched=[Unmatched(user=p.user, reason=ALONE) for p in people])
    excluded = _as_pairs(exclusions)
    met = _as_pairs(history) - excluded
    problem = _Problem.build(people, excluded, met, seed)
    groups = _best_grouping(problem, seed)
    repeats = sum(1 for g in groups for a, b in itertools.combinations(g, 2)
                  if frozenset({people[a].user, people[b].user}) in met)
    pairs = sorted((_as_pair([people[i] for i in g]) for g in groups), key=lambda p: p.members)
    placed = {user for pair in pairs for user in pair.members}
    unmatched = [Unmatched(user=p.user, reason=EXCLUDED) for p in people if p.user not in placed]
    return Pairing(pairs=pairs, unmatched=unmatched, reset_history=repeats > 0)


def _as_pair(group: list[Participant]) -> Pair:
    group = sorted(group, key=lambda p: p.user)
    return Pair(members=tuple(p.user for p in group), helps=_helps(group), score=_score(group))
