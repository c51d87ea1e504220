"""Background workers of `leerbot serve`: the inbox processor and the delivery sender.

Both poll their table (and wake at once when this process queued something), so work left by a
crashed process, or queued by another replica, is picked up too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.group_commit import GroupCommit
from bot.queue import (
    LEASE,
    MAX_ATTEMPTS,
    backoff,
    claim_deliveries,
    claim_inbox,
    mark_failed,
    next_due,
    now,
    ready_groups,
    retry_later,
    sent_payload,
    update_deliveries,
)
from bot.ratelimit import Limiter, limiter_for, wait_until
from bot.storage.models import DeliveryRow, InboxRow

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
#: the next batch of a paced workspace is claimed this long before the current one ends
LOOKAHEAD = 0.05


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


class Worker:
    """Claims rows in batches and handles them concurrently, forever."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], name: str,
                 concurrency: int = 8) -> None:
        self.sessions = sessions
        self.name = name
        self.wake = asyncio.Event()
        self.concurrency = concurrency
        self._task: asyncio.Task[None] | None = None

    async def claim(self, session: AsyncSession) -> list[Any]:
        raise NotImplementedError

    async def handle(self, row: Any) -> None:
        raise NotImplementedError

    async def run_once(self) -> int:
        """Claim and handle one batch; the number of rows handled."""
        async with self.sessions.begin() as session:
            rows = await self.claim(session)
        if not rows:
            return 0
        limit = asyncio.Semaphore(self.concurrency)

        async def guarded(row: Any) -> None:
            async with limit:
                await self.handle(row)

        await asyncio.gather(*(guarded(row) for row in rows))
        return len(rows)

    async def drain(self, rounds: int = 100) -> None:
        """Handle until nothing is ready (tests, shutdown)."""
        for _ in range(rounds):
            if not await self.run_once():
                return

    async def _loop(self) -> None:
        while True:
            try:
                handled = await self.run_once()
            except Exception:  # a database hiccup must not kill the worker
                log.exception("%s worker: batch failed", self.name)
                handled = 0
            if handled:
                continue
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), POLL_SECONDS)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name=f"leerbot-{self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


class InboxWorker(Worker):
    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 processors: dict[str, InboxProcessor]) -> None:
        super().__init__(sessions, "inbox")
        self.processors = processors

    async def claim(self, session: AsyncSession) -> list[InboxRow]:
        return await claim_inbox(session)

    async def handle(self, row: InboxRow) -> None:
        processor = self.processors.get(row.source)
        try:
            if processor is None:
                raise PermanentError(f"no processor for {row.source}")
            await processor(row)
        except PermanentError as exc:
            async with self.sessions.begin() as session:
                await mark_failed(session, InboxRow, row.id, str(exc))
        except Exception as exc:
            log.exception("inbox %s/%s failed", row.source, row.id)
            async with self.sessions.begin() as session:
                await retry_later(session, InboxRow, row.id, row.attempts,
                                  type(exc).__name__)


class DeliveryWorker(Worker):
    """Sends queued messages at the pace each platform allows, exactly once where the platform
    lets us check: ``sending_at`` is committed before the call and ``sent`` after it; a row
    found in between (its process died mid-call) is first checked with the platform."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], senders: dict[str, Sender],
                 limiter: Limiter | None = None, batch: int = 100,
                 lease: timedelta = LEASE) -> None:
        super().__init__(sessions, "deliveries", concurrency=batch)
        self.lease = lease
        self.senders = senders
        self.limiter = limiter or limiter_for(sessions)
        self.batch = batch
        self.marks: GroupCommit[dict[str, Any]] = GroupCommit(
            self._write_marks, name="delivery-marks")
        self._groups: dict[tuple[str, str], asyncio.Task[int]] = {}
        self._stopping = asyncio.Event()

    async def _write_marks(self, changes: list[dict[str, Any]]) -> None:
        async with self.sessions.begin() as session:
            await update_deliveries(session, changes)

    async def claim(self, session: AsyncSession) -> list[DeliveryRow]:
        return await claim_deliveries(session, self.batch, self.lease)

    # Each workspace (per channel) is drained by its own task, so workspaces and tenants
    # proceed in parallel and a long fan-out in one never holds up replies in another.

    async def run_once(self) -> int:
        """Drain every workspace that has messages ready; how many were handled."""
        started = await self._start_groups()
        return sum(await asyncio.gather(*started)) if started else 0

    async def _loop(self) -> None:
        while True:
            pause = POLL_SECONDS
            try:
                await self._start_groups()
                async with self.sessions() as session:
                    due = await next_due(session)
                if due is not None:  # a retry due soon is picked up on time, not a poll later
                    pause = min(pause, max((due - now()).total_seconds(), 0.05))
            except Exception:  # a database hiccup must not kill the worker
                log.exception("deliveries: looking for work failed")
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), pause)

    async def _start_groups(self) -> list[asyncio.Task[int]]:
        async with self.sessions() as session:
            ready = await ready_groups(session)
        started = []
        for group in ready:
            if group[0] not in self.senders:
                continue  # another process (e.g. `leerbot serve` for Slack) sends these
            if group not in self._groups or self._groups[group].done():
                task = asyncio.create_task(self._drain_group(*group),
                                           name=f"leerbot-deliveries-{group[0]}-{group[1]}")
                self._groups[group] = task
                started.append(task)
        return started

    async def _drain_group(self, channel: str, workspace: str) -> int:
        """Claim this workspace's ready rows batch after batch: paced rows get evenly spaced
        slots of the shared limiter, and the next batch is claimed just before the slots of
        the current one run out, so the platform's rate is used without gaps."""
        sender = self.senders.get(channel)
        handled, running = 0, set()
        try:
            while True:
                async with self.sessions.begin() as session:
                    rows = await claim_deliveries(session, self.batch, self.lease,
                                                  channel=channel, workspace=workspace)
                if not rows:
                    break
                claimed = time.time()
                handled += len(rows)
                paced = [(r, sender.pace(workspace, r.payload) if sender else None) for r in rows]
                unpaced = [r for r, pace in paced if pace is None]
                running.update(asyncio.create_task(self.handle(r)) for r in unpaced)
                buckets: dict[tuple[str, float], list[DeliveryRow]] = {}
                for row, pace in paced:
                    if pace is not None:
                        buckets.setdefault(pace, []).append(row)
                last = 0.0
                for (bucket, per_second), members in buckets.items():
                    # slots for at most half a lease; the rest goes back to the queue
                    room = max(1, int(per_second * self.lease.total_seconds() / 2))
                    if len(members) > room:
                        await self._release(members[room:])
                        handled -= len(members) - room
                        members = members[:room]
                    first = await self.limiter.reserve(bucket, len(members), per_second)
                    running.update(
                        asyncio.create_task(self._paced(row, first + n / per_second, claimed))
                        for n, row in enumerate(members))
                    last = max(last, first + (len(members) - 1) / per_second)
                if unpaced:  # replies: finish them before looking for the next ones
                    await asyncio.gather(*[t for t in running if not t.done()])
                else:
                    await wait_until(last - LOOKAHEAD)
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
        async with self.sessions.begin() as session:
            await update_deliveries(session, [
                {"id": row.id, "status": "pending", "attempts": max(row.attempts - 1, 0),
                 "available_at": now()} for row in rows])

    async def _paced(self, row: DeliveryRow, slot: float, claimed: float) -> None:
        with contextlib.suppress(TimeoutError):  # wait for the slot, or for a shutdown
            await asyncio.wait_for(self._stopping.wait(), max(slot - time.time(), 0))
        if self._stopping.is_set():
            # shutting down: not sent, handed back at once for the next process or replica
            await self._release([row])
            return
        if time.time() - claimed > self.lease.total_seconds() * 0.8:
            # fell so far behind its slot that the lease is nearly gone: hand it back rather
            # than race another worker that may take it over
            await self._release([row])
            return
        await self.handle(row)

    async def _mark(self, row: DeliveryRow, **values: Any) -> None:
        await self.marks.write({"id": row.id, **values})

    async def handle(self, row: DeliveryRow) -> None:
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
                    return
                if verdict:
                    await self._mark(row, status="sent", sent_at=now(), last_error=None,
                                     payload=sent_payload(row.payload))
                    return
            await self._mark(row, sending_at=now())
            attempted = True
            result = await sender.send(row.workspace, row.payload, row.key)
        except RetryableError as exc:
            # the claim already counted this try; a rate limit does not count
            counted = row.attempts - 1 if exc.retry_after is not None else row.attempts
            # Still uncertain whether it arrived: the check itself failed, or the call failed
            # in a way that may come after delivery (a 5xx, a dropped connection) on a platform
            # we can ask. A rate limit (Retry-After) is a definite "not delivered".
            uncertain = (not attempted and row.sending_at is not None) or (
                attempted and exc.retry_after is None and getattr(sender, "verifies", False))
            await self._retry(row, counted, str(exc), exc.retry_after, uncertain)
            return
        except PermanentError as exc:
            log.warning("delivery %s failed: %s", row.id, exc)
            await self._mark(row, status="failed", last_error=str(exc)[:500], sending_at=None)
            return
        except Exception as exc:
            log.exception("delivery %s failed", row.id)
            await self._retry(row, row.attempts, type(exc).__name__, None,
                              uncertain=attempted or row.sending_at is not None)
            return
        await self._mark(row, status="sent", sent_at=now(), last_error=None,
                         payload=sent_payload(row.payload),
                         result=result or None)

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

    async def stop(self) -> None:
        """Stop claiming; messages waiting for their slot are handed back, sends in flight
        finish (so a graceful shutdown leaves nothing uncertain)."""
        self._stopping.set()
        await super().stop()
        groups = [t for t in self._groups.values() if not t.done()]
        for task in groups:
            task.cancel()
        await asyncio.gather(*groups, return_exceptions=True)
        self._groups = {}
        await self.marks.close()
