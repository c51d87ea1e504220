"""What the scan dialog needs from storage: completed scans per organisation or team. Bound to
the turn's workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel


class ScanOutcome(BaseModel):
    """A completed scan as the dialog hands it over for saving."""

    team: str
    scores: dict[int, int]  # challenge 1..9 -> barrier score 0..100
    profile: int  # the dominant challenge (engine.scan.dominant_profile)
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
