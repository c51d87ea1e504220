"""Time travel for trying things locally: `leerbot runs due --at`, LEERBOT_CLOCK and the
console's /klok make a deadline reminder, an evaluation and a check-in arrive."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.channels.console import chat
from bot.cli import main
from bot.clock import Clock, moment
from bot.runtime import LocalDelivery, Runtime
from bot.settings import Settings, get_settings
from bot.storage.db import create_engine, sessionmaker, upgrade
from bot.storage.ports import Shared
from dialogs.paths.port import PathDraft
from engine.recurrence import Recurrence
from tests.conversation import User, Workspace
from tests.test_my_path import TRAININGS, training


async def arrange_path(runtime: Any, workspace: str, deadline: datetime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime, workspace) as ws:
        await ws.join("hr", "HR")
        await ws.join("sam", "Sam")
        path = await ws.paths.save_path(PathDraft(
            name="Secretaresses", level="functie", spec={"competencies": ["Plannen"]},
            trainings=[training(i, t) for i, t in enumerate(TRAININGS, start=1)],
            total_minutes=180), created_by="hr")
        await ws.paths.assign(path.id, "sam", deadline, assigned_by="hr")


def test_moments_are_read() -> None:
    assert moment("2027-06-01") == datetime(2027, 6, 1, 12, tzinfo=UTC)
    assert moment("2027-06-01T09:30") == datetime(2027, 6, 1, 9, 30, tzinfo=UTC)
    with pytest.raises(ValueError):
        moment("volgend jaar")
    clock = Clock(datetime(2027, 6, 1, tzinfo=UTC))
    assert clock.moved and abs((clock() - datetime(2027, 6, 1, tzinfo=UTC)).total_seconds()) < 5
    assert not Clock().moved


def test_runs_due_delivers_reminder_and_evaluation(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'travel.db'}"
    monkeypatch.setenv("LEERBOT_DATABASE_URL", url)
    get_settings.cache_clear()

    async def arrange() -> None:
        engine = create_engine(url)
        await upgrade(engine)
        runtime = SimpleNamespace(sessions=sessionmaker(engine),
                                  conductor=SimpleNamespace(units=SimpleNamespace(shared=Shared())))
        await arrange_path(runtime, "local", datetime(2027, 6, 30, 23, 59, tzinfo=UTC))
        await engine.dispose()

    asyncio.run(arrange())
    # a process of its own, as typed: it knows the texts of the messages by itself
    done = subprocess.run([sys.executable, "-c", "import sys; from bot.cli import main; "
                           "sys.exit(main(['runs', 'due', '--at', '2027-06-25']))"],
                          env={**os.environ, "LEERBOT_DATABASE_URL": url,
                               "LEERBOT_DATA_DIR": str(tmp_path)},
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Rondes gepland: 1" in done.stdout  # the reminder of 23 June, caught up
    assert "gaan meteen op weg" in done.stdout  # not "berichten nu klaargezet: 0" alone
    assert main(["runs", "due", "--at", "2027-06-25"]) == 0  # once only
    assert "Rondes gepland: 0" in capsys.readouterr().out
    assert main(["runs", "due", "--at", "2027-09-30"]) == 0
    assert main(["runs", "due", "--at", "morgen"]) != 0  # a moment it cannot read
    assert "geen moment" in capsys.readouterr().err

    async def talk() -> str:
        runtime = await Runtime.start(Settings(database_url=url, data_dir=tmp_path))
        try:
            sam = User(runtime.conductor, name="sam", workspace="local")
            return await sam.say("hoi")
        finally:
            await runtime.close()

    out = asyncio.run(talk())
    assert "komt eraan: 30 juni 2027" in out and "Nog open (3)" in out
    assert "Het is nu 3 maanden na je leerlijn Secretaresses" in out


async def test_console_clock_brings_a_check_in_deadline_and_evaluation(tmp_path: Path) -> None:
    """LEERBOT_CLOCK (here: Settings.clock) and /klok on the console: a newcomer sees it all."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'clock.db'}"
    settings = Settings(database_url=url, data_dir=tmp_path, clock="2027-06-01")
    runtime = await Runtime.start(settings)
    await arrange_path(runtime, "local", datetime(2027, 6, 30, 23, 59, tzinfo=UTC))
    async with Workspace(runtime, "local") as ws:  # a weekly check-in on Thursdays at 9
        team = await ws.teams.save_team("Secretariaat", "hr", ["sam"], None)
        await ws.rounds.save_schedule(team.id, "checkin", Recurrence(weekday=3),
                                      ["Wat heb je deze week geleerd?"], "hr")
    local = LocalDelivery(runtime)
    local.start()
    lines = "\n".join(["hoi", "/klok", "/klok 2027-06-24", "menu", "/klok 2027-10-01",
                       "menu", *["berichten"] * 4, "/klok gisteren", "exit"]) + "\n"
    out = io.StringIO()
    try:
        await chat(runtime.conductor, tmp_path, "nl", stdin=io.StringIO(lines), stdout=out,
                   user="sam", clock=runtime.clock, moved=local.tick)
    finally:
        await local.stop()
        await runtime.close()
    text = out.getvalue()
    assert "De klok staat op 2027-06-01" in text
    assert "De klok staat nu op 2027-06-24" in text
    assert "Tijd voor de check-in van Secretariaat" in text  # Thursday 24 June, 9:00
    assert "De deadline van je leerlijn Secretaresses komt eraan: 30 juni 2027" in text
    assert "3 maanden na je leerlijn Secretaresses" in text
    assert "geen moment dat ik kan lezen" in text



async def test_a_moved_clock_sets_the_dialogs_today(tmp_path: Path) -> None:
    """With the clock set back, a deadline that passed in real life lies ahead (web chat);
    the server's scheduler reads the same clock."""
    from bot.server import CHANNELS, build_app
    from tests.conversation import WEB, deliver

    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'back.db'}",
                        data_dir=tmp_path, clock="2025-01-06")
    runtime = await Runtime.start(settings)
    try:
        async with Workspace(runtime) as ws:
            await ws.paths.save_path(PathDraft(
                name="Excel", level="individueel", spec={"competencies": ["Excel"]},
                trainings=[training(1, "Excel voor beginners")], total_minutes=60),
                created_by="hr")
        hr = User(runtime.conductor, name="hr", channel=WEB)
        await hr.say("hallo")
        await User(runtime.conductor, name="sam", channel=WEB).say("hallo")
        await hr.say("leerlijnen")
        await hr.press("Excel")  # the saved path, by its name
        await hr.press("assign")
        out = await hr.submit(people="sam", deadline="31-03-2025")
        assert "Toegewezen aan sam" in out  # ahead of the moved clock
        await deliver(runtime)
        sam = User(runtime.conductor, name="sam", channel=WEB)
        assert "af te ronden vóór 31 maart 2025" in await sam.say("hoi")
        runtime.clock.move_to(datetime(2025, 4, 2, tzinfo=UTC))  # past the deadline
        assert "Deadline 31 maart 2025 (verstreken)" in await sam.say("mijn leerlijn")
        app = build_app(runtime, webchat_enabled=True, workers=False)
        assert app[CHANNELS].planner.clock is runtime.clock
    finally:
        await runtime.close()
