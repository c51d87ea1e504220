"""Proactive messages: channel-neutral messages for a member or a team's room become queued
deliveries in the platform's own format, once per idempotency key.

Where a member is reached follows where they talk to Leerbot (``members.channel``): Slack
(a DM by user id), Microsoft Teams (the stored personal conversation reference), or the local
console and web chat (the mailbox, shown at their next turn). Each channel renders its own
payloads (``bot.channels.contract.Payloads``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels import (
    CONSOLE,
    MSTEAMS,
    SLACK,
    WEB,
    channel_name,
    mailbox,
    msteams_render,
    room,
    split_room,
)
from bot.channels.contract import Payloads, Unreachable
from bot.channels.slack import render as slack_render
from bot.queue import _insert, now
from bot.storage import conversations
from bot.storage.models import DeliveryRow
from bot.storage.people import MemberRow
from dialogs.kit import Message

LOCAL_CHANNELS = {CONSOLE, WEB, None}
#: each platform's outbound rendering, by the name its deliveries are sent under
PAYLOADS: dict[str, Payloads] = {SLACK: slack_render.payloads,
                                 MSTEAMS: msteams_render.payloads,
                                 mailbox.SENDER: mailbox.payloads}
#: platforms that can only write where a stored conversation reference allows
BY_REFERENCE = {MSTEAMS}


async def member_channel(db: AsyncSession, workspace: str, user: str) -> str | None:
    return channel_name((await db.execute(select(MemberRow.channel).where(
        MemberRow.workspace == workspace, MemberRow.user_id == user))).scalar_one_or_none())


def sender_channel(channel: str | None) -> str:
    """The name a member's deliveries are sent under (console and web chat: the mailbox)."""
    name = channel_name(channel)
    return mailbox.SENDER if name in LOCAL_CHANNELS else str(name)


def payloads_for(channel: str | None, address: str, messages: list[Message],
                 reference: dict[str, Any] | None = None,
                 thread_of: str | None = None) -> list[dict[str, Any]]:
    """The platform payloads that carry the messages to one address."""
    render = PAYLOADS.get(sender_channel(channel), mailbox.payloads)
    return render(address, messages, reference, thread_of)


async def queue_to_member(db: AsyncSession, workspace: str, user: str, messages: list[Message],
                          key: str, *, run_id: int | None = None,
                          at: datetime | None = None) -> int:
    """Queue the messages for one member; the number of deliveries created (0: the key was
    used before). An unreachable member gets a failed delivery with the reason, so the runs
    view shows who was missed and why."""
    channel = await member_channel(db, workspace, user)
    reference = None
    if channel in BY_REFERENCE:
        found = await conversations.personal_chat(db, str(channel), workspace, user)
        reference = found[1] if found else None
    try:
        payloads = payloads_for(channel, user, messages, reference)
        status, error = "pending", None
    except Unreachable as exc:
        payloads, status, error = [{"op": "none"}], "failed", str(exc)
    return await _queue(db, workspace, sender_channel(channel), f"{channel}:{user}", payloads,
                        key, run_id, at, user, status, error)


async def queue_to_room(db: AsyncSession, workspace: str, team_room: str,
                        messages: list[Message], key: str, *, run_id: int | None = None,
                        thread_of: str | None = None) -> int:
    """Queue the messages for a team's room ("slack:C123" or "msteams:<conversation>")."""
    channel, address = split_room(team_room)
    reference = None
    if channel in BY_REFERENCE:
        reference = await conversations.room_reference(db, channel, workspace, address)
    try:
        payloads = payloads_for(channel, address, messages, reference, thread_of)
        status, error = "pending", None
    except Unreachable as exc:
        payloads, status, error = [{"op": "none"}], "failed", str(exc)
    target = room(channel, address)
    return await _queue(db, workspace, channel, f"room:{target}", payloads, key, run_id, None,
                        target, status, error)


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
