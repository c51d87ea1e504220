"""Dialog turns: p50/p99 latency and turns per second, in-process on SQLite (the embedded
default), next to a bare baseline measured in the same run: the same database round trips
(load + save of a session row) without any dialog logic.

    .venv/bin/python bench/turns.py [--users 20] [--rounds 5]

Target (issue 3): p99 < 20 ms per turn.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.runtime import Runtime
from bot.settings import Settings
from bot.storage.sessions import SqlSessionStore
from dialogs.kit import Channel, Incoming, Session, SessionKey

CONSOLE = Channel(name="console", forms=False)
# A realistic mix: menu, browsing actions, learning help with a form, a profile, the scan start.
SCRIPT = ["menu", "acties", "6", "1", "2", "3", "stop",
          "ik wil beter worden in excel", "mbo", "online", "3",
          "mijn profiel", "Excel en plannen", "draaitabellen", "presenteren", "1, 2", "nee",
          "help", "terug", "stop"]


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def dialog_turns(runtime: Runtime, users: int, rounds: int) -> list[float]:
    samples: list[float] = []
    for round_number in range(rounds):
        for number in range(users):
            key = SessionKey(channel="console", workspace="bench", user=f"u{number}",
                             conversation=f"r{round_number}")
            for text in SCRIPT:
                started = time.perf_counter()
                await runtime.conductor.handle(Incoming(key=key, text=text), CONSOLE)
                samples.append((time.perf_counter() - started) * 1000)
    return samples


async def bare_turns(runtime: Runtime, count: int) -> list[float]:
    samples = []
    key = SessionKey(channel="console", workspace="bench", user="bare", conversation="bare")
    session = Session(dialog="x", step="y", state={"n": 0})
    version = 0
    for _ in range(count):
        started = time.perf_counter()
        async with runtime.sessions.begin() as db:
            store = SqlSessionStore(db)
            _, version = await store.load(key)
            await store.save(key, session, version)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{folder}/bench.db",
                            data_dir=Path(folder))
        runtime = await Runtime.start(settings)
        try:
            await dialog_turns(runtime, 1, 1)  # warm up: matchers, caches
            started = time.perf_counter()
            samples = await dialog_turns(runtime, args.users, args.rounds)
            elapsed = time.perf_counter() - started
            bare = await bare_turns(runtime, len(samples))
        finally:
            await runtime.close()
    print(f"dialog turns on SQLite: {len(samples)} turns, {len(samples) / elapsed:.0f} turns/s")
    print(f"  latency ms: mean {statistics.fmean(samples):.2f}, p50 {percentile(samples, .5):.2f}, "
          f"p99 {percentile(samples, .99):.2f}, max {max(samples):.2f}")
    print(f"bare session load+save: p50 {percentile(bare, .5):.2f} ms, "
          f"p99 {percentile(bare, .99):.2f} ms")
    print(f"  ratio dialog/bare at p50: {percentile(samples, .5) / percentile(bare, .5):.1f}x")


if __name__ == "__main__":
    asyncio.run(main())
