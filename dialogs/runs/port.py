"""What the runs view needs from storage: the workspace's recent runs (a scheduled or one-off
fan-out of messages) with their delivery counts, the deliveries that went wrong, and a retry.
Bound to the turn's workspace."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field


class RunSummary(BaseModel):
    id: int
    kind: str
    team_id: int | None
    occurrence: date | None
    created_at: datetime
    total: int
    counts: dict[str, int]  # sent, pending, processing, failed, unknown, cancelled
    details: dict[str, Any] = Field(default_factory=dict)


class DeliveryProblem(BaseModel):
    recipient: str
    status: str  # failed | unknown
    error: str


class RunsPort(Protocol):
    async def recent(self, limit: int = 10) -> list[RunSummary]:
        """The newest runs that have deliveries, newest first."""
        ...

    async def run(self, run_id: int) -> RunSummary | None: ...

    async def problems(self, run_id: int) -> list[DeliveryProblem]:
        """The run's failed and unknown deliveries."""
        ...

    async def retry(self, run_id: int) -> int:
        """Put the run's failed and unknown deliveries back in the queue; how many (someone
        who cannot be reached stays failed)."""
        ...
