"""Proactive messages for the console and the web chat: there is no platform to push to, so
a delivery is put in the member's mailbox, which the next turn shows first. Writing the mailbox
row is idempotent on the delivery key: exactly once, even after a crash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.queue import _insert
from bot.storage.models import MailboxRow, utcnow
from dialogs.kit import Message


class MailboxSender:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    verifies = True

    def pace(self, workspace: str, payload: dict[str, Any]) -> tuple[str, float] | None:
        return None

    async def send(self, workspace: str, payload: dict[str, Any],
                   key: str = "") -> dict[str, Any] | None:
        async with self.sessions.begin() as db:
            await db.execute(_insert(db, MailboxRow).values(
                workspace=workspace, user_id=payload["user"], delivery_key=key,
                messages=payload["messages"], seen=False, created_at=utcnow(),
            ).on_conflict_do_nothing(index_elements=["delivery_key"]))
        return None

    async def delivered(self, workspace: str, payload: dict[str, Any], key: str,
                        since: datetime) -> bool | None:
        async with self.sessions() as db:
            found = (await db.execute(select(MailboxRow.id).where(
                MailboxRow.delivery_key == key))).scalar_one_or_none()
        return found is not None


async def take(db: AsyncSession, workspace: str, user: str,
               limit: int | None = None) -> tuple[list[Message], int]:
    """The oldest unseen deliveries of the member's mailbox (at most ``limit``), marked seen,
    and how many still wait after them."""
    rows = (await db.execute(select(MailboxRow).where(
        MailboxRow.workspace == workspace, MailboxRow.user_id == user,
        MailboxRow.seen.is_(False)).order_by(MailboxRow.id))).scalars().all()
    taken = rows if limit is None else rows[:limit]
    if taken:
        await db.execute(update(MailboxRow).where(MailboxRow.id.in_([r.id for r in taken]))
                         .values(seen=True))
    return [Message.model_validate(m) for row in taken for m in row.messages], \
        len(rows) - len(taken)
