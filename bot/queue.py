"""Durable queues in the database: the inbox (events stored before they are acknowledged) and
deliveries (messages stored, with an idempotency key, before they are sent).

Both are worked by any number of replicas: a worker claims rows with
``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises writers anyway) and a lease;
only the oldest open row of each conversation can be claimed, so one user's turns and one
conversation's messages keep their order. A row whose worker died is claimed again when its
lease runs out.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.storage.models import DeliveryRow, InboxRow

LEASE = timedelta(seconds=60)
#: with the backoff below, a platform outage is retried through before a
#: message is given up and shown as failed in the runs view (about twenty minutes)
MAX_ATTEMPTS = 14
OPEN = ("pending", "processing")


def now() -> datetime:
    return datetime.now(UTC)


def _insert(session: AsyncSession, table: type[Any]) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


async def enqueue_delivery(session: AsyncSession, key: str, channel: str, workspace: str,
                           ordering_key: str, payload: dict[str, Any],
                           run_id: int | None = None) -> bool:
    """Store an outbound message under its idempotency key; False when it already exists."""
    statement = _insert(session, DeliveryRow).values(
        key=key[:255], channel=channel, workspace=workspace, ordering_key=ordering_key[:512],
        payload=payload, status="pending", attempts=0, available_at=now(), created_at=now(),
        run_id=run_id,
    ).on_conflict_do_nothing(index_elements=["key"])
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def delivery_result(session: AsyncSession, key: str) -> dict[str, Any] | None:
    """What the platform answered to an earlier delivery (e.g. where a forum question was
    posted, so answers go to its thread)."""
    return (await session.execute(select(DeliveryRow.result).where(
        DeliveryRow.key == key))).scalar_one_or_none()


async def _claim(session: AsyncSession, table: type[Any], order_column: str,
                 limit: int, lease: timedelta = LEASE, *filters: Any) -> list[Any]:
    """Claim ready rows; the returned rows carry the claim (status processing, and
    ``attempts`` already counting this try)."""
    moment = now()
    earlier = aliased(table)
    ready = or_(table.status == "pending", table.status == "processing")
    # an earlier open row of the same conversation holds this one back (order), unless it is
    # only planned for later and never tried (a reminder for tomorrow must not hold back
    # today's messages); a row backing off after a failure does hold it back
    blocked = exists().where(
        getattr(earlier, order_column) == getattr(table, order_column),
        earlier.id < table.id, earlier.status.in_(OPEN),
        or_(earlier.available_at <= moment, earlier.attempts > 0))
    # replies to people come before fan-out messages (which carry a run)
    order = (table.run_id.is_not(None), table.id) if table is DeliveryRow else (table.id,)
    query = (select(table)
             .where(and_(ready, table.available_at <= moment, ~blocked, *filters))
             .order_by(*order).limit(limit)
             .with_for_update(skip_locked=True, of=table))
    rows = list((await session.execute(query)).scalars())
    if rows:
        await session.execute(update(table).where(table.id.in_([r.id for r in rows])).values(
            status="processing", available_at=moment + lease, attempts=table.attempts + 1))
    return rows


async def claim_inbox(session: AsyncSession, limit: int = 20) -> list[InboxRow]:
    return await _claim(session, InboxRow, "conversation_key", limit)


async def claim_deliveries(session: AsyncSession, limit: int = 50, lease: timedelta = LEASE,
                           channel: str | None = None,
                           workspace: str | None = None) -> list[DeliveryRow]:
    filters = []
    if channel is not None:
        filters.append(DeliveryRow.channel == channel)
    if workspace is not None:
        filters.append(DeliveryRow.workspace == workspace)
    return await _claim(session, DeliveryRow, "ordering_key", limit, lease, *filters)


async def next_due(session: AsyncSession) -> datetime | None:
    """When the next waiting delivery becomes ready (None: nothing is waiting)."""
    due = (await session.execute(select(func.min(DeliveryRow.available_at)).where(
        DeliveryRow.status == "pending"))).scalar_one_or_none()
    if isinstance(due, str):  # SQLite returns an aggregate's datetime as text
        due = datetime.fromisoformat(due)
    if due is not None and due.tzinfo is None:
        due = due.replace(tzinfo=UTC)
    return due


async def ready_groups(session: AsyncSession) -> list[tuple[str, str]]:
    """The (channel, workspace) pairs with deliveries ready to send (or whose lease ran out)."""
    rows = await session.execute(
        select(DeliveryRow.channel, DeliveryRow.workspace).where(
            DeliveryRow.status.in_(OPEN), DeliveryRow.available_at <= now()).distinct())
    return [(channel, workspace) for channel, workspace in rows.all()]


async def finish_inbox(session: AsyncSession, row_id: int) -> None:
    """The event was handled: only its key stays (to recognise a retry); what the person
    wrote is not kept (an anonymous question must not stay linked to its asker)."""
    await session.execute(update(InboxRow).where(InboxRow.id == row_id).values(
        status="done", payload={}))


#: handled events are kept (without content) this long to recognise Slack's retries
INBOX_KEEP = timedelta(days=2)


async def purge(session: AsyncSession) -> None:
    """Forget handled events after INBOX_KEEP."""
    await session.execute(delete(InboxRow).where(InboxRow.status == "done",
                                                 InboxRow.created_at < now() - INBOX_KEEP))


def sent_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """What a sent delivery keeps of its payload: not the message (it may hold what someone
    wrote, e.g. the summary of an anonymous question in the asker's DM)."""
    return {"op": payload.get("op", "post"), "sent": True}


def backoff(attempt: int, retry_after: float | None = None) -> timedelta:
    """Retry-After when the platform gives one, else exponential with jitter from half a
    second up to 5 minutes."""
    if retry_after is not None:
        return timedelta(seconds=max(retry_after, 0.2))
    return timedelta(seconds=min(2 ** max(attempt - 1, 0), 300) * (0.5 + random.random() / 2))


async def retry_later(session: AsyncSession, table: type[Any], row_id: int, attempts: int,
                      error: str, retry_after: float | None = None) -> None:
    """Put a row back for another try, or fail it for good after MAX_ATTEMPTS."""
    if attempts >= MAX_ATTEMPTS:
        values: dict[str, Any] = {"status": "failed", "last_error": error[:500]}
    else:
        values = {"status": "pending", "last_error": error[:500],
                  "available_at": now() + backoff(attempts, retry_after)}
    await session.execute(update(table).where(table.id == row_id).values(**values))


async def mark_sent(session: AsyncSession, row_id: int) -> None:
    await session.execute(update(DeliveryRow).where(DeliveryRow.id == row_id).values(
        status="sent", sent_at=now(), last_error=None))


async def mark_failed(session: AsyncSession, table: type[Any], row_id: int, error: str) -> None:
    await session.execute(update(table).where(table.id == row_id).values(
        status="failed", last_error=error[:500]))


async def update_deliveries(session: AsyncSession, changes: list[dict[str, Any]]) -> None:
    """Bulk UPDATE of delivery rows by primary key (each dict has ``id``)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in changes:
        groups.setdefault(tuple(sorted(change)), []).append(change)
    table = DeliveryRow.__table__
    for columns, rows in groups.items():
        statement = update(table).where(table.c.id == bindparam("row_id")).values(
            {name: bindparam(f"new_{name}") for name in columns if name != "id"})
        await session.execute(statement, [
            {"row_id": row["id"], **{f"new_{k}": v for k, v in row.items() if k != "id"}}
            for row in rows])
