"""Replies sent right after their turn: the turn's transaction claims its reply rows for this
process's delivery worker (bot/queue.py ``reserve_order``, ``enqueue_claimed``), which sends
them once committed, without looking for work or claiming (bot/workers.py ``send_claimed``).
The guarantees stay those of the queue, on SQLite and PostgreSQL: order per conversation,
exactly once, and a process that dies before sending leaves rows any worker takes over."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select, update

from bot.channels.slack.turns import DIRECT_BATCH
from bot.queue import (
    claim_deliveries,
    enqueue_claimed,
    enqueue_delivery,
    now,
    reserve_order,
)
from bot.storage.models import DeliveryRow
from bot.workers import DeliveryWorker, RetryableError
from tests.fakes import FakeSlack
from tests.test_slack import bot, event, post_event, slack  # noqa: F401  (fixtures)

ORDER = "slack:T1:D1"


class Recording:
    """A sender that records what it sent; ``failing`` keys fail once (retry later)."""

    verifies = False

    def __init__(self, failing: set[str] | None = None) -> None:
        self.sent: list[str] = []
        self.failing = failing or set()

    async def send(self, workspace: str, payload: dict[str, Any],
                   key: str) -> dict[str, Any] | None:
        if key in self.failing:
            self.failing.discard(key)
            raise RetryableError("slack 500")
        self.sent.append(key)
        return None

    def pace(self, workspace: str, payload: dict[str, Any]) -> tuple[str, float] | None:
        return None

    async def delivered(self, *args: Any) -> bool | None:
        return None


async def _queue_claimed(sessions: Any, owner: str, keys: list[str],
                         lease: timedelta = timedelta(seconds=6)
                         ) -> tuple[list[DeliveryRow], float]:
    since = time.monotonic()
    async with sessions.begin() as db:
        until = await reserve_order(db, ORDER, lease)
        assert until is not None
        rows = [await enqueue_claimed(db, key, "slack", "T1", ORDER, {"op": "post"}, owner,
                                      until) for key in keys]
    assert all(row is not None for row in rows)
    return rows, since  # type: ignore[return-value]


async def _rows(sessions: Any) -> dict[str, DeliveryRow]:
    async with sessions() as db:
        return {r.key: r for r in (await db.execute(select(DeliveryRow))).scalars()}


async def test_claimed_replies_are_sent_in_order_and_no_one_else_takes_them(
        sessions: Any) -> None:
    sender = Recording()
    worker = DeliveryWorker(sessions, {"slack": sender})  # type: ignore[dict-item]
    rows, since = await _queue_claimed(sessions, worker.owner, ["r:0", "r:1", "r:2"])
    async with sessions.begin() as db:  # another replica looking for work finds nothing
        assert await claim_deliveries(db, owner="other") == []
    worker.send_claimed(rows, since)
    await worker.drain()
    assert sender.sent == ["r:0", "r:1", "r:2"]
    stored = await _rows(sessions)
    assert {(r.status, r.attempts, r.claimed_by) for r in stored.values()} == {
        ("sent", 1, worker.owner)}
    await worker.marks.close()


async def test_an_open_earlier_message_of_the_conversation_holds_them_back(
        sessions: Any) -> None:
    async with sessions.begin() as db:  # a reminder for tomorrow, never tried: no hold
        await enqueue_delivery(db, "later", "slack", "T1", ORDER, {"op": "post"})
        await db.execute(update(DeliveryRow).values(available_at=now() + timedelta(days=1)))
    async with sessions.begin() as db:
        assert await reserve_order(db, ORDER) is not None
        assert await reserve_order(db, "slack:T1:D2") is not None
        await enqueue_delivery(db, "earlier", "slack", "T1", ORDER, {"op": "post"})
    async with sessions.begin() as db:  # ready now: it goes first, through the worker
        assert await reserve_order(db, ORDER) is None
        assert await reserve_order(db, "slack:T1:D2") is not None
    async with sessions.begin() as db:  # being sent (claimed, lease running): still first
        claimed = await claim_deliveries(db, owner="A")
        assert [r.key for r in claimed] == ["earlier"]
        assert await reserve_order(db, ORDER) is None


async def test_after_a_failed_send_the_rest_wait_for_it(sessions: Any) -> None:
    sender = Recording(failing={"r:0"})
    worker = DeliveryWorker(sessions, {"slack": sender})  # type: ignore[dict-item]
    rows, since = await _queue_claimed(sessions, worker.owner, ["r:0", "r:1"])
    worker.send_claimed(rows, since)
    await worker.drain()  # r:0 backs off; r:1 was handed back and is held back by it
    assert sender.sent == []
    stored = await _rows(sessions)
    assert (stored["r:0"].status, stored["r:0"].attempts) == ("pending", 1)
    assert (stored["r:1"].status, stored["r:1"].attempts, stored["r:1"].claimed_by) == (
        "pending", 0, None)
    async with sessions.begin() as db:  # the backoff is over
        await db.execute(update(DeliveryRow).values(available_at=now()))
    await worker.drain()
    assert sender.sent == ["r:0", "r:1"]
    await worker.marks.close()


async def test_rows_of_a_process_that_died_before_sending_are_sent_once_by_another(
        sessions: Any) -> None:
    lease = timedelta(seconds=1)
    dead = DeliveryWorker(sessions, {"slack": Recording()}, lease=lease)  # type: ignore[dict-item]
    await _queue_claimed(sessions, dead.owner, ["r:0", "r:1"], lease)  # never handed over
    sender = Recording()
    other = DeliveryWorker(sessions, {"slack": sender}, lease=lease)  # type: ignore[dict-item]
    await other.drain()
    assert sender.sent == []  # the lease holds
    await asyncio.sleep(1.2)
    await other.drain()
    assert sender.sent == ["r:0", "r:1"]
    assert {r.status for r in (await _rows(sessions)).values()} == {"sent"}
    await other.marks.close()


async def test_a_slack_reply_goes_out_without_the_worker_looking_for_it(
        bot: TestClient, slack: FakeSlack) -> None:  # noqa: F811
    channels = bot.channels  # type: ignore[attr-defined]
    deliveries = channels.deliveries
    assert await post_event(bot, event("menu", "Ev1")) == 200
    await channels.inbox.drain()
    assert not deliveries.wake.is_set()  # nothing for the worker to look for
    await deliveries.drain()
    assert len(slack.posts("DU1")) == 1
    async with bot.runtime.sessions() as db:  # type: ignore[attr-defined]
        row = (await db.execute(select(DeliveryRow))).scalar_one()
    assert (row.status, row.attempts, row.claimed_by) == ("sent", 1, deliveries.owner)


async def test_a_second_message_while_the_first_reply_is_sent_is_answered_after_it(
        bot: TestClient, slack: FakeSlack) -> None:  # noqa: F811
    channels = bot.channels  # type: ignore[attr-defined]
    slack.hold = {"chat.postMessage"}
    assert await post_event(bot, event("menu", "Ev1")) == 200
    await channels.inbox.drain()
    for _ in range(100):
        if slack.waiting:
            break
        await asyncio.sleep(0.02)
    assert slack.waiting == 1  # the first reply is on its way
    assert await post_event(bot, event("help", "Ev2")) == 200
    await channels.inbox.drain()
    assert channels.deliveries.wake.is_set()  # held back by the first: left to the worker
    async with bot.runtime.sessions() as db:  # type: ignore[attr-defined]
        second = (await db.execute(select(DeliveryRow).where(
            DeliveryRow.key.like("inbox:2:%")))).scalars().all()
    assert second and {(r.status, r.claimed_by) for r in second} == {("pending", None)}
    texts = [r.payload["text"] for r in sorted(second, key=lambda r: r.id)]
    slack.released.set()
    await channels.deliveries.drain()
    posts = slack.posts("DU1")
    assert len(posts) == 1 + len(second)
    assert [p["text"] for p in posts[1:]] == texts  # after the first reply, in their order
    assert posts[0]["text"] not in texts


async def test_under_load_replies_are_left_to_the_worker_which_sends_them_together(
        bot: TestClient, slack: FakeSlack) -> None:  # noqa: F811
    channels = bot.channels  # type: ignore[attr-defined]
    users = [f"U{number}" for number in range(DIRECT_BATCH + 2)]
    for number, user in enumerate(users):  # waiting together: the worker claims them together
        assert await post_event(bot, event("menu", f"Ev{number}", user=user)) == 200
    await channels.inbox.drain()
    async with bot.runtime.sessions() as db:  # type: ignore[attr-defined]
        rows = (await db.execute(select(DeliveryRow))).scalars().all()
    assert len(rows) == len(users)
    assert {(r.status, r.claimed_by) for r in rows} == {("pending", None)}
    assert channels.deliveries.wake.is_set()
    await channels.deliveries.drain()
    assert all(len(slack.posts(f"D{user}")) == 1 for user in users)
