"""Ranking the actions of the library for a scan result, and explaining the top of the list.

High barriers
    The challenges whose score is within ``profile_rules.high_margin`` points of the highest
    score (always including the highest). A challenge's *weight* is its score divided by the
    highest score when it is a high barrier, else 0 (every weight is 1 when all scores are 0).
    A ``profile`` passed by an older caller always counts as a high barrier with weight 1.

Relevance of an action (weights from ``scan.yaml``, section ``ranking``)
    * fit: ``primary`` x the weight of its own challenge, or ``secondary`` x the weight of
      another challenge it serves, whichever is larger; the challenge giving the larger value
      is the action's *anchor* (its own challenge on equal values);
    * need: ``barrier`` x the highest score (0..1) among the challenges it serves;
    * ``highlight`` when it carries the HIGHLIGHT label;
    * ``overlap`` x (high barriers it serves - 1) when it carries the OVERLAP label;
    * ``priority[r]`` for the best-placed stated priority ``r`` (0 = first) it serves.

Choosing the order
    Greedy: the next action is the one with the highest relevance minus ``repeat`` times the
    number of actions with the same anchor already chosen; equal values keep the library order.
    An action never appears twice: once chosen, its twins in other challenges are skipped.
    The repeat penalty spreads the top over tied or nearly tied challenges while a clearly
    dominant challenge keeps most places.
    The first stated priority always has an action among the top ``top_actions`` (3): when
    the greedy order has none there, the best-placed action serving it moves up to the last
    place of the top. Later priorities count through their bonus only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence

from pydantic import BaseModel, Field

from engine.notes import Note, note
from knowledge.actions import Action, ActionLibrary
from knowledge.scan import ProfileRules, RankingWeights, ScanDefinition


class RankedAction(BaseModel):
    id: str
    title: str
    highlight: bool
    score: float = Field(description="relevance when it was chosen (after the repeat penalty)")
    overlap: bool = Field(False, description="labelled OVERLAP in the action library")
    challenge: int = Field(0, description="the challenge it is listed under (0 = unknown)")
    challenges: list[int] = Field(default_factory=list,
                                  description="every challenge it serves, its own first")


class RankingContext(BaseModel):
    """What the relevance of every action depends on, computed once per ranking."""

    scores: dict[int, int]
    high: list[int] = Field(description="high barriers, highest score first")
    weights: dict[int, float] = Field(description="challenge -> 0..1 (0 unless high)")
    priorities: list[int]


def high_barriers(scores: Mapping[int, int], rules: ProfileRules) -> list[int]:
    """Challenges within ``rules.high_margin`` of the highest score, highest first."""
    top = max(scores.values())
    high = [n for n in scores if scores[n] >= top - rules.high_margin]
    return sorted(high, key=lambda n: (-scores[n], n))


def ranking_context(scan: ScanDefinition, scores: Mapping[int, int], profile: int | None = None,
                    priorities: Sequence[int] = ()) -> RankingContext:
    high = high_barriers(scores, scan.profile_rules)
    if profile is not None and profile not in high:
        high.insert(0, profile)
    top = max(scores.values())
    weights = {n: (scores[n] / top if top else 1.0) if n in high else 0.0 for n in scores}
    if profile is not None:
        weights[profile] = 1.0
    return RankingContext(scores=dict(scores), high=high, weights=weights,
                          priorities=list(priorities))


def high_served(action: Action, context: RankingContext) -> list[int]:
    return [n for n in action.challenges if n in context.high]


def _fits(action: Action, context: RankingContext, weights: RankingWeights) -> dict[int, float]:
    """challenge served -> primary/secondary weight x that challenge's weight."""
    return {number: (weights.primary if position == 0 else weights.secondary)
            * context.weights.get(number, 0.0)
            for position, number in enumerate(action.challenges)}


def anchor(action: Action, context: RankingContext, weights: RankingWeights) -> int:
    """The challenge through which the action fits best (its own on equal fit)."""
    fits = _fits(action, context, weights)
    return max(action.challenges, key=lambda n: (fits[n], n == action.challenge))


def relevance(action: Action, context: RankingContext, weights: RankingWeights) -> float:
    """The action's relevance before the repeat penalty (see the module docstring)."""
    need = max(context.scores.get(n, 0) for n in action.challenges) / 100
    value = max(_fits(action, context, weights).values()) + weights.barrier * need
    if action.highlight:
        value += weights.highlight
    if action.overlap:
        value += weights.overlap * max(len(high_served(action, context)) - 1, 0)
    bonuses = [weights.priority[rank] for rank, number in enumerate(context.priorities)
               if rank < len(weights.priority) and number in action.challenges]
    return value + max(bonuses, default=0.0)


def _ranked(action: Action, value: float, lang: str) -> RankedAction:
    return RankedAction(id=action.id, title=action.title.get(lang), highlight=action.highlight,
                        score=round(value, 4), overlap=action.overlap, challenge=action.challenge,
                        challenges=list(action.challenges))


def greedy_order(library: ActionLibrary, scan: ScanDefinition, context: RankingContext,
                 lang: str) -> Iterator[RankedAction]:
    """Actions one by one, greedy with the repeat penalty; twins of a chosen action skipped."""
    weights = scan.ranking
    groups = library.twin_groups()
    base = [(relevance(a, context, weights), position, anchor(a, context, weights), a)
            for position, a in enumerate(library.actions)]
    per_anchor: Counter[int] = Counter()
    while base:
        value, _, home, action = min(
            ((v - weights.repeat * per_anchor[h], p, h, a) for v, p, h, a in base),
            key=lambda item: (-item[0], item[1]))
        per_anchor[home] += 1
        base = [item for item in base if item[3].id not in groups[action.id]]
        yield _ranked(action, value, lang)


def keep_first_priority(order: list[RankedAction], priorities: Sequence[int],
                        places: int) -> list[RankedAction]:
    """Move the best action serving the first priority up to the last of the top ``places``
    when none of the top serves it."""
    if not priorities or places < 1:
        return order
    if any(priorities[0] in a.challenges for a in order[:places]):
        return order
    found = next((i for i, a in enumerate(order) if priorities[0] in a.challenges), None)
    if found is None:
        return order
    moved = order[found]
    rest = order[:found] + order[found + 1:]
    return [*rest[:places - 1], moved, *rest[places - 1:]]


def rank_for_context(library: ActionLibrary, scan: ScanDefinition, context: RankingContext, *,
                     lang: str = "nl", limit: int | None = None) -> list[RankedAction]:
    """The greedy order, with the first priority kept in the top (see the module docstring);
    only as much of the order is worked out as the answer needs."""
    places = scan.top_actions
    first = context.priorities[0] if context.priorities else None
    order: list[RankedAction] = []
    for action in greedy_order(library, scan, context, lang):
        order.append(action)
        enough = limit is not None and len(order) >= max(limit, places)
        if enough and (first is None or any(first in a.challenges for a in order)):
            break
    order = keep_first_priority(order, context.priorities, places)
    return order if limit is None else order[:limit]


def rank_actions(library: ActionLibrary, scan: ScanDefinition, scores: Mapping[int, int],
                 profile: int | None = None, priorities: Sequence[int] = (), *,
                 lang: str = "nl", limit: int | None = None) -> list[RankedAction]:
    """Actions best first for these scores (see the module docstring).

    ``profile`` is optional: the high barriers follow from the scores; a given profile is
    treated as a high barrier of weight 1 (older callers pass the tie-broken profile)."""
    context = ranking_context(scan, scores, profile, priorities)
    return rank_for_context(library, scan, context, lang=lang, limit=limit)


def _joined(numbers: Sequence[int | str]) -> str:
    return ", ".join(str(n) for n in numbers)


def _serving(top: Sequence[RankedAction], challenge: int) -> list[tuple[int, str]]:
    return [(i, a.id) for i, a in enumerate(top) if challenge in a.challenges]


def priority_notes(top: Sequence[RankedAction], unprioritised: Sequence[RankedAction],
                   priorities: Sequence[int]) -> list[Note]:
    """Per stated priority: did it raise actions into or within the top, were its actions
    there already, or do higher barriers and earlier priorities keep them out?"""
    notes: list[Note] = []
    for rank, number in enumerate(priorities, start=1):
        now, before = _serving(top, number), _serving(unprioritised, number)
        raised = len(now) > len(before) or (
            bool(now) and len(now) == len(before) and now[0][0] < before[0][0])
        ids = _joined([action_id for _, action_id in now])
        if raised:
            notes.append(note("scan.why.priority_raised", challenge=number, rank=rank,
                              actions=ids))
        elif now:
            notes.append(note("scan.why.priority_already", challenge=number, rank=rank,
                              actions=ids))
        else:
            notes.append(note("scan.why.priority_outranked", challenge=number, rank=rank))
    return notes


def label_notes(top: Sequence[RankedAction], context: RankingContext,
                profile: int | None) -> list[Note]:
    """OVERLAP actions that serve several high barriers, and actions taken from a challenge
    close to a clear profile."""
    notes: list[Note] = []
    for action in top:
        served = [n for n in action.challenges if n in context.high]
        if action.overlap and len(served) > 1:
            notes.append(note("scan.why.overlap", action=action.id, challenges=_joined(served)))
        elif (profile is not None and profile not in action.challenges and served
              and not set(action.challenges) & set(context.priorities)):
            notes.append(note("scan.why.near", action=action.id, challenge=served[0],
                              score=context.scores[served[0]]))
    return notes
