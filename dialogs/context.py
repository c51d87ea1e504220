"""What a step can see during one turn: who is talking, in which language, on which channel,
and the services (storage, catalogue) behind the dialogs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

if TYPE_CHECKING:
    from dialogs.services import Services
    from dialogs.session import SessionKey

Role = Literal["employee", "manager", "admin"]


class Member(BaseModel):
    """A user of a workspace (Slack team, Teams tenant, or the local install)."""

    workspace: str
    user: str
    name: str = ""
    role: Role = "employee"
    lang: str | None = None  # the user's own choice; None: follow the channel's locale


@dataclass
class Turn:
    member: Member
    lang: str
    channel: str
    forms: bool  # the channel shows multi-field forms as one card or modal
    services: Services
    key: SessionKey
    #: what a proactive message's button (or a claimed free text) started the dialog with
    argument: str | None = None

    @property
    def workspace(self) -> str:
        return self.member.workspace
