"""Microsoft Teams end to end: Bot Framework activities POSTed to /api/messages, replies to a
local fake connector (the activity's serviceUrl), cards validated, proactive sends via stored
references."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request

from bot.runtime import Runtime
from bot.server import CHANNELS, build_app
from bot.settings import Settings
from tests.fakes import FakeConnector


@pytest.fixture
async def connector(shared: Path):  # type: ignore[no-untyped-def]
    """The fake connector; every card Leerbot sends it must be a valid Adaptive Card 1.5."""
    import jsonschema

    document = json.loads((shared / "reference" / "schemas" / "adaptive-card-1.5.schema.json")
                          .read_text(encoding="utf-8"))
    validator = jsonschema.Draft6Validator(document)
    async with FakeConnector() as fake:
        yield fake
        for card in fake.cards():
            errors = list(validator.iter_errors(card))
            assert not errors, (errors[0].message, card)


async def make_client(tmp_path: Path, **settings: Any):  # type: ignore[no-untyped-def]
    settings = {"LEERBOT_TEAMS_EMULATOR": True, **settings}  # the fake connector: loopback
    config = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'teams.db'}",
                      data_dir=tmp_path, **settings)
    runtime = await Runtime.start(config)
    app = build_app(runtime, webchat_enabled=False, workers=False)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    client.channels = app[CHANNELS]  # type: ignore[attr-defined]
    client.runtime = runtime  # type: ignore[attr-defined]
    return client


@pytest.fixture
async def bot(tmp_path: Path):  # type: ignore[no-untyped-def]
    client = await make_client(tmp_path)
    yield client
    await client.close()
    await client.runtime.close()  # type: ignore[attr-defined]


def activity(connector: FakeConnector, text: str | None = None,
             value: dict[str, Any] | None = None, user: str = "29:user-1",
             conversation: str = "a:personal-1", kind: str = "personal",
             locale: str = "nl-NL") -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "message", "id": str(uuid.uuid4()), "timestamp": "2026-11-23T10:00:00Z",
        "serviceUrl": connector.url, "channelId": "msteams", "locale": locale,
        "from": {"id": user, "name": "Anna", "aadObjectId": f"aad-{user}"},
        "conversation": {"id": conversation, "conversationType": kind, "tenantId": "tenant-1"},
        "recipient": {"id": "28:leerbot", "name": "Leerbot"},
        "channelData": {"tenant": {"id": "tenant-1"}},
    }
    if text is not None:
        body["text"] = text
    if value is not None:
        body["value"] = value
    return body


async def send(client: TestClient, body: dict[str, Any],
               headers: dict[str, str] | None = None) -> int:
    response = await client.post("/api/messages", data=json.dumps(body),
                                 headers={"Content-Type": "application/json", **(headers or {})})
    return response.status


async def test_message_gets_a_card_reply(bot: TestClient, connector: FakeConnector) -> None:
    assert await send(bot, activity(connector, "menu")) in {200, 201}
    cards = connector.cards()
    assert cards, connector.activities
    text = json.dumps(cards[-1], ensure_ascii=False)
    assert "Leerlijn maken" in text and "Meer" in text  # the admin's own tools first
    assert cards[-1]["version"] == "1.5"


async def test_buttons_carry_the_step_and_old_clicks_are_stale(bot: TestClient,
                                                               connector: FakeConnector) -> None:
    await send(bot, activity(connector, "mijn gegevens"))
    card = connector.cards()[-1]
    action = card["actions"][0]
    assert action["data"]["leerbot"]["dialog"] == "my_data"
    await send(bot, activity(connector, value=action["data"]))
    assert any(a.get("name", "").endswith(".json") or "json" in json.dumps(a)
               for act in connector.activities[-2:] for a in act.get("attachments") or [])
    await send(bot, activity(connector, value=action["data"]))
    assert "al beantwoord" in json.dumps(connector.cards()[-1], ensure_ascii=False)


async def test_typing_instead_of_clicking_works(bot: TestClient,
                                                connector: FakeConnector) -> None:
    await send(bot, activity(connector, "taal"))
    await send(bot, activity(connector, "English"))
    assert "English" in json.dumps(connector.cards()[-1])


async def test_forms_are_cards_with_inputs(bot: TestClient, connector: FakeConnector) -> None:
    await send(bot, activity(connector, "mijn profiel"))
    card = connector.cards()[-1]
    ids = [item.get("id") for item in card["body"]]
    assert "good_at" in ids
    submit = card["actions"][0]
    data = {**submit["data"], "good_at": "Excel", "can_help_with": "", "wants_to_grow": "",
            "learns_best": ""}
    await send(bot, activity(connector, value=data))
    assert "Excel" in json.dumps(connector.cards()[-1], ensure_ascii=False)


async def test_locale_comes_from_the_activity(bot: TestClient, connector: FakeConnector) -> None:
    await send(bot, activity(connector, "menu", locale="en-US", user="29:user-2",
                             conversation="a:personal-2"))
    assert "What can I help you with" in json.dumps(connector.cards()[-1])


async def test_welcome_on_install(bot: TestClient, connector: FakeConnector) -> None:
    body = activity(connector)
    body.update({"type": "conversationUpdate",
                 "membersAdded": [{"id": "28:leerbot", "name": "Leerbot"}]})
    await send(bot, body)
    assert "Leerbot" in connector.activities[-1].get("text", "")


async def test_proactive_message_through_a_stored_reference(bot: TestClient,
                                                            connector: FakeConnector) -> None:
    await send(bot, activity(connector, "hallo", user="29:user-3", conversation="a:p-3"))
    msteams = bot.channels.msteams  # type: ignore[attr-defined]
    (reference,) = await msteams.references("tenant-1", "aad-29:user-3")
    before = len(connector.activities)
    await msteams.sender.send("tenant-1", {"reference": reference,
                                           "text": "Je leerlijn start morgen."})
    assert len(connector.activities) == before + 1
    sent = connector.activities[-1]
    assert sent["text"] == "Je leerlijn start morgen." and sent["_conversation"] == "a:p-3"


def test_tenant_from_conversation_when_channel_data_lacks_it() -> None:
    from botbuilder.schema import Activity

    from bot.channels.msteams import tenant_of

    activity = Activity().deserialize({"type": "message", "conversation": {
        "id": "a:1", "conversationType": "personal", "tenantId": "tenant-9"}})
    assert tenant_of(activity) == "tenant-9"


async def test_with_an_app_id_unauthenticated_traffic_is_refused(tmp_path: Path,
                                                                 connector: FakeConnector) -> None:
    client = await make_client(tmp_path, MICROSOFT_APP_ID="00000000-0000-0000-0000-000000000001",
                               MICROSOFT_APP_PASSWORD="secret")
    try:
        assert await send(client, activity(connector, "menu")) == 401
        assert connector.activities == []
    finally:
        await client.close()
        await client.runtime.close()  # type: ignore[attr-defined]


async def test_without_an_app_id_only_loopback_is_accepted(bot: TestClient) -> None:
    msteams = bot.channels.msteams  # type: ignore[attr-defined]
    request = make_mocked_request("POST", "/api/messages", headers={
        "Content-Type": "application/json"}, transport=_Transport("203.0.113.9"))
    response = await msteams.handle(request)
    assert response.status == 401


class _Transport:
    def __init__(self, host: str) -> None:
        self.host = host

    def get_extra_info(self, name: str, default: object = None) -> object:
        return (self.host, 5555) if name == "peername" else default

    def is_closing(self) -> bool:
        return False


async def test_exports_are_linked_from_the_public_url(tmp_path: Path,
                                                      connector: FakeConnector) -> None:
    client = await make_client(tmp_path, LEERBOT_PUBLIC_URL="https://bot.acme.nl")
    try:
        await send(client, activity(connector, "mijn gegevens"))
        export = next(a for a in connector.cards()[-1]["actions"]
                      if a["data"].get("value") == "export")
        await send(client, activity(connector, value=export["data"]))
        text = json.dumps(connector.cards(), ensure_ascii=False)
        link = text.split("https://bot.acme.nl/files/")[1].split(")")[0]
        response = await client.get(f"/files/{link}")
        assert response.status == 200
        data = json.loads(await response.read())
        assert data["member"]["role"] == "admin"
        assert (await client.get("/files/not-a-token")).status == 404
    finally:
        await client.close()
        await client.runtime.close()  # type: ignore[attr-defined]


async def test_a_scheduled_checkin_reaches_teams_and_is_answered_there(
        bot: TestClient, connector: FakeConnector) -> None:
    from datetime import UTC, datetime

    from engine.recurrence import Recurrence
    from tests.conversation import Workspace, plan, rule_due_now

    runtime = bot.runtime  # type: ignore[attr-defined]
    await send(bot, activity(connector, "hallo", user="29:user-7", conversation="a:p-7"))
    user = "aad-29:user-7"
    async with Workspace(runtime, "tenant-1") as ws:
        team = await ws.teams.save_team("Support", user, [user], None)
        await ws.rounds.save_schedule(team.id, "checkin", Recurrence.model_validate(
            rule_due_now()), ["Wat heb je geleerd?"], user)
    assert await plan(runtime, datetime.now(UTC)) >= 1
    await bot.channels.deliveries.drain()  # type: ignore[attr-defined]
    cards = [a for a in connector.activities if "Wat heb je geleerd?" in json.dumps(a)]
    assert len(cards) == 1 and cards[0]["_conversation"] == "a:p-7"
    card = cards[0]["attachments"][0]["content"]
    press = next(a for a in card["actions"] if "go:checkin" in json.dumps(a))
    await send(bot, activity(connector, value=press["data"], user="29:user-7",
                             conversation="a:p-7"))
    assert "Vraag 1 van 1" in json.dumps(connector.activities[-1], ensure_ascii=False)
    await send(bot, activity(connector, "Adaptive Cards maken", user="29:user-7",
                             conversation="a:p-7"))
    await send(bot, activity(connector, "ja", user="29:user-7", conversation="a:p-7"))
    async with Workspace(runtime, "tenant-1") as ws:
        (stored,) = await ws.rounds.answers("checkin", user=user)
    assert stored.text == "Adaptive Cards maken" and stored.shared


async def test_forum_answers_reply_in_the_questions_thread_in_a_teams_channel(
        bot: TestClient, connector: FakeConnector) -> None:
    from tests.conversation import Workspace

    runtime = bot.runtime  # type: ignore[attr-defined]
    # Leerbot is in a team channel (the reference is stored on first contact there)
    await send(bot, activity(connector, "hallo", user="29:user-8",
                             conversation="19:abc@thread.tacv2", kind="channel"))
    await send(bot, activity(connector, "hallo", user="29:user-9", conversation="a:p-9"))
    asker, helper = "aad-29:user-8", "aad-29:user-9"
    async with Workspace(runtime, "tenant-1") as ws:
        rooms = await ws.teams.rooms()
        assert rooms and rooms[0][0] == "msteams:19:abc@thread.tacv2"
        team = await ws.teams.save_team("Support", asker, [asker, helper], rooms[0][0])
    await send(bot, activity(connector, "hulpvraag stellen", user="29:user-9",
                             conversation="a:p-9"))
    await send(bot, activity(connector, "Hoe deel ik mijn scherm in een Teams-vergadering?",
                             user="29:user-9", conversation="a:p-9"))
    await send(bot, activity(connector, "nee", user="29:user-9", conversation="a:p-9"))
    await send(bot, activity(connector, "ja", user="29:user-9", conversation="a:p-9"))
    await bot.channels.deliveries.drain()  # type: ignore[attr-defined]
    posted = [a for a in connector.activities if a["_conversation"] == "19:abc@thread.tacv2"
              and "scherm" in json.dumps(a)]
    assert len(posted) == 1 and team.id
    async with Workspace(runtime, "tenant-1") as ws:
        (question,) = await ws.forum.questions()
    await send(bot, activity(connector, value={"leerbot": None, "kind": "choice",
                                               "value": f"go:answer_question:{question.id}"},
                             user="29:user-8", conversation="a:p-8"))
    await send(bot, activity(connector, "Klik op Delen bovenin.", user="29:user-8",
                             conversation="a:p-8"))
    await send(bot, activity(connector, "ja", user="29:user-8", conversation="a:p-8"))
    await bot.channels.deliveries.drain()  # type: ignore[attr-defined]
    replies = [a for a in connector.activities if "Delen bovenin" in json.dumps(a)
               and "messageid=" in a["_conversation"]]
    assert len(replies) == 1
    assert replies[0]["_conversation"].startswith("19:abc@thread.tacv2;messageid=")


async def test_message_action_asks_the_message_in_the_personal_chat(
        bot: TestClient, connector: FakeConnector) -> None:
    def invoke(user: str, content: str = "<p>Hoe zet ik een <b>automatisch antwoord</b> "
                                          "aan?</p>") -> dict[str, Any]:
        body = activity(connector, user=user, conversation="19:abc@thread.tacv2",
                        kind="channel")
        body.update({"type": "invoke", "name": "composeExtension/submitAction", "value": {
            "commandId": "leerbotAsk", "commandContext": "message", "data": {"question": ""},
            "messagePayload": {"id": "m1", "body": {"contentType": "html",
                                                    "content": content}}}})
        return body

    # without a personal chat yet, the user is told how to start one
    response = await bot.post("/api/messages", data=json.dumps(invoke("29:user-5")),
                              headers={"Content-Type": "application/json"})
    assert response.status == 200
    assert "Open eerst een chat" in json.dumps(await response.json())
    await send(bot, activity(connector, "hallo", user="29:user-5", conversation="a:p-5"))
    response = await bot.post("/api/messages", data=json.dumps(invoke("29:user-5")),
                              headers={"Content-Type": "application/json"})
    assert "maak je vraag af" in json.dumps(await response.json())
    last = connector.activities[-1]
    assert last["_conversation"] == "a:p-5" and "anoniem" in json.dumps(last)
    # words of another dialog in the message ("wie kan helpen met") do not start that one
    await send(bot, activity(connector, "hallo", user="29:user-6", conversation="a:p-6"))
    await bot.post("/api/messages", headers={"Content-Type": "application/json"},
                   data=json.dumps(invoke("29:user-6", "<p>Wie kan helpen met Excel?</p>")))
    last = connector.activities[-1]
    assert last["_conversation"] == "a:p-6" and "anoniem" in json.dumps(last)
