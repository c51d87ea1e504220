"""After "mijn gegevens" → "alles wissen", no column of any table names the person: their user
ids (also as ``slack:T:U``), their own chat (the Slack DM channel, the Teams personal chat) and
their display name. The tables are read from the database itself (reflection), so a table
added later is scanned without changing this test. The person used Leerbot over Slack and
Microsoft Teams, through the real HTTP endpoints; a data export they downloaded on Teams is
gone at once."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import MetaData, select

from bot.runtime import Runtime
from bot.server import CHANNELS, build_app
from bot.settings import Settings
from dialogs.profile.port import Profile
from tests.conversation import Workspace
from tests.fakes import FakeConnector, FakeSlack
from tests.test_channels_suite import SECRET, Driver, MsTeamsDriver, SlackDriver

PUBLIC = "https://bot.acme.nl"


class Person:
    """A driver and what identifies its person in storage."""

    def __init__(self, driver: Driver, identifiers: list[str]) -> None:
        self.driver = driver
        self.identifiers = identifiers


@pytest.fixture
async def served(database_url: str,
                 tmp_path: Path) -> AsyncIterator[tuple[TestClient, Runtime, list[Person]]]:
    async with FakeSlack() as slack, FakeConnector() as connector:
        settings = Settings(database_url=database_url, data_dir=tmp_path,
                            SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN="xoxb-wipe",
                            SLACK_API_URL=slack.url, LEERBOT_TEAMS_EMULATOR=True,
                            LEERBOT_PUBLIC_URL=PUBLIC)
        runtime = await Runtime.start(settings)
        app = build_app(runtime, webchat_enabled=False, workers=False)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            people = [
                Person(SlackDriver(client, slack), ["U7", "DU7", "slack:T1:U7", "Anna"]),
                Person(MsTeamsDriver(client, connector),
                       ["aad-29:u7", "29:u7", "a:u7", "Anna"]),
            ]
            yield client, runtime, people
        await runtime.close()


async def leave_traces(runtime: Runtime, workspace: str, user: str) -> None:
    """What a colleague's Leerbot knows of them besides their chats: a team, a profile, a
    learning wish, an answer, a forum question (and the team lead is someone else)."""
    async with Workspace(runtime, workspace) as ws:
        team = await ws.teams.save_team("Support", "boss", ["boss", user], None)
        await ws.profiles.save_profile(user, Profile(good_at="Excel",
                                                     competencies=["Excel"]))
        await ws.rounds.save_answer("checkin", user, "Wat heb je geleerd?",
                                    "Draaitabellen maken", team_id=team.id, shared=True)


def rows_naming(tables: dict[str, list[dict[str, Any]]],
                identifiers: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, value) of every value that holds one of the identifiers as a whole
    word (so "U7" is not found inside a random token)."""
    patterns = [re.compile(rf"(?<![A-Za-z0-9]){re.escape(i)}(?![A-Za-z0-9])")
                for i in identifiers]
    found = []
    for table, rows in tables.items():
        for row in rows:
            for column, value in row.items():
                if value is None:
                    continue
                if isinstance(value, bytes | memoryview):
                    text = bytes(value).decode("utf-8", "replace")
                elif isinstance(value, dict | list):
                    text = json.dumps(value, ensure_ascii=False)
                else:
                    text = str(value)
                if any(p.search(text) for p in patterns):
                    found.append((table, column, text[:200]))
    return found


async def every_row(runtime: Runtime) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the database has (reflected, not taken from the models)."""
    async with runtime.engine.connect() as connection:
        metadata = MetaData()
        await connection.run_sync(metadata.reflect)
        tables = {}
        for table in metadata.sorted_tables:
            result = await connection.execute(select(table))
            tables[table.name] = [dict(row._mapping) for row in result]
    return tables


async def test_alles_wissen_leaves_no_column_naming_the_person(
        served: tuple[TestClient, Runtime, list[Person]]) -> None:
    client, runtime, people = served
    channels = client.app[CHANNELS]  # type: ignore[union-attr]
    links = []
    for person in people:
        driver = person.driver
        async with Workspace(runtime, driver.workspace) as ws:
            await ws.join("boss", "Bob Baas")  # the first member (admin) is someone else
        await driver.say("hallo")
        await leave_traces(runtime, driver.workspace, driver.user)
        await driver.say("hulpvraag stellen")
        await driver.say("Hoe maak ik een draaitabel in Excel met twee bronnen?")
        await driver.choose("no")  # not anonymous
        await driver.choose("yes")
        await driver.say("mijn gegevens")
        await driver.choose("export")
        links += re.findall(rf"{re.escape(PUBLIC)}/files/([A-Za-z0-9_-]+)", driver.text())
    assert links, "the Teams export is linked from the public URL"
    assert (await client.get(f"/files/{links[0]}")).status == 200

    before = await every_row(runtime)
    for person in people:
        assert rows_naming(before, person.identifiers), "the scan finds the person before"

    for person in people:
        await person.driver.say("mijn gegevens")
        await person.driver.choose("delete")
        await person.driver.choose("yes")
        assert "Gewist" in person.driver.text()
    for _ in range(3):  # the confirmations go out; what they leave is scanned too
        await channels.inbox.drain()
        await channels.deliveries.drain()

    after = await every_row(runtime)
    for person in people:
        left = rows_naming(after, person.identifiers)
        assert left == [], json.dumps(left, indent=1)
    for link in links:  # the export is gone at once, not after a day
        assert (await client.get(f"/files/{link}")).status == 404
    # the colleague's own data stays
    assert rows_naming(after, ["Bob Baas"])


async def test_the_opening_words_say_what_to_do_with_my_data(runtime) -> None:  # type: ignore[no-untyped-def]
    from tests.conversation import User

    anna = User(runtime.conductor, name="anna")
    await anna.say("hallo")
    await anna.say("exporteer mijn gegevens")  # straight to the file
    (file,) = anna.files()
    assert json.loads(file.data)["user"] == "anna"
    out = await anna.say("wis al mijn gegevns")  # straight to the question, typo and all
    assert "Weet je het zeker?" in out and not anna.files()
    assert "niets gewist" in await anna.say("nee")
    await anna.say("verwijder mijn gegevens")
    out = await anna.say("ja")
    assert "Gewist: alles wat ik over je bewaarde (" in out and "onderde" in out
    await anna.say("mijn gegevens")  # the plain phrase asks
    assert [value for value, _ in anna.choices()] == ["export", "delete", "nothing"]
