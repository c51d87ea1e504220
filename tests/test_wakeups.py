"""PostgreSQL: a replica's workers are woken when another replica queues work (LISTEN/NOTIFY,
bot/wakeups.py), not at their next poll. Here the polls are two minutes apart, so only the
notification can bring the work in time."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import workers
from bot.channels.mailbox import MailboxSender
from bot.queue import enqueue_delivery, finish_inbox, now
from bot.storage.db import create_engine, sessionmaker, upgrade
from bot.storage.models import InboxRow, MailboxRow
from bot.wakeups import DELIVERIES, INBOX, Wakeups
from bot.workers import DeliveryWorker, InboxWorker


async def _queue_event(sessions: Any, key: str = "E1", conversation: str = "c") -> None:
    async with sessions.begin() as db:
        db.add(InboxRow(source="test", event_key=key, conversation_key=conversation,
                        payload={}, status="pending", attempts=0, available_at=now(),
                        created_at=now()))


async def _queue_delivery(sessions: Any) -> None:
    async with sessions.begin() as db:
        await enqueue_delivery(db, "k1", "local", "w", "w:lea",
                               {"op": "local", "user": "lea", "messages": []})


@pytest.mark.parametrize("table", [INBOX, DELIVERIES])
async def test_work_queued_by_another_replica_wakes_the_workers(
        table: str, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "POLL_SECONDS", 120.0)
    engine, other = create_engine(postgres_url), create_engine(postgres_url)
    await upgrade(engine)
    sessions, elsewhere = sessionmaker(engine), sessionmaker(other)  # two replicas
    done = asyncio.Event()

    async def handled(row: InboxRow) -> None:
        async with sessions.begin() as db:
            await finish_inbox(db, row.id)
        done.set()

    worker: Any = (InboxWorker(sessions, {"test": handled}) if table == INBOX
                   else DeliveryWorker(sessions, {"local": MailboxSender(sessions)}))
    wakeups = Wakeups(engine, {table: worker.wake.set})
    worker.start()
    wakeups.start()
    try:
        await asyncio.wait_for(wakeups.listening.wait(), 30)
        await asyncio.sleep(0.5)  # the worker has looked once and waits for its next poll
        await (_queue_event if table == INBOX else _queue_delivery)(elsewhere)
        await asyncio.wait_for(_handled(table, done, sessions), 20)
    finally:
        await wakeups.stop()
        await worker.stop()
        await engine.dispose()
        await other.dispose()


async def _handled(table: str, done: asyncio.Event, sessions: Any) -> None:
    """The event was processed, or the message reached the mailbox."""
    if table == INBOX:
        await done.wait()
        return
    while True:
        async with sessions() as db:
            if (await db.execute(select(func.count()).select_from(MailboxRow))).scalar():
                return
        await asyncio.sleep(0.1)


async def test_a_wake_up_while_the_worker_looks_is_not_lost(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The event is stored and the worker woken just after its claim looked: it must look
    again at once, not at the next poll (two minutes here)."""
    monkeypatch.setattr(workers, "POLL_SECONDS", 120.0)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'race.db'}")
    await upgrade(engine)
    sessions = sessionmaker(engine)
    done = asyncio.Event()

    async def handled(row: InboxRow) -> None:
        async with sessions.begin() as db:
            await finish_inbox(db, row.id)
        done.set()

    class Racing(InboxWorker):
        looked = 0

        async def claim(self, session: Any, limit: int = 20) -> list[InboxRow]:
            self.looked += 1
            if self.looked == 1:  # the event arrives while we look, and wakes us
                await _queue_event(sessions)
                self.wake.set()
                return []
            return await super().claim(session, limit)

    worker = Racing(sessions, {"test": handled})
    worker.start()
    try:
        await asyncio.wait_for(done.wait(), 10)
    finally:
        await worker.stop()
        await engine.dispose()


async def test_an_event_is_handled_while_a_slow_one_is_in_hand(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The inbox worker claims as room comes free, not once a whole batch is done: a second
    person's event is answered while the first person's turn is still running."""
    monkeypatch.setattr(workers, "POLL_SECONDS", 120.0)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'flow.db'}")
    await upgrade(engine)
    sessions = sessionmaker(engine)
    slow_started, release, quick_done = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def handled(row: InboxRow) -> None:
        if row.event_key == "slow":
            slow_started.set()
            await release.wait()
        async with sessions.begin() as db:
            await finish_inbox(db, row.id)
        if row.event_key == "quick":
            quick_done.set()

    worker = InboxWorker(sessions, {"test": handled})
    await _queue_event(sessions, "slow", "anna")
    worker.start()
    try:
        await asyncio.wait_for(slow_started.wait(), 10)
        await _queue_event(sessions, "quick", "bram")
        worker.wake.set()
        await asyncio.wait_for(quick_done.wait(), 10)  # while "slow" is still in hand
        assert not release.is_set()
    finally:
        release.set()
        await worker.stop()
        await engine.dispose()
