"""Who may talk to /api/messages, and where Leerbot may post: unauthenticated traffic only in
emulator mode, from loopback, not through a tunnel; serviceUrls on an allow-list, for replies
and proactive messages; a bad token or body a 4xx with at most one warning a minute, never a
500 or a traceback. Tokens are checked against a fake OpenID server on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import func, select

from bot.net import service_url_allowed
from bot.storage.models import ConversationRefRow, DialogSessionRow
from bot.workers import PermanentError
from tests.fakes import FakeConnector
from tests.test_msteams import activity, bot, connector, make_client, send

__all__ = ["bot", "connector"]  # fixtures, imported for this module's tests

APP_ID = "00000000-0000-0000-0000-000000000001"
ISSUER = "https://api.botframework.com"


class FakeOpenId:
    """Microsoft's OpenID metadata and signing keys, served from a thread (botbuilder fetches
    them with blocking ``requests``, which would stall a server on the test's own loop)."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.fetches = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.fetches += 1
                base = f"http://127.0.0.1:{self.server.server_address[1]}"
                if self.path.startswith("/keys"):
                    jwk = json.loads(RSAAlgorithm.to_jwk(owner.key.public_key()))
                    body = {"keys": [{**jwk, "kid": "k1", "use": "sig",
                                      "endorsements": ["msteams"]}]}
                else:
                    body = {"issuer": ISSUER, "jwks_uri": f"{base}/keys"}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/openid"

    def token(self, service_url: str, *, kid: str = "k1", expires_in: float = 600,
              key: Any = None, audience: str = APP_ID) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": audience, "serviceurl": service_url,
                  "nbf": now - 60, "exp": now + int(expires_in)}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def openid() -> Iterator[FakeOpenId]:
    fake = FakeOpenId()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


async def closed(client: TestClient) -> None:
    await client.close()
    await client.runtime.close()  # type: ignore[attr-defined]


async def traces(client: TestClient) -> tuple[int, int]:
    """Sessions and conversation references stored: what any accepted activity leaves."""
    async with client.runtime.sessions() as db:  # type: ignore[attr-defined]
        sessions = await db.scalar(select(func.count()).select_from(DialogSessionRow))
        references = await db.scalar(select(func.count()).select_from(ConversationRefRow))
    return int(sessions or 0), int(references or 0)


async def test_without_app_id_and_emulator_mode_everything_is_refused(
        tmp_path: Path, connector: FakeConnector, caplog: pytest.LogCaptureFixture) -> None:
    client = await make_client(tmp_path, LEERBOT_TEAMS_EMULATOR=False)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.channels.msteams"):
            assert await send(client, activity(connector, "menu")) == 401
            assert await send(client, activity(connector, "menu")) == 401
        assert connector.activities == [] and await traces(client) == (0, 0)
        lines = [r.getMessage() for r in caplog.records if r.name == "bot.channels.msteams"]
        assert len(lines) == 1 and "LEERBOT_TEAMS_EMULATOR" in lines[0]  # said once, clearly
        assert not any(r.exc_info for r in caplog.records)
    finally:
        await closed(client)


@pytest.mark.parametrize("header", [
    {"X-Forwarded-For": "198.51.100.7"}, {"X-Forwarded-Host": "abc.ngrok.app"},
    {"Forwarded": "for=198.51.100.7;proto=https"}, {"X-Real-IP": "198.51.100.7"}])
async def test_emulator_mode_refuses_what_came_through_a_tunnel(
        bot: TestClient, connector: FakeConnector, header: dict[str, str]) -> None:
    assert await send(bot, activity(connector, "menu"), header) == 403
    assert connector.activities == [] and await traces(bot) == (0, 0)
    assert await send(bot, activity(connector, "menu")) in {200, 201}  # direct: fine
    assert connector.activities


@pytest.mark.parametrize("url", [
    # names that never resolve: a regression must not send traffic anywhere
    "https://evil.example/", "http://metadata.invalid/latest/", "http://intranet.example/",
    "https://smba.trafficmanager.net@evil.example/", "ftp://127.0.0.1/", "not a url"])
async def test_replies_go_only_to_allowed_service_urls(bot: TestClient,
                                                       connector: FakeConnector,
                                                       url: str) -> None:
    body = activity(connector, "menu")
    body["serviceUrl"] = url
    assert await send(bot, body) == 403
    assert connector.activities == [] and await traces(bot) == (0, 0)


async def test_proactive_sends_check_the_stored_service_url(bot: TestClient,
                                                            connector: FakeConnector) -> None:
    msteams = bot.channels.msteams  # type: ignore[attr-defined]
    await send(bot, activity(connector, "hallo", user="29:user-3", conversation="a:p-3"))
    (reference,) = await msteams.references("tenant-1", "aad-29:user-3")
    before = len(connector.activities)
    forged = {**reference, "serviceUrl": "https://evil.example/"}
    with pytest.raises(PermanentError):
        await msteams.sender.send("tenant-1", {"reference": forged, "text": "Hoi"})
    assert len(connector.activities) == before
    await msteams.sender.send("tenant-1", {"reference": reference, "text": "Hoi"})
    assert len(connector.activities) == before + 1


def test_the_allow_list() -> None:
    hosts = ("smba.trafficmanager.net", "*.botframework.com")
    assert service_url_allowed("https://smba.trafficmanager.net/emea/", hosts, loopback=False)
    assert service_url_allowed("https://europe.webchat.botframework.com/", hosts,
                               loopback=False)
    assert not service_url_allowed("https://botframework.com.evil.example/", hosts,
                                   loopback=False)
    assert not service_url_allowed("https://evilbotframework.com/", hosts, loopback=False)
    assert not service_url_allowed("http://smba.trafficmanager.net/", hosts, loopback=False)
    assert not service_url_allowed("http://127.0.0.1:3978/", hosts, loopback=False)
    assert service_url_allowed("http://127.0.0.1:3978/", hosts, loopback=True)
    assert service_url_allowed("http://127.0.0.1:3978/", (*hosts, "127.0.0.1"), loopback=False)
    assert not service_url_allowed("https://[::1", hosts, loopback=True)
    assert not service_url_allowed(None, hosts, loopback=True)


@pytest.fixture
async def secured(tmp_path: Path, openid: FakeOpenId):  # type: ignore[no-untyped-def]
    """Teams with an app id, tokens signed by the fake OpenID server's key."""
    client = await make_client(tmp_path, MICROSOFT_APP_ID=APP_ID,
                               MICROSOFT_APP_PASSWORD="secret",
                               LEERBOT_TEAMS_OPENID_URL=openid.url,
                               LEERBOT_TEAMS_EMULATOR=False)  # loopback is no serviceUrl
    yield client
    await closed(client)


def bad_tokens(openid: FakeOpenId, url: str) -> dict[str, str]:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "garbage": "Bearer abc.def.ghi",
        "not a jwt": "Bearer x",
        "no scheme": openid.token(url),
        "bad signature": "Bearer " + openid.token(url, key=other),
        "expired": "Bearer " + openid.token(url, expires_in=-3600),
        "unknown kid": "Bearer " + openid.token(url, kid="nobody-knows"),
        "other app": "Bearer " + openid.token(url, audience="someone-else"),
        "other serviceUrl": "Bearer " + openid.token("https://smba.trafficmanager.net/x/"),
    }


async def test_bad_tokens_get_401_not_500_and_one_warning(
        secured: TestClient, openid: FakeOpenId, connector: FakeConnector,
        caplog: pytest.LogCaptureFixture) -> None:
    body = activity(connector, "menu")
    with caplog.at_level(logging.DEBUG):
        for name, header in bad_tokens(openid, body["serviceUrl"]).items():
            status = await send(secured, {**body, "id": str(uuid.uuid4())},
                                {"Authorization": header})
            assert status == 401, name
    assert openid.fetches >= 2  # the keys were really fetched and checked
    assert connector.activities == [] and await traces(secured) == (0, 0)
    warnings = [r for r in caplog.records if r.name == "bot.channels.msteams"
                and r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "unauthenticated" in warnings[0].getMessage()
    assert not any(r.exc_info for r in caplog.records if r.levelno >= logging.WARNING)


async def test_a_good_token_passes_and_the_service_url_is_still_checked(
        secured: TestClient, openid: FakeOpenId, connector: FakeConnector) -> None:
    body = activity(connector, "menu")
    header = {"Authorization": "Bearer " + openid.token(body["serviceUrl"])}
    # authenticated, but the fake connector (127.0.0.1) is not an allowed serviceUrl
    assert await send(secured, body, header) == 403
    assert connector.activities == [] and await traces(secured) == (0, 0)


@pytest.mark.parametrize("data", [
    b"{not json", b"[1, 2, 3]", b"\xff\xfe\x00garbage", b'{"type": 5}', b"{}", b"null",
    b'{"type": "message", "from": 5, "conversation": "x"}', b"[" * 50000 + b"]" * 50000])
async def test_malformed_bodies_get_4xx(bot: TestClient, connector: FakeConnector,
                                        data: bytes) -> None:
    response = await bot.post("/api/messages", data=data,
                              headers={"Content-Type": "application/json"})
    assert response.status in {400, 403}  # not an activity; an activity with no serviceUrl
    assert connector.activities == [] and await traces(bot) == (0, 0)


async def test_unreachable_or_hanging_key_server_gets_503_and_the_server_keeps_serving(
        tmp_path: Path, openid: FakeOpenId, connector: FakeConnector,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Microsoft's keys cannot be fetched: 503 (the Bot Framework retries), not 401 or 500;
    a key server that never answers blocks neither the event loop nor the request for long."""
    import asyncio
    import socket

    from bot.channels import msteams

    monkeypatch.setattr(msteams, "KEYS_TIMEOUT", 1.0)
    silent = socket.socket()  # accepts connections, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    closed_port = socket.socket()
    closed_port.bind(("127.0.0.1", 0))  # bound, not listening: connection refused
    try:
        for name, port in (("refused", closed_port.getsockname()[1]),
                           ("silent", silent.getsockname()[1])):
            url = f"http://127.0.0.1:{port}/{name}"
            client = await make_client(tmp_path / name,
                                       MICROSOFT_APP_ID=APP_ID,
                                       MICROSOFT_APP_PASSWORD="secret",
                                       LEERBOT_TEAMS_OPENID_URL=url,
                                       LEERBOT_TEAMS_EMULATOR=False)
            try:
                body = activity(connector, "menu")
                header = {"Authorization": "Bearer " + openid.token(body["serviceUrl"])}
                started = time.monotonic()
                answer = asyncio.ensure_future(send(client, body, header))
                health = await client.get("/healthz")  # served while the keys are fetched
                assert health.status == 200
                if "silent" in url:
                    assert not answer.done()
                assert await answer == 503
                assert time.monotonic() - started < 10
                assert connector.activities == [] and await traces(client) == (0, 0)
            finally:
                await closed(client)
    finally:
        silent.close()
        closed_port.close()


def _items(body: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in body:
        yield item
        yield from _items(item.get("items") or [])


async def test_a_name_with_markdown_is_shown_as_text_in_a_card(
        bot: TestClient, connector: FakeConnector) -> None:
    """A fact's title is markdown in Teams, like its value: a person's name in it is escaped
    (a name that is a link stays text; Teams would otherwise render a link to anywhere)."""
    from dialogs.profile.port import Profile
    from tests.conversation import Workspace

    name = "[klik hier](https://evil.example) **Eva**"
    body = activity(connector, "hallo", user="29:eva", conversation="a:eva")
    body["from"]["name"] = name
    await send(bot, body)
    await send(bot, activity(connector, "hallo"))
    async with Workspace(bot.runtime, "tenant-1") as ws:  # type: ignore[attr-defined]
        await ws.profiles.save_profile("aad-29:eva", Profile(good_at="Excel",
                                                             competencies=["Excel"]))
    await send(bot, activity(connector, "wie kan helpen met Excel"))
    facts = [fact for card in connector.cards() for item in _items(card["body"])
             if item.get("type") == "FactSet" for fact in item["facts"]]
    titles = [fact["title"] for fact in facts]
    assert titles and all("](https://evil.example)" not in t for t in titles), titles
    assert r"\[klik hier\]\(https://evil\.example\) \*\*Eva\*\*" in titles
