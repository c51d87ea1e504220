"""Scoring the diagnostic scan: barrier scores, the profile (or why there is none), the top
actions and the notes that explain them. Ranking itself: :mod:`engine.scan_ranking`.

* Each statement is answered on a 1..5 agreement scale. Its barrier value is
  ``(answer - 1) / 4``, or ``(5 - answer) / 4`` for a reverse-worded statement (where
  agreement means the barrier is absent). A challenge's barrier score is the mean of its
  statements' values, times 100, rounded: 0 = no barrier at all, 100 = the strongest barrier.
* Reading the scores (margins are data: ``scan.yaml``, section ``profile_rules``):
  - ``tied``: the challenges sharing the highest score when there is more than one;
  - ``flat``: highest - lowest score <= ``flat_margin`` (10 points, a little more than one
    answer step on one statement): "geen duidelijk dominant profiel";
  - ``profile``: the challenge with the highest score, or None when the highest score is
    shared (``tied``) or the result is flat: then no single profile story is told;
  - high barriers: every challenge within ``high_margin`` (20) of the highest score.
* The top actions are drawn across the high barriers (tied challenges alike), OVERLAP actions
  serving several of them rank up, and stated priorities add a bonus by their rank; the
  notes say what decided (verdict first, then OVERLAP/nearby challenges, then priorities).
* ``dominant_profile`` is kept for older callers that need one challenge: it breaks a tie by
  the stated priorities, then by the lowest number, without saying so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, Field

from engine.notes import Note, note
from engine.scan_ranking import (
    RankedAction,
    label_notes,
    priority_notes,
    rank_actions,
    rank_for_context,
    ranking_context,
)
from knowledge.actions import ActionLibrary
from knowledge.scan import ProfileRules, ScanDefinition

__all__ = ["MAX_PRIORITIES", "ProfileReading", "RankedAction", "ScanInputError", "ScanResult",
           "barrier_scores", "check_answers", "dominant_profile", "rank_actions",
           "read_profile", "result_for_scores", "score_scan"]

MAX_PRIORITIES = 3


class ScanInputError(ValueError):
    """Answers that cannot be scored; ``notes`` name every faulty item."""

    def __init__(self, notes: list[Note]) -> None:
        super().__init__("; ".join(n.text("en") for n in notes))
        self.notes = notes


class ProfileReading(BaseModel):
    """How the scores read: one profile, a tie at the top, or a flat result."""

    profile: int | None = Field(description="the single highest challenge; None if tied or flat")
    tied: list[int] = Field(description="challenges sharing the highest score, if more than one")
    flat: bool = Field(description="highest - lowest <= flat_margin: no clear dominant profile")
    highest: int
    lowest: int


class ScanResult(BaseModel):
    scores: dict[int, int] = Field(description="challenge -> barrier score 0..100")
    profile: int | None = Field(description="None when tied or flat (see the module docstring)")
    top_actions: list[RankedAction]
    tied: list[int] = Field(default_factory=list)
    flat: bool = False
    high_barriers: list[int] = Field(default_factory=list,
                                     description="within high_margin of the top, highest first")
    profile_title: str | None = Field(None, description="the profile's challenge title")
    priorities: list[int] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list, description="why: verdict, labels, priorities")


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
    """One challenge, always (older callers): a tie goes to the first stated priority among
    the tied, then to the lowest number. New code reads ``read_profile`` instead."""
    top = max(scores.values())
    tied = [n for n in sorted(scores) if scores[n] == top]
    for number in priorities:
        if number in tied:
            return number
    return tied[0]


def read_profile(scores: Mapping[int, int], rules: ProfileRules) -> ProfileReading:
    highest, lowest = max(scores.values()), min(scores.values())
    top = [n for n in sorted(scores) if scores[n] == highest]
    flat = highest - lowest <= rules.flat_margin
    single = top[0] if len(top) == 1 and not flat else None
    return ProfileReading(profile=single, tied=top if len(top) > 1 else [], flat=flat,
                          highest=highest, lowest=lowest)


def verdict_notes(reading: ProfileReading, rules: ProfileRules,
                  priorities: Sequence[int]) -> list[Note]:
    if reading.flat:
        notes = [note("scan.why.flat", low=reading.lowest, high=reading.highest,
                      margin=rules.flat_margin) if reading.lowest < reading.highest
                 else note("scan.why.flat_equal", score=reading.highest)]
        if not priorities:
            notes.append(note("scan.why.flat_choose_priorities"))
        return notes
    if reading.tied:
        return [note("scan.why.tied", challenges=", ".join(map(str, reading.tied)),
                     score=reading.highest)]
    return [note("scan.why.profile", challenge=reading.profile, score=reading.highest)]


def result_for_scores(library: ActionLibrary, scan: ScanDefinition, scores: Mapping[int, int],
                      priorities: Sequence[int] = (), *, lang: str = "nl") -> ScanResult:
    """Profile, top actions and notes for barrier scores that are already known."""
    reading = read_profile(scores, scan.profile_rules)
    context = ranking_context(scan, scores, priorities=priorities)
    top = rank_for_context(library, scan, context, lang=lang, limit=scan.top_actions)
    notes = verdict_notes(reading, scan.profile_rules, priorities)
    notes += label_notes(top, context, reading.profile)
    if priorities:
        plain = ranking_context(scan, scores)
        unprioritised = rank_for_context(library, scan, plain, lang=lang, limit=scan.top_actions)
        notes += priority_notes(top, unprioritised, priorities)
    title = (library.challenge(reading.profile).title.get(lang)
             if reading.profile is not None else None)
    return ScanResult(scores=dict(scores), profile=reading.profile, top_actions=top,
                      tied=reading.tied, flat=reading.flat, high_barriers=context.high,
                      profile_title=title, priorities=list(priorities), notes=notes)


def score_scan(library: ActionLibrary, scan: ScanDefinition, answers: Mapping[str, object],
               priorities: Sequence[object] = (), *, lang: str = "nl") -> ScanResult:
    """Validate the answers, then score them (see the module docstring)."""
    check_answers(scan, answers, priorities)
    valid_answers = {k: int(v) for k, v in answers.items()}  # type: ignore[call-overload]
    valid_priorities = [int(p) for p in priorities]  # type: ignore[call-overload]
    scores = barrier_scores(scan, valid_answers)
    return result_for_scores(library, scan, scores, valid_priorities, lang=lang)
