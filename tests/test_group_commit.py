"""The inbox writer (group commit on a held driver connection) on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.group_commit import GroupCommit, InboxWriter
from bot.queue import claim_inbox, now
from bot.storage.db import DatabaseError, create_engine, sessionmaker, upgrade
from bot.storage.models import InboxRow
from tests.loop_ticks import loop_ticks

PAYLOAD = {"kind": "message", "team": "T1", "user": "U1", "text": "Zeg <@U2> & \"hoi\" 😀",
           "form": {"naam": "Anna"}, "prompt": None}


async def test_stored_events_read_back_as_the_orm_wrote_them(sessions: Any) -> None:
    writer = InboxWriter(sessions.kw["bind"])
    started = now()
    try:
        await asyncio.gather(*(
            writer.store("slack", f"Ev{number}", f"slack:T1:U{number % 3}", PAYLOAD)
            for number in range(40)))
        await writer.store("slack", "Ev7", "slack:T1:U1", {"kind": "other"})  # Slack's retry
    finally:
        await writer.close()
    async with sessions() as session:
        rows = (await session.execute(select(InboxRow))).scalars().all()
    assert len(rows) == 40
    seven = next(row for row in rows if row.event_key == "Ev7")
    assert seven.payload == PAYLOAD and seven.status == "pending" and seven.attempts == 0
    assert started - timedelta(seconds=1) <= seven.created_at.replace(
        tzinfo=started.tzinfo) <= now()
    async with sessions.begin() as session:  # the workers can claim what the writer stored
        claimed = await claim_inbox(session, limit=100)
    assert sorted(row.conversation_key for row in claimed) == [
        "slack:T1:U0", "slack:T1:U1", "slack:T1:U2"]  # the oldest of each conversation


async def test_a_failed_batch_fails_its_callers_and_the_next_batch_writes(sessions: Any) -> None:
    writer = InboxWriter(sessions.kw["bind"])
    try:
        sql = writer._sql
        writer._sql = sql.replace("INSERT INTO inbox", "INSERT INTO no_such_table")
        results = await asyncio.gather(*(writer.store("slack", f"Bad{n}", "c", PAYLOAD)
                                         for n in range(3)), return_exceptions=True)
        assert all(isinstance(result, Exception) for result in results)
        writer._sql = sql
        await writer.store("slack", "Good", "c", PAYLOAD)
    finally:
        await writer.close()
    async with sessions() as session:
        keys = (await session.execute(select(InboxRow.event_key))).scalars().all()
    assert keys == ["Good"]


async def test_group_commit_batches_writes_that_arrive_together() -> None:
    batches: list[list[int]] = []

    async def flush(items: list[int]) -> None:
        await asyncio.sleep(0.01)
        batches.append(items)

    commit: GroupCommit[int] = GroupCommit(flush, max_batch=5)
    try:
        await asyncio.gather(*(commit.write(number) for number in range(12)))
    finally:
        await commit.close()
    assert sorted(item for batch in batches for item in batch) == list(range(12))
    assert [len(batch) for batch in batches] == [5, 5, 2]  # not one transaction per write


async def test_on_sqlite_events_wait_for_another_writer_while_the_loop_turns(
        tmp_path: Path) -> None:
    """The SQLite writer runs on the event loop: while another connection holds the write
    lock, the events wait for it without blocking the loop, and are written once it is free."""
    engine = create_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    await upgrade(engine)
    other = sqlite3.connect(str(tmp_path / "lock.db"), isolation_level=None)
    writer = InboxWriter(engine)
    try:
        async with loop_ticks() as ticks:
            other.execute("BEGIN IMMEDIATE")  # the write lock, held by someone else
            stores = [asyncio.ensure_future(writer.store("slack", f"Wait{n}", "c", PAYLOAD))
                      for n in range(12)]
            await asyncio.sleep(0.2)
            assert not any(store.done() for store in stores)
            assert ticks.count >= 10  # the loop kept turning
            other.execute("COMMIT")
            await asyncio.wait_for(asyncio.gather(*stores), 5)
    finally:
        other.close()
        await writer.close()
    try:
        async with sessionmaker(engine)() as session:
            keys = (await session.execute(select(InboxRow.event_key))).scalars().all()
    finally:
        await engine.dispose()
    assert sorted(keys) == sorted(f"Wait{n}" for n in range(12))


async def test_group_commit_reports_a_failure_to_every_caller_of_the_batch() -> None:
    async def fail(items: list[int]) -> None:
        raise OSError("disk full")

    commit: GroupCommit[int] = GroupCommit(fail)
    try:
        results = await asyncio.gather(*(commit.write(n) for n in range(3)),
                                       return_exceptions=True)
    finally:
        await commit.close()
    assert [type(result) for result in results] == [OSError] * 3


def test_an_in_memory_sqlite_database_is_refused() -> None:
    with pytest.raises(DatabaseError):
        create_engine("sqlite:///:memory:")


async def test_a_lost_postgresql_connection_is_replaced_without_losing_the_event(
        postgres_url: str) -> None:
    from sqlalchemy import text

    engine = create_engine(postgres_url)
    await upgrade(engine)
    writer = InboxWriter(engine)
    try:
        first = [asyncio.ensure_future(writer.store("slack", f"Before{n}", "c", PAYLOAD))
                 for n in range(15)]
        await asyncio.sleep(0.001)  # one batch is on its way: the next goes on another connection
        await asyncio.gather(*first, *(writer.store("slack", f"Before{n}", "c", PAYLOAD)
                                       for n in range(15, 30)))
        # two connections when the second batch came while the first was on its way; on a
        # busy machine (tests in parallel) the first may be done by then and one serves both
        assert 1 <= len(writer._idle) <= 2
        async with engine.connect() as admin:  # the server drops the writer's connections
            await admin.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        await writer.store("slack", "After", "c", PAYLOAD)
        async with sessionmaker(engine)() as session:
            keys = (await session.execute(select(InboxRow.event_key))).scalars().all()
        assert len(keys) == 31 and "After" in keys
    finally:
        await writer.close()
        await engine.dispose()


async def test_closing_writes_what_has_arrived_and_closes_the_connection(sessions: Any) -> None:
    writer = InboxWriter(sessions.kw["bind"])
    stores = [asyncio.ensure_future(writer.store("slack", f"Late{n}", "c", PAYLOAD))
              for n in range(5)]
    await asyncio.sleep(0)  # written, not yet committed
    await writer.close()
    await asyncio.gather(*stores)
    async with sessions() as session:
        assert len((await session.execute(select(InboxRow))).scalars().all()) == 5
    assert getattr(writer, "_sqlite", None) is None and not getattr(writer, "_idle", [])


async def test_closing_a_group_commit_whose_flush_hangs_fails_the_writes() -> None:
    async def hang(items: list[int]) -> None:
        await asyncio.sleep(3600)

    commit: GroupCommit[int] = GroupCommit(hang)
    writes = [asyncio.ensure_future(commit.write(n)) for n in range(3)]
    await asyncio.sleep(0.01)
    await commit.close(timeout=0.05)
    results = await asyncio.wait_for(asyncio.gather(*writes, return_exceptions=True), 1)
    assert all(isinstance(result, RuntimeError) for result in results)
