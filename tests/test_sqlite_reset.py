"""A SQLite connection handed back to the pool is rolled back only when it still holds a
transaction (bot/storage/db.py ``reset_sqlite``): a committed turn costs no rollback round trip
to aiosqlite's thread, and a connection left inside a transaction never reaches the next user
with it (its writes undone, the write lock released)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.pool import PoolResetState

from bot.storage.db import create_engine, holds_transaction, reset_sqlite, sessionmaker, upgrade
from bot.storage.models import InboxRow


async def test_only_a_connection_inside_a_transaction_is_rolled_back(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'reset.db'}")
    await upgrade(engine)
    try:
        async with engine.connect() as conn:
            raw = (await conn.get_raw_connection()).dbapi_connection
            assert not holds_transaction(raw)
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
            await conn.commit()
            assert not holds_transaction(raw)
            await conn.execute(text("INSERT INTO t VALUES (1)"))
            assert holds_transaction(raw)
            state = PoolResetState(transaction_was_reset=False, terminate_only=False,
                                   asyncio_safe=True)
            await conn.run_sync(lambda _: reset_sqlite(raw, None, state))
            assert not holds_transaction(raw)
            await conn.rollback()
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
    finally:
        await engine.dispose()


async def test_a_session_closed_inside_a_transaction_leaves_nothing_behind(
        tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'reset.db'}")
    await upgrade(engine)
    sessions = sessionmaker(engine)
    try:
        for _ in range(3):  # the pool hands the same connection out again
            session = sessions()
            await session.execute(text(
                "INSERT INTO inbox (source, event_key, conversation_key, payload, status, "
                "attempts, available_at, created_at) VALUES ('slack', 'E', 'c', '{}', "
                "'pending', 0, '2026-01-01', '2026-01-01')"))
            await session.close()  # never committed
        async with sessions.begin() as session:  # not locked out, and nothing was written
            count = (await session.execute(text(f"SELECT count(*) FROM {InboxRow.__tablename__}"))
                     ).scalar_one()
            assert count == 0
    finally:
        await engine.dispose()
