"""Background workers of `leerbot serve`: the inbox processor and the delivery sender.

Both poll their table (and wake at once when this process queued something), so work left by a
crashed process, or queued by another replica, is picked up too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.queue import claim_deliveries, claim_inbox, mark_failed, mark_sent, retry_later
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
    async def send(self, workspace: str, payload: dict[str, Any]) -> None: ...


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
    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 senders: dict[str, Sender]) -> None:
        super().__init__(sessions, "deliveries", concurrency=16)
        self.senders = senders

    async def claim(self, session: AsyncSession) -> list[DeliveryRow]:
        return await claim_deliveries(session)

    async def handle(self, row: DeliveryRow) -> None:
        sender = self.senders.get(row.channel)
        try:
            if sender is None:
                raise PermanentError(f"no sender for {row.channel}")
            await sender.send(row.workspace, row.payload)
        except RetryableError as exc:
            async with self.sessions.begin() as session:
                await retry_later(session, DeliveryRow, row.id, row.attempts + 1, str(exc),
                                  exc.retry_after)
            return
        except PermanentError as exc:
            async with self.sessions.begin() as session:
                await mark_failed(session, DeliveryRow, row.id, str(exc))
            return
        except Exception as exc:
            log.exception("delivery %s failed", row.id)
            async with self.sessions.begin() as session:
                await retry_later(session, DeliveryRow, row.id, row.attempts + 1,
                                  type(exc).__name__)
            return
        async with self.sessions.begin() as session:
            await mark_sent(session, row.id)
