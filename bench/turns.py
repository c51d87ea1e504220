"""Dialog turns: p50/p99 latency and turns per second, in-process on SQLite (the embedded
default), next to a bare baseline measured in the same run: the same database round trips
(load + save of a session row) without any dialog logic. Then the same turns of other users
while one manager's leerlijn is being composed (the path engine, CP-SAT, thinks for seconds on
a large catalogue); ``--blocking`` adds the figure with the engine on the event loop.

    .venv/bin/python bench/turns.py [--users 20] [--rounds 5] [--solves 3] [--blocking]

Targets: p99 < 20 ms per turn (issue 3); p99 < 50 ms for other users' turns while a leerlijn
is composed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from bot.runtime import Runtime
from bot.settings import Settings
from bot.storage.catalogues import save_catalogue
from bot.storage.sessions import SqlSessionStore
from dialogs.kit import Channel, Incoming, Session, SessionKey
from dialogs.paths import composing
from engine.matching import CompetencyMatcher
from engine.paths import SOLVER_SECONDS, BuildResult, PathRequest, build_paths
from knowledge.catalogue import Catalogue, Training

CONSOLE = Channel(name="console", forms=False)
# A realistic mix: menu, browsing actions, learning help with a form, a profile, the scan start.
SCRIPT = ["menu", "acties", "6", "1", "2", "3", "stop",
          "ik wil beter worden in excel", "mbo", "online", "3",
          "mijn profiel", "Excel en plannen", "draaitabellen", "presenteren", "1, 2", "nee",
          "help", "terug", "stop"]
# A manager composing a leerlijn over ten goals of a large catalogue, up to the constraints;
# each answer of CONSTRAINTS ends with the engine composing the proposal, "constraints" asks
# for the form again.
PATH_WORKSPACE = "bench-paths"
GOALS = [f"Vaardigheid {number}" for number in range(10)]
BUILDER = ["leerlijn maken", "functie", "Bench", "10 mensen", "tussen 30 en 50", "2 tot 10 jaar",
           "hbo", "competencies", ", ".join(GOALS)]
CONSTRAINTS = ["max 20", "hooguit 20 uur", "een half jaar", "online"]


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


@dataclass
class Composing:
    during: list[float] = field(default_factory=list)  # other users' turns, ms
    control: list[float] = field(default_factory=list)  # the same turns right after, ms
    seconds: list[float] = field(default_factory=list)  # each composing answer, s


def large_catalogue(size: int, seed: int = 7) -> Catalogue:
    """Trainings on the GOALS (one to three each), so the engine has many to weigh."""
    rng = random.Random(seed)
    trainings = tuple(
        Training(id=f"t{number}", title=f"Training {number}",
                 level=rng.choice(["mbo", "hbo", "wo"]), format="online",
                 minutes=rng.choice([20, 30, 45, 60, 90, 120, 240, 480]),
                 competencies=tuple(rng.sample(GOALS, rng.choice([1, 1, 2, 2, 3]))))
        for number in range(size))
    return Catalogue(name="bench", trainings=trainings)


async def send(runtime: Runtime, key: SessionKey, text: str) -> str:
    messages = await runtime.conductor.handle(Incoming(key=key, text=text), CONSOLE)
    return "\n".join(m.plain for m in messages)


def other_turns(users: int) -> Iterator[tuple[SessionKey, str]]:
    """The SCRIPT of every user in turn, round after round, for as long as it is asked."""
    for round_number in itertools.count():
        for number in range(users):
            key = SessionKey(channel="console", workspace="bench", user=f"u{number}",
                             conversation=f"s{round_number}")
            for text in SCRIPT:
                yield key, text


async def timed_turn(runtime: Runtime, turns: Iterator[tuple[SessionKey, str]]) -> float:
    key, text = next(turns)
    started = time.perf_counter()
    await runtime.conductor.handle(Incoming(key=key, text=text), CONSOLE)
    return (time.perf_counter() - started) * 1000


async def turns_while_composing(runtime: Runtime, users: int, solves: int,
                                conversation: str) -> Composing:
    """Other users' turns, one after the other, while the manager's answers start the engine;
    after each composition as many turns again without one (the control, same load)."""
    key = SessionKey(channel="console", workspace=PATH_WORKSPACE, user="manager",
                     conversation=conversation)
    for text in BUILDER:
        await send(runtime, key, text)
    others = other_turns(users)
    measured = Composing()
    for _ in range(solves):
        for text in CONSTRAINTS[:-1]:
            await send(runtime, key, text)
        started = time.perf_counter()
        composing_task = asyncio.create_task(send(runtime, key, CONSTRAINTS[-1]))
        await asyncio.sleep(0)
        during = 0
        while not composing_task.done():
            measured.during.append(await timed_turn(runtime, others))
            during += 1
        proposal = await composing_task
        measured.seconds.append(time.perf_counter() - started)
        assert "Stap 5" in proposal, proposal
        measured.control += [await timed_turn(runtime, others) for _ in range(during)]
        await send(runtime, key, "constraints")
    await send(runtime, key, "stop")
    return measured


async def build_paths_on_the_loop(request: PathRequest, matcher: CompetencyMatcher,
                                  seconds: float = SOLVER_SECONDS) -> BuildResult:
    """The engine as the builder called it before: inside the turn, on the event loop."""
    return build_paths(request, matcher, seconds)


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


def report_turns(samples: list[float], elapsed: float, bare: list[float]) -> None:
    print(f"dialog turns on SQLite: {len(samples)} turns, {len(samples) / elapsed:.0f} turns/s")
    print(f"  latency ms: mean {statistics.fmean(samples):.2f}, p50 {percentile(samples, .5):.2f}, "
          f"p99 {percentile(samples, .99):.2f}, max {max(samples):.2f}")
    print(f"bare session load+save: p50 {percentile(bare, .5):.2f} ms, "
          f"p99 {percentile(bare, .99):.2f} ms")
    print(f"  ratio dialog/bare at p50: {percentile(samples, .5) / percentile(bare, .5):.1f}x")


def report_composing(label: str, measured: Composing) -> None:
    during, control = measured.during, measured.control
    print(f"other users' turns while a leerlijn is composed ({label}): {len(during)} turns "
          f"during {len(measured.seconds)} compositions of "
          f"{statistics.fmean(measured.seconds):.1f} s on average")
    print(f"  latency ms: p50 {percentile(during, .5):.2f}, p99 {percentile(during, .99):.2f}, "
          f"max {max(during):.2f} (target p99 < 50); the same number of turns right after: "
          f"p50 {percentile(control, .5):.2f}, p99 {percentile(control, .99):.2f}")


async def measure_composing(runtime: Runtime, args: argparse.Namespace) -> None:
    async with runtime.sessions.begin() as db:
        await save_catalogue(db, PATH_WORKSPACE, large_catalogue(args.trainings))
    measured = await turns_while_composing(runtime, args.users, args.solves, "threaded")
    report_composing("engine in a worker thread", measured)
    if args.blocking:
        with mock.patch.object(composing, "build_paths_async", build_paths_on_the_loop):
            measured = await turns_while_composing(runtime, args.users, args.solves,
                                                   "blocking")
        report_composing("engine on the event loop", measured)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--solves", type=int, default=3,
                        help="compositions of the leerlijn (0: measure the dialog turns only)")
    parser.add_argument("--trainings", type=int, default=2000,
                        help="trainings in the catalogue the leerlijn is composed from")
    parser.add_argument("--blocking", action="store_true",
                        help="also measure with the engine on the event loop (as before)")
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
            report_turns(samples, elapsed, bare)
            if args.solves > 0:  # --solves 0: the dialog turns alone
                await measure_composing(runtime, args)
        finally:
            await runtime.close()


if __name__ == "__main__":
    asyncio.run(main())
