"""The diagnostic scan: statements per challenge, profiles, and how actions are ranked.

Data: ``data/scan.yaml``. Scoring itself lives in :mod:`engine.scan`.
"""

from __future__ import annotations

import re
from functools import cache

from pydantic import Field, model_validator

from knowledge.actions import ActionLibrary, load_action_library
from knowledge.base import KnowledgeError, Model, Text, data_path, load_yaml_model

STATEMENT_ID = re.compile(r"^s[1-9][a-z]$")


class Statement(Model):
    id: str = Field(pattern=STATEMENT_ID.pattern, description="'s' + challenge + letter")
    challenge: int = Field(ge=1, le=9)
    reverse: bool = Field(description="agreement LOWERS the barrier")
    text: Text


class Profile(Model):
    """The dominant profile an organisation gets when a challenge is its highest barrier.

    A profile is named by its challenge: ``title`` repeats the challenge title of the action
    library word for word (``load_scan`` checks this)."""

    challenge: int = Field(ge=1, le=9)
    title: Text
    description: Text


class ScaleLabels(Model):
    nl: list[str] = Field(min_length=5, max_length=5)
    en: list[str] = Field(min_length=5, max_length=5)


class RankingWeights(Model):
    """Weights of the top-action ranking; see engine.scan_ranking for the formula."""

    primary: float = Field(gt=0, description="times the weight of the action's own challenge")
    secondary: float = Field(ge=0, description="times the weight of another challenge it serves")
    barrier: float = Field(ge=0, description="times the barrier score (0..1) of its challenges")
    highlight: float = Field(ge=0)
    overlap: float = Field(0.0, ge=0, description="OVERLAP action: per extra high barrier served")
    repeat: float = Field(0.0, ge=0, description="penalty per action of the same challenge "
                                                 "already in the ranking")
    priority: list[float] = Field(min_length=1, description="bonus by rank of a stated need")


class ProfileRules(Model):
    """When a result is flat and which challenges count as high barriers (points of 0..100)."""

    flat_margin: int = Field(10, ge=0, le=100,
                             description="highest - lowest score <= this: no clear profile")
    high_margin: int = Field(20, ge=0, le=100,
                             description="score >= highest - this: a high barrier")

    @model_validator(mode="after")
    def _flat_means_all_high(self) -> ProfileRules:
        if self.high_margin < self.flat_margin:
            raise ValueError("high_margin must be at least flat_margin (a flat result has "
                             "every challenge among its high barriers)")
        return self


class ScanDefinition(Model):
    version: int = Field(ge=1)
    scale: ScaleLabels
    statements: list[Statement]
    profiles: list[Profile]
    ranking: RankingWeights
    profile_rules: ProfileRules = ProfileRules()
    top_actions: int = Field(3, ge=1)

    @model_validator(mode="after")
    def _complete(self) -> ScanDefinition:
        ids = [s.id for s in self.statements]
        if len(set(ids)) != len(ids):
            raise ValueError("statement ids must be unique")
        for statement in self.statements:
            if statement.id[1] != str(statement.challenge):
                raise ValueError(f"statement {statement.id} is filed under challenge "
                                 f"{statement.challenge}")
        for number in range(1, 10):
            mine = [s for s in self.statements if s.challenge == number]
            if len(mine) < 3:
                raise ValueError(f"challenge {number} needs at least 3 statements")
            if all(s.reverse for s in mine):
                raise ValueError(f"challenge {number}: not every statement may be reversed")
        if sorted(p.challenge for p in self.profiles) != list(range(1, 10)):
            raise ValueError("there must be exactly one profile per challenge 1..9")
        return self

    def profile(self, challenge: int) -> Profile:
        return next(p for p in self.profiles if p.challenge == challenge)

    def statements_for(self, challenge: int) -> list[Statement]:
        return [s for s in self.statements if s.challenge == challenge]


@cache
def load_scan() -> ScanDefinition:
    scan = load_yaml_model(ScanDefinition, data_path("scan.yaml"))
    library = load_action_library()  # the ranking needs it; fail early and together
    if any(s.reverse for s in scan.statements) is False:
        raise KnowledgeError("scan.yaml: some statements must be reverse-worded")
    check_profile_titles(scan, library)
    return scan


def check_profile_titles(scan: ScanDefinition, library: ActionLibrary) -> None:
    """Raise KnowledgeError unless every profile carries its challenge's title."""
    for profile in scan.profiles:
        expected = library.challenge(profile.challenge).title
        if profile.title != expected:
            raise KnowledgeError(f"scan.yaml: profile {profile.challenge} must be named by its "
                                 f"challenge: {expected.nl!r} / {expected.en!r}")
