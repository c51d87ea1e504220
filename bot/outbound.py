"""Proactive messages: channel-neutral messages for a member or a team's channel become queued
deliveries in the platform's own format, once per idempotency key.

Where a member is reached follows where they talk to Leerbot (``members.channel``): Slack
(a DM by user id), Teams (the stored personal conversation reference), or the local console and
web chat (the mailbox, shown at their next turn).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels import slack_render, teams_render
from bot.queue import _insert, now
from bot.storage.models import ConversationRefRow, DeliveryRow
from bot.storage.people import MemberRow
from dialogs.kit import Message

LOCAL_CHANNELS = {"console", "web", None}


class Unreachable(Exception):
    """The member cannot be reached proactively (e.g. never talked to the bot in Teams)."""


async def member_channel(db: AsyncSession, workspace: str, user: str) -> str | None:
    return (await db.execute(select(MemberRow.channel).where(
        MemberRow.workspace == workspace, MemberRow.user_id == user))).scalar_one_or_none()


async def teams_reference(db: AsyncSession, workspace: str, user: str) -> dict[str, Any] | None:
    rows = (await db.execute(select(ConversationRefRow).where(
        ConversationRefRow.channel == "teams", ConversationRefRow.workspace == workspace,
        ConversationRefRow.user_id == user).order_by(ConversationRefRow.updated_at.desc())
    )).scalars().all()
    personal = [r for r in rows if r.scope == "personal"]
    return (personal or [None])[0].reference if personal else None


def payloads_for(channel: str | None, address: str, messages: list[Message],
                 reference: dict[str, Any] | None = None,
                 thread_of: str | None = None) -> list[dict[str, Any]]:
    """The platform payloads that carry the messages to one address."""
    if channel == "slack":
        output = slack_render.render(messages)
        return [{"op": "post", "channel": address, "text": m.text, "blocks": m.blocks,
                 **({"thread_of": thread_of} if thread_of else {})} for m in output.messages]
    if channel == "teams":
        if reference is None:
            raise Unreachable("no Teams conversation with this person yet")
        return [{"reference": reference, "cards": teams_render.render(messages),
                 **({"thread_of": thread_of} if thread_of else {})}]
    return [{"op": "local", "user": address,
             "messages": [m.model_dump(mode="json") for m in messages]}]


def sender_channel(channel: str | None) -> str:
    return "local" if channel in LOCAL_CHANNELS else str(channel)


async def queue_to_member(db: AsyncSession, workspace: str, user: str, messages: list[Message],
                          key: str, *, run_id: int | None = None,
                          at: datetime | None = None) -> int:
    """Queue the messages for one member; the number of deliveries created (0: the key was
    used before). An unreachable member gets a failed delivery with the reason, so the runs
    view shows who was missed and why."""
    channel = await member_channel(db, workspace, user)
    reference = await teams_reference(db, workspace, user) if channel == "teams" else None
    try:
        payloads = payloads_for(channel, user, messages, reference)
        status, error = "pending", None
    except Unreachable as exc:
        payloads, status, error = [{"op": "none"}], "failed", str(exc)
    return await _queue(db, workspace, sender_channel(channel), f"{channel}:{user}", payloads,
                        key, run_id, at, user, status, error)


async def queue_to_room(db: AsyncSession, workspace: str, room: str, messages: list[Message],
                        key: str, *, run_id: int | None = None,
                        thread_of: str | None = None) -> int:
    """Queue the messages for a team channel ("slack:C123" or "teams:<conversation>")."""
    channel, _, address = room.partition(":")
    reference = None
    if channel == "teams":
        reference = (await db.execute(select(ConversationRefRow.reference).where(
            ConversationRefRow.channel == "teams", ConversationRefRow.workspace == workspace,
            ConversationRefRow.conversation_id == address).limit(1))).scalar_one_or_none()
    try:
        payloads = payloads_for(channel, address, messages, reference, thread_of)
        status, error = "pending", None
    except Unreachable as exc:
        payloads, status, error = [{"op": "none"}], "failed", str(exc)
    return await _queue(db, workspace, channel, f"room:{room}", payloads, key, run_id, None,
                        room, status, error)


async def _queue(db: AsyncSession, workspace: str, channel: str, ordering: str,
                 payloads: list[dict[str, Any]], key: str, run_id: int | None,
                 at: datetime | None, recipient: str, status: str, error: str | None) -> int:
    rows = delivery_rows(workspace, channel, ordering, payloads, key, run_id, at, recipient,
                         status, error)
    await queue_many(db, rows)
    return len(rows)


def delivery_rows(workspace: str, channel: str, ordering: str, payloads: list[dict[str, Any]],
                  key: str, run_id: int | None, at: datetime | None, recipient: str,
                  status: str = "pending", error: str | None = None) -> list[dict[str, Any]]:
    """Delivery rows (dicts for a bulk insert) for the payloads of one recipient."""
    moment = now()
    rows = []
    for index, payload in enumerate(payloads):
        if run_id is not None:
            payload = {**payload, "run": run_id}
        rows.append({
            "key": (key if index == 0 else f"{key}#{index}")[:255], "channel": channel,
            "workspace": workspace, "ordering_key": f"{workspace}:{ordering}"[:512],
            "payload": payload, "status": status, "attempts": 0,
            "available_at": max(at, moment) if at is not None else moment,
            "last_error": error, "run_id": run_id, "created_at": moment,
            "recipient": recipient[:128]})
    return rows


async def queue_many(db: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert prepared delivery rows at once (fan-out planning); repeats are skipped."""
    if rows:
        statement = _insert(db, DeliveryRow.__table__).on_conflict_do_nothing(
            index_elements=["key"])
        await db.execute(statement, rows)


async def cancel(db: AsyncSession, key: str) -> bool:
    result = await db.execute(update(DeliveryRow).where(
        DeliveryRow.key == key, DeliveryRow.status == "pending",
        DeliveryRow.sending_at.is_(None)).values(status="cancelled"))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def cancel_matching(db: AsyncSession, pattern: str) -> int:
    """Cancel the unsent messages whose key matches a LIKE pattern (e.g. every snooze)."""
    result = await db.execute(update(DeliveryRow).where(
        DeliveryRow.key.like(pattern), DeliveryRow.status == "pending",
        DeliveryRow.sending_at.is_(None)).values(status="cancelled"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
