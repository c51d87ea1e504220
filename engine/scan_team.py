"""Team scan: many respondents' barrier scores for one round, summarised per challenge, and the
change since the previous round.

* Privacy: a round is summarised only when at least ``MIN_GROUP`` (5) people answered. With
  fewer, the summary is *hidden*: it holds the number of respondents and a note, and no
  score, average or spread at all (so nobody's answers can be worked out from it).
* Per challenge: ``mean`` (one decimal), and the spread as ``low``/``high`` (the lowest and
  highest individual score) and ``stdev`` (population standard deviation, one decimal: the
  typical distance of a respondent from the team mean).
* Trend: ``delta`` = this round's mean - the previous round's mean per challenge (one
  decimal); negative means the barrier got lower, which is progress. A trend exists only
  when both rounds are shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from statistics import fmean, pstdev

from pydantic import BaseModel, Field, model_validator

from engine.notes import Note, note
from engine.scan import ScanInputError

MIN_GROUP = 5
CHALLENGES = tuple(range(1, 10))


class ChallengeSummary(BaseModel):
    challenge: int = Field(ge=1, le=9)
    mean: float = Field(ge=0, le=100)
    low: int = Field(ge=0, le=100)
    high: int = Field(ge=0, le=100)
    stdev: float = Field(ge=0)


class TeamRound(BaseModel):
    """One round of a team scan: shown (summaries per challenge) or hidden (none)."""

    respondents: int = Field(ge=0)
    hidden: bool
    challenges: list[ChallengeSummary] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)

    @model_validator(mode="after")
    def _privacy(self) -> TeamRound:
        if self.hidden and self.challenges:
            raise ValueError("a hidden round carries no summaries")
        if not self.hidden and self.respondents < MIN_GROUP:
            raise ValueError(f"a round with fewer than {MIN_GROUP} respondents must be hidden")
        return self

    def means(self) -> dict[int, float]:
        return {c.challenge: c.mean for c in self.challenges}


class ChallengeChange(BaseModel):
    challenge: int = Field(ge=1, le=9)
    previous: float
    current: float
    delta: float = Field(description="current - previous; negative = lower barrier (progress)")


class TeamTrend(BaseModel):
    hidden: bool
    changes: list[ChallengeChange] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)


def _valid(respondent: Mapping[int, object]) -> bool:
    return set(respondent) == set(CHALLENGES) and all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100
        for v in respondent.values())


def check_respondents(respondents: Sequence[Mapping[int, object]]) -> None:
    """Raise ScanInputError naming every respondent without one score 0..100 per challenge."""
    problems = [note("scan.error.team_scores", number=index)
                for index, respondent in enumerate(respondents, start=1)
                if not _valid(respondent)]
    if problems:
        raise ScanInputError(problems)


def summarise_challenge(challenge: int, values: Sequence[int]) -> ChallengeSummary:
    return ChallengeSummary(challenge=challenge, mean=round(fmean(values), 1), low=min(values),
                            high=max(values), stdev=round(pstdev(values), 1))


def aggregate_round(respondents: Sequence[Mapping[int, int]]) -> TeamRound:
    """Summarise one round (each respondent: challenge -> barrier score); hidden (no numbers
    but the head count) below ``MIN_GROUP``. Raises ScanInputError for malformed scores."""
    check_respondents(respondents)
    checked = list(respondents)
    if len(checked) < MIN_GROUP:
        return TeamRound(respondents=len(checked), hidden=True,
                         notes=[note("scan.team.hidden", minimum=MIN_GROUP)])
    summaries = [summarise_challenge(n, [r[n] for r in checked]) for n in CHALLENGES]
    return TeamRound(respondents=len(checked), hidden=False, challenges=summaries)


def compare_rounds(previous: TeamRound, current: TeamRound) -> TeamTrend:
    """Change per challenge since the previous round; hidden unless both rounds are shown."""
    if previous.hidden or current.hidden:
        return TeamTrend(hidden=True, notes=[note("scan.team.trend_hidden", minimum=MIN_GROUP)])
    before, now = previous.means(), current.means()
    changes = [ChallengeChange(challenge=n, previous=before[n], current=now[n],
                               delta=round(now[n] - before[n], 1)) for n in CHALLENGES]
    return TeamTrend(hidden=False, changes=changes)
