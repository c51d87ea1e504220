"""SQLite on the event loop: aiosqlite's connection without its thread hand-overs.

aiosqlite runs each call (cursor, execute, fetch, close, commit, rollback) on a thread of the
connection's own and wakes the event loop for every result. A turn of a few small statements
spent more time in those hand-overs than in SQLite itself, which answers a statement on a
local file in microseconds. ``InlineConnection`` keeps aiosqlite's API (what SQLAlchemy's
``sqlite+aiosqlite`` dialect drives) and runs the calls where they are made.

What could make such a call wait is another connection holding the write lock. That wait never
happens on the loop: the connection has no busy timeout (SQLite answers "busy" at once), and a
call that finds the database busy is tried again after a pause in which the loop serves others,
for up to ``BUSY_SECONDS`` in all, as SQLite's own busy handler would have waited in a thread.
A busy *snapshot* (the transaction read data another connection has since changed) cannot
succeed by waiting and is raised at once, as SQLite does.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite

#: how long a statement waits in all for another connection's write lock
BUSY_SECONDS = 5.0
#: first and longest pause between two tries (seconds)
FIRST_PAUSE, LONGEST_PAUSE = 0.0005, 0.02
_SQLITE_BUSY, _SQLITE_BUSY_SNAPSHOT = 5, 517


def busy(error: sqlite3.OperationalError) -> bool:
    """Whether the database was busy (locked by another connection) and trying later helps."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return "database is locked" in str(error)
    return code & 0xFF == _SQLITE_BUSY and code != _SQLITE_BUSY_SNAPSHOT


class _RunNow:
    """Stands in for aiosqlite's queue to its thread: what is put runs at once and its future
    gets the result (the connection's opening and closing go this way)."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # handed to whoever awaits the future
            if future is not None and not future.done():
                future.set_exception(exc)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run on the event loop (see the module)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunNow()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()  # no thread to start

    async def run(self, sql: str, parameters: Any,
                  many: bool = False) -> tuple[list[Any], int, int | None]:
        """Run one statement (``many``: once per set of parameters) on the driver's own
        connection and read what it gives at once: its rows, ``rowcount`` and ``lastrowid``.
        No aiosqlite cursor is made around it (three calls fewer than execute, fetch and
        close); a busy database is waited for as by every call here. For the statements of
        every turn (``bot.storage.prepared``)."""
        return await self._execute(self._run, sql, parameters, many)  # type: ignore[no-any-return]

    def _run(self, sql: str, parameters: Any, many: bool) -> tuple[list[Any], int, int | None]:
        cursor = self._conn.executemany(sql, parameters) if many \
            else self._conn.execute(sql, parameters)
        try:
            return cursor.fetchall(), cursor.rowcount, cursor.lastrowid
        finally:
            cursor.close()

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")
        waited, pause = 0.0, FIRST_PAUSE
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                if not busy(exc) or waited >= BUSY_SECONDS:
                    raise
            await asyncio.sleep(pause)
            waited += pause
            pause = min(pause * 2, LONGEST_PAUSE)


def inline_connect(database: str, setup: Callable[[sqlite3.Connection], None] | None = None,
                   **options: Any) -> Callable[[], Any]:
    """An ``async_creator`` for SQLAlchemy: connections to ``database`` that run inline, with
    no busy timeout of SQLite's own (``options`` are sqlite3.connect's; ``setup`` prepares
    each new connection, e.g. its pragmas, where SQLAlchemy's connect event does not)."""

    def connector() -> sqlite3.Connection:
        connection = sqlite3.connect(database, **{**options, "timeout": 0})
        if setup is not None:
            setup(connection)
        return connection

    async def create() -> InlineConnection:
        return await InlineConnection(connector)  # type: ignore[no-any-return]

    return create
