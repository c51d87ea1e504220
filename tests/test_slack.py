"""Slack end to end: signed requests in Slack's payload formats through the real aiohttp
server, a local fake Web API on 127.0.0.1, the inbox and delivery workers in between."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.runtime import Runtime
from bot.server import CHANNELS, build_app
from bot.settings import Settings
from bot.storage.forum import ForumQuestionRow
from bot.storage.models import InboxRow
from tests.fakes import FakeSlack, sign

SECRET = "test-signing-secret"


@pytest.fixture
async def slack():  # type: ignore[no-untyped-def]
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def bot(slack: FakeSlack, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'slack.db'}",
                        data_dir=tmp_path, SLACK_SIGNING_SECRET=SECRET,
                        SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=slack.url)
    runtime = await Runtime.start(settings)
    app = build_app(runtime, webchat_enabled=False, workers=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        client.channels = app[CHANNELS]  # type: ignore[attr-defined]
        client.runtime = runtime  # type: ignore[attr-defined]
        yield client
    await runtime.close()


async def settle(client: TestClient) -> None:
    channels = client.channels  # type: ignore[attr-defined]
    for _ in range(5):
        await channels.inbox.drain()
        await channels.deliveries.drain()


def event(text: str, event_id: str, user: str = "U1", **extra: Any) -> dict[str, Any]:
    return {"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event_id": event_id, "event_time": int(time.time()),
            "event": {"type": "message", "channel_type": "im", "channel": f"D{user}",
                      "user": user, "text": text, "ts": f"{time.time():.6f}", **extra}}


async def post_event(client: TestClient, body: dict[str, Any], secret: str = SECRET,
                     headers: dict[str, str] | None = None) -> int:
    raw = json.dumps(body)
    response = await client.post("/slack/events", data=raw, headers={
        "Content-Type": "application/json", **sign(secret, raw), **(headers or {})})
    return response.status


async def post_form(client: TestClient, payload: dict[str, Any]) -> int:
    raw = urlencode({"payload": json.dumps(payload)})
    response = await client.post("/slack/events", data=raw, headers={
        "Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, raw)})
    return response.status


def buttons(post: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]]


def block_action(element: dict[str, Any], user: str = "U1", value: str | None = None,
                 trigger: str = "T-1") -> dict[str, Any]:
    action = {"action_id": element["action_id"], "type": element["type"],
              "action_ts": f"{time.time():.6f}", "block_id": "b"}
    if element["type"] == "static_select":
        action["selected_option"] = {"value": value}
    else:
        action["value"] = element.get("value")
    return {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": user},
            "api_app_id": "A1", "token": "x", "trigger_id": trigger,
            "channel": {"id": f"D{user}"}, "actions": [action]}


async def test_a_message_gets_the_menu_in_the_dm(bot: TestClient, slack: FakeSlack) -> None:
    assert await post_event(bot, event("menu", "Ev1")) == 200
    await settle(bot)
    posts = slack.posts("DU1")
    assert posts, slack.calls
    assert "Leerbot" in json.dumps(posts[-1]["blocks"], ensure_ascii=False)
    assert "kit:more" in json.dumps(posts[-1]["blocks"])  # the short menu
    assert slack.named("users.info")  # the user's locale is asked once


async def test_bad_signature_is_refused_without_side_effects(bot: TestClient,
                                                             slack: FakeSlack) -> None:
    assert await post_event(bot, event("menu", "Ev2"), secret="wrong") == 401
    await settle(bot)
    assert slack.posts() == []
    async with bot.runtime.sessions() as db:  # type: ignore[attr-defined]
        assert (await db.execute(select(func.count()).select_from(InboxRow))).scalar_one() == 0


async def test_a_retried_event_gets_no_second_reply(bot: TestClient, slack: FakeSlack) -> None:
    body = event("menu", "Ev3")
    assert await post_event(bot, body) == 200
    assert await post_event(bot, body, headers={"X-Slack-Retry-Num": "1",
                                                "X-Slack-Retry-Reason": "http_timeout"}) == 200
    await settle(bot)
    assert len(slack.posts("DU1")) == 1


async def test_an_event_that_cannot_be_stored_is_refused_so_slack_retries_it(
        bot: TestClient, slack: FakeSlack) -> None:
    import sqlite3

    commit = bot.channels.slack.inbox.writer._commit  # type: ignore[attr-defined]
    write = commit.flush

    def locked(events: list[Any]) -> None:
        raise sqlite3.OperationalError("database is locked")

    commit.flush = locked
    try:
        assert await post_event(bot, event("menu", "Ev9")) == 500  # no ack: Slack retries
        await settle(bot)
        assert slack.posts("DU1") == []
    finally:
        commit.flush = write
    assert await post_event(bot, event("menu", "Ev9"), headers={"X-Slack-Retry-Num": "1"}) == 200
    await settle(bot)
    assert len(slack.posts("DU1")) == 1


async def test_a_failed_turn_is_answered_and_its_event_is_done(
        bot: TestClient, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    conductor = bot.runtime.conductor  # type: ignore[attr-defined]

    async def broken(*args: Any) -> None:
        raise RuntimeError("a bug in a dialog")

    monkeypatch.setattr(conductor, "_turn", broken)
    assert await post_event(bot, event("menu", "Ev-broken")) == 200
    await settle(bot)
    assert "ging bij mij iets mis" in json.dumps(slack.posts("DU1"), ensure_ascii=False)
    async with bot.runtime.sessions() as db:  # type: ignore[attr-defined]
        status = (await db.execute(select(InboxRow.status))).scalar_one()
    assert status == "done"  # not claimed again and again


async def test_a_first_delivery_that_never_arrived_is_processed(bot: TestClient,
                                                                slack: FakeSlack) -> None:
    # only the retry reaches us: it must not be dropped for carrying X-Slack-Retry-Num
    assert await post_event(bot, event("menu", "Ev4"), headers={"X-Slack-Retry-Num": "2"}) == 200
    await settle(bot)
    assert len(slack.posts("DU1")) == 1


async def test_buttons_and_stale_buttons(bot: TestClient, slack: FakeSlack) -> None:
    await post_event(bot, event("acties", "Ev5"))
    await settle(bot)
    question = slack.posts("DU1")[-1]
    select_or_button = buttons(question)[0]
    value = "6" if select_or_button["type"] == "static_select" else select_or_button["value"]
    assert await post_form(bot, block_action(select_or_button, value=value)) == 200
    await settle(bot)
    assert len(slack.posts("DU1")) == 2
    # the same old question clicked again: recognised as stale, nothing changes
    await post_form(bot, block_action(select_or_button, value=value, trigger="T-2"))
    await settle(bot)
    assert "al beantwoord" in json.dumps(slack.posts("DU1")[-1]["blocks"], ensure_ascii=False)


async def test_forms_open_as_modals(bot: TestClient, slack: FakeSlack) -> None:
    await post_event(bot, event("mijn profiel", "Ev6"))
    await settle(bot)
    form_button = next(b for b in buttons(slack.posts("DU1")[-1]) if ":form:" in b["action_id"])
    await post_form(bot, block_action(form_button, trigger="T-form"))
    assert slack.named("views.open"), "the trigger is used at once"
    await settle(bot)
    update = slack.named("views.update")[-1]
    view = update["view"]
    assert view["blocks"][0]["block_id"] == "good_at"
    submission = {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1"},
                  "api_app_id": "A1", "token": "x", "trigger_id": "T-sub",
                  "view": {"id": update["view_id"], "hash": "h3", "type": "modal",
                           "callback_id": view["callback_id"],
                           "private_metadata": view["private_metadata"],
                           "state": {"values": {
                               "good_at": {"good_at": {"type": "plain_text_input",
                                                       "value": "Excel"}},
                               "can_help_with": {"can_help_with": {"type": "plain_text_input",
                                                                   "value": None}},
                               "wants_to_grow": {"wants_to_grow": {"type": "plain_text_input",
                                                                   "value": None}},
                               "learns_best": {"learns_best": {"type": "multi_static_select",
                                                               "selected_options": []}}}}}}
    assert await post_form(bot, submission) == 200
    await settle(bot)
    assert "Excel" in json.dumps(slack.posts("DU1")[-1]["blocks"], ensure_ascii=False)


async def test_user_text_cannot_ping_or_inject_links(bot: TestClient, slack: FakeSlack) -> None:
    """In the blocks and in the plain-text fallback (notifications show it, Slack parses it)."""
    await post_event(bot, event("leerhulp", "Ev7"))
    await settle(bot)
    await post_event(bot, event("<!channel> @here <https://evil.example|klik hier> zqxv", "Ev8"))
    await settle(bot)
    posts = slack.posts("DU1")
    for said in (json.dumps([p["blocks"] for p in posts]), json.dumps([p["text"] for p in posts])):
        assert "<!channel>" not in said and "<https://evil" not in said, said
        assert not re.search(r"@(here|channel)\b", said), said
        assert "&lt;!channel&gt;" in said


async def test_the_fallback_text_of_every_post_is_escaped() -> None:
    """Proactive posts, replies and our own one-line messages build their text in one place."""
    from bot.channels.slack import render
    from dialogs.kit import Message, TextBlock
    from dialogs.kit.rich import user

    hostile = "<!channel> @here <https://evil.example|klik hier> & " + "x" * 3000
    message = Message(blocks=[TextBlock(text=user(hostile))])
    payloads = [*render.payloads("C1", [message]), *render.reply_payloads("D1", [message]),
                render.text_payload("D1", hostile)]
    for payload in payloads:
        assert payload["text"].startswith("&lt;!channel&gt; @\u200bhere &lt;https://evil")
        assert len(payload["text"]) <= render.MAX_TEXT


async def test_app_home_and_slash_command(bot: TestClient, slack: FakeSlack) -> None:
    home = {"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event_id": "EvH", "event_time": 1,
            "event": {"type": "app_home_opened", "user": "U2", "channel": "DU2", "tab": "home"}}
    assert await post_event(bot, home) == 200
    raw = urlencode({"command": "/leerbot", "text": "acties", "team_id": "T1", "user_id": "U3",
                     "channel_id": "C1", "trigger_id": "T-cmd", "token": "x",
                     "response_url": "https://hooks.example/x"})
    response = await bot.post("/slack/events", data=raw, headers={
        "Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, raw)})
    assert response.status == 200
    await settle(bot)
    assert slack.named("views.publish")[0]["user_id"] == "U2"
    assert slack.named("conversations.open")[0]["users"] == "U3"
    assert slack.posts("DU3"), "the slash command answers in the user's DM"


async def test_multi_workspace_install(slack: FakeSlack, tmp_path: Path) -> None:
    from cryptography.fernet import Fernet
    from sqlalchemy import select as sql_select

    from bot.storage.models import SlackInstallationRow
    from bot.storage.people import MemberRow

    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'oauth.db'}",
                        data_dir=tmp_path, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.url,
                        SLACK_CLIENT_ID="111.222", SLACK_CLIENT_SECRET="shh",
                        LEERBOT_SECRET_KEY=Fernet.generate_key().decode())
    runtime = await Runtime.start(settings)
    app = build_app(runtime, webchat_enabled=False, workers=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        install = await client.get("/slack/install", allow_redirects=False)
        assert install.status in {200, 302}
        body = await install.text()
        location = install.headers.get("Location", "") or body
        state = location.split("state=")[1].split("&")[0].split('"')[0]
        # the browser brings back the state cookie Bolt set (Secure: sent by hand over http)
        cookie = install.headers["Set-Cookie"].split(";")[0]
        done = await client.get(f"/slack/oauth_redirect?code=abc&state={state}",
                                allow_redirects=False, headers={"Cookie": cookie})
        assert done.status in {200, 302}, await done.text()
        async with runtime.sessions() as db:
            row = (await db.execute(sql_select(SlackInstallationRow))).scalar_one()
            assert row.team_id == "T9" and "xoxb" not in row.installation  # encrypted
            admin = (await db.execute(sql_select(MemberRow))).scalar_one()
            assert (admin.workspace, admin.user_id, admin.role) == ("T9", "UINSTALLER", "admin")
        # an event of that workspace is answered with the installed token
        body_event = event("menu", "EvOAuth")
        body_event["team_id"] = "T9"
        assert await post_event(client, body_event) == 200
        channels = app[CHANNELS]
        for _ in range(3):
            await channels.inbox.drain()
            await channels.deliveries.drain()
        post = slack.posts("DU1")[-1]
        assert post["_token"] == "Bearer xoxb-installed-T9"
        # a replayed state is refused
        again = await client.get(f"/slack/oauth_redirect?code=abc&state={state}",
                                 allow_redirects=False, headers={"Cookie": cookie})
        assert again.status >= 400 or "error" in (await again.text()).lower()
    await runtime.close()


async def test_a_scheduled_checkin_reaches_slack_and_is_answered_there(
        bot: TestClient, slack: FakeSlack) -> None:

    from engine.recurrence import Recurrence
    from tests.conversation import Workspace, plan, rule_due_now

    runtime = bot.runtime  # type: ignore[attr-defined]
    for user in ("U1", "U2"):  # both talk to Leerbot once: it knows where to reach them
        assert await post_event(bot, event("menu", f"Ev-{user}", user=user)) == 200
    await settle(bot)
    async with Workspace(runtime, "T1") as ws:
        team = await ws.teams.save_team("Support", "U1", ["U1", "U2"], None)
        await ws.rounds.save_schedule(team.id, "checkin", Recurrence.model_validate(
            rule_due_now()), ["Wat heb je geleerd?"], "U1")
    assert await plan(runtime, datetime.now(UTC)) >= 1
    await settle(bot)
    invitation = [p for p in slack.posts("U2") if "Wat heb je geleerd?" in json.dumps(p)]
    assert len(invitation) == 1
    assert invitation[0]["metadata"]["event_payload"]["key"].startswith("run:")
    answer = next(b for b in buttons(invitation[0]) if b["value"].startswith("go:checkin:"))
    assert await post_form(bot, block_action(answer, user="U2")) == 200
    await settle(bot)
    assert "Vraag 1 van 1" in json.dumps(slack.posts("DU2")[-1], ensure_ascii=False)
    assert await post_event(bot, event("Slack-workflows bouwen", "Ev-a", user="U2")) == 200
    await settle(bot)
    share = next(b for b in buttons(slack.posts("DU2")[-1]) if b["value"] == "no")
    assert await post_form(bot, block_action(share, user="U2", trigger="T-2")) == 200
    await settle(bot)
    assert "privé" in json.dumps(slack.posts("DU2")[-1], ensure_ascii=False)
    async with Workspace(runtime, "T1") as ws:
        (stored,) = await ws.rounds.answers("checkin", user="U2")
    assert stored.text == "Slack-workflows bouwen" and not stored.shared


@pytest.mark.parametrize("message", [
    "Weet iemand hoe je een Teams-vergadering opneemt?",
    # words of other dialogs ("wie kan helpen met", "mijn gegevens") do not start them
    "Wie kan helpen met Excel in Teams?",
    "Waar staan mijn gegevens van de scan?",
])
async def test_message_action_turns_a_message_into_a_help_question(
        bot: TestClient, slack: FakeSlack, message: str) -> None:
    payload = {"type": "message_action", "callback_id": "leerbot_ask", "team": {"id": "T1"},
               "user": {"id": "U3"}, "api_app_id": "A1", "token": "x", "trigger_id": "T-9",
               "channel": {"id": "C1"}, "message_ts": "1.0",
               "message": {"type": "message", "text": message}}
    assert await post_form(bot, payload) == 200
    await settle(bot)
    reply = json.dumps(slack.posts("DU3")[-1], ensure_ascii=False)
    assert "anoniem" in reply  # the question was taken; next: anonymous or not


async def test_a_modal_that_cannot_open_gets_a_clear_message(bot: TestClient,
                                                             slack: FakeSlack) -> None:
    await post_event(bot, event("mijn profiel", "Ev-m1"))
    await settle(bot)
    form_button = next(b for b in buttons(slack.posts("DU1")[-1]) if ":form:" in b["action_id"])
    slack.failing.add("views.open")
    assert await post_form(bot, block_action(form_button, trigger="T-down")) == 200
    await settle(bot)
    said = json.dumps(slack.posts("DU1")[-1], ensure_ascii=False)
    assert "kon niet openen" in said and "verder" in said


ASKER = ("U5", "DU5", "slack:T1:U5")


def _moments(row: Any) -> list[datetime]:
    """The row's timestamps, in UTC (SQLite gives them back without a zone)."""
    return [v if v.tzinfo else v.replace(tzinfo=UTC) for v in row if isinstance(v, datetime)]


async def linked_to_asker(runtime: Runtime, since: datetime) -> list[str]:
    """Every row of every table that names the asker (user id, DM, conversation) and was
    written or changed since ``since``: what ties the question to him by time."""
    from bot.storage.models import Base

    found = []
    async with runtime.sessions() as db:
        for table in Base.metadata.sorted_tables:
            for row in (await db.execute(select(table))).all():
                blob = json.dumps([str(v) for v in row], ensure_ascii=False)
                names = any(re.search(rf"(?<![A-Za-z0-9]){re.escape(i)}(?![A-Za-z0-9])", blob)
                            for i in ASKER)
                if names and any(moment >= since for moment in _moments(row)):
                    found.append(f"{table.name}: {blob[:300]}")
    return found


async def test_an_anonymous_question_on_slack_leaves_no_link_to_the_asker(
        bot: TestClient, slack: FakeSlack) -> None:
    """Rows that name the asker and were written while he asked would tie him to the question
    by their time: events, replies to his DM (ordering key, Slack's answer), sessions."""
    question = "Hoe vraag ik om minder werkdruk zonder gedoe?"
    assert await post_event(bot, event("menu", "Ev-q0", user="U5")) == 200  # known before
    await settle(bot)
    since = datetime.now(UTC)
    assert await post_event(bot, event("hulpvraag stellen", "Ev-q1", user="U5")) == 200
    await settle(bot)
    assert await post_event(bot, event(question, "Ev-q2", user="U5")) == 200
    await settle(bot)
    for step, choice in enumerate(("yes", "yes")):  # anonymous: yes; post: yes
        element = next(b for b in buttons(slack.posts("DU5")[-1]) if b["value"] == choice)
        assert await post_form(bot, block_action(element, user="U5", trigger=f"T-q{step}")) \
            == 200
        await settle(bot)
    assert "anoniem" in json.dumps(slack.posts("DU5")[-1], ensure_ascii=False)
    runtime = bot.runtime  # type: ignore[attr-defined]
    async with runtime.sessions() as db:
        stored = (await db.execute(select(ForumQuestionRow))).scalar_one()
    assert stored.text == question and stored.asker is None
    assert await linked_to_asker(runtime, since) == []
    # a retried event is still recognised (only its key is kept), and gets no second reply
    replies = len(slack.posts("DU5"))
    assert await post_event(bot, event(question, "Ev-q2", user="U5"),
                            headers={"X-Slack-Retry-Num": "1"}) == 200
    await settle(bot)
    assert len(slack.posts("DU5")) == replies


async def test_an_event_given_up_for_good_keeps_no_trace_of_its_sender(
        bot: TestClient, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.workers import PermanentError

    async def unprocessable(row: InboxRow) -> None:
        raise PermanentError("Leerbot is not installed in workspace T1")

    channels = bot.channels  # type: ignore[attr-defined]
    monkeypatch.setitem(channels.inbox.processors, "slack", unprocessable)
    assert await post_event(bot, event("mijn geheime vraag", "Ev-gone", user="U6")) == 200
    await settle(bot)
    async with bot.runtime.sessions() as db:  # type: ignore[attr-defined]
        row = (await db.execute(select(InboxRow))).scalar_one()
    assert (row.status, row.payload, row.conversation_key) == ("failed", {}, "handled")
    assert row.event_key == "Ev-gone"  # a retry is still recognised
