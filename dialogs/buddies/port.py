"""What the buddies dialog needs from storage: the groups of a team's earlier rounds, and a new
round. Bound to the turn's workspace."""

from __future__ import annotations

from typing import Protocol


class BuddiesPort(Protocol):
    async def history(self, team_id: int) -> list[list[str]]:
        """Every group of every earlier round of the team (members' ids), oldest first."""
        ...

    async def save_round(self, team_id: int, groups: list[list[str]]) -> int:
        """Store a new round of groups; its number (1 for a team's first round)."""
        ...
