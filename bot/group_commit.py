"""Group commit: writes that arrive together share one transaction, and each writer returns only
once its own item is committed (durable), without paying for one transaction per item.

``InboxWriter`` is the group commit of the hot path of every Slack request: the event is stored
before Slack gets its acknowledgement, so the ack waits for that commit. SQLAlchemy compiles the
insert once and the column types convert the values (their own bind processors); the batch is
then written by the database driver directly:

- SQLite: on the event loop, as every SQLite call (``bot.storage.sqlite_inline``), on a
  connection of its own: the events that arrived during one pass of the loop are one batch.
  A writer thread with its own connection was tried (it collected the next batch while the
  loop served requests), but it and the loop's transactions kept waiting for each other's
  write lock (SQLite's busy handler sleeps a millisecond and more) and for the GIL: whole
  Slack turns reached about 0.45x the bare echo's throughput with it, 0.50x without;
- PostgreSQL: by one asyncpg ``executemany`` (atomic) per batch on held connections, two batches
  in flight.

Through pooled ORM sessions on aiosqlite the same batch cost several round trips between the
event loop and the driver's thread (checkout, execute, commit, reset on return), and the ack
about three times the bare Bolt app's; ``bench/channels.py`` shows the figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, Generic, TypeVar

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.queue import now
from bot.storage.db import sqlite_pragmas
from bot.storage.models import InboxRow
from bot.storage.sqlite_inline import InlineConnection, inline_connect

log = logging.getLogger(__name__)
T = TypeVar("T")


class GroupCommit(Generic[T]):
    """Collects items while the previous batch is being written; ``flush`` writes one batch in
    one transaction. Every caller of a batch learns whether it was committed. With
    ``in_flight`` above 1, that many batches may be written at the same time (for a database
    that commits concurrently; ``flush`` must then be safe to run concurrently)."""

    def __init__(self, flush: Callable[[list[T]], Awaitable[None]], max_batch: int = 200,
                 name: str = "group-commit", in_flight: int = 1) -> None:
        self.flush = flush
        self.max_batch = max_batch
        self.name = name
        self.in_flight = in_flight
        self._queue: asyncio.Queue[tuple[T, asyncio.Future[None]]] | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def write(self, item: T) -> None:
        """Returns once the item is committed; raises what the commit raised."""
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._tasks = [asyncio.create_task(self._run(self._queue),
                                               name=f"leerbot-{self.name}")
                           for _ in range(self.in_flight)]
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((item, future))
        await future

    async def _run(self, queue_: asyncio.Queue[tuple[T, asyncio.Future[None]]]) -> None:
        while True:
            batch = [await queue_.get()]
            while len(batch) < self.max_batch and not queue_.empty():
                batch.append(queue_.get_nowait())
            error: Exception | None = None
            stopped: BaseException | None = None
            try:
                await self.flush([item for item, _ in batch])
            except Exception as exc:
                error = exc
            except BaseException as exc:  # a cancelled flush: its callers must not hang
                error, stopped = RuntimeError(f"{self.name} stopped"), exc
            _settle([future for _, future in batch], error)
            for _ in batch:
                queue_.task_done()
            if stopped is not None:
                raise stopped

    async def close(self, timeout: float = 10.0) -> None:
        """Writes what has arrived (waiting at most ``timeout`` seconds), then stops; a write
        still waiting after that fails instead of hanging."""
        queue_, self._queue = self._queue, None
        if queue_ is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(queue_.join(), timeout)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        left = [queue_.get_nowait()[1] for _ in range(queue_.qsize())] if queue_ else []
        _settle(left, RuntimeError(f"{self.name} stopped"))


def _settle(futures: list[asyncio.Future[None]], error: Exception | None) -> None:
    """Tells the writers waiting in this event loop how their write went."""
    loop = asyncio.get_running_loop()
    for future in futures:
        if future.get_loop() is loop and not future.done():
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)


#: what an inbound event is: (source, event key, conversation key, payload)
InboxEvent = tuple[str, str, str, dict[str, Any]]
#: PostgreSQL commits concurrently (and groups the WAL flushes itself): while one batch waits
#: for its commit, the next is already on its way
POSTGRESQL_IN_FLIGHT = 2
_COLUMNS = ("source", "event_key", "conversation_key", "payload", "status", "attempts",
            "available_at", "created_at")


class InboxWriter:
    """Stores inbound events before they are acknowledged; a repeated event key is skipped."""

    def __init__(self, engine: AsyncEngine, max_batch: int = 200) -> None:
        self.engine = engine
        dialect = engine.dialect
        table = InboxRow.__table__
        insert = pg_insert if dialect.name == "postgresql" else sqlite_insert
        compiled = insert(table).on_conflict_do_nothing(
            index_elements=["source", "event_key"]).compile(
            dialect=dialect, column_keys=list(_COLUMNS))
        self._sql = compiled.string
        assert compiled.positiontup is not None  # both drivers take positional parameters
        self._fields = [(name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
                        for name in compiled.positiontup]
        self._commit: GroupCommit[InboxEvent]
        if dialect.name == "postgresql":
            # held connections with their asyncpg connection, one per batch in flight
            self._idle: list[tuple[AsyncConnection, Any]] = []
            self._commit = GroupCommit(self._flush_postgresql, max_batch, "inbox-writer",
                                       in_flight=POSTGRESQL_IN_FLIGHT)
        else:
            self._sqlite: InlineConnection | None = None
            self._commit = GroupCommit(self._flush_sqlite, max_batch, "inbox-writer")

    async def store(self, source: str, event_key: str, conversation_key: str,
                    payload: dict[str, Any]) -> None:
        """Returns once the event is committed (a repeat of a stored event is skipped)."""
        await self._commit.write((source, event_key, conversation_key, payload))

    def _rows(self, events: list[InboxEvent]) -> list[tuple[Any, ...]]:
        moment = now()
        rows = []
        for source, key, conversation, payload in events:
            values = {"source": source, "event_key": key[:255],
                      "conversation_key": conversation[:512], "payload": payload,
                      "status": "pending", "attempts": 0, "available_at": moment,
                      "created_at": moment}
            rows.append(tuple(convert(values[name]) if convert else values[name]
                              for name, convert in self._fields))
        return rows

    # ---------------------------------------------------------------- SQLite (on the loop)

    async def _flush_sqlite(self, events: list[InboxEvent]) -> None:
        if self._sqlite is None:
            connect = inline_connect(str(self.engine.url.database),
                                     setup=partial(sqlite_pragmas, busy_ms=0))
            self._sqlite = await connect()
        try:
            await self._sqlite.run(self._sql, self._rows(events), many=True)
            await self._sqlite.commit()
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                await self._sqlite.rollback()
            raise

    # ---------------------------------------------------------------- PostgreSQL (asyncpg)

    async def _flush_postgresql(self, events: list[InboxEvent]) -> None:
        rows = self._rows(events)
        try:
            await self._insert_postgresql(rows)
        except Exception as exc:
            # a held connection can go stale (a database restart, a dropped idle connection):
            # the batch is tried once more on a new one; a repeat is harmless (the unique key)
            log.warning("inbox write failed, retrying on a new connection: %s",
                        type(exc).__name__)
            await self._close_idle()  # they are likely as stale as the one that failed
            await self._insert_postgresql(rows)

    async def _insert_postgresql(self, rows: list[tuple[Any, ...]]) -> None:
        if self._idle:
            connection, driver = self._idle.pop()
        else:
            connection = await self.engine.connect()
            driver = (await connection.get_raw_connection()).driver_connection
        try:
            await driver.executemany(self._sql, rows)
        except BaseException:
            with contextlib.suppress(Exception):  # lost, or in an unknown state: not reused
                await connection.invalidate()
                await connection.close()
            raise
        self._idle.append((connection, driver))

    async def _close_idle(self) -> None:
        idle, self._idle = self._idle, []
        for connection, _ in idle:
            with contextlib.suppress(Exception):
                await connection.close()

    async def _close_sqlite(self) -> None:
        sqlite, self._sqlite = self._sqlite, None
        if sqlite is not None:
            with contextlib.suppress(sqlite3.Error):
                await sqlite.close()

    async def close(self) -> None:
        """Writes what has arrived, then lets go of the connections."""
        await self._commit.close()
        if self.engine.dialect.name == "postgresql":
            await self._close_idle()
        else:
            await self._close_sqlite()
