"""What the team-round dialogs (check-in, kennisrondje, reflection, path evaluation) need from
storage: a team's schedules, its runs, the answers given, a member's open invitation, and a
run started now. Bound to the turn's workspace."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from pydantic import BaseModel, Field

from engine.recurrence import Recurrence


class Schedule(BaseModel):
    """A recurring team moment."""

    id: int
    team_id: int
    kind: str  # checkin | reflection | kennisrondje | digest
    rule: Recurrence
    questions: list[str]
    active: bool
    last_date: date | None = None


class Run(BaseModel):
    """One round sent to a team: an occurrence of a schedule, or one started now."""

    id: int
    kind: str
    team_id: int | None
    team: str = ""  # the team's name when it was sent
    questions: list[str] = Field(default_factory=list)
    occurrence: date | None = None
    created_at: datetime
    total: int  # how many people (or channels) it was sent to


class StoredAnswer(BaseModel):
    id: int
    kind: str
    run_id: int | None
    team_id: int | None
    path_id: int | None
    user: str
    question: str
    text: str
    status: str  # answered | skipped
    shared: bool
    created_at: datetime


class RoundsPort(Protocol):
    async def save_schedule(self, team_id: int, kind: str, rule: Recurrence,
                            questions: list[str], created_by: str) -> Schedule: ...

    async def schedules(self, team_id: int | None = None,
                        kind: str | None = None) -> list[Schedule]:
        """Oldest first."""
        ...

    async def set_schedule_active(self, schedule_id: int, active: bool) -> None: ...

    async def start_run(self, kind: str, team_id: int, questions: list[str],
                        created_by: str) -> Run:
        """A round sent now (a kennisrondje the lead starts): the run and one delivery per
        member, in this turn's transaction. LookupError when the team does not exist."""
        ...

    async def team_runs(self, team_id: int, kind: str, limit: int = 20) -> list[Run]:
        """The team's runs of that kind that reached someone, newest first."""
        ...

    async def run(self, run_id: int) -> Run | None: ...

    async def save_answer(self, kind: str, user: str, question: str, text: str, *,
                          run_id: int | None = None, team_id: int | None = None,
                          path_id: int | None = None, shared: bool = False,
                          status: str = "answered") -> StoredAnswer:
        """One answer (or, with status "skipped", a run passed); an answer to a run closes the
        member's reminder and snoozed invitations of it."""
        ...

    async def answers(self, kind: str, *, run_id: int | None = None,
                      team_id: int | None = None, user: str | None = None,
                      path_id: int | None = None) -> list[StoredAnswer]:
        """Oldest first."""
        ...

    async def open_invitation(self, user: str, kind: str) -> int | None:
        """The newest run of that kind that reached the user (in the last 7 days) and that the
        user has not answered yet."""
        ...
