"""How long a Slack event waits for a worker when one replica stores it and another works it,
on PostgreSQL: woken by LISTEN/NOTIFY (LEERBOT_WAKEUPS=true, bot/wakeups.py) or found by the
workers' poll (LEERBOT_WAKEUPS=false, once a second).

    .venv/bin/python bench/wakeup.py [--database postgresql://postgres@127.0.0.1:5432/test]
        [--events 40]

Two `leerbot serve` processes share a fresh database: one with ``--no-workers`` receives the
events, the other only works. Events come one at a time, a random 50 to 350 ms apart (so they
fall anywhere in a poll); the time from the acknowledgement to the reply's arrival at the fake
Slack is printed per mode (median, 90th percentile, worst). The bench creates and drops its
databases on the server of ``--database``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.channels import dropping, on_postgres_server  # noqa: E402
from tests.fakes import FakeSlack  # noqa: E402
from tests.processes import Served  # noqa: E402
from tests.test_slack import event  # noqa: E402

SECRET = "bench-wakeup-secret"


class TimedSlack(FakeSlack):
    """The fake Slack, noting when each direct message's reply arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.replied: dict[str, float] = {}

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "chat.postMessage":
            self.replied.setdefault(str(args.get("channel")), time.monotonic())
        return super().answer(method, args)


async def one_mode(url: str, wakeups: bool, events: int, logs: Path) -> list[float]:
    """Seconds from acknowledgement to reply, per event."""
    name = f"leerbot_bench_{uuid.uuid4().hex[:8]}"
    await on_postgres_server(url, [f'CREATE DATABASE "{name}"'])
    database = url.rsplit("/", 1)[0] + f"/{name}"
    latencies: list[float] = []
    try:
        async with TimedSlack() as slack:
            env = {**os.environ, "LEERBOT_DATABASE_URL": database,
                   "LEERBOT_WAKEUPS": str(wakeups).lower(), "SLACK_SIGNING_SECRET": SECRET,
                   "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_API_URL": slack.url}
            receiver = Served(env, logs / f"receiver-{wakeups}.log", "--no-workers")
            worker = Served(env, logs / f"worker-{wakeups}.log")
            try:
                await receiver.ready()
                await worker.ready()
                await asyncio.sleep(2)  # the worker listens (or polls) by now
                latencies = await send_events(receiver, slack, events)
            finally:
                receiver.stop()
                worker.stop()
    finally:
        await on_postgres_server(url, dropping([name]))
    return latencies


async def send_events(receiver: Served, slack: TimedSlack, events: int) -> list[float]:
    latencies = []
    for number in range(events):
        user = f"U{number}"
        assert await receiver.post_slack(event("menu", f"Ev{number}", user=user), SECRET) == 200
        acked = time.monotonic()
        deadline = acked + 30
        while f"D{user}" not in slack.replied:
            assert time.monotonic() < deadline, "no reply within 30 s"
            await asyncio.sleep(0.002)
        latencies.append(slack.replied[f"D{user}"] - acked)
        await asyncio.sleep(random.uniform(0.05, 0.35))
    return latencies


def summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    return (f"median {statistics.median(ordered) * 1000:6.0f} ms   "
            f"p90 {ordered[int(len(ordered) * 0.9)] * 1000:6.0f} ms   "
            f"worst {ordered[-1] * 1000:6.0f} ms")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--events", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as logs:
        for wakeups in (True, False):
            latencies = await one_mode(args.database, wakeups, args.events, Path(logs))
            mode = "LISTEN/NOTIFY" if wakeups else "polling (1 s)"
            print(f"{mode:>14}: {summary(latencies)}   ({len(latencies)} events)", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
