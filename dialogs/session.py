"""Dialog sessions: where a user is in which dialog, persisted between turns (and processes).

The state is ours (pydantic JSON), keyed by channel, workspace, user and conversation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field


class SessionKey(BaseModel, frozen=True):
    channel: str = Field(max_length=32)
    workspace: str = Field(max_length=64)
    user: str = Field(max_length=128)
    conversation: str = Field(max_length=255)


class HistoryEntry(BaseModel):
    """A step the user answered, with the state from before the answer (for "terug")."""

    step: str
    state: dict[str, Any]


class Session(BaseModel):
    dialog: str
    step: str
    state: dict[str, Any]
    history: list[HistoryEntry] = Field(default_factory=list)
    turn: int = 0
    form: dict[str, str] | None = Field(None, description="fields filled one at a time")
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class Conflict(Exception):
    """Another turn of the same user changed the session first; the turn is retried."""


class SessionStore(Protocol):
    """Sessions inside the current unit of work (one transaction per turn)."""

    async def load(self, key: SessionKey) -> tuple[Session | None, int]:
        """The session and its version (0 when there is none)."""
        ...

    async def save(self, key: SessionKey, session: Session | None, version: int) -> None:
        """Write (or delete, with None) if still at ``version``; else raise Conflict."""
        ...
