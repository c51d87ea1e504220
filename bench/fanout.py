"""Fan-out of one scheduled run to many recipients, against fake Slack and Teams servers that
enforce rate limits (429 + Retry-After) and fail a share of calls at random; the time is
printed next to the theoretical minimum the limits allow (target: at most 1.1x).

    .venv/bin/python bench/fanout.py [--recipients 10000] [--slack-workspaces 2]
        [--teams-tenants 2] [--slack-rate 100] [--teams-rate 50] [--fail-rate 0.05]
        [--database URL] [--replicas 1]

Half of the recipients are on Slack, half on Teams, spread evenly over the workspaces and
tenants. The limits apply per workspace and per tenant, which proceed in parallel, so the
minimum is the largest ``recipients_of_one_workspace / its_rate``. The bot runs as
``leerbot serve`` in its own process(es); the fakes run in this one.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.channels import dropping, on_postgres_server  # noqa: E402
from bot.storage.db import create_engine  # noqa: E402
from bot.storage.models import (  # noqa: E402
    DeliveryRow,
)
from tests.fakes import FakeConnector, FakeSlack  # noqa: E402
from tests.test_fanout import (  # noqa: E402
    QUESTION,
    environment,
    populate_workspaces,
    serve,
    stop,
)


async def populate(url: str, slack_workspaces: list[str], tenants: dict[str, str],
                   per_workspace: int) -> None:
    await populate_workspaces(
        url, {**dict.fromkeys(slack_workspaces), **tenants}, per_workspace,
        slack_user=lambda workspace, i: f"U{workspace}x{i:05d}",
        teams_user=lambda workspace, i: f"aad-{workspace}-{i:05d}")


async def open_deliveries(url: str) -> int:
    engine = create_engine(url)
    async with engine.connect() as connection:
        count = (await connection.execute(select(func.count()).select_from(DeliveryRow).where(
            DeliveryRow.status.in_(("pending", "processing"))))).scalar_one()
        total = (await connection.execute(select(func.count()).select_from(
            DeliveryRow))).scalar_one()
    await engine.dispose()
    return count if total else -1


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--slack-workspaces", type=int, default=2)
    parser.add_argument("--teams-tenants", type=int, default=2)
    parser.add_argument("--slack-rate", type=float, default=100.0)
    parser.add_argument("--teams-rate", type=float, default=50.0)
    parser.add_argument("--fail-rate", type=float, default=0.05)
    parser.add_argument("--database", default=None,
                        help="default: a fresh SQLite file; a PostgreSQL URL: the bench "
                             "creates (and drops) a database of its own on that server")
    parser.add_argument("--replicas", type=int, default=1)
    return parser.parse_args()


async def run_until_sent(url: str, env: dict[str, str], workdir: Path, replicas: int,
                         slack: FakeSlack, connectors: list[FakeConnector]) -> tuple[float, float]:
    """Start the replicas and wait until no delivery is open: (first send, last send)."""
    bots = [serve(env, workdir / f"bot{i}.log") for i in range(replicas)]
    first_send: float | None = None
    try:
        while True:
            sent = len(slack.posts()) + sum(len(c.activities) for c in connectors)
            if sent and first_send is None:
                first_send = time.monotonic()
            if await open_deliveries(url) == 0:
                break
            if any(bot.poll() is not None for bot in bots):
                raise SystemExit(f"a bot process stopped; see {workdir}")
            await asyncio.sleep(0.25)
    finally:
        for bot in bots:
            stop(bot)
    assert first_send is not None
    return first_send, time.monotonic()


def report(args: argparse.Namespace, url: str, slack: FakeSlack,
           connectors: list[FakeConnector], started: float, first: float, last: float) -> None:
    spaces = args.slack_workspaces + args.teams_tenants
    per_workspace = args.recipients // spaces
    slack_counts = Counter(a["channel"] for a in slack.posts() if QUESTION in str(a))
    teams_counts = Counter(a["_conversation"] for c in connectors for a in c.activities
                           if QUESTION in str(a))
    delivered = len(slack_counts) + len(teams_counts)
    duplicates = sum(v - 1 for v in [*slack_counts.values(), *teams_counts.values()])
    minimum = max(per_workspace / args.slack_rate if args.slack_workspaces else 0,
                  per_workspace / args.teams_rate if args.teams_tenants else 0)
    print(f"{per_workspace * spaces} recipients: {args.slack_workspaces} Slack workspaces at "
          f"{args.slack_rate:g}/s, {args.teams_tenants} Teams tenants at {args.teams_rate:g}/s, "
          f"{args.fail_rate:.0%} of calls failing, {args.replicas} replica(s), "
          f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}")
    print(f"  delivered to {delivered} recipients, duplicates {duplicates}, "
          f"429s answered {slack.rate_limited + sum(c.rate_limited for c in connectors)}")
    print(f"  start to last send {last - started:6.1f} s (process start and planning "
          f"included)")
    print(f"  first to last send {last - first:6.1f} s; theoretical minimum {minimum:6.1f} s; "
          f"ratio {(last - first) / minimum:.3f} (target <= 1.1)")


BENCH_DATABASE = "leerbot_bench_fanout"


async def main() -> None:
    args = arguments()
    workdir = Path(tempfile.mkdtemp(prefix="leerbot-fanout-"))
    url = f"sqlite+aiosqlite:///{workdir / 'fanout.db'}"
    if args.database:  # a database of its own: the run counts every delivery in it
        await on_postgres_server(args.database, [*dropping([BENCH_DATABASE]),
                                                 f'CREATE DATABASE "{BENCH_DATABASE}"'])
        url = f"{args.database.rsplit('/', 1)[0]}/{BENCH_DATABASE}"
    try:
        await fan_out(args, url, workdir)
    finally:
        if args.database:
            await on_postgres_server(args.database, dropping([BENCH_DATABASE]))


async def fan_out(args: argparse.Namespace, url: str, workdir: Path) -> None:
    per_workspace = args.recipients // (args.slack_workspaces + args.teams_tenants)
    slack_workspaces = [f"T{i}" for i in range(args.slack_workspaces)]

    def workspace_of(channel: str) -> str:
        return channel.removeprefix("D").removeprefix("U").split("x")[0]

    connectors = [FakeConnector(fail_rate=args.fail_rate, per_second=args.teams_rate,
                                seed=i + 2) for i in range(args.teams_tenants)]
    async with FakeSlack(fail_rate=args.fail_rate, per_workspace_per_second=args.slack_rate,
                         workspace_of=workspace_of) as slack:
        for connector in connectors:
            await connector.__aenter__()
        try:
            tenants = {f"tenant{i}": c.url for i, c in enumerate(connectors)}
            await populate(url, slack_workspaces, tenants, per_workspace)
            env = environment(url, slack)
            env.update({"LEERBOT_SLACK_RATE": str(args.slack_rate),
                        "LEERBOT_TEAMS_RATE": str(args.teams_rate)})
            started = time.monotonic()
            first, last = await run_until_sent(url, env, workdir, args.replicas, slack,
                                               connectors)
        finally:
            for connector in connectors:
                await connector.__aexit__(None, None, None)
    report(args, url, slack, connectors, started, first, last)


if __name__ == "__main__":
    asyncio.run(main())
