"""The local web chat over HTTP: page, API, safety."""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.web_identity import COOKIE
from bot.server import build_app, is_loopback


@pytest.fixture
async def client(runtime):  # type: ignore[no-untyped-def]
    # queued messages are delivered by the tests themselves (tests.conversation.deliver): the
    # app's own workers, woken at once on PostgreSQL (LISTEN/NOTIFY), would race them
    app = build_app(runtime, webchat_enabled=True, workers=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        assert (await test_client.get("/chat")).status == 200  # issues the identity cookie
        yield test_client


async def post(client: TestClient, **payload: object) -> dict:  # type: ignore[type-arg]
    response = await client.post("/chat/api/message", json=payload,
                                 headers={"X-Leerbot": "1"})
    assert response.status == 200, await response.text()
    return await response.json()


def my_id(client: TestClient) -> str:
    cookie = next(c for c in client.session.cookie_jar if c.key == COOKIE)
    return "web-" + cookie.value.split(".")[0]


async def test_page_has_a_strict_content_security_policy(client: TestClient) -> None:
    response = await client.get("/chat")
    assert response.status == 200
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'nonce-" in policy
    body = await response.text()
    assert "{{NONCE}}" not in body and 'src="/chat/app.js"' in body
    assert (await client.get("/chat/app.js")).status == 200
    assert (await client.get("/chat/secrets.txt")).status == 404


async def test_menu_and_a_dialog_through_the_api(client: TestClient) -> None:
    data = await post(client, text="menu")
    blocks = data["messages"][0]["blocks"]
    assert blocks[0]["type"] == "text"
    values = [c["value"] for c in blocks[1]["choices"]]
    # the first local user is HR admin: a short menu of the role's own tools, the rest
    # behind "meer"
    assert len(values) == 7 and values[-1] == "kit:more" and "path_builder" in values
    data = await post(client, value="kit:more")
    values = [c["value"] for c in data["messages"][0]["blocks"][1]["choices"]]
    assert "learning_help" in values and "roles" in values
    data = await post(client, value="actions")
    question = data["messages"][-1]
    assert question["prompt"]["dialog"] == "actions"
    data = await post(client, value="6", prompt=question["prompt"])
    assert data["messages"][-1]["prompt"]["step"] == "actie"


async def test_cross_site_and_malformed_requests_are_refused(client: TestClient) -> None:
    response = await client.post("/chat/api/message", json={"text": "x"})
    assert response.status == 403
    response = await client.post("/chat/api/message", json={"text": "x"},
                                 headers={"X-Leerbot": "1", "Origin": "https://evil.example"})
    assert response.status == 403
    response = await client.post("/chat/api/message", data=b"not json",
                                 headers={"X-Leerbot": "1"})
    assert response.status == 400
    response = await client.post("/chat/api/message", json={"text": ["not", "text"]},
                                 headers={"X-Leerbot": "1"})
    assert response.status == 400


async def test_user_text_comes_back_as_a_user_segment(client: TestClient) -> None:
    await post(client, text="leerhulp")
    data = await post(client, text="<script>alert(1)</script> excel")
    segments = [s for m in data["messages"] for b in m["blocks"] if b["type"] == "text"
                for s in b["text"]]
    risky = [s for s in segments if "<script>" in s["text"]]
    assert all(s["kind"] == "user" for s in risky)


async def test_health_endpoints(client: TestClient) -> None:
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    assert ready.status == 200 and (await ready.json())["database"] == "up"


def test_web_chat_only_on_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.5")


async def test_proactive_messages_are_fetched_from_the_mailbox(client: TestClient,
                                                               runtime) -> None:  # type: ignore[no-untyped-def]
    from dialogs.kit import Message, TextBlock, plain
    from tests.conversation import Workspace, deliver

    await post(client, text="menu")  # the web user exists now
    async with Workspace(runtime, "local") as ws:
        await ws.outbox.notify(my_id(client),
                               [Message(blocks=[TextBlock(text=plain("Tijd voor de check-in"))])],
                               key="test:web")
    await deliver(runtime)
    headers = {"X-Leerbot": "1"}
    response = await client.post("/chat/api/mailbox", json={}, headers=headers)
    assert "Tijd voor de check-in" in json.dumps(await response.json())
    again = await client.post("/chat/api/mailbox", json={}, headers=headers)
    assert (await again.json())["messages"] == []  # shown once
    assert (await client.post("/chat/api/mailbox", json={})).status == 403
    assert (await client.post("/chat/api/mailbox", json={"locale": ["x"]},
                              headers=headers)).status == 400


async def test_the_page_names_no_user_and_another_id_cannot_be_taken(
        client: TestClient, runtime) -> None:  # type: ignore[no-untyped-def]
    first = my_id(client)
    await post(client, text="menu", name="Anna")  # the first local user: HR admin
    # a second browser (another cookie jar) is someone else, whatever it sends
    async with TestClient(TestServer(build_app(runtime, webchat_enabled=True),
                                     host="127.0.0.1")) as other:
        await other.get("/chat")
        response = await other.post("/chat/api/message",
                                    json={"user": first[4:], "text": "rollen"},
                                    headers={"X-Leerbot": "1"})
        assert response.status == 400  # the page cannot name a user at all
        data = await (await other.post("/chat/api/message", json={"text": "rollen"},
                                       headers={"X-Leerbot": "1"})).json()
        assert "alleen voor HR" in json.dumps(data)  # not the admin
        assert my_id(other) != first
        other.session.cookie_jar.clear()
        response = await other.post("/chat/api/message", json={"text": "menu"},
                                    headers={"X-Leerbot": "1",
                                             "Cookie": f"{COOKIE}={first[4:]}.forged"})
        assert response.status == 401


async def test_a_page_served_under_another_host_name_is_refused(client: TestClient) -> None:
    """DNS rebinding: a site that resolves its own name to 127.0.0.1 cannot drive the chat."""
    response = await client.get("/chat", headers={"Host": "evil.example:3978"})
    assert response.status == 421
    response = await client.post("/chat/api/message", json={"text": "menu"},
                                 headers={"X-Leerbot": "1", "Host": "evil.example"})
    assert response.status == 421
    assert (await client.get("/chat", headers={"Host": "localhost:3978"})).status == 200


async def test_the_page_speaks_the_visitors_language(client: TestClient) -> None:
    page = await (await client.get("/chat", headers={"Accept-Language": "en-GB,en"})).text()
    assert '<html lang="en">' in page and ">Send<" in page
    page = await (await client.get("/chat", headers={"Accept-Language": "nl-NL"})).text()
    assert '<html lang="nl">' in page and ">Stuur<" in page


async def test_new_user_starts_a_fresh_identity(client: TestClient) -> None:
    first = my_id(client)
    response = await client.post("/chat/api/identity", json={}, headers={"X-Leerbot": "1"})
    assert response.status == 200 and my_id(client) != first


async def test_the_reply_says_which_language_the_page_speaks(client: TestClient) -> None:
    """After "switch to english" the page's own texts follow (html lang, button, placeholder),
    also on a fresh load of the page."""
    reply = await post(client, text="menu", locale="nl-NL")
    assert reply["lang"] == "nl" and reply["frame"]["send"] == "Stuur"
    reply = await post(client, text="switch to english", locale="nl-NL")
    assert reply["lang"] == "en" and reply["frame"]["send"] == "Send"
    assert reply["frame"]["placeholder"].startswith("Type a message")
    page = await (await client.get("/chat", headers={"Accept-Language": "nl-NL"})).text()
    assert '<html lang="en">' in page and ">Send<" in page
