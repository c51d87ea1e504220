"""Background workers of `leerbot serve`: the inbox processor and the delivery sender.

Both poll their table (and wake at once when this process queued something), so work left by a
crashed process, or queued by another replica, is picked up too. A claim is a short lease that
the worker's heartbeat renews while it is alive (``Leases``): the work of a process that died
is taken over within about one lease (``LEERBOT_LEASE``), the work of a live one is left alone.
The delivery worker also removes what has outlived the retention period (``Retention``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.group_commit import GroupCommit
from bot.queue import (
    CLAIMED_TOGETHER,
    CURRENT_CLAIM,
    LEASE,
    MAX_ATTEMPTS,
    PURGE_BATCH,
    PURGES,
    RETENTION,
    ClaimLost,
    backoff,
    claim_deliveries,
    claim_inbox,
    mark_failed,
    next_due,
    now,
    ready_groups,
    release_claims,
    renew_claims,
    retry_later,
    sent_values,
    update_deliveries,
)
from bot.ratelimit import Limiter, limiter_for, wait_until
from bot.storage.db import create_engine, sessionmaker
from bot.storage.models import DeliveryRow, InboxRow
from bot.storage.prepared import transaction

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
#: rows claimed together by ``run_once`` (``drain``)
CLAIM_BATCH = 20
#: the next batch of a paced workspace is claimed this long before the current one ends
LOOKAHEAD = 0.05
#: paced messages are claimed at most this many seconds of send slots ahead
CLAIM_AHEAD = 30.0
#: the part of a lease kept in reserve: a row is acted on only while its lease surely holds
LEASE_RESERVE = 0.2
#: renewals per lease: a renewal may come late, or fail, a few times before a lease runs out
BEATS_PER_LEASE = 6
#: the worker's event loop shows it turns this often; the heartbeat stops renewing leases once
#: it has not turned for LOOP_STALL seconds (busy for a while is fine, hung is not)
LOOP_TICK, LOOP_STALL = 0.5, 30.0
#: how often the retention purge runs (and once when the worker starts)
PURGE_EVERY = 3600.0


class RetryableError(Exception):
    """Sending failed for now (rate limit, server error, network); try again later."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentError(Exception):
    """Sending can never succeed (e.g. the channel no longer exists)."""


class Sender(Protocol):
    """A platform's outbound side, used by the delivery worker."""

    async def send(self, workspace: str, payload: dict[str, Any],
                   key: str) -> dict[str, Any] | None:
        """Deliver; what the platform answered (kept with the row), or None."""
        ...

    def pace(self, workspace: str, payload: dict[str, Any]) -> tuple[str, float] | None:
        """The rate bucket of this send and its sends per second (None: not limited)."""
        ...

    #: whether ``delivered`` can tell (so an uncertain failure is checked, not guessed)
    verifies: bool

    async def delivered(self, workspace: str, payload: dict[str, Any], key: str,
                        since: datetime) -> bool | None:
        """Did an earlier, interrupted attempt arrive? None: the platform cannot tell."""
        ...


InboxProcessor = Callable[[InboxRow], Awaitable[None]]


def worker_name() -> str:
    """A name for one worker of one process, unique across replicas (kept in ``claimed_by``)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"[:64]


class Leases:
    """The rows one worker is working on, kept claimed by a heartbeat.

    A claim leases a row for ``lease``; every sixth of a lease (1 s) the heartbeat moves the
    leases of the rows still held one lease ahead. The heartbeat runs in a thread of its own,
    with its own event loop and database connection, so a busy event loop (planning a large
    run, rendering thousands of cards) does not let the leases run out; it stops renewing when
    the worker's event loop has not turned for LOOP_STALL seconds (a hung process lets its work
    go). A worker acts on a row only while its lease surely holds (``holds``): the local end is
    counted from a moment taken before the claim or renewal was written, minus a reserve, so
    it never passes the end kept in the database. When the heartbeat cannot renew (the database
    is unreachable), rows not yet sent are left alone, and whoever takes them over sends them,
    and a call in progress is given up (see ``DeliveryWorker._call``)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], table: type[Any],
                 lease: timedelta = LEASE) -> None:
        self.sessions = sessions
        self.table = table
        self.lease = lease
        self.owner = worker_name()
        self._ends: dict[int, float] = {}
        self._lock = threading.Lock()
        self._turned = time.monotonic()  # the worker's event loop last turned then
        self._ticking: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None
        self._beat_loop: asyncio.AbstractEventLoop | None = None
        self._beating: asyncio.Task[None] | None = None
        self._started = threading.Event()

    @property
    def seconds(self) -> float:
        return self.lease.total_seconds()

    def hold(self, rows: Sequence[Any], since: float) -> list[Any]:
        """Hold rows claimed at ``since`` (``time.monotonic()`` before the claim); the ones
        not already being worked on here (a row of ours re-claimed after its lease ran out
        stays with the task that has it)."""
        with self._lock:
            fresh = [row for row in rows if row.id not in self._ends]
            for row in rows:
                self._ends[row.id] = since + self.seconds
        return fresh

    def left(self, row_id: int) -> float:
        """Seconds for which the row is surely still this worker's (0: no longer sure)."""
        end = self._ends.get(row_id)
        if end is None:
            return 0.0
        return max(end - self.seconds * LEASE_RESERVE - time.monotonic(), 0.0)

    def holds(self, row_id: int) -> bool:
        return self.left(row_id) > 0

    def drop(self, row_id: int) -> None:
        with self._lock:
            self._ends.pop(row_id, None)

    async def renew(self, sessions: async_sessionmaker[AsyncSession] | None = None) -> None:
        """Renew the leases of the rows held (with ``sessions``: another event loop's)."""
        with self._lock:
            ids = sorted(self._ends)
        if not ids:
            return
        since = time.monotonic()
        async with (sessions or self.sessions).begin() as session:
            renewed = await renew_claims(session, self.table, ids, self.owner, self.lease)
        until = since + self.seconds
        with self._lock:
            for row_id in renewed:  # a row not renewed keeps its end, and so runs out
                if self._ends.get(row_id, until + 1) <= until:  # not dropped or claimed anew
                    self._ends[row_id] = until

    # ------------------------------------------------------------ the heartbeat's thread

    async def _tick(self) -> None:
        while True:
            self._turned = time.monotonic()
            await asyncio.sleep(LOOP_TICK)

    def _run_heartbeat(self) -> None:
        loop = asyncio.new_event_loop()
        self._beat_loop = loop
        self._beating = loop.create_task(self._beat())
        self._started.set()
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(self._beating)
        loop.close()

    async def _beat(self) -> None:
        url = self.sessions.kw["bind"].url.render_as_string(hide_password=False)
        engine: AsyncEngine | None = None
        try:
            while True:
                await asyncio.sleep(self.seconds / BEATS_PER_LEASE)
                if time.monotonic() - self._turned > LOOP_STALL:
                    continue  # the worker's event loop is stuck: its work is let go
                try:
                    engine = engine or create_engine(url)  # connections of its own
                    await self.renew(sessionmaker(engine))
                except Exception as exc:  # a database hiccup: the next beat tries again
                    log.warning("%s: renewing leases failed: %s", self.table.__tablename__,
                                type(exc).__name__)
        finally:
            if engine is not None:
                await engine.dispose()

    def start(self) -> None:
        if self._thread is None:
            self._ticking = asyncio.create_task(self._tick(), name="leerbot-loop-tick")
            self._thread = threading.Thread(target=self._run_heartbeat, daemon=True,
                                            name=f"leerbot-heartbeat-{self.table.__tablename__}")
            self._thread.start()

    async def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            await asyncio.to_thread(self._started.wait, 10)
            if self._beat_loop is not None and self._beating is not None:
                with contextlib.suppress(RuntimeError):  # its loop has ended already
                    self._beat_loop.call_soon_threadsafe(self._beating.cancel)
            await asyncio.to_thread(thread.join, 10)
            self._started.clear()
        await _cancel(self._ticking)
        self._ticking = None


async def _cancel(task: asyncio.Task[Any] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class Worker:
    """Claims rows in batches and handles them concurrently, forever."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], name: str,
                 concurrency: int = 8, *, table: type[Any] = InboxRow,
                 lease: timedelta = LEASE) -> None:
        self.sessions = sessions
        self.name = name
        self.wake = asyncio.Event()
        self.concurrency = concurrency
        self.leases = Leases(sessions, table, lease)
        self._task: asyncio.Task[None] | None = None

    async def claim(self, session: AsyncSession, limit: int = CLAIM_BATCH) -> list[Any]:
        raise NotImplementedError

    async def handle(self, row: Any) -> object:
        raise NotImplementedError

    async def _claim_held(self, limit: int) -> list[Any]:
        """Claim up to ``limit`` rows and hold them (the ones not already in hand here)."""
        since = time.monotonic()
        async with transaction(self.sessions) as session:
            claimed = await self.claim(session, limit)
        return self.leases.hold(claimed, since)  # once the claim is committed

    async def _handle_held(self, row: Any) -> None:
        try:
            await self.handle(row)
        finally:
            self.leases.drop(row.id)

    async def run_once(self) -> int:
        """Claim and handle one batch; the number of rows handled."""
        rows = await self._claim_held(CLAIM_BATCH)
        if not rows:
            return 0
        limit = asyncio.Semaphore(self.concurrency)
        together = CLAIMED_TOGETHER.set(len(rows))  # seen by the tasks gathered below

        async def guarded(row: Any) -> None:
            async with limit:
                await self._handle_held(row)

        try:
            await asyncio.gather(*(guarded(row) for row in rows))
        finally:
            CLAIMED_TOGETHER.reset(together)
        return len(rows)

    async def drain(self, rounds: int = 100) -> None:
        """Handle until nothing is ready (tests, shutdown)."""
        for _ in range(rounds):
            if not await self.run_once():
                return

    async def _loop(self) -> None:
        """Up to ``concurrency`` rows in hand at a time, claimed as room comes free: a row that
        arrives while others are handled waits for room, not for the slowest of a batch. It
        claims again when woken (something was queued) and there is room, when half of the
        rows in hand are done (a finished row may free the next one of its conversation), or
        after POLL_SECONDS."""
        running: set[asyncio.Task[None]] = set()
        try:
            while True:
                # cleared before looking, so a wake-up that arrives while we look is not lost
                self.wake.clear()
                room = self.concurrency - len(running)
                if room > 0:
                    self._start(running, await self._claim_quietly(room))
                await self._until_claim(running)
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    async def _claim_quietly(self, limit: int) -> list[Any]:
        try:
            return await self._claim_held(limit)
        except Exception:  # a database hiccup must not kill the worker
            log.exception("%s worker: claim failed", self.name)
            return []

    def _start(self, running: set[asyncio.Task[None]], rows: list[Any]) -> None:
        together = CLAIMED_TOGETHER.set(len(rows))  # seen by the tasks started here
        try:
            for row in rows:
                task = asyncio.create_task(self._handle_held(row),
                                           name=f"leerbot-{self.name}-{row.id}")
                running.add(task)
                task.add_done_callback(running.discard)
        finally:
            CLAIMED_TOGETHER.reset(together)

    async def _until_claim(self, running: set[asyncio.Task[None]]) -> None:
        """Wait until there is reason to claim again (see ``_loop``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + POLL_SECONDS
        waker = asyncio.ensure_future(self.wake.wait())
        woken = False
        try:
            while (left := deadline - loop.time()) > 0:
                done, _ = await asyncio.wait({*running} if woken else {waker, *running},
                                             timeout=left, return_when=asyncio.FIRST_COMPLETED)
                if not done:
                    return
                woken = woken or waker.done()
                in_hand = sum(not task.done() for task in running)
                if (woken and in_hand < self.concurrency) or in_hand <= self.concurrency // 2:
                    return
        finally:
            waker.cancel()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name=f"leerbot-{self.name}")
        self.leases.start()

    async def stop(self) -> None:
        await _cancel(self._task)
        self._task = None
        await self.leases.stop()


class InboxWorker(Worker):
    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 processors: dict[str, InboxProcessor], lease: timedelta = LEASE) -> None:
        super().__init__(sessions, "inbox", concurrency=20, table=InboxRow, lease=lease)
        self.processors = processors

    async def claim(self, session: AsyncSession, limit: int = CLAIM_BATCH) -> list[InboxRow]:
        return await claim_inbox(session, limit, lease=self.leases.lease,
                                 owner=self.leases.owner)

    async def handle(self, row: InboxRow) -> None:
        if not self.leases.holds(row.id):
            return  # waited so long that the lease may be gone: the next claim takes it
        owner = self.leases.owner
        processor = self.processors.get(row.source)
        claim = CURRENT_CLAIM.set((row.id, owner))
        try:
            if processor is None:
                raise PermanentError(f"no processor for {row.source}")
            await processor(row)
        except ClaimLost:
            log.info("inbox %s/%s was taken over by another worker", row.source, row.id)
        except PermanentError as exc:
            async with self.sessions.begin() as session:
                await mark_failed(session, InboxRow, row.id, str(exc), owner=owner)
        except Exception as exc:
            log.exception("inbox %s/%s failed", row.source, row.id)
            async with self.sessions.begin() as session:
                await retry_later(session, InboxRow, row.id, row.attempts,
                                  type(exc).__name__, owner=owner)
        finally:
            CURRENT_CLAIM.reset(claim)


class Retention:
    """Removes what has outlived the retention period (``LEERBOT_RETENTION_DAYS``): handled
    inbox events, finished deliveries (a run keeps their counts), mailbox messages that were
    seen, and the readiness writes of stopped processes. Batch after batch, each in a short
    transaction of its own, so replies are not held up (SQLite has one writer at a time)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 retention: timedelta = RETENTION, every: float = PURGE_EVERY) -> None:
        self.sessions = sessions
        self.retention = retention
        self.every = every
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> dict[str, int]:
        """One purge of everything older than the retention period; how many rows of each."""
        before = now() - self.retention
        removed: dict[str, int] = {}
        for name, remove in PURGES.items():
            removed[name] = 0
            while True:
                async with self.sessions.begin() as session:
                    count = await remove(session, before, PURGE_BATCH)
                removed[name] += count
                if count < PURGE_BATCH:
                    break
        if any(removed.values()):
            log.info("retention: removed %s", ", ".join(f"{n} {k}" for k, n in removed.items()))
        return removed

    async def _forever(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception as exc:  # a database hiccup: the next round tries again
                log.warning("retention purge failed: %s", type(exc).__name__)
            await asyncio.sleep(self.every)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._forever(), name="leerbot-retention")

    async def stop(self) -> None:
        await _cancel(self._task)
        self._task = None


class DeliveryWorker(Worker):
    """Sends queued messages at the pace each platform allows, exactly once where the platform
    lets us check: ``sending_at`` is committed before the call and ``sent`` after it; a row
    found in between (its process died mid-call) is first checked with the platform."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], senders: dict[str, Sender],
                 limiter: Limiter | None = None, batch: int = 100,
                 lease: timedelta = LEASE, retention: timedelta = RETENTION) -> None:
        super().__init__(sessions, "deliveries", concurrency=batch, table=DeliveryRow,
                         lease=lease)
        self.lease = lease
        self.senders = senders
        self.limiter = limiter or limiter_for(sessions)
        self.batch = batch
        self.retention = Retention(sessions, retention)
        self.marks: GroupCommit[dict[str, Any]] = GroupCommit(
            self._write_marks, name="delivery-marks")
        self._groups: dict[tuple[str, str], asyncio.Task[int]] = {}
        self._stopping = asyncio.Event()
        #: replies sent right after the turn that queued them (``send_claimed``)
        self._direct: set[asyncio.Task[None]] = set()
        #: the worker looked for work while such replies were in flight: it looks again after
        #: each (a row held back by one of them in its conversation is then ready)
        self._look_again = False

    async def _write_marks(self, changes: list[dict[str, Any]]) -> None:
        async with transaction(self.sessions) as session:
            await update_deliveries(session, changes)

    async def claim(self, session: AsyncSession, limit: int = CLAIM_BATCH) -> list[DeliveryRow]:
        return await claim_deliveries(session, self.batch, self.lease,
                                      owner=self.leases.owner)

    # Replies sent right away: the turn that queued them claimed them for this worker in its
    # own transaction (``bot.queue.reserve_order``, ``enqueue_claimed``), so they need neither
    # a look for work nor a claim of their own. The rows stay the crash-safe record: sending
    # is marked as always (``handle``); if this process dies, their lease runs out and any
    # worker takes them over (and first asks the platform whether one arrived).

    @property
    def owner(self) -> str:
        return self.leases.owner

    def send_claimed(self, rows: list[DeliveryRow], since: float) -> None:
        """Send rows claimed for this worker (``time.monotonic()`` was ``since`` before their
        lease was set), in their order, in a task of their own."""
        held = self.leases.hold(rows, since)
        if held:
            task = asyncio.create_task(self._send_in_order(held),
                                       name="leerbot-deliveries-direct")
            self._direct.add(task)
            task.add_done_callback(self._direct.discard)

    async def _send_in_order(self, rows: list[DeliveryRow]) -> None:
        """Each row once the one before it is marked sent; after a row that was not sent
        (retry later, failed, lease lost) the rest are handed back to be claimed in order."""
        try:
            for number, row in enumerate(rows):
                sent = False
                try:
                    sent = await self.handle(row)
                except Exception as exc:  # e.g. its mark could not be written
                    log.warning("delivery %s: %s; it is taken up again when its lease runs "
                                "out", row.id, type(exc).__name__)
                finally:
                    self.leases.drop(row.id)
                if not sent:
                    if rows[number + 1:]:
                        await self._release(rows[number + 1:])
                    self.wake.set()
                    return
        finally:
            if self._look_again:
                self._look_again = False
                self.wake.set()

    async def drain(self, rounds: int = 100) -> None:
        """Finish the replies being sent right away, then handle until nothing is ready."""
        while self._direct:
            await asyncio.gather(*self._direct, return_exceptions=True)
        await super().drain(rounds)

    # Each workspace (per channel) is drained by its own task, so workspaces and tenants
    # proceed in parallel and a long fan-out in one never holds up replies in another.

    async def run_once(self) -> int:
        """Drain every workspace that has messages ready; how many were handled."""
        async with transaction(self.sessions) as session:
            started = await self._start_groups(session)
        return sum(await asyncio.gather(*started)) if started else 0

    async def _loop(self) -> None:
        while True:
            pause = POLL_SECONDS
            self.wake.clear()  # before looking: a wake-up while we look is not lost
            try:
                self._look_again = bool(self._direct)
                async with transaction(self.sessions) as session:
                    await self._start_groups(session)
                    due = await next_due(session)
                if due is not None:  # a retry due soon is picked up on time, not a poll later
                    pause = min(pause, max((due - now()).total_seconds(), 0.05))
            except Exception:  # a database hiccup must not kill the worker
                log.exception("deliveries: looking for work failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), pause)

    async def _start_groups(self, session: AsyncSession) -> list[asyncio.Task[int]]:
        """Start draining each workspace that has rows ready (and no task draining it)."""
        started = []
        ready = await ready_groups(session)
        for group in ready:
            if group[0] not in self.senders:
                continue  # another process (e.g. `leerbot serve` for Slack) sends these
            if group not in self._groups or self._groups[group].done():
                task = asyncio.create_task(self._drain_group(*group),
                                           name=f"leerbot-deliveries-{group[0]}-{group[1]}")
                # rows that arrived while it was finishing: look again once it is done
                task.add_done_callback(lambda _: self.wake.set())
                self._groups[group] = task
                started.append(task)
        return started

    async def _claim_group(self, channel: str, workspace: str) -> list[DeliveryRow] | None:
        """The next batch of the workspace for this worker (None: nothing is ready)."""
        since = time.monotonic()
        async with transaction(self.sessions) as session:
            rows = await claim_deliveries(session, self.batch, self.lease, channel=channel,
                                          workspace=workspace, owner=self.leases.owner)
        return self.leases.hold(rows, since) if rows else None

    async def _drain_group(self, channel: str, workspace: str) -> int:
        """Claim this workspace's ready rows batch after batch: paced rows get evenly spaced
        slots of the shared limiter, and the next batch is claimed just before the slots of
        the current one run out, so the platform's rate is used without gaps."""
        sender = self.senders.get(channel)
        handled, running = 0, set()
        try:
            while (rows := await self._claim_group(channel, workspace)) is not None:
                handled += len(rows)
                paced = [(r, sender.pace(workspace, r.payload) if sender else None) for r in rows]
                unpaced = [r for r, pace in paced if pace is None]
                running.update(asyncio.create_task(self._work(r)) for r in unpaced)
                buckets: dict[tuple[str, float], list[DeliveryRow]] = {}
                for row, pace in paced:
                    if pace is not None:
                        buckets.setdefault(pace, []).append(row)
                last = 0.0
                for (bucket, per_second), members in buckets.items():
                    room = max(1, int(per_second * CLAIM_AHEAD))  # the rest goes back
                    if len(members) > room:
                        await self._release(members[room:])
                        handled -= len(members) - room
                        members = members[:room]
                    first = await self.limiter.reserve(bucket, len(members), per_second)
                    running.update(asyncio.create_task(self._work(row, first + n / per_second))
                                   for n, row in enumerate(members))
                    last = max(last, first + (len(members) - 1) / per_second)
                if not unpaced:  # replies go out while the next ones are looked for (the
                    await wait_until(last - LOOKAHEAD)  # claim keeps each conversation's order)
                running = {t for t in running if not t.done()}
                # back-pressure: when sends lag behind their slots (a slow platform, a busy
                # CPU), claim more only once most of what is in flight is done
                while len(running) > self.batch // 2:
                    await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    running = {t for t in running if not t.done()}
        finally:
            if running:
                await asyncio.gather(*running, return_exceptions=True)
        return handled

    async def _release(self, rows: list[DeliveryRow]) -> None:
        """Hand claimed rows back unsent (only those this worker still holds)."""
        async with self.sessions.begin() as session:
            await release_claims(session, [row.id for row in rows], self.leases.owner)
        for row in rows:
            self.leases.drop(row.id)

    async def _work(self, row: DeliveryRow, slot: float | None = None) -> None:
        """Send one claimed row, at its rate slot (a ``time.time()``) when it has one."""
        try:
            if slot is not None:
                with contextlib.suppress(TimeoutError):  # wait for the slot, or a shutdown
                    await asyncio.wait_for(self._stopping.wait(), max(slot - time.time(), 0))
                if self._stopping.is_set():
                    # shutting down: not sent, handed back at once for the next process
                    await self._release([row])
                    return
            await self.handle(row)
        except Exception as exc:  # e.g. its mark could not be written: the lease runs out
            log.warning("delivery %s: %s; it is taken up again when its lease runs out",
                        row.id, type(exc).__name__)
        finally:
            self.leases.drop(row.id)

    async def _mark(self, row: DeliveryRow, **values: Any) -> None:
        await self.marks.write({"id": row.id, "owner": self.leases.owner, **values})

    async def _call(self, sender: Sender, row: DeliveryRow) -> dict[str, Any] | None:
        """The platform call, given up once the row may no longer be this worker's (its lease
        could not be renewed): a call is never under way while another worker may take the
        row over and ask the platform whether it arrived."""
        call = asyncio.ensure_future(sender.send(row.workspace, row.payload, row.key))
        while not (await asyncio.wait({call}, timeout=self.leases.left(row.id)))[0]:
            if not self.leases.holds(row.id):
                call.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await call
                raise ClaimLost(f"delivery {row.id}: lease not renewed during the call")
        return call.result()

    async def handle(self, row: DeliveryRow) -> bool:
        """Send one claimed row; whether it was marked sent."""
        if not self.leases.holds(row.id):
            return False  # the lease may have run out: left to whoever claims the row next
        sender = self.senders.get(row.channel)
        attempted = False  # True once the platform call itself started
        try:
            if sender is None:
                raise PermanentError(f"no sender for {row.channel}")
            if row.sending_at is not None:  # an earlier attempt may have reached the platform
                verdict = await sender.delivered(row.workspace, row.payload, row.key,
                                                 row.sending_at)
                if verdict is None:
                    await self._mark(row, status="unknown", last_error=(
                        "the process stopped while sending; the platform cannot tell whether "
                        "it arrived, so it is not sent again (retry it from the runs view)"))
                    return False
                if verdict:
                    await self._mark(row, **sent_values(row.key, row.payload))
                    return True
            await self._mark(row, sending_at=now())
            if not self.leases.holds(row.id):
                return False  # unsure whether the row is still ours: whoever takes it over checks
            attempted = True
            result = await self._call(sender, row)
        except ClaimLost as exc:  # left as it is: whoever takes it over checks it first
            log.warning("%s", exc)
            return False
        except RetryableError as exc:
            # the claim already counted this try; a rate limit does not count
            counted = row.attempts - 1 if exc.retry_after is not None else row.attempts
            # Still uncertain whether it arrived: the check itself failed, or the call failed
            # in a way that may come after delivery (a 5xx, a dropped connection) on a platform
            # we can ask. A rate limit (Retry-After) is a definite "not delivered".
            uncertain = (not attempted and row.sending_at is not None) or (
                attempted and exc.retry_after is None and getattr(sender, "verifies", False))
            await self._retry(row, counted, str(exc), exc.retry_after, uncertain)
            return False
        except PermanentError as exc:
            log.warning("delivery %s failed: %s", row.id, exc)
            await self._mark(row, status="failed", last_error=str(exc)[:500], sending_at=None)
            return False
        except Exception as exc:
            log.exception("delivery %s failed", row.id)
            await self._retry(row, row.attempts, type(exc).__name__, None,
                              uncertain=attempted or row.sending_at is not None)
            return False
        await self._mark(row, **sent_values(row.key, row.payload, result))
        return True

    async def _retry(self, row: DeliveryRow, attempts: int, error: str,
                     retry_after: float | None, uncertain: bool = False) -> None:
        """Try again later (a rate limit does not count as an attempt: a message is never
        dropped because of a limit). ``uncertain``: keep ``sending_at``, so the next attempt
        first asks the platform whether the message arrived."""
        keep: dict[str, Any] = {} if uncertain else {"sending_at": None}
        if attempts >= MAX_ATTEMPTS:
            log.warning("delivery %s failed after %d attempts: %s", row.id, attempts, error)
            await self._mark(row, status="failed", last_error=error[:500], attempts=attempts,
                             **keep)
            return
        await self._mark(row, status="pending", last_error=error[:500], attempts=attempts,
                         available_at=now() + backoff(attempts, retry_after), **keep)

    def start(self) -> None:
        self._stopping.clear()
        super().start()
        self.retention.start()

    async def stop(self) -> None:
        """Stop claiming; messages waiting for their slot are handed back, sends in flight
        finish (so a graceful shutdown leaves nothing uncertain)."""
        self._stopping.set()
        await _cancel(self._task)
        self._task = None
        await self.retention.stop()
        groups = [t for t in self._groups.values() if not t.done()]
        for task in groups:
            task.cancel()
        await asyncio.gather(*groups, return_exceptions=True)
        self._groups = {}
        while self._direct:  # replies sent right away finish (they are not waiting for a slot)
            await asyncio.gather(*self._direct, return_exceptions=True)
        await self.marks.close()
        await self.leases.stop()
