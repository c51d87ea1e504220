"""Messages the dialogs send on their own initiative (a question to an expert, a snoozed
check-in, a post in the team's channel): queued in the turn's transaction, sent once per key.
Bound to the turn's workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from dialogs.kit import Message


class OutboxPort(Protocol):
    async def notify(self, user: str, messages: list[Message], key: str,
                     at: datetime | None = None) -> None:
        """To a member's own chat, once per key, at ``at`` (aware) or now."""
        ...

    async def post_to_team(self, team_id: int, messages: list[Message], key: str,
                           thread_of: str | None = None, exclude: str | None = None) -> None:
        """To the team's channel (in the thread of an earlier post), or to each member's
        chat (but ``exclude``) when the team has none."""
        ...

    async def cancel(self, key: str) -> bool:
        """Cancel a queued message that was not sent yet (a reminder, say)."""
        ...
