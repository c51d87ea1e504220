"""Dialog sessions: where a user is in which dialog, persisted between turns (and processes).

The state is the dialog's own (pydantic JSON), keyed by channel, workspace, user and
conversation. A dialog running another one as a sub-flow waits in ``parents`` (innermost last)
until that one ends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field, model_validator


class SessionKey(BaseModel, frozen=True):
    channel: str = Field(max_length=32)
    workspace: str = Field(max_length=64)
    user: str = Field(max_length=128)
    conversation: str = Field(max_length=255)


class HistoryEntry(BaseModel):
    """A step the user answered, with the state from before the answer (for "terug")."""

    step: str
    state: dict[str, Any]


class Frame(BaseModel):
    """One dialog in progress: its step, state, answered steps and the step's scratch."""

    dialog: str
    step: str
    state: dict[str, Any]
    history: list[HistoryEntry] = Field(default_factory=list)
    scratch: dict[str, Any] = Field(default_factory=dict)


class Pending(BaseModel):
    """A question the kit asked about the last typed text before handling it: did it mean
    another dialog (``switch``), a command with a typo (``command``), or, on "stop", should the
    answers be kept for later (``stop``)."""

    kind: Literal["switch", "command", "stop"]
    text: str = ""
    target: str = ""  # the dialog id or the command


class Session(Frame):
    """The dialog in progress (the innermost one) and the dialogs waiting for it."""

    parents: list[Frame] = Field(default_factory=list)
    pending: Pending | None = None
    turn: int = 0
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @model_validator(mode="before")
    @classmethod
    def _earlier_shape(cls, data: Any) -> Any:
        """Sessions stored before steps had a scratch kept a half-filled form in ``form``."""
        if isinstance(data, dict) and "form" in data:
            data = dict(data)
            filled = data.pop("form")
            if filled:
                data.setdefault("scratch", {"filled": filled})
        return data

    @property
    def frame(self) -> Frame:
        return Frame(dialog=self.dialog, step=self.step, state=self.state,
                     history=self.history, scratch=self.scratch)

    def moved(self, frame: Frame, parents: list[Frame] | None = None) -> Session:
        """The session with ``frame`` in progress (one turn further)."""
        return Session(**frame.model_dump(), turn=self.turn + 1,
                       parents=self.parents if parents is None else parents)


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
