"""Durable queues in the database: the inbox (events stored before they are acknowledged) and
deliveries (messages stored, with an idempotency key, before they are sent).

Both are worked by any number of replicas: a worker claims rows with
``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (on SQLite, which has no row locks, with
one UPDATE of the ready rows: it holds the database's write lock) and a lease;
only the oldest open row of each conversation can be claimed, so one user's turns and one
conversation's messages keep their order.

A claim is a lease: the row carries its worker's name (``claimed_by``) and the end of the lease
(``available_at``). The worker renews the leases of the rows it is still working on with a
heartbeat (``renew_claims``), so the lease can be short: a row whose worker died is claimed
again within one lease, while a long job keeps its rows. Lease times are read from one clock:
the database server's on PostgreSQL (replicas' own clocks may differ), the machine's on SQLite.
"""

from __future__ import annotations

import random
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, any_, bindparam, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import DeliveryRow, HealthCheckRow, InboxRow, MailboxRow, RunRow
from bot.storage.prepared import Prepared, columns_bound

#: how long a claim lasts unless its worker renews it (its heartbeat does, every sixth)
LEASE = timedelta(seconds=6)
#: A platform may still act on a call this long after its caller went away: a delivery
#: interrupted mid-call is taken over (and checked with the platform) no sooner than this
#: after the call started. The worker itself never keeps a call going beyond its lease.
SETTLE = timedelta(seconds=5)
#: with the backoff below, a platform outage is retried through before a
#: message is given up and shown as failed in the runs view (about twenty minutes)
MAX_ATTEMPTS = 14
OPEN = ("pending", "processing")


class ClaimLost(Exception):
    """Another worker has taken the row over (this worker's lease on it ran out)."""


#: the inbox row the current task works on, and the worker that claimed it: finishing the row
#: then succeeds only while that claim holds (see ``finish_inbox``)
CURRENT_CLAIM: ContextVar[tuple[int, str] | None] = ContextVar("leerbot_claim", default=None)
#: how many rows the current task's worker claimed together (its batch): many means load
CLAIMED_TOGETHER: ContextVar[int] = ContextVar("leerbot_claimed_together", default=1)


def now() -> datetime:
    return datetime.now(UTC)


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def insert_for(dialect: str) -> Any:
    """The dialect's INSERT (the one with ON CONFLICT) for a dialect's name."""
    return pg_insert if dialect == "postgresql" else sqlite_insert


def _insert(session: AsyncSession, table: type[Any]) -> Any:
    return insert_for(_dialect(session))(table)


async def clock(session: AsyncSession) -> datetime:
    """The moment leases are measured with: the database server's clock on PostgreSQL, so that
    every replica agrees on when a lease ends; on SQLite every process shares the machine's."""
    if _dialect(session) == "postgresql":
        return (await session.execute(select(func.now()))).scalar_one()  # type: ignore[no-any-return]
    return now()


_DELIVERIES = DeliveryRow.__table__
_D = _DELIVERIES.c
_ENQUEUED = ("key", "channel", "workspace", "ordering_key", "payload", "status", "attempts",
             "available_at", "created_at", "run_id", "claimed_by")


def _enqueue(dialect: str) -> Any:
    """Store a delivery unless its key exists; PostgreSQL returns its id (SQLite's driver
    tells ``lastrowid``: no RETURNING before SQLite 3.35)."""
    statement = insert_for(dialect)(_DELIVERIES).values(
        columns_bound(_DELIVERIES, _ENQUEUED)).on_conflict_do_nothing(index_elements=["key"])
    return statement.returning(_D.id) if dialect == "postgresql" else statement


# every turn that answers queues a delivery: prepared once per dialect
_ENQUEUE = Prepared(_enqueue)


async def enqueue_delivery(session: AsyncSession, key: str, channel: str, workspace: str,
                           ordering_key: str, payload: dict[str, Any],
                           run_id: int | None = None) -> bool:
    """Store an outbound message under its idempotency key; False when it already exists."""
    moment = now()
    result = await _ENQUEUE.run(session, {
        "key": key[:255], "channel": channel, "workspace": workspace,
        "ordering_key": ordering_key[:512], "payload": payload, "status": "pending",
        "attempts": 0, "available_at": moment, "created_at": moment, "run_id": run_id,
        "claimed_by": None})
    return result.inserted_id() is not None


def _open(table: Any) -> Any:
    """Whether a row is still open (``OPEN``), written out: a prepared statement takes no
    list of values."""
    return or_(*(table.c.status == status for status in OPEN))


# an earlier open delivery of the conversation that is due, or was tried (see ``_ready``)
_EARLIER = Prepared(select(_D.id).where(
    _D.ordering_key == bindparam("o_key", type_=_D.ordering_key.type), _open(_DELIVERIES),
    or_(_D.available_at <= bindparam("o_moment", type_=_D.available_at.type),
        _D.attempts > 0)).limit(1))


async def reserve_order(session: AsyncSession, ordering_key: str,
                        lease: timedelta = LEASE) -> datetime | None:
    """Whether deliveries queued now in this conversation may be sent right after this
    transaction commits, by a worker of this process that claims them in it
    (``enqueue_claimed``): the end of their lease, or None when an earlier open delivery of
    the conversation holds them back (as in ``_ready``); they are then queued as usual."""
    moment = await clock(session)
    earlier = await _EARLIER.run(session, {"o_key": ordering_key[:512], "o_moment": moment})
    return None if earlier.first() is not None else moment + lease


async def enqueue_claimed(session: AsyncSession, key: str, channel: str, workspace: str,
                          ordering_key: str, payload: dict[str, Any], owner: str,
                          until: datetime) -> Any | None:
    """Store an outbound message already claimed by ``owner`` until ``until`` (see
    ``reserve_order``), as ``claim_deliveries`` would leave it; the row (as the claim gives
    it, for the worker), or None when the key exists already (nothing is claimed then)."""
    values: dict[str, Any] = dict(
        key=key[:255], channel=channel, workspace=workspace, ordering_key=ordering_key[:512],
        payload=payload, status="processing", attempts=1, available_at=until,
        created_at=now(), run_id=None, claimed_by=owner)
    row_id = (await _ENQUEUE.run(session, values)).inserted_id()
    if row_id is None:
        return None
    columns = {column.key: None for column in _DELIVERIES.c}
    return _DELIVERIES_CLAIM.taken.row(session.bind.dialect)(
        **{**columns, **values, "id": row_id})


async def delivery_result(session: AsyncSession, key: str) -> dict[str, Any] | None:
    """What the platform answered to an earlier delivery (e.g. where a forum question was
    posted, so answers go to its thread)."""
    return (await session.execute(select(DeliveryRow.result).where(
        DeliveryRow.key == key))).scalar_one_or_none()


def _ready(table: Any, order_column: str, moment: Any) -> list[Any]:
    """When a row of ``table`` (inbox or deliveries) may be claimed at ``moment``: open, due,
    and not held back in its conversation (``order_column``)."""
    earlier = table.alias("earlier")
    # an earlier open row of the same conversation holds this one back (order), unless it is
    # only planned for later and never tried (a reminder for tomorrow must not hold back
    # today's messages); a row backing off after a failure does hold it back
    blocked = exists().where(
        earlier.c[order_column] == table.c[order_column], earlier.c.id < table.c.id,
        _open(earlier), or_(earlier.c.available_at <= moment, earlier.c.attempts > 0))
    return [_open(table), table.c.available_at <= moment, ~blocked]


def _moment(table: Any) -> Any:
    return bindparam("c_moment", type_=table.c.available_at.type)


@dataclass(frozen=True)
class _Claim:
    """The statements of a claim of one table, each prepared once per dialect (a claim comes
    with nearly every turn): on PostgreSQL ``ready`` selects and locks the ready rows
    (``FOR UPDATE SKIP LOCKED``) and ``take`` claims them all at once; on SQLite, which has no
    row locks, ``take`` claims the ready rows in one UPDATE (atomic: it holds the write lock)
    and ``taken`` reads back the rows it claimed."""

    ready: Prepared
    take: Prepared
    taken: Prepared


def _claimable(table: Any, order_column: str, order: Any, *filters: Any) -> _Claim:
    """The claim of the ready rows of ``table`` (by the rule of ``_ready``) and ``filters``,
    in ``order``, up to ``c_limit``."""
    def ready(dialect: str) -> Any:
        query = (select(table).where(*_ready(table, order_column, _moment(table)), *filters)
                 .order_by(*order).limit(bindparam("c_limit", type_=Integer())))
        if dialect == "postgresql":
            query = query.with_for_update(skip_locked=True, of=table)
        return query

    until = bindparam("c_until", type_=table.c.available_at.type)
    owner = bindparam("c_owner", type_=table.c.claimed_by.type)

    def take(dialect: str) -> Any:
        claim = update(table).values(status="processing", attempts=table.c.attempts + 1,
                                     available_at=until, claimed_by=owner)
        if dialect == "postgresql":
            return claim.where(table.c.id == any_(bindparam("c_ids", type_=ARRAY(Integer()))))
        ids = (select(table.c.id).where(*_ready(table, order_column, _moment(table)), *filters)
               .order_by(*order).limit(bindparam("c_limit", type_=Integer())))
        return claim.where(table.c.id.in_(ids.correlate(None).scalar_subquery()))

    taken = (select(table).where(table.c.status == "processing", table.c.available_at == until,
                                 table.c.claimed_by.is_not_distinct_from(owner))
             .order_by(*order))
    return _Claim(Prepared(ready), Prepared(take), Prepared(taken))


async def _claim(session: AsyncSession, claim: _Claim, parameters: dict[str, Any],
                 lease: timedelta, owner: str | None,
                 settle: timedelta | None = None) -> list[Any]:
    """Claim ready rows for ``owner``; each returned row (a named tuple of the table's
    columns) carries the claim: status processing, ``claimed_by`` the owner, ``attempts``
    counting this try. ``settle``: how long before now an interrupted call must have started
    (``c_settled``, deliveries)."""
    moment = await clock(session)
    if settle is not None:
        parameters = {**parameters, "c_settled": moment - settle}
    taken = {"c_moment": moment, "c_until": moment + lease, "c_owner": owner}
    if _dialect(session) != "postgresql":
        if not (await claim.take.run(session, {**parameters, **taken})).rowcount:
            return []
        return (await claim.taken.run(session, taken)).all()
    rows = (await claim.ready.run(session, {"c_moment": moment, **parameters})).all()
    if not rows:
        return []
    await claim.take.run(session, {"c_ids": [row.id for row in rows], **taken})
    return [row._replace(status="processing", attempts=row.attempts + 1,
                         available_at=taken["c_until"], claimed_by=owner) for row in rows]


_INBOX = InboxRow.__table__
_I = _INBOX.c
_INBOX_CLAIM = _claimable(_INBOX, "conversation_key", (_INBOX.c.id,))


async def claim_inbox(session: AsyncSession, limit: int = 20, lease: timedelta = LEASE,
                      owner: str | None = None) -> list[Any]:
    """Claim ready inbox events for ``owner``, in order (see ``_claim``)."""
    return await _claim(session, _INBOX_CLAIM, {"c_limit": limit}, lease, owner)


def _deliveries_claim(*filters: Any) -> _Claim:
    # a delivery whose worker vanished during the platform call: the platform gets time to
    # act on a call that reached it before the check asks whether it arrived
    settled = or_(_D.status == "pending", _D.sending_at.is_(None),
                  _D.sending_at <= bindparam("c_settled", type_=_D.sending_at.type))
    # replies to people come before fan-out messages (which carry a run)
    return _claimable(_DELIVERIES, "ordering_key", (_D.run_id.is_not(None), _D.id), settled,
                      *filters)


_DELIVERIES_CLAIM = _deliveries_claim()
_GROUP_CLAIM = _deliveries_claim(_D.channel == bindparam("c_channel", type_=_D.channel.type),
                                 _D.workspace == bindparam("c_workspace",
                                                           type_=_D.workspace.type))


async def claim_deliveries(session: AsyncSession, limit: int = 50, lease: timedelta = LEASE,
                           channel: str | None = None, workspace: str | None = None,
                           owner: str | None = None) -> list[Any]:
    """Claim ready deliveries for ``owner`` (of one channel's workspace, when given), replies
    before fan-out messages (see ``_claim``)."""
    parameters: dict[str, Any] = {"c_limit": limit}
    claim = _DELIVERIES_CLAIM
    if channel is not None or workspace is not None:
        if channel is None or workspace is None:
            raise ValueError("a workspace is claimed with its channel")
        claim = _GROUP_CLAIM
        parameters.update(c_channel=channel, c_workspace=workspace)
    return await _claim(session, claim, parameters, lease, owner, settle=SETTLE)


async def renew_claims(session: AsyncSession, table: type[Any], ids: list[int], owner: str,
                       lease: timedelta = LEASE) -> set[int]:
    """Move the lease of the rows ``owner`` still holds one ``lease`` ahead; the ids renewed.
    A row missing was finished meanwhile, taken over by another worker, or is being written
    right now (its lock is skipped rather than waited for: waiting could deadlock with that
    write, and the next renewal takes it)."""
    until = await clock(session) + lease
    core = table.__table__
    renewed: set[int] = set()
    for start in range(0, len(ids), 500):
        held = (select(core.c.id).where(core.c.id.in_(ids[start:start + 500]),
                                        core.c.claimed_by == owner,
                                        core.c.status == "processing")
                .with_for_update(skip_locked=True))
        result = await session.execute(
            update(core).where(core.c.id.in_(held.scalar_subquery()))
            .values(available_at=until).returning(core.c.id))
        renewed.update(result.scalars())
    return renewed


async def release_claims(session: AsyncSession, ids: list[int], owner: str) -> None:
    """Hand claimed deliveries back unsent, ready at once; only those ``owner`` still holds,
    and the try they were claimed for is not counted."""
    table = DeliveryRow.__table__
    await session.execute(update(table).where(
        table.c.id.in_(ids), table.c.claimed_by == owner, table.c.status == "processing",
    ).values(status="pending", attempts=func.max(table.c.attempts - 1, 0)
             if _dialect(session) == "sqlite" else func.greatest(table.c.attempts - 1, 0),
             available_at=now(), claimed_by=None))


_NEXT_DUE = Prepared(select(func.min(_D.available_at)).where(_D.status == "pending"))
_READY_GROUPS = Prepared(select(_D.channel, _D.workspace).where(
    _open(_DELIVERIES), _D.available_at <= _moment(_DELIVERIES)).distinct())


async def next_due(session: AsyncSession) -> datetime | None:
    """When the next waiting delivery becomes ready (None: nothing is waiting)."""
    due = (await _NEXT_DUE.run(session, {})).scalar_one()
    if isinstance(due, str):  # SQLite returns an aggregate's datetime as text
        due = datetime.fromisoformat(due)
    if due is not None and due.tzinfo is None:
        due = due.replace(tzinfo=UTC)
    return due  # type: ignore[no-any-return]


async def ready_groups(session: AsyncSession) -> list[tuple[str, str]]:
    """The (channel, workspace) pairs with deliveries ready to send (or whose lease ran out)."""
    rows = await _READY_GROUPS.run(session, {"c_moment": await clock(session)})
    return [(row.channel, row.workspace) for row in rows.all()]


#: the conversation key of a handled event: who sent it is no longer needed (only open events
#: keep their order per conversation), so it is not kept
HANDLED = "handled"
_FINISHED = {"status": "done", "payload": {}, "conversation_key": HANDLED}
_FINISH = Prepared(update(_INBOX).where(_I.id == bindparam("i_id")).values(_FINISHED))
_FINISH_CLAIMED = Prepared(update(_INBOX).where(
    _I.id == bindparam("i_id"), _I.claimed_by == bindparam("i_claim")).values(_FINISHED))


async def finish_inbox(session: AsyncSession, row_id: int) -> None:
    """The event was handled: only its key stays (to recognise a retry); neither what the
    person wrote nor who they are is kept (``HANDLED`` replaces the conversation, which names
    them), so an anonymous question is not linked to its asker by the events that led to it.

    Inside a worker's task (``CURRENT_CLAIM``) this succeeds only while the worker's claim
    holds; otherwise it raises ``ClaimLost``, so the turn's transaction is rolled back and the
    worker that took the row over answers it instead (never twice)."""
    claim = CURRENT_CLAIM.get()
    fenced = claim is not None and claim[0] == row_id
    if fenced:
        assert claim is not None
        result = await _FINISH_CLAIMED.run(session, {"i_id": row_id, "i_claim": claim[1]})
        if not result.rowcount:
            raise ClaimLost(f"inbox {row_id} was taken over by another worker")
    else:
        await _FINISH.run(session, {"i_id": row_id})


#: the ordering key of a sent delivery (only open deliveries keep their order per conversation)
SENT = "sent"
#: what the retention purge removes: handled events, finished deliveries
INBOX_FINISHED = ("done", "failed")
DELIVERIES_FINISHED = ("sent", "cancelled", "failed", "unknown")
#: default retention (LEERBOT_RETENTION_DAYS)
RETENTION = timedelta(days=7)
#: Sent posts that later messages are threaded under: a forum question's post in its team's
#: channel (dialogs/forum.py; answers may come weeks later). They are kept beyond the retention
#: period, without content (``sent_payload``): only where the post is.
THREAD_ROOTS = "forum:q:%"
PURGE_BATCH = 1000


async def purge_inbox(session: AsyncSession, before: datetime,
                      limit: int = PURGE_BATCH) -> int:
    """Remove up to ``limit`` handled events received before ``before``; how many. The newest
    event always stays: SQLite would otherwise hand out its id again, and replies are keyed
    by the event's id (``inbox:<id>:<n>``)."""
    newest = select(func.max(InboxRow.id)).scalar_subquery()
    ids = (select(InboxRow.id).where(InboxRow.status.in_(INBOX_FINISHED),
                                     InboxRow.created_at < before, InboxRow.id < newest)
           .order_by(InboxRow.id).limit(limit))
    result = await session.execute(delete(InboxRow.__table__).where(
        InboxRow.__table__.c.id.in_(ids.scalar_subquery())))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def purge_deliveries(session: AsyncSession, before: datetime,
                           limit: int = PURGE_BATCH) -> int:
    """Remove up to ``limit`` deliveries finished before ``before`` (sent, cancelled, failed or
    unknown); how many. A run keeps their number per status (``runs.purged_counts``)."""
    table = DeliveryRow.__table__
    thread_root = and_(table.c.key.like(THREAD_ROOTS), ~table.c.key.like(f"{THREAD_ROOTS}:%"))
    ids = (select(table.c.id).where(
        table.c.status.in_(DELIVERIES_FINISHED), table.c.created_at < before,
        or_(table.c.sent_at.is_(None), table.c.sent_at < before), ~thread_root)
        .order_by(table.c.id).limit(limit))
    removed = (await session.execute(delete(table).where(
        table.c.id.in_(ids.scalar_subquery())).returning(table.c.run_id, table.c.status))).all()
    per_run: dict[int, Counter[str]] = {}
    for run_id, status in removed:
        if run_id is not None:
            per_run.setdefault(run_id, Counter())[status] += 1
    for run_id, counts in sorted(per_run.items()):
        run = (await session.execute(select(RunRow).where(RunRow.id == run_id)
                                     .with_for_update())).scalar_one_or_none()
        if run is not None:
            merged = Counter(run.purged_counts or {})
            merged.update(counts)
            run.purged_counts = dict(merged)
    return len(removed)


async def purge_mailbox(session: AsyncSession, before: datetime,
                        limit: int = PURGE_BATCH) -> int:
    """Remove up to ``limit`` mailbox messages that were seen and arrived before ``before``."""
    ids = (select(MailboxRow.id).where(MailboxRow.seen.is_(True),
                                       MailboxRow.created_at < before)
           .order_by(MailboxRow.id).limit(limit))
    result = await session.execute(delete(MailboxRow.__table__).where(
        MailboxRow.__table__.c.id.in_(ids.scalar_subquery())))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def purge_health_checks(session: AsyncSession, before: datetime,
                              limit: int = PURGE_BATCH) -> int:
    """Forget the readiness writes of processes that stopped checking before ``before``."""
    result = await session.execute(delete(HealthCheckRow).where(
        HealthCheckRow.checked_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


#: every purge, by what it removes (each removes at most a batch per call)
PURGES = {"inbox": purge_inbox, "deliveries": purge_deliveries, "mailbox": purge_mailbox,
          "health_checks": purge_health_checks}


async def purge(session: AsyncSession, retention: timedelta = RETENTION) -> None:
    """One batch of every purge, for rows older than ``retention`` (the delivery worker runs
    them batch after batch, see ``bot.workers.Retention``)."""
    before = now() - retention
    for remove in PURGES.values():
        await remove(session, before)


def sent_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """What a sent delivery keeps of its payload: not the message (it may hold what someone
    wrote, e.g. the summary of an anonymous question in the asker's DM)."""
    return {"op": payload.get("op", "post"), "sent": True}


def is_thread_root(key: str) -> bool:
    """Whether later messages may be threaded under this delivery's post (``THREAD_ROOTS``)."""
    return key.startswith(THREAD_ROOTS[:-1]) and ":" not in key[len(THREAD_ROOTS) - 1:]


def sent_values(key: str, payload: dict[str, Any],
                result: dict[str, Any] | None = None) -> dict[str, Any]:
    """The changes that mark a delivery sent. It keeps no trace of where it went: neither the
    message, nor the conversation it was ordered in (a DM names its person), nor the platform's
    answer (which names the channel), unless later posts are threaded under it (a forum
    question's post in its team's channel). So a reply in the asker's DM, queued in the same
    transaction as an anonymous question, does not tie the two together once it is sent."""
    return {"status": "sent", "sent_at": now(), "last_error": None,
            "payload": sent_payload(payload), "ordering_key": SENT,
            "result": (result or None) if is_thread_root(key) else None}


def backoff(attempt: int, retry_after: float | None = None) -> timedelta:
    """Retry-After when the platform gives one, else exponential with jitter from half a
    second up to 5 minutes."""
    if retry_after is not None:
        return timedelta(seconds=max(retry_after, 0.2))
    return timedelta(seconds=min(2 ** max(attempt - 1, 0), 300) * (0.5 + random.random() / 2))


def _claimed(table: type[Any], row_id: int, owner: str | None) -> list[Any]:
    """The row, and only while ``owner`` holds its claim (when given)."""
    return [table.id == row_id, *([table.claimed_by == owner] if owner is not None else [])]


async def retry_later(session: AsyncSession, table: type[Any], row_id: int, attempts: int,
                      error: str, retry_after: float | None = None,
                      owner: str | None = None) -> None:
    """Put a row back for another try, or fail it for good after MAX_ATTEMPTS."""
    if attempts >= MAX_ATTEMPTS:
        values: dict[str, Any] = {"status": "failed", "last_error": error[:500],
                                  **_forgotten(table)}
    else:
        values = {"status": "pending", "last_error": error[:500],
                  "available_at": now() + backoff(attempts, retry_after)}
    await session.execute(update(table).where(*_claimed(table, row_id, owner)).values(**values))


async def mark_failed(session: AsyncSession, table: type[Any], row_id: int, error: str,
                      owner: str | None = None) -> None:
    await session.execute(update(table).where(*_claimed(table, row_id, owner)).values(
        status="failed", last_error=error[:500], **_forgotten(table)))


def _forgotten(table: type[Any]) -> dict[str, Any]:
    """An inbox event given up for good keeps, like a handled one, neither what the person
    sent nor who they are (nothing tries it again)."""
    return {"payload": {}, "conversation_key": HANDLED} if table is InboxRow else {}


#: the marks of deliveries, by the columns they change (a few shapes: sending, sent, retry, ...)
_MARKS: dict[tuple[str, ...], Prepared] = {}


def _marking(columns: tuple[str, ...]) -> Prepared:
    found = _MARKS.get(columns)
    if found is None:
        where = [_D.id == bindparam("row_id", type_=_D.id.type)]
        if "owner" in columns:
            where.append(_D.claimed_by == bindparam("row_owner", type_=_D.claimed_by.type))
        found = _MARKS[columns] = Prepared(update(_DELIVERIES).where(*where).values(
            {name: bindparam(f"new_{name}", type_=_D[name].type)
             for name in columns if name not in {"id", "owner"}}))
    return found


async def update_deliveries(session: AsyncSession, changes: list[dict[str, Any]]) -> None:
    """UPDATE delivery rows by primary key (each dict has ``id``), those that change the same
    columns together. A change with an ``owner`` applies only while that worker still holds
    the row: a worker whose claim was taken over never marks the new owner's row."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in changes:
        groups.setdefault(tuple(sorted(change)), []).append(change)
    for columns, rows in groups.items():
        await _marking(columns).run_many(session, [
            {"row_id": row["id"], **({"row_owner": row["owner"]} if "owner" in row else {}),
             **{f"new_{k}": v for k, v in row.items() if k not in {"id", "owner"}}}
            for row in rows])
