"""One conversation suite, four channels: the same scripted dialogs (leerlijn wizard, scan,
leerhulp) run on the console, the web chat, Slack and Microsoft Teams, and must give the same
outcome."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.web_identity import COOKIE
from bot.runtime import Runtime
from bot.server import CHANNELS, build_app
from bot.settings import Settings
from dialogs.kit import ChoicesBlock, Incoming, Message, SessionKey
from knowledge.scan import load_scan
from tests.conversation import CONSOLE, Workspace
from tests.fakes import FakeConnector, FakeSlack, sign
from tests.test_dialogs import FUNCTION_PATH, use_catalogue

SECRET = "suite-secret"


class Driver:
    """What a script may do; each channel implements it its own way."""

    workspace: str
    user: str

    async def say(self, text: str) -> None: ...

    async def choose(self, value: str) -> None: ...

    async def fill(self, values: dict[str, str]) -> None: ...

    def text(self) -> str: ...


class ConsoleDriver(Driver):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.workspace, self.user = "console-ws", "anna"
        self.key = SessionKey(channel="console", workspace=self.workspace, user=self.user,
                              conversation="console")
        self.last: list[Message] = []

    async def _send(self, incoming: Incoming) -> None:
        self.last = await self.runtime.conductor.handle(incoming, CONSOLE)

    async def say(self, text: str) -> None:
        await self._send(Incoming(key=self.key, text=text, locale="nl"))

    async def choose(self, value: str) -> None:
        if value.startswith("go:"):  # a button of a proactive message (the console's
            await self._send(Incoming(key=self.key, value=value, locale="nl"))  # mailbox)
            return
        choices = [c for m in self.last for b in m.blocks if isinstance(b, ChoicesBlock)
                   and m.prompt is not None for c in b.choices] or \
            [c for m in self.last for b in m.blocks if isinstance(b, ChoicesBlock)
             for c in b.choices]
        number = [c.value for c in choices].index(value) + 1
        await self.say(str(number))  # typed, as a console user does

    async def fill(self, values: dict[str, str]) -> None:
        for value in values.values():  # one field at a time, in the form's order
            await self.say(value or "-")

    def text(self) -> str:
        return "\n".join(m.plain for m in self.last)


class WebDriver(Driver):
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.workspace, self.user = "local", ""
        self.last: list[dict[str, Any]] = []

    async def open(self) -> WebDriver:
        """Load the page: the server gives this browser its identity (a cookie)."""
        await self.client.get("/chat")
        cookie = next(c for c in self.client.session.cookie_jar if c.key == COOKIE)
        self.user = "web-" + cookie.value.split(".")[0]
        return self

    async def _post(self, **payload: Any) -> None:
        response = await self.client.post("/chat/api/message", json={
            "locale": "nl-NL", **payload}, headers={"X-Leerbot": "1"})
        assert response.status == 200
        self.last = (await response.json())["messages"]

    async def say(self, text: str) -> None:
        await self._post(text=text)

    def _prompted(self, kind: str) -> dict[str, Any]:
        return next(m for m in reversed(self.last)
                    if any(b["type"] == kind for b in m["blocks"]))

    async def choose(self, value: str) -> None:
        # the button's own message (a mailbox message has no question), as the page sends it
        owner = next((m for m in reversed(self.last) for b in m["blocks"]
                      if b["type"] == "choices" and any(c["value"] == value
                                                        for c in b["choices"])), None)
        prompt = owner["prompt"] if owner is not None else self._prompted("choices")["prompt"]
        await self._post(value=value, prompt=prompt)

    async def fill(self, values: dict[str, str]) -> None:
        await self._post(form=values, prompt=self._prompted("form")["prompt"])

    def text(self) -> str:
        return json.dumps(self.last, ensure_ascii=False)


class SlackDriver(Driver):
    def __init__(self, client: TestClient, slack: FakeSlack) -> None:
        self.client, self.slack = client, slack
        self.workspace, self.user = "T1", "U7"
        self.count = 0

    async def _post(self, raw: str, content_type: str) -> None:
        response = await self.client.post("/slack/events", data=raw, headers={
            "Content-Type": content_type, **sign(SECRET, raw)})
        assert response.status == 200
        channels = self.client.app[CHANNELS]  # type: ignore[union-attr]
        for _ in range(4):
            await channels.inbox.drain()
            await channels.deliveries.drain()

    async def say(self, text: str) -> None:
        self.count += 1
        body = {"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                "event_id": f"Ev{uuid.uuid4().hex}", "event_time": int(time.time()),
                "event": {"type": "message", "channel_type": "im", "channel": "DU7",
                          "user": "U7", "text": text, "ts": f"{time.time():.6f}"}}
        await self._post(json.dumps(body), "application/json")

    def _elements(self) -> list[dict[str, Any]]:
        posts = [p for p in self.slack.posts() if p["channel"] in {"DU7", "U7"}]
        return [e for post in posts[-3:] for b in post["blocks"]
                if b["type"] == "actions" for e in b["elements"]]

    async def _action(self, element: dict[str, Any], value: str | None) -> None:
        action = {"action_id": element["action_id"], "type": element["type"],
                  "action_ts": f"{time.time():.6f}", "block_id": "b"}
        if element["type"] == "static_select":
            action["selected_option"] = {"value": value}
        else:
            action["value"] = element["value"]
        payload = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U7"},
                   "api_app_id": "A1", "token": "x", "trigger_id": f"T{uuid.uuid4().hex}",
                   "channel": {"id": "DU7"}, "actions": [action]}
        await self._post(urlencode({"payload": json.dumps(payload)}),
                         "application/x-www-form-urlencoded")

    async def choose(self, value: str) -> None:
        for element in reversed(self._elements()):
            if element.get("value") == value or (
                    element["type"] == "static_select"
                    and any(o["value"] == value for o in element["options"])):
                await self._action(element, value)
                return
        raise AssertionError(f"no choice {value!r}")

    async def fill(self, values: dict[str, str]) -> None:
        button = next(e for e in reversed(self._elements()) if ":form:" in e["action_id"])
        await self._action(button, None)
        update = self.slack.named("views.update")[-1]
        view = update["view"]
        state: dict[str, Any] = {}
        for block in view["blocks"]:
            name, element = block["block_id"], block["element"]
            value = values.get(name, "")
            if element["type"] == "multi_static_select":
                entry = {"type": element["type"], "selected_options": [
                    {"value": v} for v in value.split(",") if v]}
            elif element["type"] == "static_select":
                entry = {"type": element["type"], "selected_option": {"value": value}}
            else:
                entry = {"type": element["type"], "value": value or None}
            state[name] = {name: entry}
        payload = {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U7"},
                   "api_app_id": "A1", "token": "x", "trigger_id": "Tsub",
                   "view": {"id": update["view_id"], "hash": uuid.uuid4().hex, "type": "modal",
                            "callback_id": view["callback_id"],
                            "private_metadata": view["private_metadata"],
                            "state": {"values": state}}}
        await self._post(urlencode({"payload": json.dumps(payload)}),
                         "application/x-www-form-urlencoded")

    def text(self) -> str:
        posts = [p for p in self.slack.posts() if p["channel"] in {"DU7", "U7"}]
        return json.dumps([p["blocks"] for p in posts[-3:]], ensure_ascii=False)


class MsTeamsDriver(Driver):
    def __init__(self, client: TestClient, connector: FakeConnector) -> None:
        self.client, self.connector = client, connector
        self.workspace, self.user = "tenant-1", "aad-29:u7"
        self.seen = self.after = 0

    async def _send(self, text: str | None = None, value: dict[str, Any] | None = None) -> None:
        # what arrived since the previous answer counts too (proactive messages)
        self.seen = self.after
        body: dict[str, Any] = {
            "type": "message", "id": uuid.uuid4().hex, "serviceUrl": self.connector.url,
            "channelId": "msteams", "locale": "nl-NL",
            "from": {"id": "29:u7", "name": "Anna", "aadObjectId": "aad-29:u7"},
            "conversation": {"id": "a:u7", "conversationType": "personal",
                             "tenantId": "tenant-1"},
            "recipient": {"id": "28:leerbot"},
            "channelData": {"tenant": {"id": "tenant-1"}}}
        if text is not None:
            body["text"] = text
        if value is not None:
            body["value"] = value
        response = await self.client.post("/api/messages", data=json.dumps(body),
                                          headers={"Content-Type": "application/json"})
        assert response.status in {200, 201}
        self.after = len(self.connector.activities)

    def _cards(self) -> list[dict[str, Any]]:
        return [a["content"] for act in self.connector.activities[self.seen:]
                for a in act.get("attachments") or []]

    async def say(self, text: str) -> None:
        await self._send(text=text)

    async def choose(self, value: str) -> None:
        for card in reversed(self._cards()):
            for action in card.get("actions", []):
                if action["data"].get("value") == value:
                    await self._send(value=action["data"])
                    return
                if action["data"]["kind"] == "select" and any(
                        c["value"] == value for item in card["body"]
                        if item.get("id") == "choice" for c in item["choices"]):
                    await self._send(value={**action["data"], "choice": value})
                    return
        raise AssertionError(f"no choice {value!r}")

    async def fill(self, values: dict[str, str]) -> None:
        for card in reversed(self._cards()):
            for action in card.get("actions", []):
                if action["data"]["kind"] == "form":
                    await self._send(value={**action["data"], **values})
                    return
        raise AssertionError("no form")

    def text(self) -> str:
        return json.dumps(self._cards(), ensure_ascii=False)


@asynccontextmanager
async def drivers(tmp_path: Path, case_catalogue: Path,
                  index: int = 0) -> AsyncIterator[list[Driver]]:
    """The four channels' drivers; index 4 (``msteams-agents``) is Teams on the Microsoft 365
    Agents SDK (its driver then stands fourth, where botbuilder's would)."""
    async with FakeSlack() as slack, FakeConnector() as connector:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'suite.db'}",
                            data_dir=tmp_path, SLACK_SIGNING_SECRET=SECRET,
                            SLACK_BOT_TOKEN="xoxb-suite", SLACK_API_URL=slack.url,
                            LEERBOT_TEAMS_EMULATOR=True,
                            LEERBOT_TEAMS_SDK="agents" if index == 4 else "botbuilder")
        runtime = await Runtime.start(settings)
        app = build_app(runtime, webchat_enabled=True, workers=False)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            all_drivers: list[Driver] = [ConsoleDriver(runtime), await WebDriver(client).open(),
                                         SlackDriver(client, slack),
                                         MsTeamsDriver(client, connector)]
            for driver in all_drivers:
                await use_catalogue(runtime, case_catalogue, workspace=driver.workspace)
                await driver.say("hallo")  # first member of the workspace: admin
            client.runtime = runtime  # type: ignore[attr-defined]
            yield all_drivers
        await runtime.close()


#: the channels, Microsoft Teams on both transports (botbuilder, the Agents SDK)
EVERY_CHANNEL = pytest.mark.parametrize(
    "index", [0, 1, 2, 3, 4], ids=["console", "web", "slack", "msteams", "msteams-agents"])


def pick(channel_drivers: list[Driver], index: int) -> Driver:
    return channel_drivers[min(index, 3)]


GROUP = {"size": "3", "age": "40-55", "experience": "5-30", "education": "mbo"}
LIMITS = {"max_interventions": "4", "max_hours": "5", "deadline_months": "6",
          "formats": "online"}


async def wizard(driver: Driver) -> None:
    await driver.say("leerlijn maken")
    await driver.choose("functie")
    await driver.say("Secretaresses")
    await driver.fill(GROUP)
    await driver.choose("competencies")
    await driver.say("Informatie verwerken, Directie ondersteunen, "
                     "Overlegvormen organiseren en voorbereiden")
    await driver.fill(LIMITS)
    assert "Prioriteiten stellen" in driver.text()
    await driver.choose("accept")
    await driver.choose("ok")
    await driver.choose("save")
    assert "Bewaard" in driver.text()


async def scan(driver: Driver) -> None:
    await driver.say("scan")
    await driver.say("Team Zorg")
    for statement in load_scan().statements:
        barrier = statement.challenge == 8
        await driver.choose(str((1 if statement.reverse else 5) if barrier else 3))
    await driver.fill({"priorities": "8"})
    assert "bewaard" in driver.text()
    native_chart_shown(driver)


def native_chart_shown(driver: Driver) -> None:
    """Slack and Teams draw the scan's chart themselves (the fakes check the platforms'
    chart rules); the console and the web chat show its image."""
    if isinstance(driver, SlackDriver):
        blocks = [b for post in driver.slack.posts() for b in post.get("blocks") or []]
        assert any(b["type"] == "data_visualization" for b in blocks)
    elif isinstance(driver, MsTeamsDriver):
        elements = [e for card in driver.connector.cards() for e in card.get("body") or []]
        assert any(e.get("type", "").startswith("Chart.") for e in elements)


async def learning_help(driver: Driver) -> None:
    await driver.say("ik wil beter worden in presenteren")
    await driver.fill({"level": "mbo", "formats": "online"})
    assert "Presentatievaardigheden" in driver.text()
    await driver.choose("save")


@EVERY_CHANNEL
async def test_same_dialogs_same_outcome_on_every_channel(tmp_path: Path, case_catalogue: Path,
                                                          index: int) -> None:
    async with drivers(tmp_path, case_catalogue, index) as channel_drivers:
        driver = pick(channel_drivers, index)
        await wizard(driver)
        await scan(driver)
        await learning_help(driver)
        runtime: Runtime = channel_drivers[0].runtime  # type: ignore[attr-defined]
        async with Workspace(runtime, driver.workspace) as ws:
            (path,) = await ws.paths.paths()
            assert [t["title"] for t in path.trainings] == FUNCTION_PATH
            (record,) = await ws.scans.scans("Team Zorg")
            assert record.profile == 8 and record.scores[8] == 100
        async with Workspace(runtime, driver.workspace) as ws:
            (wish,) = await ws.learning_wishes.wishes(driver.user)
            assert wish.competencies == ["Presentatievaardigheden"]


@EVERY_CHANNEL
async def test_several_options_after_a_typed_answer(tmp_path: Path, case_catalogue: Path,
                                                    index: int) -> None:
    """The first answer of a form typed instead of filled in: the form goes on field by field,
    and the field of several options takes several (a form of its own where the channel has
    forms, typed values on the console), not the one option of a button."""
    async with drivers(tmp_path, case_catalogue, index) as channel_drivers:
        driver = pick(channel_drivers, index)
        await driver.say("ik wil beter worden in presenteren")
        await driver.say("hbo")
        await driver.fill({"formats": "online,klassikaal"})
        text = driver.text()
        assert "Trainingen voor" in text and "Presentatievaardigheden" in text
        # both ways of learning were taken: a training of each is offered
        assert "min · online · niveau" in text and "min · klassikaal · niveau" in text


async def together(driver: Driver, runtime: Runtime, deliver: Any) -> None:
    """A kennisrondje reaches the user proactively and is answered; then a help question."""

    async with Workspace(runtime, driver.workspace) as ws:
        team = await ws.teams.save_team("Iedereen", driver.user, [driver.user], None)
        run = await ws.rounds.start_run("kennisrondje", team.id,
                                        ["Waarvoor mag men jou bellen?"], driver.user)
    await deliver()
    await driver.say("menu")  # console and web chat: the mailbox is shown now
    assert "Waarvoor mag men jou bellen?" in driver.text() or "Kennisrondje" in driver.text()
    await driver.choose(f"go:knowledge_round:{run.id}")
    await driver.say("Excel en draaitabellen")
    await driver.choose("yes")
    assert "Dank je" in driver.text()
    await driver.say("hulpvraag stellen")
    await driver.say("Hoe maak ik een draaitabel met twee bronnen?")
    await driver.choose("no")  # not anonymous
    await driver.choose("yes")
    assert "teamkanaal" in driver.text()


@EVERY_CHANNEL
async def test_learning_together_on_every_channel(tmp_path: Path, case_catalogue: Path,
                                                  index: int) -> None:
    async with drivers(tmp_path, case_catalogue, index) as channel_drivers:
        driver = pick(channel_drivers, index)
        runtime: Runtime = channel_drivers[0].runtime  # type: ignore[attr-defined]
        client = next(d for d in channel_drivers if isinstance(d, WebDriver)).client

        async def deliver() -> None:
            await client.app[CHANNELS].deliveries.drain()  # type: ignore[union-attr]

        await together(driver, runtime, deliver)
        from tests.conversation import Workspace

        async with Workspace(runtime, driver.workspace) as ws:
            (answer,) = await ws.rounds.answers("kennisrondje")
        assert answer.user == driver.user and answer.text == "Excel en draaitabellen"
        async with Workspace(runtime, driver.workspace) as ws:
            (question,) = await ws.forum.questions()
            assert question.asker == driver.user and question.status == "open"


async def my_path(driver: Driver, runtime: Runtime, deliver: Any) -> None:
    """A leerlijn is assigned (the assignment message arrives), a training is started by its
    button, another marked done in words with a reflection, and the progress is shown."""
    from dialogs.paths.port import PathDraft
    from tests.test_my_path import TRAININGS, training

    async with Workspace(runtime, driver.workspace) as ws:
        path = await ws.paths.save_path(PathDraft(
            name="Secretaresses", level="functie", spec={"competencies": ["Plannen"]},
            trainings=[training(i, t) for i, t in enumerate(TRAININGS, start=1)],
            total_minutes=180), created_by=driver.user)
    await driver.say("leerlijnen")
    await driver.choose(str(path.id))
    await driver.choose("assign")
    await driver.fill({"people": driver.user, "deadline": "31-12-2029"})
    assert "Toegewezen aan" in driver.text()
    await deliver()
    if isinstance(driver, ConsoleDriver | WebDriver):
        await driver.say("menu")  # the mailbox is shown now
    assert "aan je toegewezen" in driver.text()
    async with Workspace(runtime, driver.workspace) as ws:
        (assignment,) = await ws.paths.assignments(user=driver.user)
    await driver.choose(f"go:my_path:started:{assignment.id}:T1")
    assert "begonnen met" in driver.text() and "Prioriteiten stellen" in driver.text()
    await driver.say("ik heb klantvriendelijkhied afgerond")  # a typo
    assert "Wat neem je mee" in driver.text()
    await driver.say("Eerst luisteren, dan antwoorden")
    assert "is afgerond" in driver.text()
    await driver.say("mijn voortgang")
    text = driver.text()
    assert "trainingen afgerond" in text and "bezig" in text
    await driver.choose("close")
    async with Workspace(runtime, driver.workspace) as ws:
        (mine,) = await ws.my_path.my_paths(driver.user)
    assert [(t.status, t.reflection) for t in mine.trainings] == [
        ("started", None), ("done", "Eerst luisteren, dan antwoorden"), ("todo", None)]


@EVERY_CHANNEL
async def test_my_path_on_every_channel(tmp_path: Path, case_catalogue: Path,
                                        index: int) -> None:
    async with drivers(tmp_path, case_catalogue, index) as channel_drivers:
        driver = pick(channel_drivers, index)
        runtime: Runtime = channel_drivers[0].runtime  # type: ignore[attr-defined]
        client = next(d for d in channel_drivers if isinstance(d, WebDriver)).client

        async def deliver() -> None:
            await client.app[CHANNELS].deliveries.drain()  # type: ignore[union-attr]

        await my_path(driver, runtime, deliver)


async def pop(driver: Driver) -> None:
    """An employee prepares her development conversation and shares her POP."""
    await driver.say("ontwikkelgesprek voorbereiden")
    await driver.say("Ik kan goed plannen")
    for _ in range(3):
        await driver.choose("__skip__")
    await driver.say("beter presenteren")
    assert "Presentatievaardigheden" in driver.text()
    await driver.say("1, 4")
    await driver.fill({"due0": "eind maart", "due1": "over een half jaar"})
    await driver.choose("done")
    await driver.choose("share")
    assert "bewaard" in driver.text()


@EVERY_CHANNEL
async def test_pop_on_every_channel(tmp_path: Path, case_catalogue: Path, index: int) -> None:
    async with drivers(tmp_path, case_catalogue, index) as channel_drivers:
        driver = pick(channel_drivers, index)
        await pop(driver)
        runtime: Runtime = channel_drivers[0].runtime  # type: ignore[attr-defined]
        async with Workspace(runtime, driver.workspace) as ws:
            plan = await ws.development.plan(driver.user)
        assert plan is not None and plan.shared
        (goal,) = plan.goals
        assert goal.competency == "Presentatievaardigheden"
        assert [a.kind for a in goal.actions] == ["training", "informal"]
        assert all(a.due is not None for a in goal.actions)
        assert goal.actions[0].due.month == 3  # type: ignore[union-attr]
        assert list(plan.answers.values()) == ["Ik kan goed plannen"]
