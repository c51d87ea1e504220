"""After a crash, a Slack post whose send was interrupted is checked in the conversation's
history before anything is sent again, within the limits Slack set in 2025 for apps outside
the Marketplace (conversations.history: one call a minute, 15 messages per call). The fake Web
API enforces them. When the history cannot tell, the delivery becomes "unknown": never a
duplicate. A malformed answer from Slack does not break the bookkeeping."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.channels.slack.sending import HISTORY_LIMIT, METADATA_EVENT
from bot.storage.models import DeliveryRow
from tests.fakes import FakeSlack
from tests.test_slack import bot, slack  # noqa: F401  (fixtures)

#: the interrupted attempt started this long ago (past the settling time, so it is claimed)
AGO = timedelta(seconds=10)


async def interrupted(client: TestClient, key: str, channel: str = "DU7",
                      payload: dict[str, Any] | None = None) -> datetime:
    """A post whose send started AGO and whose process died during the call."""
    started = datetime.now(UTC) - AGO
    async with client.runtime.sessions.begin() as db:  # type: ignore[attr-defined]
        db.add(DeliveryRow(key=key, channel="slack", workspace="T1",
                           ordering_key=f"slack:T1:{key}", status="pending", attempts=1,
                           payload=payload or {"op": "post", "channel": channel,
                                               "text": "Hallo", "blocks": []},
                           available_at=started, created_at=started, sending_at=started))
    return started


def arrived(fake: FakeSlack, key: str, at: datetime, channel: str = "DU7") -> None:
    """Slack got the interrupted post (it is in the channel's history at ``at``)."""
    fake.calls.append(("chat.postMessage", {
        "channel": channel, "text": "Hallo", "_ts": f"{at.timestamp():.6f}",
        "metadata": {"event_type": METADATA_EVENT, "event_payload": {"key": key}}}))


def chatter(fake: FakeSlack, count: int, around: datetime, channel: str = "DU7") -> None:
    """Other messages in the same conversation, just after ``around``."""
    for index in range(count):
        fake.calls.append(("chat.postMessage", {
            "channel": channel, "text": f"ander bericht {index}",
            "_ts": f"{around.timestamp() + 1 + index / 10:.6f}"}))


async def outcome(client: TestClient, key: str) -> tuple[str, str | None]:
    await client.channels.deliveries.drain()  # type: ignore[attr-defined]
    async with client.runtime.sessions() as db:  # type: ignore[attr-defined]
        row = (await db.execute(select(DeliveryRow).where(DeliveryRow.key == key))).scalar_one()
    return row.status, row.last_error


def posted(fake: FakeSlack, key: str) -> int:
    """How many posts carry this delivery's key."""
    return sum(1 for args in fake.posts()
               if (args.get("metadata") or {}).get("event_payload", {}).get("key") == key)


async def test_a_post_that_arrived_is_not_sent_again(bot: TestClient,  # noqa: F811
                                                     slack: FakeSlack) -> None:  # noqa: F811
    started = await interrupted(bot, "k-arrived")
    arrived(slack, "k-arrived", started + timedelta(seconds=1))
    assert (await outcome(bot, "k-arrived"))[0] == "sent"
    assert posted(slack, "k-arrived") == 1
    (asked,) = slack.named("conversations.history")
    assert int(asked["limit"]) <= HISTORY_LIMIT
    oldest, latest = float(asked["oldest"]), float(asked["latest"])
    assert oldest <= started.timestamp() <= latest  # a narrow window around the attempt
    assert latest - oldest <= 300


async def test_a_post_that_never_arrived_is_sent_once(bot: TestClient,  # noqa: F811
                                                      slack: FakeSlack) -> None:  # noqa: F811
    await interrupted(bot, "k-lost")
    chatter(slack, 3, datetime.now(UTC) - AGO)
    assert (await outcome(bot, "k-lost"))[0] == "sent"
    assert posted(slack, "k-lost") == 1


async def test_found_among_chatter_within_the_window(bot: TestClient,  # noqa: F811
                                                     slack: FakeSlack) -> None:  # noqa: F811
    """An hour of earlier messages does not crowd the post out of Slack's 15."""
    started = await interrupted(bot, "k-busy")
    chatter(slack, 40, started - timedelta(hours=1))
    arrived(slack, "k-busy", started + timedelta(seconds=2))
    assert (await outcome(bot, "k-busy"))[0] == "sent"
    assert posted(slack, "k-busy") == 1


async def test_a_window_with_more_than_slack_returns_is_unknown_not_resent(
        bot: TestClient, slack: FakeSlack) -> None:  # noqa: F811
    started = await interrupted(bot, "k-crowded")
    arrived(slack, "k-crowded", started)  # the oldest in the window: not among the 15 newest
    chatter(slack, 20, started)
    status, error = await outcome(bot, "k-crowded")
    assert status == "unknown" and error and "not sent again" in error
    assert posted(slack, "k-crowded") == 1


async def test_a_rate_limited_history_is_unknown_not_resent(
        bot: TestClient, slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    slack.history_per_minute = 1
    for key in ("k-first", "k-second"):
        await interrupted(bot, key, channel=f"D{key}")
    begun = time.monotonic()
    assert (await outcome(bot, "k-first"))[0] == "sent"  # checked: not there, sent once
    assert (await outcome(bot, "k-second"))[0] == "unknown"  # limited: not guessed
    assert time.monotonic() - begun < 30, "Slack's minute is not waited out"
    assert slack.rate_limited == 1 and len(slack.named("conversations.history")) == 1
    assert posted(slack, "k-first") == 1 and posted(slack, "k-second") == 0
    assert not [r for r in caplog.records if r.exc_info and r.levelno >= logging.ERROR]


async def test_a_payload_without_channel_or_an_answer_without_one_breaks_nothing(
        bot: TestClient, slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    """The delivered() race: a worker that lost its row marks it sent (its message dropped
    from the payload) after another took it over; or the payload was removed; or a DM lookup
    Slack answers without the channel."""
    await interrupted(bot, "k-marked", payload={"op": "post", "sent": True})
    assert (await outcome(bot, "k-marked"))[0] == "sent"
    await interrupted(bot, "k-nochannel", payload={"op": "post"})
    assert (await outcome(bot, "k-nochannel"))[0] == "unknown"
    assert posted(slack, "k-marked") == posted(slack, "k-nochannel") == 0
    slack.open_without_channel = True
    await interrupted(bot, "k-open", channel="U7")  # a post to a user: their DM is looked up
    status, error = await outcome(bot, "k-open")
    assert status == "pending" and error and "without a channel" in error  # asked again later
    slack.open_without_channel = False
    async with bot.runtime.sessions.begin() as db:  # type: ignore[attr-defined]
        row = (await db.execute(select(DeliveryRow).where(
            DeliveryRow.key == "k-open"))).scalar_one()
        row.available_at = datetime.now(UTC)
    assert (await outcome(bot, "k-open"))[0] == "sent"
    assert posted(slack, "k-open") == 1
    assert not [r for r in caplog.records if "KeyError" in r.getMessage()
                or (r.exc_info and r.exc_info[0] is KeyError)]


async def test_answers_are_threaded_under_a_question_whose_post_keeps_where_it_is(
        bot: TestClient, slack: FakeSlack) -> None:  # noqa: F811
    """A sent delivery forgets Slack's answer, except a forum question's post in its team
    channel: answers weeks later still go to its thread. A reply in a DM keeps nothing."""
    from bot.outbound import queue_to_room
    from dialogs.kit import Message, TextBlock
    from dialogs.kit.rich import plain

    def said(text: str) -> list[Message]:
        return [Message(blocks=[TextBlock(text=plain(text))])]

    async with bot.runtime.sessions.begin() as db:  # type: ignore[attr-defined]
        await queue_to_room(db, "T1", "slack:C42", said("Vraag"), "forum:q:7")
        await queue_to_room(db, "T1", "slack:C42", said("Ander bericht"), "digest:1")
    await bot.channels.deliveries.drain()  # type: ignore[attr-defined]
    async with bot.runtime.sessions.begin() as db:  # type: ignore[attr-defined]
        await queue_to_room(db, "T1", "slack:C42", said("Antwoord"), "forum:a:1",
                            thread_of="forum:q:7")
    await bot.channels.deliveries.drain()  # type: ignore[attr-defined]
    question, _, answer = slack.posts("C42")
    assert answer["thread_ts"] == question["_ts"]
    async with bot.runtime.sessions() as db:  # type: ignore[attr-defined]
        kept = dict((await db.execute(select(DeliveryRow.key, DeliveryRow.result))).all())
    assert kept == {"forum:q:7": {"channel": "C42", "ts": question["_ts"]},
                    "digest:1": None, "forum:a:1": None}


async def test_a_history_call_that_fails_on_slacks_side_is_asked_again_later(
        bot: TestClient, slack: FakeSlack) -> None:  # noqa: F811
    started = await interrupted(bot, "k-500")
    slack.failing.add("conversations.history")
    assert (await outcome(bot, "k-500"))[0] == "pending"  # not guessed, not sent
    assert posted(slack, "k-500") == 0
    slack.failing.clear()
    arrived(slack, "k-500", started + timedelta(seconds=1))
    async with bot.runtime.sessions.begin() as db:  # type: ignore[attr-defined]
        row = (await db.execute(select(DeliveryRow).where(
            DeliveryRow.key == "k-500"))).scalar_one()
        assert row.sending_at is not None  # the next try asks first
        row.available_at = datetime.now(UTC)
    assert (await outcome(bot, "k-500"))[0] == "sent"
    assert posted(slack, "k-500") == 1
