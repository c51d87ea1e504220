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


class PathNameTaken(Exception):
    """Another leerlijn of the workspace has this name (names compare case-insensitively)."""

    def __init__(self, name: str, suggestion: str) -> None:
        super().__init__(name)
        self.name, self.suggestion = name, suggestion


def name_key(name: str) -> str:
    """What makes two leerlijn names the same: case and surrounding spaces do not count."""
    return " ".join(name.split()).casefold()


class PathsPort(Protocol):
    async def save_path(self, draft: PathDraft, created_by: str) -> SavedPath:
        """Save a new leerlijn; raises ``PathNameTaken`` when its name is in use."""
        ...

    async def free_name(self, name: str, except_id: int | None = None) -> str | None:
        """None when ``name`` may be used (by the leerlijn ``except_id``), else a free name
        like it to suggest."""
        ...

    async def update_path(self, path_id: int, draft: PathDraft) -> SavedPath | None:
        """Replace a leerlijn's name, level, spec and trainings (None: it is gone); raises
        ``PathNameTaken`` when the new name is another leerlijn's."""
        ...

    async def delete_path(self, path_id: int) -> int | None:
        """Delete a leerlijn and its assignments; how many assignments went (None: gone)."""
        ...

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

    async def unassign(self, path_id: int, user: str) -> bool:
        """Take the leerlijn away from the user; False when they did not have it."""
        ...
