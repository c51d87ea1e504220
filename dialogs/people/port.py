"""What the people dialogs need from storage: the workspace's members, their roles, language
and preferences. Bound to the turn's workspace."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from dialogs.kit import Member
from dialogs.policy import Role


class MemberDetails(BaseModel):
    timezone: str | None = None
    opt_out: set[str] = Field(default_factory=set)  # experts | buddies
    channel: str | None = None  # the channel the member last talked on


class PeoplePort(Protocol):
    async def member(self, user: str) -> Member | None: ...

    async def members(self) -> list[Member]:
        """Everyone, by name."""
        ...

    async def set_role(self, user: str, role: Role) -> Member | None:
        """None: the member is not known (any more)."""
        ...

    async def set_language(self, user: str, lang: str | None) -> None:
        """None: follow the chat app's language."""
        ...

    async def details(self, user: str) -> MemberDetails: ...

    async def set_details(self, user: str, *, timezone: str | None = None,
                          opt_out: set[str] | None = None) -> None: ...
