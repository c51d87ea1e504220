"""Wake-ups across replicas on PostgreSQL: LISTEN/NOTIFY instead of waiting for the next poll.

Triggers on ``inbox`` and ``deliveries`` (migration 0006) notify a channel whenever rows are
inserted, by any replica and any code path, when the transaction commits. ``Wakeups`` listens
on a connection of its own and wakes this process's workers at once, so an event stored by
one replica (e.g. ``leerbot serve --no-workers``) is taken by another within milliseconds
instead of up to a poll (1 s) later. The polls stay: they are the fallback while the listening
connection is down, and the only mechanism on SQLite (one machine; the process that stores the
work wakes its own workers).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
#: the channel each table's trigger notifies
INBOX, DELIVERIES = "leerbot_inbox", "leerbot_deliveries"
#: how often the listening connection is checked (a server that went away without a word)
CHECK_SECONDS = 10.0
RECONNECT_SECONDS = 2.0


class Wakeups:
    """Listens on the channels of ``wakers`` and calls the channel's waker on every notice."""

    def __init__(self, engine: AsyncEngine, wakers: dict[str, Callable[[], None]]) -> None:
        self.engine = engine
        self.wakers = wakers
        #: set while a connection listens
        self.listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def available(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def start(self) -> None:
        if self.available and self._task is None:
            self._task = asyncio.create_task(self._listen_forever(), name="leerbot-wakeups")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _notice(self, _connection: object, _pid: int, channel: str, _payload: str) -> None:
        waker = self.wakers.get(channel)
        if waker is not None:
            waker()

    async def _listen_forever(self) -> None:
        while True:
            try:
                await self._listen()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError,
                    TimeoutError) as exc:
                log.warning("listening for wake-ups failed (polling meanwhile): %s",
                            type(exc).__name__)
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen(self) -> None:
        url = self.engine.url.set(drivername="postgresql")
        connection = await asyncpg.connect(url.render_as_string(hide_password=False),
                                           timeout=10)
        try:
            for channel in self.wakers:
                await connection.add_listener(channel, self._notice)
            self.listening.set()
            for waker in self.wakers.values():  # what was queued while nobody listened
                waker()
            while True:
                await asyncio.sleep(CHECK_SECONDS)
                await connection.fetchval("SELECT 1", timeout=CHECK_SECONDS)
        finally:
            self.listening.clear()
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)
