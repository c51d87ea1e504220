"""The runs view (HR admin): recent runs with their counts, one run's problems, a retry; and
the runs port behind it. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from bot.scheduler import plan_now
from bot.storage.models import DeliveryRow
from tests.conversation import User, Workspace, deliver

PEOPLE = [("bob", "Bob Bakker"), ("carla", "Carla de Vries"), ("dirk", "Dirk Jansen")]
QUESTIONS = {"questions": ["Waarvoor mag men jou bellen?"]}


async def admin(runtime: Any) -> User:
    """The first member who talks in a workspace becomes its admin."""
    first = User(runtime.conductor, name="hr")
    await first.say("hallo")
    return first


async def kennisrondje(runtime: Any, workspace: str = "acme", key: str = "test:run") -> int:
    """A one-off kennisrondje of team Zorg (bob, carla, dirk): one delivery each."""
    async with Workspace(runtime, workspace) as ws:
        for uid, name in PEOPLE:
            await ws.join(uid, name)
        team = await ws.teams.save_team("Zorg", "hr", [uid for uid, _ in PEOPLE], None)
        run_id = await plan_now(ws.db, workspace, "kennisrondje", team.id, QUESTIONS, "hr", key)
    assert run_id is not None
    return run_id


async def fail(runtime: Any, run_id: int, recipient: str, status: str, error: str) -> None:
    async with runtime.sessions.begin() as db:
        await db.execute(update(DeliveryRow).where(
            DeliveryRow.run_id == run_id, DeliveryRow.recipient == recipient).values(
            status=status, last_error=error))


async def test_runs_view_shows_problems_and_retries_them(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = await admin(runtime)
    run = await kennisrondje(runtime)
    await fail(runtime, run, "bob", "failed", "platform zegt: channel_not_found")
    await fail(runtime, run, "carla", "unknown", "gestopt tijdens het versturen")

    employee = User(runtime.conductor, name="dirk")
    assert "is er alleen voor HR" in await employee.say("runs")

    out = await hr.say("runs")
    assert "kennisrondje, Zorg" in out
    assert "0 verstuurd · 1 wacht · 1 mislukt · 1 onbekend" in out
    out = await hr.say("help")
    assert "Onbekend betekent" in out
    out = await hr.press(f"#{run}")
    assert "Bob Bakker: mislukt (platform zegt: channel_not_found)" in out
    assert "Carla de Vries: onbekend (gestopt tijdens het versturen)" in out
    assert "Dirk" not in out
    out = await hr.press("Opnieuw proberen")
    assert "2 berichten staan weer in de wachtrij" in out
    assert "0 verstuurd · 3 wacht · 0 mislukt · 0 onbekend" in out
    assert "Geen mislukte of onbekende berichten" in out
    async with runtime.sessions() as db:
        statuses = dict((await db.execute(select(DeliveryRow.recipient, DeliveryRow.status)
                                          .where(DeliveryRow.run_id == run))).all())
    assert statuses == {"bob": "pending", "carla": "pending", "dirk": "pending"}
    out = await hr.press("Klaar")
    assert "Tot later" in out

    await deliver(runtime)
    out = await hr.say("runs")
    assert "3 verstuurd · 0 wacht" in out


async def test_runs_view_without_runs(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = await admin(runtime)
    assert "nog geen verzendingen" in await hr.say("verzendingen")


async def test_another_run_reloads_the_list(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = await admin(runtime)
    first = await kennisrondje(runtime)
    await hr.say("runs")
    await hr.press(f"#{first}")
    async with Workspace(runtime) as ws:  # a run planned meanwhile
        team = (await ws.teams.teams())[0]
        second = await plan_now(ws.db, "acme", "kennisrondje", team.id, QUESTIONS, "hr",
                                "test:second")
    out = await hr.press("Andere verzending")
    assert f"#{second} kennisrondje" in out and f"#{first} kennisrondje" in out


async def test_the_runs_port_sees_its_own_workspace_only(runtime) -> None:  # type: ignore[no-untyped-def]
    ours = await kennisrondje(runtime)
    theirs = await kennisrondje(runtime, workspace="other", key="test:other")
    await fail(runtime, theirs, "bob", "failed", "nope")
    async with Workspace(runtime) as ws:
        assert [r.id for r in await ws.runs.recent()] == [ours]
        summary = await ws.runs.run(ours)
        assert summary is not None and summary.counts == {"pending": 3}
        assert summary.details["team"] == "Zorg" and summary.total == 3
        assert await ws.runs.run(theirs) is None
        assert await ws.runs.problems(theirs) == []
        assert await ws.runs.retry(theirs) == 0
    async with Workspace(runtime, "other") as ws:
        (problem,) = await ws.runs.problems(theirs)
        assert (problem.recipient, problem.status, problem.error) == ("bob", "failed", "nope")
        assert await ws.runs.retry(theirs) == 1
        assert await ws.runs.problems(theirs) == []


async def test_recent_runs_are_newest_first_and_limited(runtime) -> None:  # type: ignore[no-untyped-def]
    first = await kennisrondje(runtime)
    async with Workspace(runtime) as ws:
        team = (await ws.teams.teams())[0]
        later = [await plan_now(ws.db, "acme", "kennisrondje", team.id, QUESTIONS, "hr",
                                f"test:{n}") for n in range(3)]
        assert [r.id for r in await ws.runs.recent(limit=2)] == later[::-1][:2]
        assert [r.id for r in await ws.runs.recent()] == [*later[::-1], first]
