"""Slack and Microsoft Teams endpoints under load: requests per second, ack latency and server
CPU per request of a dialog turn, next to a bare Bolt app (ack only), a bare botbuilder echo
bot and a bare Microsoft 365 Agents SDK echo agent measured in the same run, each server in its
own process, the platforms faked on 127.0.0.1. A Teams turn is measured on both transports
(LEERBOT_TEAMS_SDK=botbuilder and agents), each against its own SDK's bare echo.

Whole Slack turns (event received, dialog run, reply posted to the fake Web API) are measured
against a bare Bolt echo that acks and posts a reply: throughput at saturation, then the turn's
latency (request sent to reply posted) at half of that rate, open loop.

    .venv/bin/python bench/channels.py [--requests 2000] [--concurrency 16] [--rounds 5]
                                       [--database URL] [--only slack|msteams]

Targets: our cost per turn at most 2x the bare framework's, including our state persistence
(the Slack event is stored before the ack; the Teams turn is run and answered); a whole Slack
turn at least half the bare echo's throughput, p99 under 100 ms at half of saturation.
Every server is warmed up first; the two Slack acks are measured in alternating rounds and the
median is reported, so a change in the machine's load hits both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


POSTS = {"count": 0}
#: when each Slack turn in flight was sent, per DM channel (FIFO): its reply ends the turn
SENT: dict[str, deque[float]] = defaultdict(deque)
TURNS: list[float] = []  # whole-turn latencies, ms


async def fake_platforms() -> tuple[web.AppRunner, str]:
    """A Slack Web API and a Bot Framework connector that answer everything with ok."""
    async def slack(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "chat.postMessage":
            POSTS["count"] += 1
            arguments = await request.post() if request.content_type != "application/json" \
                else await request.json()
            waiting = SENT.get(str(arguments.get("channel", "")))
            if waiting:
                TURNS.append((time.perf_counter() - waiting.popleft()) * 1000)
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": "DBENCH"}})
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": "UBOT", "bot_id": "B",
                                      "team_id": "T1"})
        return web.json_response({"ok": True, "ts": "1.0", "channel": "DBENCH",
                                  "user": {"locale": "nl-NL"}})

    async def connector(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"id": "a1"})

    app = web.Application()
    app.router.add_route("*", "/api/{method}", slack)
    app.router.add_post("/v3/conversations/{c}/activities", connector)
    app.router.add_post("/v3/conversations/{c}/activities/{r}", connector)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


async def wait_ready(url: str, process: subprocess.Popen[bytes] | None = None) -> bool:
    """Whether the server at ``url`` answers within a minute (False at once when its
    ``process`` has ended)."""
    async with aiohttp.ClientSession() as session:
        for _ in range(600):  # a minute: a busy machine starts four servers at once
            if process is not None and process.poll() is not None:
                return False
            try:
                async with session.post(url, data=b"{}") as response:
                    await response.read()  # any answer: it listens (the bare Agents SDK
                    return True            # echo answers an empty body with a 500)
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    return False


def signed(body: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
    return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={digest.hexdigest()}"}


def slack_event(user: int) -> tuple[str, dict[str, str]]:
    body = json.dumps({"token": "x", "team_id": "T1", "api_app_id": "A1",
                       "type": "event_callback", "event_id": f"Ev{uuid.uuid4().hex}",
                       "event_time": int(time.time()),
                       "event": {"type": "message", "channel_type": "im", "channel": f"D{user}",
                                 "user": f"U{user}", "text": "menu",
                                 "ts": f"{time.time():.6f}"}})
    return body, signed(body)


def slack_click(user: int) -> tuple[str, dict[str, str]]:
    """A button press in a dialog (block_actions, form-encoded like Slack sends it)."""
    payload = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": f"U{user}"},
               "api_app_id": "A1", "token": "x", "trigger_id": f"{uuid.uuid4().hex}",
               "channel": {"id": f"D{user}"},
               "actions": [{"action_id": "lb:leerhulp:onderwerp:1:choice:0", "type": "button",
                            "value": "presenteren", "block_id": "b",
                            "action_ts": f"{time.time():.6f}"}]}
    body = urlencode({"payload": json.dumps(payload)})
    return body, {**signed(body), "Content-Type": "application/x-www-form-urlencoded"}


def msteams_activity(user: int, service_url: str) -> tuple[str, dict[str, str]]:
    body = json.dumps({"type": "message", "id": uuid.uuid4().hex, "serviceUrl": service_url,
                       "channelId": "msteams", "locale": "nl-NL", "text": "menu",
                       "from": {"id": f"29:{user}", "aadObjectId": f"aad-{user}"},
                       "conversation": {"id": f"a:{user}", "conversationType": "personal"},
                       "recipient": {"id": "28:bot"},
                       "channelData": {"tenant": {"id": "tenant-1"}}})
    return body, {"Content-Type": "application/json"}


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system, all threads) a process has used so far; None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(url: str, make: Any, requests: int, concurrency: int,
               pid: int | None = None) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        for number in counter:
            body, headers = make(number % 200)
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status >= 300:
                    errors += 1
            latencies.append((time.perf_counter() - started) * 1000)

    cpu_before = cpu_seconds(pid) if pid else None
    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    cpu_after = cpu_seconds(pid) if pid else None
    latencies.sort()
    cpu = (cpu_after - cpu_before) / requests * 1000 \
        if cpu_before is not None and cpu_after is not None else float("nan")
    return {"rps": requests / elapsed, "p50": latencies[len(latencies) // 2],
            "p99": latencies[int(len(latencies) * 0.99)], "mean": statistics.fmean(latencies),
            "errors": errors, "cpu_ms": cpu}


async def turns_at_rate(url: str, rate: float, requests: int) -> dict[str, float]:
    """Open loop: one Slack message every 1/rate s, to 200 users in turn; the latency of each
    whole turn, from sending the event until its reply is posted."""
    TURNS.clear()
    SENT.clear()
    started = time.perf_counter()

    async def one(number: int, session: aiohttp.ClientSession) -> None:
        await asyncio.sleep(max(0.0, started + number / rate - time.perf_counter()))
        body, headers = slack_event(number % 200)
        SENT[f"D{number % 200}"].append(time.perf_counter())
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(one(number, session) for number in range(requests)))
    deadline = time.perf_counter() + 60
    while len(TURNS) < requests and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    done = sorted(TURNS)
    if not done:
        return {"rate": rate, "p50": float("nan"), "p99": float("nan"), "answered": 0}
    return {"rate": rate, "p50": done[len(done) // 2], "p99": done[int(len(done) * 0.99)],
            "answered": len(done)}


async def on_postgres_server(url: str, statements: list[str]) -> None:
    """Run administrative statements (CREATE / DROP DATABASE) on the server of ``url``."""
    import asyncpg

    admin = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        for statement in statements:
            await admin.execute(statement)
    finally:
        await admin.close()


def dropping(names: list[str]) -> list[str]:
    return [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in names]


def median_row(rows: list[dict[str, float]]) -> dict[str, float]:
    """The round with the median throughput."""
    return sorted(rows, key=lambda row: row["rps"])[len(rows) // 2]


async def drained(expected: int, timeout: float = 120.0) -> float:
    """Seconds until the fake Slack received ``expected`` messages (all turns answered)."""
    started = time.perf_counter()
    while POSTS["count"] < expected and time.perf_counter() - started < timeout:
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


def start(command: list[str], env: dict[str, str],
          log: Path | None = None) -> subprocess.Popen[bytes]:
    """A server in its own process; what it writes goes to ``log`` (or nowhere)."""
    output = log.open("ab") if log is not None else subprocess.DEVNULL
    try:
        return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env},
                                stdout=output, stderr=output)
    finally:
        if log is not None:
            output.close()  # type: ignore[union-attr]


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5, help="alternating Slack ack rounds")
    parser.add_argument("--warmup", type=int, default=300, help="requests before measuring")
    parser.add_argument("--database", default=None,
                        help="a PostgreSQL URL: the bench creates (and drops) two databases "
                             "on that server; default: fresh SQLite files")
    parser.add_argument("--only", choices=sorted(PARTS), default=None,
                        help="measure one platform only (and start only its servers)")
    return parser.parse_args()


BENCH_DATABASES = ["leerbot_bench_acks", "leerbot_bench_full", "leerbot_bench_agents"]


async def databases(args: argparse.Namespace, folder: str) -> tuple[str, str, str]:
    """The URLs of the ack-only replica's, the full server's and the full server on the Agents
    SDK's databases: each server its own, or one with workers would work another's inbox."""
    if not args.database:
        return (f"sqlite+aiosqlite:///{folder}/acks.db", f"sqlite+aiosqlite:///{folder}/full.db",
                f"sqlite+aiosqlite:///{folder}/agents.db")
    await on_postgres_server(args.database, dropping(BENCH_DATABASES) + [
        f'CREATE DATABASE "{name}"' for name in BENCH_DATABASES])
    base = args.database.rsplit("/", 1)[0]
    acks, full, agents = (f"{base}/{name}" for name in BENCH_DATABASES)
    return acks, full, agents


@dataclass
class Servers:
    """The servers under test, each in its own process, and their endpoints."""

    processes: dict[str, subprocess.Popen[bytes]]
    ports: dict[str, int]
    fake: str
    #: the command line and environment of a server on a port
    command: Any
    #: where each server's output goes (``<name>.log``)
    logs: Path

    def launch(self, name: str) -> None:
        self.ports[name] = free_port()
        self.processes[name] = start(*self.command(name, self.ports[name]),
                                     log=self.logs / f"{name}.log")

    async def ready(self) -> None:
        """Wait until every server answers. A server that ended while starting (its port was
        taken by another program between choosing it and binding it) starts again on
        another port, up to three times."""
        for name in self.processes:
            for _ in range(3):
                path = "/api/messages" if name in TEAMS_ROWS else "/slack/events"
                if await wait_ready(self.url(name, path), self.processes[name]):
                    break
                self.launch(name)
            else:
                raise RuntimeError(f"the {name} server did not start")

    def url(self, name: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}{path}"

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def msteams_turn(self, user: int) -> tuple[str, dict[str, str]]:
        return msteams_activity(user, self.fake + "/")

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            process.wait(timeout=10)


#: the servers each platform's measurements need
PARTS = {"slack": ("acks", "full", "bolt", "echo"),
         "msteams": ("full", "msteams", "full-agents", "agents")}


def start_servers(fake: str, folder: str, acks_db: str, full_db: str,
                  agents_db: str, only: str | None = None) -> Servers:
    python = sys.executable
    leerbot = str(Path(python).parent / "leerbot")
    env = {"LEERBOT_DATA_DIR": folder, "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_API_URL": f"{fake}/api/",
           "LEERBOT_TEAMS_EMULATOR": "1"}

    def command(name: str, port: int) -> tuple[list[str], dict[str, str]]:
        return {
            # a receiving replica only (workers elsewhere): the ack path
            "acks": ([leerbot, "serve", "--port", str(port), "--no-workers"], {
                **env, "LEERBOT_DATABASE_URL": acks_db}),
            # one process doing everything: receive, run turns, send answers
            "full": ([leerbot, "serve", "--port", str(port)], {
                **env, "LEERBOT_DATABASE_URL": full_db}),
            "bolt": ([python, "bench/bare_servers.py", "bolt", str(port), f"{fake}/api/"], {}),
            "echo": ([python, "bench/bare_servers.py", "bolt-echo", str(port),
                      f"{fake}/api/"], {}),
            "msteams": ([python, "bench/bare_servers.py", "msteams", str(port)], {}),
            # the same as "full", Teams on the Microsoft 365 Agents SDK
            "full-agents": ([leerbot, "serve", "--port", str(port)], {
                **env, "LEERBOT_DATABASE_URL": agents_db, "LEERBOT_TEAMS_SDK": "agents"}),
            "agents": ([python, "bench/bare_servers.py", "agents", str(port)], {}),
        }[name]

    wanted = PARTS[only] if only else ("acks", "full", "bolt", "echo", "msteams",
                                       "full-agents", "agents")
    servers = Servers({}, {}, fake, command, Path(folder))
    for name in wanted:
        servers.launch(name)
    return servers


async def warm_up(servers: Servers, args: argparse.Namespace) -> None:
    slack_urls = [servers.url(name, "/slack/events") for name in ("bolt", "acks", "echo")
                  if name in servers.processes]
    msteams_urls = [servers.url(name, "/api/messages") for name in TEAMS_ROWS
                    if name in servers.processes]
    await servers.ready()
    for url in slack_urls:
        await load(url, slack_event, args.warmup, args.concurrency)
        await load(url, slack_click, args.warmup, args.concurrency)
    for url in msteams_urls:
        await load(url, servers.msteams_turn, max(args.warmup // 10, 10), args.concurrency)


async def measure_slack_acks(servers: Servers,
                             args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """Bare Bolt and our ack, in alternating rounds; the median round of each."""
    rows = {}
    for kind, make in (("message", slack_event), ("button", slack_click)):
        bare_rounds, ours_rounds = [], []
        for _ in range(args.rounds):
            bare_rounds.append(await load(servers.url("bolt", "/slack/events"), make,
                                          args.requests, args.concurrency, servers.pid("bolt")))
            ours_rounds.append(await load(servers.url("acks", "/slack/events"), make,
                                          args.requests, args.concurrency, servers.pid("acks")))
        rows[f"slack {kind}: bare Bolt (ack only)"] = median_row(bare_rounds)
        rows[f"slack {kind}: leerbot ack (stored first)"] = median_row(ours_rounds)
    return rows


async def saturated_turns(url: str, pid: int, args: argparse.Namespace
                          ) -> tuple[dict[str, float], float]:
    """Whole Slack turns as fast as they go (closed loop), until every answer is posted."""
    before = POSTS["count"]
    started = time.perf_counter()
    row = await load(url, slack_event, args.requests, args.concurrency, pid)
    await drained(before + args.requests)
    return row, args.requests / (time.perf_counter() - started)


async def measure_full_slack_turns(servers: Servers, args: argparse.Namespace
                                   ) -> dict[str, dict[str, float]]:
    """Whole turns of the bare Bolt echo and of Leerbot: saturation, then half of it."""
    rows = {}
    for name, label in (("echo", "bare Bolt echo (ack + post)"), ("full", "leerbot")):
        url = servers.url(name, "/slack/events")
        _, saturation = await saturated_turns(url, servers.pid(name), args)
        half = await turns_at_rate(url, saturation / 2, args.requests // 2)
        rows[label] = {"turns_per_second": saturation, **half}
    return rows


async def measure_slack_turns(servers: Servers, args: argparse.Namespace
                              ) -> tuple[dict[str, dict[str, float]], float]:
    """Whole Slack turns in one process, until every answer is posted."""
    row, turns_per_second = await saturated_turns(servers.url("full", "/slack/events"),
                                                  servers.pid("full"), args)
    return {"slack message: leerbot, turns in same process": row}, turns_per_second


async def measure_msteams_turns(servers: Servers,
                                args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """Teams turns on the four servers, in alternating rounds; of each, the round with the
    median CPU per turn (a change in the machine's load hits all four alike)."""
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in TEAMS_ROWS}
    for _ in range(args.rounds):
        for name in TEAMS_ROWS:
            rounds[name].append(await load(servers.url(name, "/api/messages"),
                                           servers.msteams_turn, args.requests,
                                           args.concurrency, servers.pid(name)))
    return {label: sorted(rounds[name], key=lambda row: row["cpu_ms"])[args.rounds // 2]
            for name, label in TEAMS_ROWS.items()}


#: the Teams servers measured, and their rows
TEAMS_ROWS = {"msteams": "msteams: bare botbuilder echo",
              "full": "msteams: leerbot on botbuilder (turn + card)",
              "agents": "msteams: bare Agents SDK echo",
              "full-agents": "msteams: leerbot on the Agents SDK (turn + card)"}


def report_full_turns(full: dict[str, dict[str, float]]) -> None:
    print("  whole slack turns (event in, dialog run, reply posted):")
    for label, row in full.items():
        print(f"    {label:<30} {row['turns_per_second']:6.0f} turns/s at saturation; at "
              f"{row['rate']:.0f}/s: p50 {row['p50']:6.1f} ms, p99 {row['p99']:6.1f} ms "
              f"({row['answered']:.0f} answered)")
    bare, ours = full["bare Bolt echo (ack + post)"], full["leerbot"]
    print(f"    leerbot: {ours['turns_per_second'] / bare['turns_per_second']:.2f}x the bare "
          f"echo's throughput (target >= 0.5), p99 {ours['p99']:.1f} ms at half of "
          "saturation (target < 100 ms)")


def report(rows: dict[str, dict[str, float]], turns_per_second: float | None,
           args: argparse.Namespace, database: str) -> None:
    print(f"{args.requests} requests each, concurrency {args.concurrency}, {database}, "
          f"each server in its own process; Slack acks and Teams turns: median of "
          f"{args.rounds} alternating rounds")
    for name, row in rows.items():
        print(f"  {name:<50} {row['rps']:7.0f} req/s  p50 {row['p50']:6.1f} ms  "
              f"p99 {row['p99']:6.1f} ms  cpu {row['cpu_ms']:5.3f} ms/req  "
              f"errors {row['errors']:.0f}")
    if turns_per_second is not None:
        print(f"  slack: full turns answered (received, run, posted): {turns_per_second:.0f} "
              "turns/s")
    for kind in ("message", "button") if args.only != "msteams" else ():
        bare = rows[f"slack {kind}: bare Bolt (ack only)"]
        ours = rows[f"slack {kind}: leerbot ack (stored first)"]
        print(f"  cost per ack, slack {kind}: {bare['rps'] / ours['rps']:.2f}x the bare Bolt "
              f"ack in throughput, {ours['cpu_ms'] / bare['cpu_ms']:.2f}x in server CPU per "
              "request")
    pairs = {"botbuilder": ("msteams", "full"), "Agents SDK": ("agents", "full-agents")}
    for sdk, (bare_name, ours_name) in pairs.items() if args.only != "slack" else ():
        bare, ours = rows[TEAMS_ROWS[bare_name]], rows[TEAMS_ROWS[ours_name]]
        print(f"  cost per turn, msteams on {sdk}: leerbot {ours['cpu_ms']:.3f} ms CPU, bare "
              f"echo {bare['cpu_ms']:.3f} ms: {ours['cpu_ms'] / bare['cpu_ms']:.2f}x in server "
              f"CPU per turn (target <= 1x), {bare['rps'] / ours['rps']:.2f}x in throughput")


async def main() -> None:
    args = arguments()
    runner, fake = await fake_platforms()
    folder = tempfile.mkdtemp()
    acks_db, full_db, agents_db = await databases(args, folder)
    servers = start_servers(fake, folder, acks_db, full_db, agents_db, args.only)
    rows: dict[str, dict[str, float]] = {}
    turns_per_second: float | None = None
    full: dict[str, dict[str, float]] = {}
    try:
        await warm_up(servers, args)
        if args.only != "msteams":
            rows.update(await measure_slack_acks(servers, args))
            slack_turns, turns_per_second = await measure_slack_turns(servers, args)
            rows.update(slack_turns)
        if args.only != "slack":
            rows.update(await measure_msteams_turns(servers, args))
        if args.only != "msteams":
            full = await measure_full_slack_turns(servers, args)
    except Exception:
        print(f"the servers' output is in {folder}/*.log", file=sys.stderr)
        raise
    finally:
        servers.stop()
        await runner.cleanup()
        if args.database:
            await on_postgres_server(args.database, dropping(BENCH_DATABASES))
    database = "PostgreSQL" if acks_db.startswith("postgresql") else "SQLite"
    report(rows, turns_per_second, args, database)
    if full:
        report_full_turns(full)


if __name__ == "__main__":
    asyncio.run(main())
