"""Hostile input on /slack/events, through the real aiohttp server: the signature is checked on
the raw body before anything parses it, a malformed or unsigned request gets a 4xx without a
traceback (one warning line for a whole flood), and nothing is stored, run or sent for it."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.channels.slack.verify import Refusals, is_ssl_check
from bot.runtime import Runtime
from bot.server import CHANNELS, build_app
from bot.settings import Settings
from bot.storage.models import DialogSessionRow, InboxRow
from tests.fakes import FakeSlack, sign
from tests.test_slack import SECRET, event

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

#: (what, body, content type): bodies in no shape Slack sends
MALFORMED: list[tuple[str, bytes, str]] = [
    ("invalid JSON", b'{"type": "event_callback", ', JSON),
    ("a JSON array", b'[{"type": "event_callback"}]', JSON),
    ("a JSON string", b'"event_callback"', JSON),
    ("a broken payload", b"payload=%7Bx", FORM),
    ("a payload that is a list", b"payload=%5B1%2C2%5D", FORM),
    ("a form that is not UTF-8", b"command=%2Fleerbot&text=\xff\xfe caf\xe9", FORM),
    ("JSON that is not UTF-8", b'{"text": "caf\xe9"}', JSON),
    ("an empty body", b"", JSON),
]


class Harness:
    """The server with Slack configured, its fake Web API, and what a request could leave."""

    def __init__(self, slack: FakeSlack, runtime: Runtime, client: TestClient) -> None:
        self.slack, self.runtime, self.client = slack, runtime, client

    @classmethod
    async def start(cls, tmp_path: Path) -> Harness:
        slack = await FakeSlack().__aenter__()
        settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'hostile.db'}",
                            data_dir=tmp_path, SLACK_SIGNING_SECRET=SECRET,
                            SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=slack.url)
        runtime = await Runtime.start(settings)
        app = build_app(runtime, webchat_enabled=False, workers=False)
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        client.channels = app[CHANNELS]  # type: ignore[attr-defined]
        return cls(slack, runtime, client)

    async def post(self, body: bytes, headers: dict[str, str]) -> int:
        response = await self.client.post("/slack/events", data=body, headers=headers)
        await response.read()
        return response.status

    async def left_behind(self) -> dict[str, Any]:
        """Rows stored, turns run (after the workers had their chance), Web API calls."""
        channels = self.client.channels  # type: ignore[attr-defined]
        await channels.inbox.drain()
        await channels.deliveries.drain()
        async with self.runtime.sessions() as db:
            counts = {table.__tablename__: (await db.execute(
                select(func.count()).select_from(table))).scalar_one()
                for table in (InboxRow, DialogSessionRow)}
        return {**counts, "slack_calls": len(self.slack.calls)}

    async def close(self) -> None:
        await self.client.close()
        await self.runtime.close()
        await self.slack.__aexit__()


@pytest.fixture
async def harness(tmp_path: Path):  # type: ignore[no-untyped-def]
    started = await Harness.start(tmp_path)
    yield started
    await started.close()


NOTHING = {"inbox": 0, "dialog_sessions": 0, "slack_calls": 0}


@pytest.mark.parametrize(("what", "body", "content_type"), MALFORMED,
                         ids=[m[0] for m in MALFORMED])
async def test_a_malformed_body_is_refused_signed_or_not(
        harness: Harness, what: str, body: bytes, content_type: str,
        caplog: pytest.LogCaptureFixture) -> None:
    stamp = str(int(time.time()))
    unsigned = {"Content-Type": content_type}
    forged = {**unsigned, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=00"}
    signed = {**unsigned, **_signed(body, stamp)}
    assert await harness.post(body, unsigned) == 401
    assert await harness.post(body, forged) == 401
    assert await harness.post(body, signed) == 400  # Slack's, but in no shape Slack sends
    assert await harness.left_behind() == NOTHING
    assert not [r for r in caplog.records if r.exc_info], "no traceback"


@pytest.mark.parametrize("headers", [
    {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"},
    {"X-Slack-Request-Timestamp": "１２３", "X-Slack-Signature": "v0=00"},  # not ASCII digits
    {"X-Slack-Request-Timestamp": "9" * 40, "X-Slack-Signature": "v0=00"},
    {"X-Slack-Request-Timestamp": "-5", "X-Slack-Signature": "v0=00"},
    {"X-Slack-Signature": "v0=00"},
    {"X-Slack-Request-Timestamp": str(int(time.time()))},
    {},
], ids=["letters", "unicode-digits", "huge", "negative", "no-timestamp", "no-signature",
        "no-headers"])
async def test_bad_or_missing_signature_headers_are_refused(
        harness: Harness, headers: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    raw = json.dumps(event("menu", "Ev-h"))
    assert await harness.post(raw.encode(), {"Content-Type": JSON, **headers}) == 401
    assert await harness.left_behind() == NOTHING
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_stale_or_replayed_request_is_refused(harness: Harness) -> None:
    raw = json.dumps(event("menu", "Ev-old")).encode()
    old = str(int(time.time()) - 600)
    assert await harness.post(raw, {"Content-Type": JSON, **_signed(raw, old)}) == 401
    assert await harness.left_behind() == NOTHING


async def test_a_valid_signed_event_still_gets_its_answer(harness: Harness) -> None:
    raw = json.dumps(event("menu", "Ev-ok")).encode()
    assert await harness.post(raw, {"Content-Type": JSON, **sign(SECRET, raw.decode())}) == 200
    left = await harness.left_behind()
    assert left["inbox"] == 1 and harness.slack.posts("DU1")


async def test_slacks_certificate_check_is_answered_without_a_signature(
        harness: Harness) -> None:
    assert await harness.post(b"ssl_check=1&token=x", {"Content-Type": FORM}) == 200
    assert await harness.left_behind() == NOTHING


async def test_a_flood_of_refusals_is_one_warning_line(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    for index in range(40):
        assert await harness.post(b"[%d]" % index, {"Content-Type": JSON}) == 401
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    line = warnings[0].getMessage()
    assert "\n" not in line and "unsigned" in line and "[" not in line  # no body in the log
    assert not [r for r in caplog.records if r.exc_info]


def test_refusals_are_counted_between_warnings(caplog: pytest.LogCaptureFixture) -> None:
    refusals = Refusals(every=3600.0)
    refusals.refused("bad signature", 401)  # the first is said at once
    refusals.refused("bad signature", 401)
    refusals.refused("malformed body", 400)
    assert len(caplog.records) == 1
    refusals.every = 0.0
    refusals.refused("unsigned", 401)
    said = [r.getMessage() for r in caplog.records]
    assert said == ["slack: refused a request: bad signature (401)",
                    "slack: refused a request: unsigned (401) (2 more refused since the last "
                    "warning)"]


def _signed(body: bytes, stamp: str) -> dict[str, str]:
    import hashlib
    import hmac

    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body,
                      hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


# random requests: bodies of every kind, with headers that are missing, garbled or (for the
# second property) a correct signature over a body in no shape Slack sends
header_text = st.text(max_size=40).filter(lambda t: t.isprintable() and t.isascii())
bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                 lambda inner: st.lists(inner, max_size=4) |
                 st.dictionaries(st.text(max_size=10), inner, max_size=4),
                 max_leaves=10).map(lambda v: json.dumps(v).encode()),
    st.text(max_size=60).map(lambda t: b"payload=" + t.encode("utf-8", "surrogatepass")),
)
content_types = st.sampled_from([JSON, FORM, "text/plain", "", "application/json; charset=x"])
headers = st.fixed_dictionaries({}, optional={
    "X-Slack-Request-Timestamp": st.one_of(header_text, st.integers().map(str),
                                           st.just(str(int(time.time())))),
    "X-Slack-Signature": st.one_of(header_text, st.binary(min_size=32, max_size=32).map(
        lambda b: "v0=" + b.hex())),
    "X-Slack-Retry-Num": header_text,
})
not_slack_shaped = st.one_of(
    st.binary(max_size=200).filter(lambda b: not _decodes(b)),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                 lambda inner: st.lists(inner, max_size=4), max_leaves=8).map(
        lambda v: json.dumps(v).encode()),
    st.text(max_size=60).map(lambda t: b"payload=" + t.encode("utf-8", "surrogatepass"))
    .filter(lambda b: not _json_object(_payload_of(b))),
)


def _payload_of(body: bytes) -> str:
    from urllib.parse import parse_qsl

    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)).get("payload", "")
    except UnicodeDecodeError:
        return ""


def _decodes(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def test_random_requests_get_no_5xx_and_leave_nothing(tmp_path: Path) -> None:
    loop = asyncio.new_event_loop()
    harness = loop.run_until_complete(Harness.start(tmp_path))
    try:
        @settings(max_examples=150, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow])
        @given(body=bodies, extra=headers, content_type=content_types)
        def unsigned(body: bytes, extra: dict[str, str], content_type: str) -> None:
            status = loop.run_until_complete(harness.post(
                body, {"Content-Type": content_type, **extra}))
            assert status == (200 if is_ssl_check(body) else 401), (status, body, extra)

        @settings(max_examples=100, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow])
        @given(body=not_slack_shaped, content_type=content_types)
        def signed(body: bytes, content_type: str) -> None:
            status = loop.run_until_complete(harness.post(
                body, {"Content-Type": content_type, **_signed(body, str(int(time.time())))}))
            assert status == 400, (status, body)

        unsigned()
        signed()
        assert loop.run_until_complete(harness.left_behind()) == NOTHING
    finally:
        loop.run_until_complete(harness.close())
        loop.close()


# signed objects in Slack's vocabulary but in shapes Slack never sends (a list where Bolt or a
# listener expects an object, a number for an id, keys missing): refused or ignored, never 5xx
slack_words = st.sampled_from([
    "event_callback", "message", "im", "app_mention", "app_home_opened", "member_joined_channel",
    "block_actions", "view_submission", "view_closed", "message_action", "shortcut",
    "lb:x:y:1:choice:0", "lb:x:y:1:form:0", "leerbot_ask", "/leerbot", "T1", "U1", "DU1",
    "url_verification", "home"])
slack_keys = st.sampled_from([
    "type", "event", "team_id", "team", "user", "user_id", "channel", "channel_type", "text",
    "actions", "action_id", "view", "callback_id", "trigger_id", "event_id", "id", "value",
    "selected_option", "state", "values", "private_metadata", "message", "command", "tab",
    "subtype", "challenge", "api_app_id", "token", "hash"])
slack_trees = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | slack_words,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(slack_keys, inner, max_size=5),
    max_leaves=25)
slack_objects = st.dictionaries(slack_keys, slack_trees, min_size=1, max_size=8)


def test_signed_requests_in_odd_shapes_get_no_5xx(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    from urllib.parse import urlencode

    loop = asyncio.new_event_loop()
    harness = loop.run_until_complete(Harness.start(tmp_path))
    try:
        @settings(max_examples=200, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow])
        @given(shape=slack_objects, as_form=st.booleans())
        def signed(shape: dict[str, Any], as_form: bool) -> None:
            body = (urlencode({"payload": json.dumps(shape)}) if as_form
                    else json.dumps(shape)).encode()
            status = loop.run_until_complete(harness.post(body, {
                "Content-Type": FORM if as_form else JSON,
                **_signed(body, str(int(time.time())))}))
            loop.run_until_complete(harness.left_behind())  # the workers run what was stored
            assert status < 500, (status, body)

        signed()
    finally:
        loop.run_until_complete(harness.close())
        loop.close()
    assert not [r for r in caplog.records if r.exc_info], "no traceback"


async def test_a_signed_form_that_is_no_slash_command_is_refused(tmp_path: Path) -> None:
    """Found by the property test: a form body without a command or a payload got Bolt's 404."""
    harness = await Harness.start(tmp_path)
    try:
        body = b'[["="]]'
        status = await harness.post(body, {"Content-Type": "application/x-www-form-urlencoded",
                                           **_signed(body, str(int(time.time())))})
        assert status == 400
    finally:
        await harness.close()
