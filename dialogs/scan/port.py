"""What the scan dialogs need from storage: completed scans per organisation or team, and the
rounds of the team scan (sent to many people, answered privately, shown only as a group).
Bound to the turn's workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field


class ScanOutcome(BaseModel):
    """A completed scan as the dialog hands it over for saving."""

    team: str
    scores: dict[int, int]  # challenge 1..9 -> barrier score 0..100
    profile: int | None  # the single highest challenge; None when tied or flat
    priorities: list[int]
    top_actions: list[str]  # action ids, best first


class ScanRecord(ScanOutcome):
    id: int
    taken_by: str
    taken_at: datetime


class ScansPort(Protocol):
    async def save_scan(self, outcome: ScanOutcome, taken_by: str) -> ScanRecord: ...

    async def scans(self, team: str) -> list[ScanRecord]:
        """The team's scans, newest first."""
        ...

    async def scan(self, scan_id: int) -> ScanRecord | None: ...

    async def latest_taken_by(self, user: str) -> ScanRecord | None:
        """The newest scan this person filled in."""
        ...


class TeamScanRound(BaseModel):
    """One round of the team scan: who it went to (a team, or the whole organisation when
    ``team_id`` is None), how many were invited and answered, and whether it is closed."""

    id: int
    team_id: int | None
    team: str = Field(description="the team's name when it was sent; '' = the organisation")
    sent_by: str
    sent_at: datetime
    invited: int
    respondents: int
    closed: bool


class TeamScansPort(Protocol):
    async def start_round(self, team_id: int | None, team: str, invited: list[str],
                          sent_by: str) -> TeamScanRound:
        """A new round and an open invitation for each person in ``invited``."""
        ...

    async def rounds(self) -> list[TeamScanRound]:
        """The workspace's rounds, newest first."""
        ...

    async def round(self, round_id: int) -> TeamScanRound | None: ...

    async def invited(self, round_id: int, user: str) -> bool: ...

    async def answered(self, round_id: int, user: str) -> bool: ...

    async def open_invitation(self, user: str) -> int | None:
        """The newest open round this person was invited to and has not answered."""
        ...

    async def save_response(self, round_id: int, user: str, scores: dict[int, int]) -> None:
        """The person's barrier scores, stored without their name; their invitation is
        marked answered (so they answer once)."""
        ...

    async def responses(self, round_id: int) -> list[dict[int, int]]:
        """Every respondent's barrier scores, in no particular order and without names."""
        ...

    async def close_round(self, round_id: int) -> None:
        """No more answers to this round."""
        ...
