"""What a turn costs, counted rather than timed (so the machine's load does not blur it): SQL
statements and transactions per turn, and Python function calls per turn (cProfile).

1. an in-process console turn (``Conductor.handle``), the SCRIPT of ``bench/turns.py``;
2. a whole Slack turn in process: a signed event through the real aiohttp server (stored
   before the ack), the inbox worker's claim and turn, the delivery worker's claim, post to a
   fake Web API on 127.0.0.1, and its marks; one at a time, then 50 users at once (the
   workers' batches and group commits share the cost, as under load).

    .venv/bin/python bench/turn_cost.py [--turns 200] [--database URL]

Statements are counted on the runtime's engine (SQLite's trace callback, on PostgreSQL
SQLAlchemy's ``before_cursor_execute``); the
Slack event's insert before the ack goes through the group commit's own connection on SQLite
(one INSERT and one COMMIT per batch, not counted here), through the engine on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from bench.channels import dropping, on_postgres_server  # noqa: E402
from bench.turns import CONSOLE, SCRIPT  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.server import CHANNELS, build_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from dialogs.kit import Incoming, SessionKey  # noqa: E402
from tests.fakes import FakeSlack, sign  # noqa: E402

SECRET = "bench-secret"
BENCH_DATABASE = "leerbot_bench_cost"
LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


class Counts:
    """Statements by their first word, and commits, on one engine. On SQLite every statement
    SQLite runs is counted (its trace callback): the prepared statements of every turn go to
    the driver without SQLAlchemy's events; an executemany counts once per row, and a
    transaction that only read ends without a COMMIT. On PostgreSQL SQLAlchemy's events count
    them."""

    def __init__(self, runtime: Runtime) -> None:
        self.statements: Counter[str] = Counter()
        self.log: list[str] | None = None
        self.commits = 0
        self.on = False
        engine = runtime.engine.sync_engine
        if engine.dialect.name == "sqlite":
            TRACED.append(self)

            @event.listens_for(engine, "checkout")
            def traced(dbapi_connection: Any, *args: Any) -> None:
                sqlite = dbapi_connection.driver_connection._conn
                sqlite.set_trace_callback(trace)
            return

        @event.listens_for(engine, "before_cursor_execute")
        def executed(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            self.count(statement)

        @event.listens_for(engine, "commit")
        def committed(conn: Any) -> None:
            self.count("COMMIT")

    def traced(self, statement: str) -> None:
        """SQLite gives the statement with its values in it: they become ? again."""
        if not statement.startswith(("BEGIN", "PRAGMA")):
            self.count(LITERALS.sub("?", statement))

    def count(self, statement: str) -> None:
        if not self.on:
            return
        if statement.strip().upper() == "COMMIT":
            self.commits += 1
        else:
            self.statements[statement.split(None, 1)[0].upper()] += 1
        if self.log is not None:
            self.log.append(" ".join(statement.split())[:150])

    def per(self, turns: int) -> str:
        total = sum(self.statements.values())
        kinds = ", ".join(f"{k} {n / turns:.2f}" for k, n in sorted(self.statements.items()))
        return (f"{total / turns:.2f} statements ({kinds}), "
                f"{self.commits / turns:.2f} commits per turn")


#: every Counts on SQLite: a connection has one trace callback, which tells them all
TRACED: list[Counts] = []


def trace(statement: str) -> None:
    for counts in TRACED:
        counts.traced(statement)


def calls(profile: cProfile.Profile) -> int:
    return sum(row[1] for row in pstats.Stats(profile).stats.values())  # type: ignore[attr-defined]


def show(counts: Counts, label: str) -> None:
    print(f"  the statements of one {label}:")
    for line in counts.log or []:
        print(f"    {line}")
    counts.log = None


async def console(runtime: Runtime, turns: int, showing: bool) -> None:
    counts = Counts(runtime)
    texts = [SCRIPT[n % len(SCRIPT)] for n in range(turns)]

    async def run(prefix: str) -> None:
        for number, text in enumerate(texts):
            key = SessionKey(channel="console", workspace="bench", user=f"{prefix}{number % 7}",
                             conversation="c")
            await runtime.conductor.handle(Incoming(key=key, text=text), CONSOLE)

    await run("warm")
    counts.on = True
    profile = cProfile.Profile()
    profile.enable()
    await run("u")
    profile.disable()
    counts.on = False
    print(f"console turn: {counts.per(turns)}")
    print(f"  {calls(profile) / turns:,.0f} Python calls per turn")
    if showing:
        counts.on, counts.log = True, []
        key = SessionKey(channel="console", workspace="bench", user="u1", conversation="c")
        await runtime.conductor.handle(Incoming(key=key, text="help"), CONSOLE)
        show(counts, "console turn (help)")


def slack_event(user: int, text: str, number: int) -> str:
    return json.dumps({
        "token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
        "event_id": f"Ev{user}-{number}-{time.time_ns()}", "event_time": int(time.time()),
        "event": {"type": "message", "channel_type": "im", "channel": f"D{user}",
                  "user": f"U{user}", "text": text, "ts": f"{time.time():.6f}"}})


async def slack(settings: Settings, turns: int, showing: bool) -> None:
    async with FakeSlack() as fake:
        settings = settings.model_copy(update={"slack_api_url": fake.url})
        runtime = await Runtime.start(settings)
        counts = Counts(runtime)
        app = build_app(runtime, webchat_enabled=False, workers=False)
        try:
            async with TestClient(TestServer(app, host="127.0.0.1")) as client:
                channels = app[CHANNELS]

                async def one(user: int, number: int) -> None:
                    raw = slack_event(user, "menu" if number % 2 else "help", number)
                    response = await client.post("/slack/events", data=raw, headers={
                        "Content-Type": "application/json", **sign(SECRET, raw)})
                    assert response.status == 200
                    await channels.inbox.drain()
                    await channels.deliveries.drain()

                for number in range(20):
                    await one(number % 5, number)
                counts.on = True
                profile = cProfile.Profile()
                profile.enable()
                for number in range(turns):
                    await one(number % 5, number)
                profile.disable()
                counts.on = False
                burst = Counts(runtime)
                burst.on, burst.log = True, ([] if showing else None)
                profile_burst = cProfile.Profile()
                profile_burst.enable()
                for number in range(0, turns, 50):  # 50 users at once, as under load
                    await asyncio.gather(*(client.post("/slack/events", data=raw, headers={
                        "Content-Type": "application/json", **sign(SECRET, raw)})
                        for raw in [slack_event(100 + user, "menu", number)
                                    for user in range(50)]))
                    await channels.inbox.drain()
                    await channels.deliveries.drain()
                profile_burst.disable()
                burst.on = False
                turns_burst = (turns + 49) // 50 * 50
                if showing:
                    counts.log = []
                    counts.on = True
                    await one(1, turns + 1)
                    counts.on = False
                await channels.deliveries.marks.close()
        finally:
            await runtime.close()
    print(f"whole Slack turn (one at a time): {counts.per(turns)}")
    print(f"  {calls(profile) / turns:,.0f} Python calls per turn (server, workers and the fake "
          "Web API in one process)")
    print(f"whole Slack turns, 50 at once: {burst.per(turns_burst)}")
    print(f"  {calls(profile_burst) / turns_burst:,.0f} Python calls per turn")
    if showing:
        print("  their statements, by kind, per turn:")
        for line, count in Counter(line[:90] for line in burst.log or []).most_common():
            print(f"    {count / turns_burst:5.2f}  {line}")
    if showing:
        show(counts, "whole Slack turn (menu)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--show", action="store_true",
                        help="print the statements of one turn of each kind")
    parser.add_argument("--database", default=None,
                        help="a PostgreSQL URL: the bench creates (and drops) a database of "
                             "its own on that server (default: SQLite in a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/cost.db"
        if args.database:  # a database of its own on that server, dropped afterwards
            await on_postgres_server(args.database, [*dropping([BENCH_DATABASE]),
                                                     f'CREATE DATABASE "{BENCH_DATABASE}"'])
            url = f"{args.database.rsplit('/', 1)[0]}/{BENCH_DATABASE}"
        settings = Settings(database_url=url, data_dir=Path(folder),
                            SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN="xoxb-bench")
        try:
            runtime = await Runtime.start(settings)
            try:
                await console(runtime, args.turns, args.show)
            finally:
                await runtime.close()
            await slack(settings, args.turns, args.show)
        finally:
            if args.database:
                await on_postgres_server(args.database, dropping([BENCH_DATABASE]))


if __name__ == "__main__":
    asyncio.run(main())
