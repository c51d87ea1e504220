"""Conversation references: where a platform lets Leerbot write to someone or into a channel
later (a Teams personal chat, a Teams or Slack channel Leerbot was added to)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from bot.queue import _insert, insert_for
from bot.storage.models import ConversationRefRow, utcnow
from bot.storage.prepared import Prepared, columns_bound

PERSONAL = "personal"
#: scopes of a conversation shared by several people (a team's room)
ROOMS = ("channel", "groupChat")


_SAVED = ("channel", "workspace", "user_id", "conversation_id", "scope", "reference",
          "updated_at")


def _saving(dialect: str) -> Insert:
    """The upsert of ``save_reference`` (stored on every Teams turn, so prepared once per
    dialect); the values are its parameters."""
    table = ConversationRefRow.__table__
    insert = insert_for(dialect)(table).values(columns_bound(table, _SAVED))
    return insert.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=["channel", "workspace", "user_id", "conversation_id"],
        set_={"reference": insert.excluded.reference, "updated_at": insert.excluded.updated_at})


_SAVE = Prepared(_saving)


async def save_reference(db: AsyncSession, channel: str, workspace: str, user: str,
                         conversation: str, scope: str, reference: dict[str, Any]) -> None:
    """Store the reference of a conversation someone talked in, or refresh it (it is stored on
    every Teams turn)."""
    await _SAVE.run(db, {
        "channel": channel, "workspace": workspace, "user_id": user,
        "conversation_id": conversation, "scope": scope, "reference": reference,
        "updated_at": utcnow()})


async def add_room(db: AsyncSession, channel: str, workspace: str, conversation: str,
                   reference: dict[str, Any]) -> None:
    """Remember a channel Leerbot was added to (kept as first seen)."""
    await db.execute(_insert(db, ConversationRefRow).values(
        channel=channel, workspace=workspace, user_id="", conversation_id=conversation,
        scope="channel", reference=reference, updated_at=utcnow(),
    ).on_conflict_do_nothing(
        index_elements=["channel", "workspace", "user_id", "conversation_id"]))


async def personal_chat(db: AsyncSession, channel: str, workspace: str,
                        user: str) -> tuple[str, dict[str, Any]] | None:
    """The person's own chat with Leerbot (conversation id, reference), the newest first."""
    row = (await db.execute(select(ConversationRefRow).where(
        ConversationRefRow.channel == channel, ConversationRefRow.workspace == workspace,
        ConversationRefRow.user_id == user, ConversationRefRow.scope == PERSONAL,
    ).order_by(ConversationRefRow.updated_at.desc()).limit(1))).scalar_one_or_none()
    return (row.conversation_id, row.reference) if row is not None else None


async def personal_references(db: AsyncSession, channel: str, workspace: str,
                              users: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The personal chats' references of several people at once (by user)."""
    rows = (await db.execute(select(ConversationRefRow).where(
        ConversationRefRow.channel == channel, ConversationRefRow.workspace == workspace,
        ConversationRefRow.scope == PERSONAL, ConversationRefRow.user_id.in_(list(users)),
    ).order_by(ConversationRefRow.updated_at))).scalars()
    return {row.user_id: row.reference for row in rows}  # the newest wins


async def room_reference(db: AsyncSession, channel: str, workspace: str,
                         conversation: str) -> dict[str, Any] | None:
    """The reference of a channel (a team's room)."""
    return (await db.execute(select(ConversationRefRow.reference).where(
        ConversationRefRow.channel == channel, ConversationRefRow.workspace == workspace,
        ConversationRefRow.conversation_id == conversation).limit(1))).scalar_one_or_none()


async def references(db: AsyncSession, channel: str, workspace: str,
                     user: str) -> list[dict[str, Any]]:
    """Every conversation reference stored for a person."""
    rows = (await db.execute(select(ConversationRefRow.reference).where(
        ConversationRefRow.channel == channel, ConversationRefRow.workspace == workspace,
        ConversationRefRow.user_id == user))).scalars()
    return list(rows)
