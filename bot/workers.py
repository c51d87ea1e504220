"""Background workers of `leerbot serve`: the inbox processor and the delivery sender.

Both poll their table (and wake at once when this process queued something), so work left by a
crashed process, or queued by another replica, is picked up too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.queue import (
    LEASE,
    MAX_ATTEMPTS,
    GroupCommit,
    backoff,
    claim_deliveries,
    claim_inbox,
    mark_failed,
    now,
    retry_later,
    update_deliveries,
)
from bot.ratelimit import Limiter, limiter_for, wait_until
from bot.storage.models import DeliveryRow, InboxRow

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0


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
                await retry_later(session, InboxRow, row.id, row.attempts + 1,
                                  type(exc).__name__)


class DeliveryWorker(Worker):
    """Sends queued messages at the pace each platform allows, exactly once where the platform
    lets us check: ``sending_at`` is committed before the call and ``sent`` after it; a row
    found in between (its process died mid-call) is first checked with the platform."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], senders: dict[str, Sender],
                 limiter: Limiter | None = None, batch: int = 100) -> None:
        super().__init__(sessions, "deliveries", concurrency=batch)
        self.senders = senders
        self.limiter = limiter or limiter_for(sessions)
        self.batch = batch
        self.marks: GroupCommit[dict[str, Any]] = GroupCommit(
            sessions, update_deliveries, name="delivery-marks")

    async def claim(self, session: AsyncSession) -> list[DeliveryRow]:
        return await claim_deliveries(session, self.batch)

    async def run_once(self) -> int:
        async with self.sessions.begin() as session:
            rows = await self.claim(session)
        if not rows:
            return 0
        groups: dict[tuple[str, float], list[DeliveryRow]] = {}
        unpaced: list[DeliveryRow] = []
        for row in rows:
            sender = self.senders.get(row.channel)
            pace = sender.pace(row.workspace, row.payload) if sender is not None else None
            if pace is None:
                unpaced.append(row)
            else:
                groups.setdefault(pace, []).append(row)
        tasks = [self.handle(row) for row in unpaced]
        for (bucket, per_second), members in groups.items():
            # reserve no more than half a lease of slots; the rest goes back to the queue
            room = max(1, int(per_second * LEASE.total_seconds() / 2))
            if len(members) > room:
                await self._release(members[room:])
                members = members[:room]
            first = await self.limiter.reserve(bucket, len(members), per_second)
            tasks.extend(self._paced(row, first + index / per_second)
                         for index, row in enumerate(members))
        await asyncio.gather(*tasks)
        return len(rows)

    async def _release(self, rows: list[DeliveryRow]) -> None:
        async with self.sessions.begin() as session:
            await update_deliveries(session, [
                {"id": row.id, "status": "pending", "attempts": row.attempts,
                 "available_at": now()} for row in rows])

    async def _paced(self, row: DeliveryRow, slot: float) -> None:
        await wait_until(slot)
        await self.handle(row)

    async def _mark(self, row: DeliveryRow, **values: Any) -> None:
        await self.marks.write({"id": row.id, **values})

    async def handle(self, row: DeliveryRow) -> None:
        sender = self.senders.get(row.channel)
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
                    await self._mark(row, status="sent", sent_at=now(), last_error=None)
                    return
            await self._mark(row, sending_at=now())
            result = await sender.send(row.workspace, row.payload, row.key)
        except RetryableError as exc:
            counted = row.attempts if exc.retry_after is not None else row.attempts + 1
            await self._retry(row, counted, str(exc), exc.retry_after)
            return
        except PermanentError as exc:
            await self._mark(row, status="failed", last_error=str(exc)[:500], sending_at=None)
            return
        except Exception as exc:
            log.exception("delivery %s failed", row.id)
            await self._retry(row, row.attempts + 1, type(exc).__name__, None)
            return
        await self._mark(row, status="sent", sent_at=now(), last_error=None,
                         result=result or None)

    async def _retry(self, row: DeliveryRow, attempts: int, error: str,
                     retry_after: float | None) -> None:
        """A definite failure: nothing arrived, so the row is sent again later (a rate limit
        does not count as an attempt: a message is never dropped because of a limit)."""
        if attempts >= MAX_ATTEMPTS:
            await self._mark(row, status="failed", last_error=error[:500], sending_at=None,
                             attempts=attempts)
            return
        await self._mark(row, status="pending", last_error=error[:500], sending_at=None,
                         attempts=attempts,
                         available_at=now() + backoff(attempts, retry_after))

    async def stop(self) -> None:
        await super().stop()
        await self.marks.close()
