"""What dialogs need from the rest of the system, as a protocol: the runtime (bot/) provides
it on the database; tests may provide their own."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field

from dialogs.kit import Member
from dialogs.services_together import TogetherServices
from engine.matching import CompetencyMatcher
from knowledge.catalogue import Catalogue


class SavedPath(BaseModel):
    id: int
    name: str
    level: str
    created_by: str
    created_at: datetime
    spec: dict[str, Any]
    trainings: list[dict[str, Any]]
    total_minutes: int
    warnings: list[str] = Field(default_factory=list)


class Assignment(BaseModel):
    id: int
    path_id: int
    path_name: str
    user: str
    user_name: str
    deadline: datetime
    assigned_by: str


class ScanRecord(BaseModel):
    id: int
    team: str
    taken_by: str
    taken_at: datetime
    scores: dict[int, int]
    profile: int
    priorities: list[int]
    top_actions: list[str]


class LearningWish(BaseModel):
    id: int
    text: str
    competencies: list[str]
    reflection: dict[str, str] = Field(default_factory=dict)
    created_at: datetime


class Profile(BaseModel):
    good_at: str = ""
    can_help_with: str = ""
    wants_to_grow: str = ""
    learns_best: str = ""
    competencies: list[str] = Field(default_factory=list)
    updated_at: datetime | None = None


class Services(TogetherServices, Protocol):
    """Everything a dialog may read or write, scoped to the turn's unit of work."""

    async def member(self, workspace: str, user: str, name: str, channel: str | None = None,
                     timezone: str | None = None) -> Member: ...

    async def members(self, workspace: str) -> list[Member]: ...

    async def catalogue(self, workspace: str) -> Catalogue: ...

    async def matcher(self, workspace: str) -> CompetencyMatcher: ...

    async def save_path(self, workspace: str, created_by: str, name: str, level: str,
                        spec: dict[str, Any], trainings: list[dict[str, Any]],
                        total_minutes: int, warnings: list[str]) -> SavedPath: ...

    async def paths(self, workspace: str) -> list[SavedPath]: ...

    async def path(self, workspace: str, path_id: int) -> SavedPath | None: ...

    async def assign_path(self, workspace: str, path_id: int, user: str, deadline: datetime,
                          assigned_by: str) -> Assignment: ...

    async def assignments(self, workspace: str, path_id: int | None = None,
                          user: str | None = None) -> list[Assignment]: ...

    async def save_scan(self, workspace: str, team: str, taken_by: str, scores: dict[int, int],
                        profile: int, priorities: list[int],
                        top_actions: list[str]) -> ScanRecord: ...

    async def scans(self, workspace: str, team: str) -> list[ScanRecord]: ...

    async def save_wish(self, workspace: str, user: str, text: str, competencies: list[str],
                        reflection: dict[str, str]) -> LearningWish: ...

    async def colleagues_for(self, workspace: str, competencies: list[str],
                             exclude: str) -> list[Member]:
        """Members whose profile names one of the competencies (never ``exclude``)."""
        ...

    async def wishes(self, workspace: str, user: str) -> list[LearningWish]: ...

    async def profile(self, workspace: str, user: str) -> Profile | None: ...

    async def save_profile(self, workspace: str, user: str, profile: Profile) -> None: ...
