"""What a step can see during one turn: who is talking, in which language, on which channel,
when, and the application's *ports* (what a feature needs from storage), bound to the
member's workspace: ``turn.forum.open_questions()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from pydantic import BaseModel

from dialogs.kit.session import SessionKey


class Member(BaseModel):
    """A user of a workspace (a Slack team, a Teams tenant, or the local install)."""

    workspace: str
    user: str
    name: str = ""
    role: str = "employee"
    lang: str | None = None  # the user's own choice; None: follow the channel's locale


class Ports(Protocol):
    """The application's ports for one turn, by name."""

    def get(self, name: str) -> Any:
        """The port bound to the turn's workspace; KeyError for an unknown name."""
        ...


@dataclass
class Turn:
    member: Member
    lang: str
    channel: str
    forms: bool  # the channel shows multi-field forms as one card or modal
    key: SessionKey
    ports: Ports
    now: datetime  # aware (UTC); the conductor's clock, so tests and demos can move it
    #: what a proactive message's button (or a claimed free text) started the dialog with
    argument: str | None = None

    @property
    def workspace(self) -> str:
        return self.member.workspace

    @property
    def today(self) -> date:
        return self.now.date()

    def __getattr__(self, name: str) -> Any:
        ports = self.__dict__.get("ports")
        if ports is None or name.startswith("_"):
            raise AttributeError(name)
        try:
            return ports.get(name)
        except KeyError:
            raise AttributeError(f"no port or attribute {name!r} in this turn") from None
