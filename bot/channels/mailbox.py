"""Proactive messages for the console and the web chat: there is no platform to push to, so
a delivery is put in the member's mailbox, which the next turn shows first. Writing the mailbox
row is idempotent on the delivery key: exactly once, even after a crash.

This is the outbound half of the contract (``bot.channels.contract``) for those two channels:
``payloads`` renders, ``MailboxSender`` sends; their turns show the mailbox themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage import mailbox
from bot.storage.mailbox import take
from dialogs.kit import Message

__all__ = ["SENDER", "MailboxSender", "payloads", "take"]

#: the sender name of the deliveries of every channel without a platform (console, web chat)
SENDER = "local"


def payloads(address: str, messages: list[Message], reference: dict[str, Any] | None = None,
             thread_of: str | None = None) -> list[dict[str, Any]]:
    """One mailbox delivery for the user ``address`` (threads do not exist here)."""
    return [{"op": "local", "user": address,
             "messages": [m.model_dump(mode="json") for m in messages]}]


class MailboxSender:
    verifies = True

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    def pace(self, workspace: str, payload: dict[str, Any]) -> tuple[str, float] | None:
        return None

    async def send(self, workspace: str, payload: dict[str, Any],
                   key: str = "") -> dict[str, Any] | None:
        async with self.sessions.begin() as db:
            await mailbox.put(db, workspace, payload["user"], key, payload["messages"])
        return None

    async def delivered(self, workspace: str, payload: dict[str, Any], key: str,
                        since: datetime) -> bool | None:
        async with self.sessions() as db:
            return await mailbox.holds(db, key)
