"""Claims are leases held by a named worker (bot/queue.py), on SQLite and PostgreSQL: renewed
only by their holder, taken over once they run out, and a worker that lost a claim can neither
finish nor hand back the row. (The timing, through real processes: tests/test_takeover.py.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.queue import (
    CURRENT_CLAIM,
    SETTLE,
    ClaimLost,
    claim_deliveries,
    claim_inbox,
    enqueue_delivery,
    finish_inbox,
    now,
    release_claims,
    renew_claims,
    update_deliveries,
)
from bot.storage.models import DeliveryRow, InboxRow


async def _inbox(sessions: Any, count: int) -> None:
    async with sessions.begin() as db:
        db.add_all([InboxRow(source="slack", event_key=f"E{i}", conversation_key=f"c{i}",
                             payload={"text": "hallo"}, status="pending", attempts=0,
                             available_at=now(), created_at=now()) for i in range(count)])


async def _expire(sessions: Any, table: type[Any], **values: Any) -> None:
    """Let every lease run out (as when its worker died)."""
    async with sessions.begin() as db:
        await db.execute(update(table).values(available_at=now() - timedelta(seconds=1),
                                              **values))


async def test_only_the_holder_renews_and_an_ended_lease_is_taken_over(sessions: Any) -> None:
    await _inbox(sessions, 3)
    async with sessions.begin() as db:
        first = await claim_inbox(db, owner="A")
    assert [r.claimed_by for r in first] == ["A"] * 3 and {r.attempts for r in first} == {1}
    ids = [r.id for r in first]
    async with sessions.begin() as db:
        assert await claim_inbox(db, owner="B") == []  # held
        assert await renew_claims(db, InboxRow, ids, "B") == set()
        assert await renew_claims(db, InboxRow, ids, "A") == set(ids)
    await _expire(sessions, InboxRow)
    async with sessions.begin() as db:
        taken = await claim_inbox(db, owner="B")
    assert [(r.id, r.claimed_by, r.attempts) for r in taken] == [(i, "B", 2) for i in ids]
    async with sessions.begin() as db:
        assert await renew_claims(db, InboxRow, ids, "A") == set()  # A lost them


@pytest.mark.parametrize(("holder", "finished"), [("B", True), ("A", False)])
async def test_finishing_an_event_needs_the_claim(sessions: Any, holder: str,
                                                  finished: bool) -> None:
    """A worker whose claim was taken over cannot finish the event: its turn is rolled back
    and the new holder answers (never both)."""
    await _inbox(sessions, 1)
    async with sessions.begin() as db:
        (row,) = await claim_inbox(db, owner="A")
    await _expire(sessions, InboxRow)
    async with sessions.begin() as db:
        await claim_inbox(db, owner="B")
    token = CURRENT_CLAIM.set((row.id, holder))
    try:
        if finished:
            async with sessions.begin() as db:
                await finish_inbox(db, row.id)
        else:
            with pytest.raises(ClaimLost):
                async with sessions.begin() as db:
                    await finish_inbox(db, row.id)
    finally:
        CURRENT_CLAIM.reset(token)
    async with sessions() as db:
        status = (await db.execute(select(InboxRow.status))).scalar_one()
    assert status == ("done" if finished else "processing")


async def _deliveries(sessions: Any, count: int) -> list[int]:
    async with sessions.begin() as db:
        for i in range(count):
            await enqueue_delivery(db, f"k{i}", "slack", "T1", f"o{i}", {"op": "post"})
    async with sessions() as db:
        return list((await db.execute(select(DeliveryRow.id).order_by(DeliveryRow.id)))
                    .scalars())


@pytest.mark.parametrize(("started_ago", "claimable"), [
    (None, True),  # never sent: taken over as soon as the lease ends
    (timedelta(seconds=1), False),  # cut off mid-call: the platform may still act on it
    (SETTLE + timedelta(seconds=1), True),  # long enough ago: checked with the platform
])
async def test_a_send_cut_off_mid_call_waits_before_it_is_taken_over(
        sessions: Any, started_ago: timedelta | None, claimable: bool) -> None:
    (row_id,) = await _deliveries(sessions, 1)
    async with sessions.begin() as db:
        await claim_deliveries(db, owner="A")
    await _expire(sessions, DeliveryRow,
                  sending_at=None if started_ago is None else now() - started_ago)
    async with sessions.begin() as db:
        taken = await claim_deliveries(db, owner="B")
    assert [r.id for r in taken] == ([row_id] if claimable else [])


async def test_only_the_holder_hands_a_delivery_back(sessions: Any) -> None:
    ids = await _deliveries(sessions, 2)
    async with sessions.begin() as db:
        await claim_deliveries(db, owner="A")
    async with sessions.begin() as db:
        await release_claims(db, ids, "B")  # not B's: nothing happens
        await release_claims(db, ids[:1], "A")
    async with sessions() as db:
        rows = (await db.execute(select(DeliveryRow.status, DeliveryRow.attempts,
                                        DeliveryRow.claimed_by).order_by(DeliveryRow.id))).all()
    assert [tuple(r) for r in rows] == [("pending", 0, None), ("processing", 1, "A")]


async def test_a_worker_that_lost_its_delivery_cannot_mark_it(sessions: Any) -> None:
    """A marks the row it held after B took it over: nothing changes; B's mark lands."""
    async with sessions.begin() as db:
        await enqueue_delivery(db, "k-lost", "slack", "T1", "slack:T1:D1",
                               {"op": "post", "channel": "D1", "text": "hoi"})
    async with sessions.begin() as db:
        (row,) = await claim_deliveries(db, owner="A")
    await _expire(sessions, DeliveryRow)
    async with sessions.begin() as db:
        (taken,) = await claim_deliveries(db, owner="B")
    async with sessions.begin() as db:
        await update_deliveries(db, [{"id": row.id, "owner": "A", "status": "sent"}])
    async with sessions() as db:
        stored = (await db.execute(select(DeliveryRow))).scalar_one()
    assert stored.status != "sent" and stored.payload["channel"] == "D1"
    async with sessions.begin() as db:
        await update_deliveries(db, [{"id": taken.id, "owner": "B", "status": "sent"}])
    async with sessions() as db:
        assert (await db.execute(select(DeliveryRow))).scalar_one().status == "sent"
