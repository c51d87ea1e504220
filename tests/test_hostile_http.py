"""Random bodies and headers thrown at a real `leerbot serve` (Microsoft Teams configured with
an app id, the web chat on loopback): never a 5xx, never a traceback in the log, and nothing
written to the database by a request that is not authenticated."""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.processes import Served
from tests.test_msteams_trust import APP_ID, FakeOpenId

EXAMPLES = int(os.environ.get("LEERBOT_HOSTILE_EXAMPLES", "120"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


class Server:
    def __init__(self, served: Served, database: Path, openid: FakeOpenId) -> None:
        self.served = served
        self.database = database
        self.openid = openid
        self.cookie = ""

    def request(self, method: str, path: str, body: bytes,
                headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.served.port, timeout=30)
        try:
            connection.putrequest(method, path, skip_host="Host" in headers,
                                  skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, response.read(), dict(response.getheaders())
        finally:
            connection.close()

    def counts(self) -> dict[str, int]:
        """Rows per table (the readiness probe's own table left out)."""
        with sqlite3.connect(self.database) as db:
            tables = [name for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                    for name in tables if name not in {"health", "alembic_version"}}

    def no_traceback(self) -> None:
        log = self.served.output()
        assert "Traceback" not in log and "Error handling request" not in log, log[-3000:]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("hostile")
    openid = FakeOpenId()
    openid.thread.start()
    database = base / "leerbot.db"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("LEERBOT_")},
           "LEERBOT_DATA_DIR": str(base), "LEERBOT_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
           "MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "secret",
           "LEERBOT_TEAMS_OPENID_URL": openid.url, "PYTHONUNBUFFERED": "1"}
    served = Served(env, base / "serve.log")
    try:
        asyncio.run(served.ready())
        yield Server(served, database, openid)
    finally:
        served.stop()
        openid.server.shutdown()
        openid.server.server_close()


HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60)


def _json_values() -> st.SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | \
        st.text(max_size=30)
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.text(max_size=12), inner, max_size=5), max_leaves=20)


ACTIVITY_KEYS = st.sampled_from(["type", "id", "serviceUrl", "channelId", "from", "recipient",
                                 "conversation", "text", "value", "channelData", "locale",
                                 "membersAdded", "name", "timestamp"])


@st.composite
def activities(draw: st.DrawFn) -> dict[str, Any]:
    """Something shaped like an activity, with random field values."""
    body = draw(st.dictionaries(ACTIVITY_KEYS, _json_values(), max_size=10))
    if draw(st.booleans()):
        body["type"] = draw(st.sampled_from(["message", "invoke", "conversationUpdate", ""]))
    if draw(st.booleans()):
        body["serviceUrl"] = draw(st.sampled_from([
            "https://smba.trafficmanager.net/emea/", "https://evil.example/",
            "http://127.0.0.1:9/", "javascript:alert(1)"]))
    return body


def _jwt_part(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@st.composite
def authorizations(draw: st.DrawFn) -> str | None:
    kind = draw(st.sampled_from(["none", "text", "bearer", "unsigned", "forged"]))
    if kind == "none":
        return None
    if kind == "text":
        return draw(HEADER_TEXT)
    if kind == "bearer":
        return "Bearer " + draw(HEADER_TEXT)
    header = draw(st.dictionaries(st.sampled_from(["alg", "kid", "typ"]), _json_values(),
                                  max_size=3))
    claims = draw(st.dictionaries(st.sampled_from(["iss", "aud", "exp", "nbf", "serviceurl"]),
                                  _json_values(), max_size=5))
    if kind == "forged":  # the right issuer, the alleged kid, and no valid signature
        header.update(alg="RS256", kid="k1")
        claims["iss"] = "https://api.botframework.com"
    signature = draw(st.binary(max_size=64))
    return "Bearer " + ".".join([_jwt_part(header), _jwt_part(claims), _jwt_part(signature)])


BODIES = st.one_of(
    st.binary(max_size=300),
    _json_values().map(lambda v: json.dumps(v).encode()),
    activities().map(lambda v: json.dumps(v).encode()),
    st.integers(1, 5000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, 200000).map(lambda n: b'{"type": "message", "text": "' + b"\xff" * (n % 99)
                               + b'"}'),
)
CONTENT_TYPES = st.sampled_from(["application/json", "application/json; charset=utf-8",
                                 "text/plain", "application/x-www-form-urlencoded", ""])


@st.composite
def headers(draw: st.DrawFn, *, web: bool = False) -> dict[str, str]:
    found: dict[str, str] = {}
    content_type = draw(CONTENT_TYPES)
    if content_type:
        found["Content-Type"] = content_type
    authorization = draw(authorizations())
    if authorization is not None:
        found["Authorization"] = authorization
    for name in draw(st.lists(st.sampled_from(["X-Forwarded-For", "Forwarded", "Origin",
                                                "X-Leerbot", "Accept-Language", "Host",
                                                "Cookie"]), max_size=4, unique=True)):
        found[name] = draw(HEADER_TEXT)
    if web and draw(st.booleans()):
        found["X-Leerbot"] = "1"
    return found


@PROPERTY
@given(body=BODIES, sent=headers())
@example(body=b"[" * 5000 + b"]" * 5000, sent={"Content-Type": "application/json"})
def test_random_requests_to_api_messages(server: Server, body: bytes,
                                         sent: dict[str, str]) -> None:
    before = server.counts()
    status, _, _ = server.request("POST", "/api/messages", body, sent)
    assert status < 500, (status, body[:200], sent)
    assert status in {400, 401, 403, 413, 415}, status  # nothing authenticated gets in
    assert server.counts() == before
    server.no_traceback()


WEB_PATHS = st.sampled_from(["/chat/api/message", "/chat/api/mailbox", "/chat/api/identity"])


@PROPERTY
@given(path=WEB_PATHS, body=BODIES, sent=headers(web=True))
def test_random_requests_to_the_web_chat_api(server: Server, path: str, body: bytes,
                                             sent: dict[str, str]) -> None:
    """Without the page's cookie nothing is written; no request gets a 5xx."""
    sent.pop("Cookie", None)
    before = server.counts()
    status, _, _ = server.request("POST", path, body, sent)
    assert status < 500, (status, path, body[:200], sent)
    assert server.counts() == before
    server.no_traceback()


@PROPERTY
@given(path=WEB_PATHS, body=BODIES, sent=headers(web=True))
@example(path="/chat/api/message", body=b"[" * 5000 + b"]" * 5000, sent={})  # was a 500
def test_random_bodies_from_the_page_itself(server: Server, path: str, body: bytes,
                                            sent: dict[str, str]) -> None:
    """With a real session cookie, our header and our host: still never a 5xx (a valid
    message is answered, anything else refused)."""
    if not server.cookie:
        _, _, answer = server.request("GET", "/chat", b"", {})
        server.cookie = answer["Set-Cookie"].split(";")[0]
    sent.update({"Cookie": server.cookie, "X-Leerbot": "1", "Content-Type": "application/json"})
    sent.pop("Host", None)
    sent.pop("Origin", None)
    status, _, _ = server.request("POST", path, body, sent)
    assert status < 500, (status, path, body[:200], sent)
    server.no_traceback()
