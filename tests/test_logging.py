"""What `leerbot serve` logs at LEERBOT_LOG_LEVEL=DEBUG: never what people wrote, nor tokens,
nor query strings. Real turns on Slack and Teams (what was asked is kept in the dialog state) pass
through the database drivers, SQLAlchemy, Bolt, slack_sdk, botbuilder and aiohttp, on SQLite
and on PostgreSQL; the whole log is searched afterwards."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import select

from bot.cli import configure_logging
from bot.settings import Settings
from bot.storage.db import create_engine
from bot.storage.models import DialogSessionRow
from tests.fakes import FakeConnector, FakeSlack
from tests.processes import Served
from tests.test_msteams import activity
from tests.test_slack import event

SECRET = "Zeppelinwachtwoord7731"
TOKEN = "xoxb-logged-nowhere-4242"
SIGNING = "signing-secret-logged-nowhere"


async def test_debug_log_holds_no_text_token_or_query(database_url: str,
                                                      tmp_path: Path) -> None:
    question = f"hulpvraag stellen: hoe werkt {SECRET} in Excel?"
    async with FakeSlack() as slack, FakeConnector() as connector:
        env = {**os.environ, "LEERBOT_DATABASE_URL": database_url, "LEERBOT_LOG_LEVEL": "DEBUG",
               "LEERBOT_ACCESS_LOG": "true", "SLACK_BOT_TOKEN": TOKEN,
               "SLACK_SIGNING_SECRET": SIGNING, "SLACK_API_URL": slack.url,
               "LEERBOT_TEAMS_EMULATOR": "1", "PYTHONUNBUFFERED": "1"}
        server = Served(env, tmp_path / "serve.log")
        try:
            await server.ready()
            assert await server.post_slack(event(question, "EvLog1"), SIGNING) == 200
            async with aiohttp.ClientSession() as http:
                async with http.post(server.url + "/api/messages",
                                     data=json.dumps(activity(connector, question)),
                                     headers={"Content-Type": "application/json"}) as answer:
                    assert answer.status in {200, 201}
                async with http.get(server.url + f"/readyz?code={SECRET}") as ready:
                    assert ready.status == 200
            deadline = time.monotonic() + 60
            while not slack.posts("DU1"):
                assert time.monotonic() < deadline, server.output()[-3000:]
                await asyncio.sleep(0.2)
        finally:
            server.stop()
        assert connector.activities  # both platforms answered
        assert SECRET in await _stored_sessions(database_url)  # through the database driver
        log = server.output()
        for secret in (SECRET, TOKEN, SIGNING, "code="):
            assert secret not in log, _lines_with(log, secret)
        assert "serving on" in log and "GET /readyz 200" in log  # logging was on


async def _stored_sessions(url: str) -> str:
    engine = create_engine(url)
    async with engine.connect() as connection:
        rows = (await connection.execute(select(DialogSessionRow.session))).scalars().all()
    await engine.dispose()
    return json.dumps(rows, ensure_ascii=False)


def _lines_with(log: str, secret: str) -> str:
    return "\n".join(line[:300] for line in log.splitlines() if secret in line)[:3000]


def test_only_our_own_loggers_go_below_info() -> None:
    """Also libraries we did not list, such as Bolt's app loggers (named after the file that
    created the app, given the root's level when they are created)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging(Settings(LEERBOT_LOG_LEVEL="DEBUG"))
        assert logging.getLogger("bot.workers").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("dialogs.conductor").isEnabledFor(logging.DEBUG)
        for name in ("aiosqlite", "asyncpg", "sqlalchemy.engine.Engine", "sqlalchemy.pool",
                     "slack_sdk.web.async_base_client", "slack_bolt.AsyncApp",
                     "msrest.http_logger", "aiohttp.client", "urllib3.connectionpool",
                     "some.library.nobody.listed"):
            assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name
        assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)
        assert root.getEffectiveLevel() == logging.INFO  # what a new logger copies (Bolt)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name in ("bot", "dialogs", "engine", "knowledge"):
            logging.getLogger(name).setLevel(logging.NOTSET)


async def test_an_anonymous_question_over_slack_leaves_no_trace_in_the_debug_log(
        database_url: str, tmp_path: Path) -> None:
    """The database drivers and SQLAlchemy would print the question's INSERT and, moments
    later, statements naming the asker: at DEBUG neither the question nor the asker shows."""
    from urllib.parse import urlencode

    from tests.fakes import sign
    from tests.test_slack import block_action, buttons

    question = f"Hoe zeg ik nee tegen overwerk zonder {SECRET}?"
    async with FakeSlack() as slack:
        env = {**os.environ, "LEERBOT_DATABASE_URL": database_url, "LEERBOT_LOG_LEVEL": "DEBUG",
               "LEERBOT_ACCESS_LOG": "true", "SLACK_BOT_TOKEN": TOKEN,
               "SLACK_SIGNING_SECRET": SIGNING, "SLACK_API_URL": slack.url,
               "PYTHONUNBUFFERED": "1"}
        server = Served(env, tmp_path / "anonymous.log")

        async def answered(count: int) -> dict[str, Any]:
            deadline = time.monotonic() + 60
            while len(slack.posts("UASKER7") + slack.posts("DUASKER7")) < count:
                assert time.monotonic() < deadline, server.output()[-3000:]
                await asyncio.sleep(0.1)
            return (slack.posts("UASKER7") + slack.posts("DUASKER7"))[-1]

        async def press(post: dict[str, Any], value: str, trigger: str) -> None:
            element = next(b for b in buttons(post) if b["value"] == value)
            raw = urlencode({"payload": json.dumps(block_action(element, "UASKER7",
                                                                trigger=trigger))})
            async with aiohttp.ClientSession() as http, http.post(
                    server.url + "/slack/events", data=raw, headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        **sign(SIGNING, raw)}) as response:
                assert response.status == 200

        try:
            await server.ready()
            assert await server.post_slack(event("hulpvraag stellen", "EvA1", "UASKER7"),
                                           SIGNING) == 200
            await answered(1)
            assert await server.post_slack(event(question, "EvA2", "UASKER7"), SIGNING) == 200
            await press(await answered(2), "yes", "T-a1")  # anonymous
            await press(await answered(3), "yes", "T-a2")  # post it
            assert "anoniem" in json.dumps(await answered(4), ensure_ascii=False)
        finally:
            server.stop()
    log = server.output()
    for trace in (SECRET, "UASKER7", "overwerk"):
        assert trace not in log, _lines_with(log, trace)
    assert "POST /slack/events 200" in log  # logging was on
