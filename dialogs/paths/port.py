"""What the leerlijn dialogs need from storage: saved leerlijnen and who they are assigned to.
Bound to the turn's workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field


class PathDraft(BaseModel):
    """A composed leerlijn as the builder hands it over for saving."""

    name: str
    level: str
    spec: dict[str, Any]  # engine.paths.PathSpec, as JSON
    trainings: list[dict[str, Any]]  # engine.paths.ChosenTraining dumps, in order
    total_minutes: int
    warnings: list[str] = Field(default_factory=list)  # already in the builder's language


class SavedPath(PathDraft):
    id: int
    created_by: str
    created_at: datetime


class Assignment(BaseModel):
    id: int
    path_id: int
    path_name: str
    user: str
    user_name: str  # the member's name, or their id when they are not known (any more)
    deadline: datetime
    assigned_by: str


class PathsPort(Protocol):
    async def save_path(self, draft: PathDraft, created_by: str) -> SavedPath: ...

    async def paths(self) -> list[SavedPath]:
        """Every saved leerlijn, newest first."""
        ...

    async def path(self, path_id: int) -> SavedPath | None: ...

    async def assign(self, path_id: int, user: str, deadline: datetime,
                     assigned_by: str) -> Assignment:
        """Assign the leerlijn to the user (assigned again: the new deadline counts)."""
        ...

    async def assignments(self, *, path_id: int | None = None,
                          user: str | None = None) -> list[Assignment]:
        """The assignments of a leerlijn, of a person, or both; earliest deadline first."""
        ...
