"""Teams of colleagues (a lead, members, optionally a channel for the forum and reflection).
Bound to the turn's workspace."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, Field


class Team(BaseModel):
    id: int
    name: str
    lead: str
    room: str | None = None  # "slack:C123" / "teams:<conversation id>"; None: members' DMs
    members: list[str] = Field(default_factory=list)
    settings: dict[str, Any] = Field(default_factory=dict)


class TeamsPort(Protocol):
    async def teams(self, user: str | None = None) -> list[Team]:
        """All teams, or those the user leads or belongs to."""
        ...

    async def team(self, team_id: int) -> Team | None: ...

    async def save_team(self, name: str, lead: str, members: list[str], room: str | None,
                        team_id: int | None = None) -> Team:
        """A new team (with the weekly digest of its open questions), or changes to one."""
        ...

    async def delete_team(self, team_id: int) -> None: ...

    async def update_settings(self, team_id: int, settings: dict[str, Any]) -> None: ...

    async def rooms(self) -> list[tuple[str, str]]:
        """Channels Leerbot was added to: (room id, label)."""
        ...
