"""The SQLite log is checkpointed by a thread of its own (bot/storage/checkpoints.py), not by
the commits on the event loop, which do it only past a backstop."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bot.runtime import Runtime
from bot.settings import Settings
from bot.storage.checkpoints import BACKSTOP_PAGES, Checkpointer
from bot.storage.db import sqlite_pragmas


def _writer(path: Path) -> sqlite3.Connection:
    """A connection that never checkpoints by itself: its commits only grow the log."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    return connection


def _write(connection: sqlite3.Connection, rows: int) -> None:
    for number in range(rows):
        connection.execute("INSERT INTO notes (body) VALUES (?)", ("x" * 2000 + str(number),))


def test_the_thread_copies_the_log_into_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    writer = _writer(path)
    try:
        _write(writer, 200)
        before = path.stat().st_size  # the pages are in the log only
        checkpoints = Checkpointer(str(path), every=0.02)
        checkpoints.start()
        try:
            deadline = time.monotonic() + 5
            while checkpoints.done < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
        finally:
            checkpoints.stop()
        assert checkpoints.done >= 2
        assert path.stat().st_size > before + 200 * 2000  # copied into the database file
    finally:
        writer.close()


def test_without_the_thread_the_log_is_not_copied(tmp_path: Path) -> None:
    """The control for the test above: the writer alone leaves the file as it was."""
    path = tmp_path / "wal.db"
    writer = _writer(path)
    try:
        _write(writer, 200)
        before = path.stat().st_size
        time.sleep(0.1)
        assert path.stat().st_size == before
    finally:
        writer.close()


def test_our_connections_checkpoint_by_themselves_only_past_the_backstop(
        tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "a.db")
    try:
        sqlite_pragmas(connection)
        (pages,) = connection.execute("PRAGMA wal_autocheckpoint").fetchone()
        assert pages == BACKSTOP_PAGES
    finally:
        connection.close()


async def test_the_runtime_on_sqlite_runs_the_thread_and_stops_it(tmp_path: Path) -> None:
    runtime = await Runtime.start(Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", data_dir=tmp_path))
    try:
        assert runtime.checkpoints is not None
        thread = runtime.checkpoints._thread
        assert thread is not None and thread.is_alive()
        assert thread.name == "leerbot-checkpoints"
    finally:
        await runtime.close()
    assert not thread.is_alive()
