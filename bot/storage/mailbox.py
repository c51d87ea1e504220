"""The mailbox of console and web chat users: proactive messages wait here until the person's
next turn shows them. A row is written once per delivery key (exactly once, even after a
crash)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.queue import _insert
from bot.storage.models import MailboxRow, utcnow
from bot.storage.prepared import Prepared
from dialogs.kit import Message


async def put(db: AsyncSession, workspace: str, user: str, key: str,
              messages: list[dict[str, Any]]) -> None:
    """Leave messages (as JSON) for the person; a key used before changes nothing."""
    await db.execute(_insert(db, MailboxRow).values(
        workspace=workspace, user_id=user, delivery_key=key, messages=messages, seen=False,
        created_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["delivery_key"]))


async def holds(db: AsyncSession, key: str) -> bool:
    """Whether the delivery with this key reached a mailbox."""
    found = (await db.execute(select(MailboxRow.id).where(
        MailboxRow.delivery_key == key))).scalar_one_or_none()
    return found is not None


_box = MailboxRow.__table__.c
# take() runs on every console and web chat turn: its statements are built once
_UNSEEN = (_box.workspace == bindparam("b_workspace"), _box.user_id == bindparam("b_user"),
           _box.seen.is_(False))
_WAITING = Prepared(select(_box.id, _box.messages).where(*_UNSEEN).order_by(_box.id))
_SEEN = Prepared(update(MailboxRow.__table__).where(*_UNSEEN, _box.id <= bindparam("b_last"))
                 .values(seen=True))


async def take(db: AsyncSession, workspace: str, user: str,
               limit: int | None = None) -> tuple[list[Message], int]:
    """The oldest unseen deliveries of the member's mailbox (at most ``limit``), marked seen,
    and how many still wait after them."""
    whose = {"b_workspace": workspace, "b_user": user}
    rows = (await _WAITING.run(db, whose)).all()
    taken = rows if limit is None else rows[:limit]
    if taken:  # the oldest ones: up to the last taken
        await _SEEN.run(db, {**whose, "b_last": taken[-1].id})
    return [Message.model_validate(m) for row in taken for m in row.messages], \
        len(rows) - len(taken)
