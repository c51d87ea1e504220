"""SQLite calls run on the event loop (bot/storage/sqlite_inline.py): a statement that finds
the write lock taken by another connection waits without blocking the loop, succeeds once the
lock is free, and gives up after BUSY_SECONDS as SQLite's busy timeout would."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.storage import sqlite_inline
from bot.storage.db import create_engine
from tests.loop_ticks import loop_ticks


async def _engine_with_table(path: Path):  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{path}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    return engine


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes (body) VALUES ('theirs')")
    return other


async def test_runs_without_a_thread_and_has_no_busy_timeout_of_its_own(tmp_path: Path) -> None:
    engine = await _engine_with_table(tmp_path / "a.db")
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert isinstance(driver, sqlite_inline.InlineConnection)
            assert not driver._thread.is_alive()
            timeout = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
            assert timeout == 0
    finally:
        await engine.dispose()


async def test_a_write_waits_for_the_lock_while_the_loop_serves_others(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    engine = await _engine_with_table(path)
    other = _hold_write_lock(path)

    async def release_later() -> None:
        await asyncio.sleep(0.3)
        other.execute("COMMIT")

    releasing = asyncio.create_task(release_later())
    try:
        async with loop_ticks() as ticks:
            started = time.monotonic()
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO notes (body) VALUES ('ours')"))
            waited = time.monotonic() - started
        await releasing
        async with engine.connect() as connection:
            bodies = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).all()
        assert [b for (b,) in bodies] == ["theirs", "ours"]
        assert waited >= 0.25  # it did wait for the other connection's commit
        assert ticks.count >= 20  # and the loop went on meanwhile
    finally:
        other.close()
        await engine.dispose()


async def test_gives_up_when_the_lock_is_not_released(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_inline, "BUSY_SECONDS", 0.2)
    path = tmp_path / "c.db"
    engine = await _engine_with_table(path)
    other = _hold_write_lock(path)
    try:
        with pytest.raises(Exception, match="locked"):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO notes (body) VALUES ('ours')"))
    finally:
        other.execute("ROLLBACK")
        other.close()
        await engine.dispose()


def test_busy_is_told_from_other_errors() -> None:
    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorcode = 5  # type: ignore[attr-defined]
    snapshot = sqlite3.OperationalError("database is locked")
    snapshot.sqlite_errorcode = 517  # type: ignore[attr-defined]
    syntax = sqlite3.OperationalError("near 'x': syntax error")
    syntax.sqlite_errorcode = 1  # type: ignore[attr-defined]
    assert sqlite_inline.busy(busy)
    assert not sqlite_inline.busy(snapshot)
    assert not sqlite_inline.busy(syntax)
