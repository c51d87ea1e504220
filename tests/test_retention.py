"""Bounded retention (LEERBOT_RETENTION_DAYS): the delivery worker removes handled inbox events,
finished deliveries, seen mailbox messages and old readiness writes once they are older than
the retention period, and keeps everything still needed. On SQLite and PostgreSQL, and through
a real `leerbot serve`."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.queue import now, purge_inbox
from bot.storage.db import create_engine, sessionmaker, upgrade
from bot.storage.models import (
    DeliveryRow,
    HealthCheckRow,
    InboxRow,
    MailboxRow,
    RunRow,
)
from bot.storage.ports import Shared, Store
from bot.storage.runs import SqlRuns
from bot.workers import Retention
from tests.processes import Served

OLD, RECENT = timedelta(days=5), timedelta(days=1)

#: (what, age, status, kept after a retention of 3 days)
INBOX = [("handled", OLD, "done", False), ("failed", OLD, "failed", False),
         ("waiting", OLD, "pending", True), ("handled lately", RECENT, "done", True)]
#: (key, age, status, sent how long ago, kept)
DELIVERIES = [
    ("sent", OLD, "sent", OLD, False), ("cancelled", OLD, "cancelled", None, False),
    ("failed", OLD, "failed", None, False), ("unknown", OLD, "unknown", None, False),
    ("waiting", OLD, "pending", None, True), ("in flight", OLD, "processing", None, True),
    ("sent lately", RECENT, "sent", RECENT, True),
    ("planned long ago, sent lately", OLD, "sent", RECENT, True),
    ("forum:q:5", OLD, "sent", OLD, True),  # answers are threaded under it
    ("forum:q:5:ask:U2", OLD, "sent", OLD, False),
]
#: (user, age, seen, kept)
MAILBOX = [("lea", OLD, True, False), ("bob", OLD, False, True), ("ann", RECENT, True, True)]
HEALTH = [("stopped:1", OLD, False), ("running:2", RECENT, True)]


async def arrange(sessions: Any) -> int:
    """Rows of every kind and age; the id of the run the deliveries belong to."""
    moment = now()
    async with sessions.begin() as db:
        run = RunRow(run_key="schedule:1:2026-11-01", workspace="T1", kind="checkin",
                     status="planned", total=len(DELIVERIES), details={}, created_at=moment - OLD)
        db.add(run)
        await db.flush()
        # the waiting event is due tomorrow: a serving process leaves it alone meanwhile
        db.add_all([InboxRow(source="slack", event_key=what, conversation_key=what,
                             payload={}, status=status, attempts=1,
                             available_at=moment + timedelta(days=1), created_at=moment - age)
                    for what, age, status, _ in INBOX])
        db.add_all([DeliveryRow(key=key, channel="slack", workspace="T1", ordering_key=key,
                                payload={"op": "post"}, status=status, attempts=1,
                                available_at=moment, created_at=moment - age, run_id=run.id,
                                sent_at=None if sent is None else moment - sent)
                    for key, age, status, sent, _ in DELIVERIES])
        db.add_all([MailboxRow(workspace="local", user_id=user, delivery_key=f"m-{user}",
                               messages=[], seen=seen, created_at=moment - age)
                    for user, age, seen, _ in MAILBOX])
        db.add_all([HealthCheckRow(replica=replica, checked_at=moment - age)
                    for replica, age, _ in HEALTH])
        return run.id


async def remaining(sessions: Any) -> dict[str, list[Any]]:
    async with sessions() as db:
        return {
            "inbox": list((await db.execute(select(InboxRow.event_key)
                                            .order_by(InboxRow.id))).scalars()),
            "deliveries": list((await db.execute(select(DeliveryRow.key)
                                                 .order_by(DeliveryRow.id))).scalars()),
            "mailbox": list((await db.execute(select(MailboxRow.user_id)
                                              .order_by(MailboxRow.id))).scalars()),
            "health": list((await db.execute(select(HealthCheckRow.replica)
                                             .order_by(HealthCheckRow.replica))).scalars())}


EXPECTED = {"inbox": [w for w, _, _, kept in INBOX if kept],
            "deliveries": [k for k, _, _, _, kept in DELIVERIES if kept],
            "mailbox": [u for u, _, _, kept in MAILBOX if kept],
            "health": sorted(r for r, _, kept in HEALTH if kept)}


async def runs_of(db: Any, workspace: str) -> list[Any]:
    return await SqlRuns(Store(db, workspace, Shared())).recent()


async def test_retention_removes_what_is_no_longer_needed(sessions: Any) -> None:
    run_id = await arrange(sessions)
    async with sessions() as db:
        before = (await runs_of(db, "T1"))[0].counts
    removed = await Retention(sessions, timedelta(days=3)).run_once()
    assert await remaining(sessions) == EXPECTED
    assert removed == {"inbox": 2, "deliveries": 5, "mailbox": 1, "health_checks": 1}
    async with sessions() as db:
        run = await db.get(RunRow, run_id)
        summary = (await runs_of(db, "T1"))[0]
    assert run is not None and run.purged_counts == {"sent": 2, "cancelled": 1, "failed": 1,
                                                     "unknown": 1}
    assert summary.counts == before  # the runs view still counts what was sent
    assert await Retention(sessions, timedelta(days=3)).run_once() == dict.fromkeys(removed, 0)


async def test_the_newest_event_stays_so_its_id_is_not_handed_out_again(sessions: Any) -> None:
    async with sessions.begin() as db:
        db.add_all([InboxRow(source="slack", event_key=f"E{i}", conversation_key="c",
                             payload={}, status="done", attempts=1, available_at=now(),
                             created_at=now() - OLD) for i in range(3)])
    async with sessions.begin() as db:
        assert await purge_inbox(db, now()) == 2
    async with sessions() as db:
        assert list((await db.execute(select(InboxRow.event_key))).scalars()) == ["E2"]


async def test_the_serving_process_purges_after_the_configured_days(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'retention.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    sessions = sessionmaker(engine)
    await arrange(sessions)
    server = Served({**os.environ, "LEERBOT_DATABASE_URL": url, "LEERBOT_RETENTION_DAYS": "3"},
                    tmp_path / "serve.log")
    try:
        await server.ready()
        deadline = time.monotonic() + 30
        while (found := await remaining(sessions))["deliveries"] != EXPECTED["deliveries"]:
            assert time.monotonic() < deadline, (found, server.output()[-3000:])
            await asyncio.sleep(0.2)
    finally:
        server.stop()
    found = await remaining(sessions)
    await engine.dispose()
    assert {k: v for k, v in found.items() if k != "health"} == {
        k: v for k, v in EXPECTED.items() if k != "health"}
    assert "stopped:1" not in found["health"]  # (the server added its own readiness row)
