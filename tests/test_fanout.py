"""Fan-out at scale: 2,000 recipients on Slack and 2,000 on Teams, against local fake platforms
that enforce rate limits (429 + Retry-After) and fail 5 % of calls at random. Every recipient
gets exactly one message: in one process, after ``kill -9`` mid-run and a restart (the killed
process's claims are taken over once its leases run out), and with two replicas on PostgreSQL
at once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.channels import MSTEAMS, SLACK
from bot.runtime import Runtime
from bot.server import Channels
from bot.settings import Settings
from bot.storage.db import create_engine, sessionmaker, upgrade
from bot.storage.models import ConversationRefRow, DeliveryRow, RunRow, ScheduleRow
from bot.storage.people import MemberRow
from bot.storage.team import TeamMemberRow, TeamRow
from tests.conversation import rule_due_now
from tests.fakes import FakeConnector, FakeSlack

ROOT = Path(__file__).resolve().parent.parent
SLACK_TEAM, TENANT = "T1", "tenant-1"
RECIPIENTS = int(os.environ.get("LEERBOT_FANOUT_RECIPIENTS", "2000"))
RATE = 400.0  # the fakes' limit per workspace/tenant, and ours
QUESTION = "Waarvoor mag men jou bellen?"


def reference(service_url: str, user: str) -> dict[str, Any]:
    """A stored conversation reference (botbuilder's serialised format, on both transports)."""
    return {"channelId": "msteams", "serviceUrl": service_url,
            "conversation": {"id": f"a:{user}", "conversationType": "personal",
                             "tenantID": TENANT},
            "user": {"id": f"29:{user}", "aadObjectId": user},
            "bot": {"id": "28:leerbot", "name": "Leerbot"}}


async def populate(url: str, connector_url: str, count: int = RECIPIENTS) -> None:
    """Two teams (one per platform) of ``count`` members each, and a kennisrondje schedule
    due now for both."""
    await populate_workspaces(url, {SLACK_TEAM: None, TENANT: connector_url}, count,
                              slack_user=lambda _, i: f"U{i:05d}",
                              teams_user=lambda _, i: f"aad-{i:05d}")


async def populate_workspaces(url: str, workspaces: dict[str, str | None], count: int,
                              slack_user: Any, teams_user: Any) -> None:
    """Per workspace (a Slack team: None, a Teams tenant: its connector URL) ``count``
    members in one team with a kennisrondje schedule due now (also used by bench/fanout.py)."""
    engine = create_engine(url)
    await upgrade(engine)
    sessions = sessionmaker(engine)
    async with sessions.begin() as db:
        for workspace, connector_url in workspaces.items():
            slack = connector_url is None
            users = [(slack_user if slack else teams_user)(workspace, i) for i in range(count)]
            db.add_all([MemberRow(workspace=workspace, user_id=u, name=u, role="employee",
                                  channel=SLACK if slack else MSTEAMS, opt_out={})
                        for u in users])
            if connector_url is not None:
                db.add_all([ConversationRefRow(
                    channel=MSTEAMS, workspace=workspace, user_id=u, conversation_id=f"a:{u}",
                    scope="personal", reference=reference(connector_url, u)) for u in users])
            team = TeamRow(workspace=workspace, name="Iedereen", lead=users[0], settings={})
            db.add(team)
            await db.flush()
            db.add_all([TeamMemberRow(team_id=team.id, user_id=u) for u in users])
            db.add(ScheduleRow(workspace=workspace, team_id=team.id, kind="kennisrondje",
                               rule=rule_due_now(), questions=[QUESTION], active=True,
                               created_by=users[0]))
    await engine.dispose()


#: Work claimed by a process killed with ``kill -9`` is taken over this many seconds after the
#: later of two moments: the end of its leases (at most LEASE after the kill: the heartbeat
#: stops with the process) and the moment the restarted process serves. That covers a poll
#: (1 s) and the first claim on a busy machine.
TAKEOVER_SLACK = 4.0
LEASE = 6.0  # LEERBOT_LEASE's default


def environment(url: str, slack: FakeSlack, lease: float | None = None,
                teams_sdk: str = "botbuilder") -> dict[str, str]:
    """The environment of a `leerbot serve` for the fan-out (the default lease unless given)."""
    env = {**os.environ, "LEERBOT_DATABASE_URL": url, "SLACK_BOT_TOKEN": "xoxb-fanout",
           "SLACK_SIGNING_SECRET": "fanout-secret", "SLACK_API_URL": slack.url,
           "LEERBOT_SLACK_RATE": str(RATE), "LEERBOT_TEAMS_RATE": str(RATE),
           "LEERBOT_TEAMS_EMULATOR": "1",  # the fake connector listens on 127.0.0.1
           "LEERBOT_TEAMS_SDK": teams_sdk, "PYTHONUNBUFFERED": "1"}
    if lease is not None:
        env["LEERBOT_LEASE"] = str(lease)
    return env


def settings_from(env: dict[str, str]) -> Settings:
    keys = ("LEERBOT_DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL",
            "LEERBOT_SLACK_RATE", "LEERBOT_TEAMS_RATE", "LEERBOT_LEASE", "LEERBOT_TEAMS_EMULATOR",
            "LEERBOT_TEAMS_SDK")
    return Settings.model_validate({k: env[k] for k in keys if k in env})


def slack_counts(slack: FakeSlack) -> Counter[str]:
    return Counter(args["channel"] for args in slack.posts() if QUESTION in str(args))


def teams_counts(connector: FakeConnector) -> Counter[str]:
    return Counter(a["_conversation"] for a in connector.activities if QUESTION in str(a))


async def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def statuses(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    async with engine.connect() as connection:
        rows = (await connection.execute(select(DeliveryRow.status, func.count()).group_by(
            DeliveryRow.status))).all()
        errors = (await connection.execute(select(DeliveryRow.recipient, DeliveryRow.last_error)
                                           .where(DeliveryRow.status == "failed"))).all()
        runs = (await connection.execute(select(func.count()).select_from(RunRow).where(
            RunRow.kind == "kennisrondje"))).scalar_one()
    await engine.dispose()
    return {**{status: count for status, count in rows}, "runs": runs,
            "errors": [tuple(e) for e in errors]}


async def settled(url: str) -> bool:
    found = await statuses(url)
    return found["runs"] == 2 and not found.get("pending") and not found.get("processing")


def assert_exactly_once(slack: FakeSlack, connector: FakeConnector, found: dict[str, Any],
                        unknown_allowed: int = 0) -> None:
    posted, activities = slack_counts(slack), teams_counts(connector)
    assert found.get("failed", 0) == 0, found["errors"]
    assert len(posted) == RECIPIENTS and set(posted.values()) == {1}, \
        f"slack: {len(posted)} recipients, most to one: {posted.most_common(1)}"
    assert all(count == 1 for count in activities.values()), activities.most_common(3)
    # Teams cannot say whether an interrupted send arrived: such a send is reported as
    # unknown (never repeated); every other recipient got exactly one message
    assert len(activities) + found.get("unknown", 0) >= RECIPIENTS
    assert found.get("unknown", 0) <= unknown_allowed
    assert found.get("failed", 0) == 0 and found["runs"] == 2


@pytest.mark.parametrize("teams_sdk", ["botbuilder", "agents"])
async def test_fan_out_in_one_process(tmp_path: Path, teams_sdk: str) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fanout.db'}"
    async with FakeSlack(fail_rate=0.05, per_workspace_per_second=RATE) as slack, \
            FakeConnector(fail_rate=0.05, per_second=RATE) as connector:
        await populate(url, connector.url)
        runtime = await Runtime.start(settings_from(environment(url, slack,
                                                                teams_sdk=teams_sdk)))
        channels = Channels(runtime)
        await channels.start()
        try:
            await wait_for(lambda: len(slack_counts(slack)) >= RECIPIENTS
                           and len(teams_counts(connector)) >= RECIPIENTS, 120, "all sends")
            await asyncio.sleep(0.5)
        finally:
            await channels.stop()
            await runtime.close()
        found = await statuses(url)
        assert_exactly_once(slack, connector, found)
        assert found.get("sent") == 2 * RECIPIENTS
        assert slack.rate_limited + connector.rate_limited >= 0  # limits enforced, none fatal


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port",
               str(free_port())]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("ab"),
                            stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def claimed_rows(url: str) -> dict[int, int]:
    """The deliveries claimed right now: id and the number of claims so far."""
    engine = create_engine(url)
    async with engine.connect() as connection:
        rows = (await connection.execute(select(DeliveryRow.id, DeliveryRow.attempts).where(
            DeliveryRow.status == "processing"))).all()
    await engine.dispose()
    return {row_id: attempts for row_id, attempts in rows}


async def taken_over(url: str, claimed: dict[int, int]) -> bool:
    """Whether every one of these claims is over: the row was claimed again, or finished."""
    engine = create_engine(url)
    async with engine.connect() as connection:
        rows = (await connection.execute(select(
            DeliveryRow.id, DeliveryRow.status, DeliveryRow.attempts).where(
            DeliveryRow.id.in_(list(claimed))))).all()
    await engine.dispose()
    return all(status != "processing" or attempts > claimed[row_id]
               for row_id, status, attempts in rows)


async def test_fan_out_survives_kill_9_and_restart(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fanout.db'}"
    async with FakeSlack(fail_rate=0.05, per_workspace_per_second=RATE) as slack, \
            FakeConnector(fail_rate=0.05, per_second=RATE) as connector:
        await populate(url, connector.url)
        env = environment(url, slack)
        first = serve(env, tmp_path / "first.log")
        try:
            await wait_for(lambda: len(slack_counts(slack)) >= RECIPIENTS // 3
                           or first.poll() is not None, 120, "a third of the run")
            assert first.poll() is None, (tmp_path / "first.log").read_text()[-3000:]
            first.send_signal(signal.SIGKILL)  # mid-run, no chance to clean up
            first.wait()
            killed = time.monotonic()
        finally:
            stop(first)
        interrupted = len(slack_counts(slack))
        assert interrupted < RECIPIENTS, "the kill came after the run had finished"
        claimed = await claimed_rows(url)
        assert claimed, "nothing was in flight when the process was killed"
        second = serve(env, tmp_path / "second.log")
        serving = None  # seconds from the kill until the restarted process serves
        try:
            deadline = killed + 180
            while not await taken_over(url, claimed):
                assert time.monotonic() < deadline, (tmp_path / "second.log").read_text()[-3000:]
                if serving is None and "serving on" in (tmp_path / "second.log").read_text():
                    serving = time.monotonic() - killed
                await asyncio.sleep(0.2)
            takeover = time.monotonic() - killed
            print(f"{len(claimed)} claimed deliveries taken over {takeover:.1f} s after kill -9 "
                  f"(restarted process serving after {serving or takeover:.1f} s)")
            while not await settled(url):
                assert time.monotonic() < deadline, (tmp_path / "second.log").read_text()[-3000:]
                assert second.poll() is None, (tmp_path / "second.log").read_text()[-3000:]
                await asyncio.sleep(0.5)
        finally:
            stop(second)
        assert_exactly_once(slack, connector, await statuses(url), unknown_allowed=200)
        if serving is None:  # a slow start (a loaded machine): the leases ran out meanwhile
            assert takeover >= LEASE, "the claims were taken over before their lease ran out"
            serving = takeover
        bound = max(LEASE, serving) + TAKEOVER_SLACK
        assert takeover < bound, f"taken over only after {takeover:.1f} s"


async def test_fan_out_with_two_replicas_on_postgresql(tmp_path: Path,
                                                       postgres_url: str) -> None:
    async with FakeSlack(fail_rate=0.05, per_workspace_per_second=RATE) as slack, \
            FakeConnector(fail_rate=0.05, per_second=RATE) as connector:
        await populate(postgres_url, connector.url)
        env = environment(postgres_url, slack)
        replicas = [serve(env, tmp_path / f"replica{i}.log") for i in (1, 2)]
        try:
            deadline = time.monotonic() + 180
            while not await settled(postgres_url):
                assert time.monotonic() < deadline, "fan-out did not finish"
                for index, replica in enumerate(replicas, 1):
                    assert replica.poll() is None, \
                        (tmp_path / f"replica{index}.log").read_text()[-3000:]
                await asyncio.sleep(0.5)
        finally:
            for replica in replicas:
                stop(replica)
        found = await statuses(postgres_url)
        assert_exactly_once(slack, connector, found)
        assert found.get("sent") == 2 * RECIPIENTS


async def test_a_graceful_stop_hands_waiting_messages_back(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'stop.db'}"
    async with FakeSlack() as slack, FakeConnector() as connector:
        await populate(url, connector.url, count=200)
        env = {**environment(url, slack), "LEERBOT_SLACK_RATE": "5",
               "LEERBOT_TEAMS_RATE": "5"}
        runtime = await Runtime.start(settings_from(env))
        channels = Channels(runtime)
        await channels.start()
        await wait_for(lambda: len(slack_counts(slack)) >= 5, 60, "the first sends")
        started = time.monotonic()
        await channels.stop()  # at 5/s the claimed messages wait ~20 s for their slots
        assert time.monotonic() - started < 3  # not held up by the pacing
        await runtime.close()
        found = await statuses(url)
        assert not found.get("processing")  # handed back, not left claimed for a lease
        assert found.get("pending", 0) > 0 and not found.get("unknown")
