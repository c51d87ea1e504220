"""Slack and Teams endpoints under load: requests per second and ack latency of a dialog
turn, next to a bare Bolt app (ack only) and a bare botbuilder echo bot measured in the same
run, each server in its own process, the platforms faked on 127.0.0.1.

    .venv/bin/python bench/channels.py [--requests 1000] [--concurrency 16]

Target (issue 4): our cost per turn at most 2x the bare framework's, including our state
persistence (the Slack event is stored before the ack; the Teams turn is run and answered).
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
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


POSTS = {"count": 0}


async def fake_platforms() -> tuple[web.AppRunner, str]:
    """A Slack Web API and a Bot Framework connector that answer everything with ok."""
    async def slack(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "chat.postMessage":
            POSTS["count"] += 1
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


async def wait_ready(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.post(url, data=b"{}") as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


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


def teams_activity(user: int, service_url: str) -> tuple[str, dict[str, str]]:
    body = json.dumps({"type": "message", "id": uuid.uuid4().hex, "serviceUrl": service_url,
                       "channelId": "msteams", "locale": "nl-NL", "text": "menu",
                       "from": {"id": f"29:{user}", "aadObjectId": f"aad-{user}"},
                       "conversation": {"id": f"a:{user}", "conversationType": "personal"},
                       "recipient": {"id": "28:bot"},
                       "channelData": {"tenant": {"id": "tenant-1"}}})
    return body, {"Content-Type": "application/json"}


async def load(url: str, make: Any, requests: int, concurrency: int) -> dict[str, float]:
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

    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"rps": requests / elapsed, "p50": latencies[len(latencies) // 2],
            "p99": latencies[int(len(latencies) * 0.99)], "mean": statistics.fmean(latencies),
            "errors": errors}


async def drained(expected: int, timeout: float = 120.0) -> float:
    """Seconds until the fake Slack received ``expected`` messages (all turns answered)."""
    started = time.perf_counter()
    while POSTS["count"] < expected and time.perf_counter() - started < timeout:
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    runner, fake = await fake_platforms()
    folder = tempfile.mkdtemp()
    web_port, full_port, bolt_port, teams_port = (free_port() for _ in range(4))
    python = sys.executable
    leerbot = str(Path(python).parent / "leerbot")
    env = {"LEERBOT_DATA_DIR": folder, "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_API_URL": f"{fake}/api/"}
    processes = [
        # a receiving replica only (workers elsewhere): the ack path
        start([leerbot, "serve", "--port", str(web_port), "--no-workers"], {
            **env, "LEERBOT_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/acks.db"}),
        # one process doing everything: receive, run turns, send answers
        start([leerbot, "serve", "--port", str(full_port)], {
            **env, "LEERBOT_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/full.db"}),
        start([python, "bench/bare_servers.py", "bolt", str(bolt_port), f"{fake}/api/"], {}),
        start([python, "bench/bare_servers.py", "teams", str(teams_port)], {}),
    ]
    local = "http://127.0.0.1:{}".format
    try:
        for port, path in ((web_port, "/slack/events"), (full_port, "/slack/events"),
                           (bolt_port, "/slack/events"), (teams_port, "/api/messages")):
            await wait_ready(local(port) + path)
        rows = {
            "slack: bare Bolt (ack only)": await load(
                local(bolt_port) + "/slack/events", slack_event, args.requests,
                args.concurrency),
            "slack: leerbot ack (event stored first)": await load(
                local(web_port) + "/slack/events", slack_event, args.requests,
                args.concurrency),
        }
        before = POSTS["count"]
        started = time.perf_counter()
        rows["slack: leerbot ack, turns in same process"] = await load(
            local(full_port) + "/slack/events", slack_event, args.requests, args.concurrency)
        await drained(before + args.requests)
        turns_per_second = args.requests / (time.perf_counter() - started)
        rows["teams: bare botbuilder echo"] = await load(
            local(teams_port) + "/api/messages", lambda u: teams_activity(u, fake + "/"),
            args.requests, args.concurrency)
        rows["teams: leerbot (turn + card reply)"] = await load(
            local(full_port) + "/api/messages", lambda u: teams_activity(u, fake + "/"),
            args.requests, args.concurrency)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
        await runner.cleanup()
    print(f"{args.requests} requests each, concurrency {args.concurrency}, SQLite, "
          "each server in its own process")
    for name, row in rows.items():
        print(f"  {name:<44} {row['rps']:7.0f} req/s  p50 {row['p50']:6.1f} ms  "
              f"p99 {row['p99']:6.1f} ms  errors {row['errors']}")
    print(f"  slack: full turns answered (received, run, posted): {turns_per_second:.0f} turns/s")
    slack_ratio = (rows["slack: bare Bolt (ack only)"]["rps"]
                   / rows["slack: leerbot ack (event stored first)"]["rps"])
    teams_ratio = (rows["teams: bare botbuilder echo"]["rps"]
                   / rows["teams: leerbot (turn + card reply)"]["rps"])
    print(f"  cost per ack, slack: {slack_ratio:.2f}x the bare Bolt ack")
    print(f"  cost per turn, teams: {teams_ratio:.2f}x the bare botbuilder echo")


if __name__ == "__main__":
    asyncio.run(main())
