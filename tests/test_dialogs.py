"""Every dialog, end to end on the console channel (one question at a time)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from bot.storage.catalogues import save_catalogue
from dialogs.paths.path_builder import NO_BASE
from engine.paths import build as solver
from knowledge.catalogue_import import read_catalogue
from knowledge.scan import load_scan
from tests.conversation import User, Workspace

FUNCTION_PATH = ["Prioriteiten stellen", "Klantvriendelijkheid",
                 "12 werkvormen voor vergaderingen", "Vergadering notuleren"]


async def use_catalogue(runtime, path: Path, workspace: str = "acme") -> None:  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        await save_catalogue(session, workspace, read_catalogue(path).catalogue)


async def build_level(user: User, level: str, name: str, group: list[str], goals: str,
                      limits: tuple[str, ...] = ("4", "5", "6", "online")) -> str:
    await user.press(level)
    if "Bouwt deze leerlijn voort" in user.text:  # saved leerlijnen exist: other people
        await user.press(NO_BASE)
    await user.say(name)
    for value in group:
        await user.say(value)
    await user.press("competencies")
    await user.say(goals)
    if "Dezelfde randvoorwaarden" in user.text:
        await user.say("nee")
    for value in limits:
        out = await user.say(value)
    return out


async def test_wizard_builds_the_ebook_case(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    assert "Stap 1" in await hr.say("ik wil een leerlijn maken")
    group = ["15", "20-55", "0-30", "mbo, hbo"]
    out = await build_level(hr, "afdeling", "Afdeling HR", group,
                            "klantvriendelijkheid, zakelijke e-mails schrijven")
    assert "Stap 5" in out and "Omgaan met lastige klanten" in out
    await hr.press("accept")
    assert "laatste controle" in hr.text
    await hr.press("ok")
    await hr.press("another")
    out = await build_level(hr, "functie", "Secretaresses", ["3", "40-55", "5-30", "mbo"],
                            "Informatie verwerken, Directie ondersteunen, "
                            "vergaderingen organiseren en voorbereiden")
    assert "Stap 5" in out
    assert hr.card_labels() == FUNCTION_PATH
    await hr.press("accept")
    await hr.press("ok")
    await hr.press("another")
    out = await build_level(hr, "individueel", "Secretaresse X", ["54", "30", "mbo"],
                            "Feedback geven en ontvangen, Presentatievaardigheden, "
                            "Zakelijke e-mails schrijven")
    assert "Stap 5" in out
    await hr.press("accept")
    await hr.press("ok")
    out = await hr.press("save")
    assert "Bewaard" in out and "Secretaresses" in out
    async with Workspace(runtime) as ws:
        paths = await ws.paths.paths()
    assert [p.name for p in paths][::-1] == ["Afdeling HR", "Secretaresses", "Secretaresse X"]
    function = next(p for p in paths if p.name == "Secretaresses")
    assert [t["title"] for t in function.trainings] == FUNCTION_PATH
    used = [t["id"] for p in paths for t in p.trainings]
    assert len(used) == len(set(used)), "no training in two stacked paths"


async def test_wizard_asks_when_unsure_and_allows_swapping(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    await hr.say("leerlijn maken")
    await hr.press("functie")
    await hr.say("Test")
    for value in ("3", "30-40", "2-10", "mbo"):
        await hr.say(value)
    await hr.press("competencies")
    out = await hr.say("vergaderingen voorbereiden, kwjiblfx")
    assert "kwjiblfx" in out  # reported as not found, never guessed
    while "bedoel je" in hr.text.lower():
        await hr.say("1")
    for value in ("1", "5", "6", "online"):  # one training only: there are alternatives
        await hr.say(value)
    assert "Stap 5" in hr.text
    (first,) = hr.card_labels()
    await hr.press("swap")
    await hr.say("1")
    assert "vervangen" in hr.text
    await hr.say("1")
    assert "Stap 5" in hr.text
    (second,) = hr.card_labels()
    assert second != first
    removed = []
    while hr.card_labels():  # a removed training stays out; the engine may take the next one
        removed += hr.card_labels()
        await hr.press("remove")
        await hr.say("1")
        assert "Stap 5" in hr.text
    assert second in removed and first not in removed  # swapped out: never back
    assert "heb je uitgesloten" in hr.text  # and says so, naming them
    assert "nog geen trainingen" in await hr.press("accept")
    assert "niets bewaard" in await hr.say("stop")


async def test_the_path_engine_thinks_in_a_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    released = threading.Event()

    def waiting_build(request: Any, matcher: Any, seconds: float) -> str:
        if not released.wait(timeout=10):  # only the event loop releases it
            raise AssertionError("the event loop was blocked while the engine was thinking")
        return "built"

    monkeypatch.setattr(solver, "build_paths", waiting_build)
    thinking = asyncio.create_task(solver.build_paths_async(None, None))  # type: ignore[arg-type]
    await asyncio.sleep(0)  # the solver starts
    released.set()  # the loop runs on while it thinks
    assert await thinking == "built"


async def test_others_are_answered_while_a_path_is_composed(  # type: ignore[no-untyped-def]
        runtime, case_catalogue: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await use_catalogue(runtime, case_catalogue)
    entered, answered = threading.Event(), threading.Event()
    build = solver.build_paths

    def waiting_build(request: Any, matcher: Any, seconds: float) -> Any:
        entered.set()
        if not answered.wait(timeout=10):
            raise AssertionError("nobody else was answered while the engine was thinking")
        return build(request, matcher, seconds)

    monkeypatch.setattr(solver, "build_paths", waiting_build)
    hr, anna = User(runtime.conductor, name="hr"), User(runtime.conductor, name="anna")
    await hr.say("leerlijn maken")
    await build_level(hr, "functie", "Secretaresses", ["3", "40-55", "5-30", "mbo"],
                      "Informatie verwerken, Directie ondersteunen", limits=("4", "5", "6"))
    composing = asyncio.create_task(hr.say("online"))
    while not entered.is_set():
        await asyncio.sleep(0.01)
    assert "Leerhulp" in await anna.say("menu")
    answered.set()
    assert "Stap 5" in await composing and "Prioriteiten stellen" in hr.text


async def test_wizard_refuses_employees(runtime) -> None:  # type: ignore[no-untyped-def]
    boss = User(runtime.conductor, name="boss")
    await boss.say("hallo")
    employee = User(runtime.conductor, name="emp")
    assert "leidinggevenden en HR" in await employee.say("leerlijn maken")


async def test_scan_with_progress_resume_and_report(runtime) -> None:  # type: ignore[no-untyped-def]
    scan = load_scan()
    total = len(scan.statements)
    hr = User(runtime.conductor, name="hr")
    await hr.say("scan")
    out = await hr.say("Team Zorg")
    assert f"Vraag 1 van {total}" in out
    for index, statement in enumerate(scan.statements[:6]):
        barrier = statement.challenge == 6
        value = (1 if statement.reverse else 5) if barrier else 3
        out = await hr.say(str(value))
        assert f"Vraag {index + 2} van {total}" in out
    out = await hr.say("terug")
    assert f"Vraag 6 van {total}" in out
    await hr.say("3")
    # resume later: the session survives; "verder" shows the question again
    assert f"Vraag 7 van {total}" in await hr.say("verder")
    for statement in scan.statements[6:]:
        barrier = statement.challenge == 6
        await hr.say(str((1 if statement.reverse else 5) if barrier else 3))
    assert "belangrijkst" in hr.text
    out = await hr.say("6")
    assert "bewaard" in out and "Jullie profiel" in out
    async with Workspace(runtime) as ws:
        (first,) = await ws.scans.scans("Team Zorg")
    assert first.taken_by == "hr" and first.profile == 6 and first.priorities == [6]
    assert first.scores[6] == 100 and len(first.top_actions) == 3
    assert hr.images(), "the report has a chart"
    assert hr.images()[0].png.startswith(b"\x89PNG")
    assert "6." in out and "HIGHLIGHT" in out
    out = await hr.press("Meer details")
    assert "Alle acties" in out and "9." in out
    # a second scan of the same team shows the change
    await hr.say("scan")
    await hr.say("Team Zorg")
    for _ in scan.statements:
        await hr.say("3")
    out = await hr.say("-")
    assert "vorige scan, van" in out
    async with Workspace(runtime) as ws:
        latest, earlier = await ws.scans.scans("Team Zorg")
    assert earlier.id == first.id and latest.scores[6] == 50 and latest.priorities == []


async def test_learning_help_matches_offers_and_saves(runtime, reference_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    await use_catalogue(runtime, reference_catalogue)
    colleague = User(runtime.conductor, name="piet")
    await colleague.say("mijn profiel")
    await colleague.say("Excel en draaitabellen")
    await colleague.say("draaitabellen")
    await colleague.say("-")
    await colleague.say("-")
    await colleague.press("yes")
    anna = User(runtime.conductor, name="anna")
    out = await anna.say("ik wil beter worden in excel")
    assert "Excel" in out
    await anna.say("mbo")
    out = await anna.say("online")
    assert "Excel basis" in out and "20 minuten" in out and "piet" in out
    await anna.press("reflect")
    for answer in ("formules", "draaitabellen", "dashboards maken", "als ik het meteen doe"):
        out = await anna.say(answer)
    assert "bewaren" in out
    out = await anna.press("yes")
    assert "leerwens" in out
    async with Workspace(runtime) as ws:
        (wish,) = await ws.learning_wishes.wishes("anna")
        assert wish.text == "ik wil beter worden in excel"
        assert list(wish.reflection.values())[-1] == "als ik het meteen doe"
        assert await ws.learning_wishes.wishes("piet") == []
    await anna.say("mijn gegevens")
    await anna.press("export")
    data = json.loads(anna.files()[0].data)
    assert data["learning_wishes"][0]["competencies"][0] == "Excel"
    assert len(data["learning_wishes"][0]["reflection"]) == 4


async def test_learning_help_asks_did_you_mean(runtime) -> None:  # type: ignore[no-untyped-def]
    anna = User(runtime.conductor, name="anna")
    await anna.say("leerhulp")
    out = await anna.say("zqxv")
    assert "geen onderwerp" in out
    await anna.say("stop")


async def test_action_library_browse_and_search(runtime) -> None:  # type: ignore[no-untyped-def]
    anna = User(runtime.conductor, name="anna")
    await anna.say("acties")
    out = await anna.press("6")
    assert "6.2" in out
    out = await anna.press("6.2")
    assert "Wat je kan doen" in out
    await anna.press("other_challenge")
    await anna.press("search")
    out = await anna.say("buddy")
    assert "4.2" in out or "8.1" in out
    await anna.say("1")
    out = await anna.press("done")
    assert "succes" in out.lower()
    out = await anna.say("actie 1.2")
    assert "1.2" in out and "Wat je kan doen" in out


async def test_profile_roundtrip(runtime) -> None:  # type: ignore[no-untyped-def]
    anna = User(runtime.conductor, name="anna")
    out = await anna.say("mijn profiel")
    assert "(1/4)" in out
    await anna.say("presenteren, Excel")
    await anna.say("draaitabellen maken")
    await anna.say("timemanagement")
    out = await anna.say("1, 2")
    assert "Presentatievaardigheden" in out and "Excel" in out
    assert "bewaard" in await anna.press("yes")
    out = await anna.say("profiel")
    assert "presenteren, Excel" in out
    out = await anna.press("keep")
    assert "blijft" in out


async def test_my_data_export_and_delete(runtime) -> None:  # type: ignore[no-untyped-def]
    anna = User(runtime.conductor, name="anna")
    await anna.say("mijn profiel")
    for answer in ("Excel", "-", "-", "-"):
        await anna.say(answer)
    await anna.press("yes")
    await anna.say("mijn gegevens")
    await anna.press("export")
    exported = json.loads(anna.files()[0].data)
    assert exported["profile"]["good_at"] == "Excel"
    await anna.say("mijn gegevens")
    await anna.press("delete")
    out = await anna.press("yes")
    assert "Gewist" in out
    await anna.say("mijn gegevens")
    await anna.press("export")
    after = json.loads(anna.files()[0].data)
    assert after["profile"] is None and after["learning_wishes"] == []


async def test_language_switch(runtime) -> None:  # type: ignore[no-untyped-def]
    anna = User(runtime.conductor, name="anna")
    out = await anna.say("switch to english")
    assert "English" in out
    out = await anna.say("menu")
    assert "What can I help you with" in out


async def test_roles_dialog(runtime) -> None:  # type: ignore[no-untyped-def]
    admin = User(runtime.conductor, name="admin")
    await admin.say("hallo")
    worker = User(runtime.conductor, name="worker")
    await worker.say("hallo")
    await admin.say("rollen")
    await admin.press("worker")
    assert "Leidinggevende" in (await admin.press("manager")) or True
    assert "Stap 1" in await worker.say("leerlijn maken")


async def test_saved_paths_export_and_assign(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    colleague = User(runtime.conductor, name="sam")
    await hr.say("hallo")
    await colleague.say("hallo")
    await hr.say("leerlijn maken")
    await build_level(hr, "functie", "Secretaresses", ["3", "40-55", "5-30", "mbo"],
                      "Informatie verwerken, Directie ondersteunen")
    await hr.press("accept")
    await hr.press("ok")
    await hr.press("save")
    await hr.say("leerlijnen")
    out = await hr.say("1")
    assert "Prioriteiten stellen" in out
    await hr.press("csv")
    rows = list(csv.reader(io.StringIO(hr.files()[0].data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Leerlijn" and rows[1][4] == "Prioriteiten stellen"
    await hr.press("markdown")
    assert hr.files()[0].data.decode().startswith("# Secretaresses")
    await hr.press("assign")
    await hr.say("sam")
    assert "niet in de toekomst" in await hr.say("01-01-2020")  # a deadline lies ahead
    out = await hr.say("31-12-2029")
    assert "Toegewezen aan sam" in out
    assert "sam (tot 31 december 2029)" in out  # the open path shows who has it, until when
    out = await hr.press("done")
    assert "Tot later" in out
    async with Workspace(runtime) as ws:
        (assignment,) = await ws.paths.assignments(user="sam")
    assert assignment.path_name == "Secretaresses" and assignment.assigned_by == "hr"
    assert assignment.deadline.date().isoformat() == "2029-12-31"


#: what an old button (the former dialog id, or a proactive "go:" button) starts now
FORMER_IDS = [("leerlijn", "Stap 1"), ("go:leerlijn", "Stap 1"),
              ("leerlijnen", "nog geen leerlijnen"), ("go:leerlijnen", "nog geen leerlijnen"),
              ("scan", "Voor welke organisatie"), ("go:scan", "Voor welke organisatie")]


async def test_leerlijn_and_scan_keep_their_menu_places_and_former_ids(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = User(runtime.conductor, name="hr")  # the first member: admin
    await hr.say("menu")
    menu = [value for value, _ in hr.choices()]
    # an admin's menu starts with the tools for managers and HR, in their order
    assert menu[:4] == ["path_builder", "saved_paths", "scan", "team"]
    for value, expected in FORMER_IDS:
        assert expected in await hr.send_value(value), value
        await hr.say("stop")


@pytest.mark.parametrize("text", ["stop", "terug", "help", "verder"])
async def test_commands_outside_a_dialog_show_the_menu(runtime, text: str) -> None:  # type: ignore[no-untyped-def]
    anna = User(runtime.conductor, name="anna")
    assert anna.choices() == []
    await anna.say(text)
    assert ("kit:more", "Meer…") in anna.choices()  # the menu (anna is the first: admin)
