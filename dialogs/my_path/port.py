"""What "mijn leerlijn" needs from storage: the person's assigned leerlijnen with the status of
each training (and what they took from it), and the progress others may see. Bound to the
turn's workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, Field

Status = Literal["todo", "started", "done"]


class TrainingProgress(BaseModel):
    key: str  # the training's id in the leerlijn
    title: str
    minutes: int = 0
    status: Status = "todo"
    reflection: str | None = None
    changed_at: datetime | None = None


class MyPath(BaseModel):
    """One assigned leerlijn, seen by the person it is assigned to."""

    assignment_id: int
    path_id: int
    path_name: str
    deadline: datetime
    assigned_by: str
    goals: list[str] = Field(default_factory=list)  # the leerlijn's goal competencies
    trainings: list[TrainingProgress] = Field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for t in self.trainings if t.status == status)

    @property
    def finished(self) -> bool:
        return bool(self.trainings) and self.count("done") == len(self.trainings)


class PersonProgress(BaseModel):
    """How far one person is in a leerlijn (for the manager who assigned it, and HR)."""

    user: str
    name: str
    assigned_by: str
    deadline: datetime
    total: int
    started: int
    done: int


class MyPathPort(Protocol):
    async def my_paths(self, user: str) -> list[MyPath]:
        """The user's assigned leerlijnen with each training's status; earliest deadline first."""
        ...

    async def set_status(self, user: str, assignment_id: int, key: str, status: Status,
                         at: datetime, reflection: str | None = None) -> bool:
        """Record the training's status (and a reflection on completion) for the user's own
        assignment; False when the assignment or training is not theirs."""
        ...

    async def progress(self, path_id: int) -> list[PersonProgress]:
        """Every person the leerlijn is assigned to, with their counts."""
        ...


def training_key(item: dict[str, object], number: int) -> str:
    """A training's key in its leerlijn: its catalogue id (its place, for old data)."""
    return str(item.get("id") or f"#{number}")[:128]
