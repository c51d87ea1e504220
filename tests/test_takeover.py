"""Takeover: what a process holds when it dies (``kill -9``) goes to another replica once its
leases run out, seconds later, and is done exactly once; while a process lives, its heartbeat
keeps its work. Real `leerbot serve` processes share one SQLite database and a fake Slack.
(Deliveries: tests/test_fanout.py kills a process in the middle of a fan-out.)"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from sqlalchemy import select

from bot.storage.db import create_engine
from bot.storage.models import InboxRow
from tests.fakes import FakeSlack
from tests.processes import Served
from tests.test_slack import event

SECRET = "takeover-secret"
#: more events than the inbox worker handles at once (8): some are mid-turn, some wait
EVENTS = 12
LEASE = 6.0  # LEERBOT_LEASE's default
#: after the leases run out: a poll (1 s), the turn and its reply, on a busy machine
TAKEOVER_SLACK = 4.0


async def claimed(url: str) -> dict[int, int]:
    """The inbox events claimed right now (status processing): id and claims so far."""
    engine = create_engine(url)
    async with engine.connect() as connection:
        rows = (await connection.execute(select(InboxRow.id, InboxRow.attempts).where(
            InboxRow.status == "processing"))).all()
    await engine.dispose()
    return {row_id: attempts for row_id, attempts in rows}


async def until(condition: object, timeout: float, what: str) -> float:
    """Wait for ``condition()`` (sync or async); the seconds it took."""
    started = time.monotonic()
    while True:
        result = condition()  # type: ignore[operator]
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return time.monotonic() - started
        assert time.monotonic() - started < timeout, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def test_inbox_events_of_a_killed_process_are_answered_once_by_another(
        tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'takeover.db'}"
    users = [f"U{i}" for i in range(EVENTS)]
    async with FakeSlack() as slack:
        slack.hold = {"users.info"}  # every turn starts with it: the turns hang mid-way
        env = {**os.environ, "LEERBOT_DATABASE_URL": url, "SLACK_SIGNING_SECRET": SECRET,
               "SLACK_BOT_TOKEN": "xoxb-takeover", "SLACK_API_URL": slack.url,
               "PYTHONUNBUFFERED": "1"}
        first = Served(env, tmp_path / "first.log")
        second: Served | None = None
        try:
            await first.ready()
            acks = await asyncio.gather(*(  # together: the worker claims them together
                first.post_slack(event("menu", f"Ev{number}", user=user), SECRET)
                for number, user in enumerate(users)))
            assert acks == [200] * EVENTS
            await until(lambda: slack.waiting > 0, 30, "the first turns")
            await asyncio.sleep(0.5)  # the first worker has taken what it takes
            held = await claimed(url)  # all the first process's
            second = Served(env, tmp_path / "second.log")  # takes the events still waiting
            await second.ready()
            await asyncio.sleep(LEASE * 1.5)  # several leases: the heartbeat keeps them
            still = await claimed(url)
            assert all(still.get(i) == n for i, n in held.items()), "a live process lost work"
            assert slack.posts() == []

            first.kill()
            slack.hold = set()
            slack.released.set()  # the platform answers again (the killed turns are gone)
            takeover = await until(lambda: all(slack.posts(f"D{u}") for u in users),
                                   LEASE * 10, "every event answered")
            await asyncio.sleep(1.0)
        finally:
            first.stop()
            if second is not None:
                second.stop()
        print(f"{len(held)} inbox events taken over and answered {takeover:.1f} s after kill -9")
        assert [len(slack.posts(f"D{u}")) for u in users] == [1] * EVENTS, second.output()
        assert takeover < LEASE + TAKEOVER_SLACK, f"answered only after {takeover:.1f} s"

