"""Microsoft Teams end to end: Bot Framework activities POSTed to /api/messages, replies to a
local fake connector (the activity's serviceUrl), cards validated, proactive sends via stored
references. Every test runs on both transports (botbuilder and the Microsoft 365 Agents SDK,
``LEERBOT_TEAMS_SDK``)."""

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


SDKS = ("botbuilder", "agents")


@pytest.fixture(params=SDKS)
def teams_sdk(request: pytest.FixtureRequest) -> str:
    """The transport under test (LEERBOT_TEAMS_SDK)."""
    return str(request.param)


async def make_client(tmp_path: Path, sdk: str = "botbuilder",
                      **settings: Any):  # type: ignore[no-untyped-def]
    settings = {"LEERBOT_TEAMS_EMULATOR": True, "LEERBOT_TEAMS_SDK": sdk,
                **settings}  # the fake connector: loopback
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
async def bot(tmp_path: Path, teams_sdk: str):  # type: ignore[no-untyped-def]
    client = await make_client(tmp_path, teams_sdk)
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
    from bot.channels.msteams import tenant_of

    activity = {"type": "message", "conversation": {
        "id": "a:1", "conversationType": "personal", "tenantId": "tenant-9"}}
    assert tenant_of(activity) == "tenant-9"
    assert tenant_of({**activity, "conversation": {"id": "a:1", "tenantID": "t-8"}}) == "t-8"
    assert tenant_of({"type": "message"}) == "teams"  # the Emulator names none


async def test_with_an_app_id_unauthenticated_traffic_is_refused(
        tmp_path: Path, connector: FakeConnector, teams_sdk: str) -> None:
    client = await make_client(tmp_path, teams_sdk,
                               MICROSOFT_APP_ID="00000000-0000-0000-0000-000000000001",
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
                                                      connector: FakeConnector,
                                                      teams_sdk: str) -> None:
    client = await make_client(tmp_path, teams_sdk, LEERBOT_PUBLIC_URL="https://bot.acme.nl")
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


def test_no_code_outside_the_teams_package_imports_a_microsoft_sdk() -> None:
    import ast

    root = Path(__file__).resolve().parent.parent
    sdks = ("botbuilder", "botframework", "msrest", "microsoft_agents")
    found = []
    for package in ("bot", "dialogs", "engine", "knowledge", "bench"):
        for path in (root / package).rglob("*.py"):
            if path.is_relative_to(root / "bot" / "channels" / "msteams"):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                found += [f"{path.relative_to(root)}: {n}" for n in names
                          if n.split(".")[0] in sdks]
    # the bench's bare echo servers are the SDKs on their own, for comparison
    assert [f for f in found if not f.startswith("bench/bare_servers.py")] == []


TEAMS_ACTIVITIES = [
    {"type": "message", "id": "m1", "serviceUrl": "https://smba.trafficmanager.net/emea/",
     "channelId": "msteams", "locale": "nl-NL", "text": "hallo",
     "from": {"id": "29:u", "name": "Anna", "aadObjectId": "aad-u"},
     "conversation": {"id": "a:p", "conversationType": "personal", "tenantId": "t-1"},
     "recipient": {"id": "28:leerbot", "name": "Leerbot"},
     "channelData": {"tenant": {"id": "t-1"}}},
    {"type": "conversationUpdate", "serviceUrl": "https://smba.trafficmanager.net/emea/",
     "channelId": "msteams", "from": {"id": "29:u"},
     "conversation": {"id": "19:abc@thread.tacv2", "conversationType": "channel",
                      "isGroup": True, "name": "Algemeen", "tenantId": "t-1"},
     "recipient": {"id": "28:leerbot"}, "membersAdded": [{"id": "28:leerbot"}]},
    {"type": "message", "id": "m2", "serviceUrl": "http://127.0.0.1:3978/",
     "channelId": "emulator", "from": {"id": "u", "role": "user"},
     "conversation": {"id": "c"}, "recipient": {"id": "b", "role": "bot"}, "text": "x"},
]


@pytest.mark.parametrize("body", TEAMS_ACTIVITIES, ids=["personal", "channel", "emulator"])
def test_both_transports_store_botbuilders_conversation_references(
        body: dict[str, Any]) -> None:
    """A reference stored by either transport is the one botbuilder stored before: switching
    LEERBOT_TEAMS_SDK loses no one's proactive messages."""
    from botbuilder.core import TurnContext
    from botbuilder.schema import Activity

    from bot.channels.msteams import reference_of
    from bot.channels.msteams.transport_agents import AgentsTransport, as_dict
    from bot.channels.msteams.transport_botbuilder import BotbuilderTransport

    before = TurnContext.get_conversation_reference(Activity().deserialize(body)).serialize()
    for transport in (BotbuilderTransport, AgentsTransport):
        parsed = transport.parse(None, body)  # type: ignore[arg-type]
        wire = parsed.serialize() if transport is BotbuilderTransport else as_dict(parsed)
        assert reference_of(wire) == before, transport.__name__


async def test_a_reference_stored_on_one_transport_serves_the_other(
        tmp_path: Path, connector: FakeConnector) -> None:
    first = await make_client(tmp_path, "botbuilder")
    try:
        await send(first, activity(connector, "hallo", user="29:user-4", conversation="a:p-4"))
    finally:
        await first.close()
        await first.runtime.close()  # type: ignore[attr-defined]
    second = await make_client(tmp_path, "agents")  # the same database
    try:
        msteams = second.channels.msteams  # type: ignore[attr-defined]
        (reference,) = await msteams.references("tenant-1", "aad-29:user-4")
        await msteams.sender.send("tenant-1", {"reference": reference, "text": "Hoi Anna"})
        assert connector.activities[-1]["text"] == "Hoi Anna"
        assert connector.activities[-1]["_conversation"] == "a:p-4"
    finally:
        await second.close()
        await second.runtime.close()  # type: ignore[attr-defined]


async def test_a_mention_of_leerbot_in_a_channel_is_not_part_of_the_text(
        bot: TestClient, connector: FakeConnector) -> None:
    body = activity(connector, "<at>Leerbot</at> taal", conversation="19:abc@thread.tacv2",
                    kind="channel")
    body["entities"] = [{"type": "mention", "text": "<at>Leerbot</at>",
                         "mentioned": {"id": "28:leerbot", "name": "Leerbot"}}]
    await send(bot, body)
    assert "English" in json.dumps(connector.cards()[-1])  # the language dialog's choices


async def test_an_unknown_invoke_gets_not_implemented(bot: TestClient,
                                                      connector: FakeConnector) -> None:
    body = activity(connector)
    body.update({"type": "invoke", "name": "composeExtension/query", "value": {}})
    response = await bot.post("/api/messages", data=json.dumps(body),
                              headers={"Content-Type": "application/json"})
    assert response.status == 501 and connector.activities == []


async def test_a_failed_turn_is_told_to_the_user_and_logged_without_a_traceback(
        bot: TestClient, connector: FakeConnector, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from bot.channels.msteams.common import MsTeamsTurns

    async def broken(self: MsTeamsTurns, received: object) -> None:
        raise RuntimeError("Anna's secret question")

    monkeypatch.setattr(MsTeamsTurns, "message", broken)
    with caplog.at_level(logging.INFO):
        assert await send(bot, activity(connector, "menu")) in {200, 201}
    assert "daar ging bij mij iets mis" in connector.activities[-1]["text"]
    assert not any("secret" in r.getMessage() or r.exc_info for r in caplog.records)


async def test_a_turn_keeps_the_reference_in_its_own_transaction(
        bot: TestClient, connector: FakeConnector) -> None:
    """One commit for a message turn: the conversation reference is stored with the turn.
    Commits are counted by SQLite itself (its trace callback): a turn's transaction commits on
    the driver, without SQLAlchemy's events."""
    from sqlalchemy import event

    await send(bot, activity(connector, "menu", user="29:user-5", conversation="a:p-5"))
    engine = bot.runtime.engine.sync_engine  # type: ignore[attr-defined]
    commits: list[str] = []
    traced: list[Any] = []

    def checked_out(dbapi_connection: Any, *args: object) -> None:
        sqlite = dbapi_connection.driver_connection._conn
        sqlite.set_trace_callback(
            lambda statement: commits.append(statement) if statement == "COMMIT" else None)
        traced.append(sqlite)

    event.listen(engine, "checkout", checked_out)
    try:
        body = activity(connector, "menu", user="29:user-5", conversation="a:p-5")
        assert await send(bot, body) in {200, 201}
    finally:
        event.remove(engine, "checkout", checked_out)
        for sqlite in traced:
            sqlite.set_trace_callback(None)
    msteams = bot.channels.msteams  # type: ignore[attr-defined]
    (reference,) = await msteams.references("tenant-1", "aad-29:user-5")
    assert reference["activityId"] == body["id"] and len(commits) == 1


async def test_a_failed_turn_still_keeps_the_reference(
        bot: TestClient, connector: FakeConnector, monkeypatch: pytest.MonkeyPatch) -> None:
    from dialogs.kit.conductor import Conductor

    async def broken(*args: object) -> None:
        raise RuntimeError("the turn failed")

    monkeypatch.setattr(Conductor, "_turn", broken)
    await send(bot, activity(connector, "menu", user="29:user-6", conversation="a:p-6"))
    assert "daar ging bij mij iets mis" in json.dumps(connector.activities[-1])
    msteams = bot.channels.msteams  # type: ignore[attr-defined]
    (reference,) = await msteams.references("tenant-1", "aad-29:user-6")
    assert reference["conversation"]["id"] == "a:p-6"


async def test_the_turn_reads_the_activity_as_received(
        bot: TestClient, connector: FakeConnector, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared code gets the JSON object that was posted, not the SDK's object serialised
    once more."""
    from bot.channels.msteams.common import MsTeamsTurns, Received

    seen: list[dict[str, Any]] = []

    async def message(self: MsTeamsTurns, received: Received) -> None:
        seen.append(received.activity)

    monkeypatch.setattr(MsTeamsTurns, "message", message)
    body = activity(connector, "menu")
    body["timestamp"] = "2026-11-23T10:00:00.123Z"  # as Teams writes it; an SDK would not
    await send(bot, body)
    assert seen == [body]
