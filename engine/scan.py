"""Scoring the diagnostic scan: barrier scores, the dominant profile and the top actions.

* Each statement is answered on a 1..5 agreement scale. Its barrier value is
  ``(answer - 1) / 4``, or ``(5 - answer) / 4`` for a reverse-worded statement (where
  agreement means the barrier is absent). A challenge's barrier score is the mean of its
  statements' values, times 100, rounded: 0 = no barrier at all, 100 = the strongest barrier.
* The dominant profile is the challenge with the highest score; ties go to the challenge the
  organisation put first among its priorities, then to the lowest number.
* Actions are ranked for the profile by relevance (listed under the profile's challenge, or
  also serving it), the barrier scores of the challenges the action serves, its HIGHLIGHT
  label, and the organisation's stated priorities. The weights are data (``scan.yaml``).
  An action never appears twice: once chosen, its twins in other challenges are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, Field

from engine.notes import Note, note
from knowledge.actions import Action, ActionLibrary
from knowledge.scan import ScanDefinition

MAX_PRIORITIES = 3


class ScanInputError(ValueError):
    """Answers that cannot be scored; ``notes`` name every faulty item."""

    def __init__(self, notes: list[Note]) -> None:
        super().__init__("; ".join(n.text("en") for n in notes))
        self.notes = notes


class RankedAction(BaseModel):
    id: str
    title: str
    highlight: bool
    score: float


class ScanResult(BaseModel):
    scores: dict[int, int] = Field(description="challenge -> barrier score 0..100")
    profile: int
    top_actions: list[RankedAction]


def check_answers(scan: ScanDefinition, answers: Mapping[str, object],
                  priorities: Sequence[object] = (), *, complete: bool = True) -> None:
    """Raise ScanInputError naming every missing, unknown or out-of-range item."""
    problems: list[Note] = []
    known = {s.id for s in scan.statements}
    for item in sorted(set(answers) - known):
        problems.append(note("scan.error.unknown", item=item))
    for statement in scan.statements:
        if statement.id not in answers:
            if complete:
                problems.append(note("scan.error.missing", item=statement.id))
            continue
        value = answers[statement.id]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            problems.append(note("scan.error.range", item=statement.id, value=repr(value)))
    seen: set[int] = set()
    for value in priorities:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9:
            problems.append(note("scan.error.priority", value=repr(value)))
        elif value in seen:
            problems.append(note("scan.error.priority_twice", value=value))
        else:
            seen.add(value)
    if len(list(priorities)) > MAX_PRIORITIES:
        problems.append(note("scan.error.too_many_priorities", maximum=MAX_PRIORITIES))
    if problems:
        raise ScanInputError(problems)


def barrier_scores(scan: ScanDefinition, answers: Mapping[str, int]) -> dict[int, int]:
    """Barrier score 0..100 per challenge 1..9 (answers must be complete and valid)."""
    values: dict[int, list[float]] = {n: [] for n in range(1, 10)}
    for statement in scan.statements:
        answer = answers[statement.id]
        value = (5 - answer) / 4 if statement.reverse else (answer - 1) / 4
        values[statement.challenge].append(value)
    return {n: round(100 * sum(v) / len(v)) for n, v in values.items()}


def dominant_profile(scores: Mapping[int, int], priorities: Sequence[int] = ()) -> int:
    top = max(scores.values())
    tied = [n for n in sorted(scores) if scores[n] == top]
    for number in priorities:
        if number in tied:
            return number
    return tied[0]


def _relevance(action: Action, profile: int, scan: ScanDefinition, scores: Mapping[int, int],
               priorities: Sequence[int]) -> float:
    weights = scan.ranking
    if action.challenge == profile:
        value = weights.primary
    elif profile in action.challenges:
        value = weights.secondary
    else:
        value = 0.0
    value += weights.barrier * max(scores[c] for c in action.challenges) / 100
    if action.highlight:
        value += weights.highlight
    bonuses = [weights.priority[rank] for rank, number in enumerate(priorities)
               if rank < len(weights.priority) and number in action.challenges]
    return value + max(bonuses, default=0.0)


def rank_actions(library: ActionLibrary, scan: ScanDefinition, scores: Mapping[int, int],
                 profile: int, priorities: Sequence[int] = (), *, lang: str = "nl",
                 limit: int | None = None) -> list[RankedAction]:
    """Actions best first for the profile; twins of an action already listed are skipped."""
    scored = [(_relevance(a, profile, scan, scores, priorities), position, a)
              for position, a in enumerate(library.actions)]
    scored.sort(key=lambda item: (-item[0], item[1]))
    ranked: list[RankedAction] = []
    taken: set[str] = set()
    for value, _, action in scored:
        if action.id in taken:
            continue
        taken |= library.twins(action.id)
        ranked.append(RankedAction(id=action.id, title=action.title.get(lang),
                                   highlight=action.highlight, score=round(value, 4)))
        if limit is not None and len(ranked) == limit:
            break
    return ranked


def score_scan(library: ActionLibrary, scan: ScanDefinition, answers: Mapping[str, object],
               priorities: Sequence[object] = (), *, lang: str = "nl") -> ScanResult:
    """Validate the answers, then score them (see the module docstring)."""
    check_answers(scan, answers, priorities)
    valid_answers = {k: int(v) for k, v in answers.items()}  # type: ignore[call-overload]
    valid_priorities = [int(p) for p in priorities]  # type: ignore[call-overload]
    scores = barrier_scores(scan, valid_answers)
    profile = dominant_profile(scores, valid_priorities)
    top = rank_actions(library, scan, scores, profile, valid_priorities, lang=lang,
                       limit=scan.top_actions)
    return ScanResult(scores=scores, profile=profile, top_actions=top)
