"""The manager's and HR admin's journeys played as a person would (QA round): each test is a
defect found by talking to Leerbot, kept so it stays fixed."""

from __future__ import annotations

import io
import re
from pathlib import Path

from bot.channels.console import ConsoleAdapter, render
from dialogs.kit import ImageBlock, Message, SessionKey, plain
from tests.conversation import User, Workspace, deliver
from tests.test_development import prepare, team_with_lead
from tests.test_dialogs import use_catalogue
from tests.test_my_path import a_path, assign_by_dialog
from tests.test_path_builder_chat import goals, start_level
from tests.test_saved_paths_dialog import build, open_path, stored, team
from tests.test_scan_dialogs import fill_in


async def test_a_constraints_sentence_with_a_part_it_cannot_place_says_what_it_noted(  # type: ignore[no-untyped-def]
        runtime, case_catalogue: Path) -> None:
    """"een paar" (how many?) is not placed; the rest of the sentence is, and Leerbot says so
    before asking for the missing field instead of asking field 1 again without a word. (A bare
    "max 4" is read as the most trainings since: tests/test_parsing.py.)"""
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    await hr.say("leerlijn maken")
    await start_level(hr, "functie", "Secretaresses")
    await hr.say("3 secretaresses van 40 tot 55, mbo, 5 tot 30 jaar ervaring")
    await goals(hr, "Informatie verwerken")
    out = await hr.say("een paar, hooguit 5 uur, binnen een half jaar, alleen online")
    assert ("Genoteerd: Maximum aantal uren: 5 uur; Afgerond binnen: 6 maanden; "
            "Toegestane leervormen: online. De rest vraag ik hieronder.") in out
    assert "(1/4) Maximum aantal trainingen" in out
    out = await hr.say("4")
    assert "Stap 5" in out and "van max 4" in out and "max 5 uur" in out


async def test_after_menu_the_question_shown_is_the_one_answered(runtime) -> None:  # type: ignore[no-untyped-def]
    """"teamscan" typed in the wizard is asked about ("Bedoel je ...?"); "menu" then shows the
    wizard's own question again, so "1" answers that question, not the one no longer shown."""
    hr = User(runtime.conductor, name="hr")
    await hr.say("leerlijn maken")
    assert "Bedoel je" in await hr.say("teamscan")
    out = await hr.say("menu")
    assert "Voor welk niveau maak je deze leerlijn?" in out and "Bedoel je" not in out
    out = await hr.say("1")
    assert "Naar wie stuur ik de scan?" not in out
    assert "Hoe heet deze leerlijn?" in out


async def test_the_suggested_deadline_is_what_half_a_year_reads_as(  # type: ignore[no-untyped-def]
        runtime, case_catalogue: Path) -> None:
    """The assignment's suggested deadline (6 months) and a typed "over een half jaar" give
    the same day (was: the suggestion counted 30.44 days a month, one day later)."""
    hr = await team(runtime, case_catalogue)
    await build(hr, "Secretaresses")
    await open_path(hr, "Secretaresses")
    await hr.press("assign")
    out = await hr.say("sam")
    suggested = re.search(r"voorstel: ([^;]+);", out)
    assert suggested is not None, out
    out = await hr.say("over een half jaar")
    assert f"Toegewezen aan Sam, deadline {suggested.group(1)}." in out


async def test_a_withdrawn_assignment_is_not_announced_afterwards(runtime) -> None:  # type: ignore[no-untyped-def]
    """Assigned and withdrawn before Sam read her messages: she is not told about a leerlijn
    she no longer has, and its "Begonnen" button marks nothing."""
    await a_path(runtime)
    hr, sam = User(runtime.conductor, name="hr"), User(runtime.conductor, name="sam")
    await hr.say("hallo")
    await sam.say("hallo")
    assert "Toegewezen aan sam" in await assign_by_dialog(hr, "sam")
    await hr.press("edit")
    await hr.press("unassign")
    if "Bij wie" in hr.text:
        await hr.press("sam")
    await hr.say("ja")
    async with Workspace(runtime) as ws:
        assert await ws.my_path.my_paths("sam") == []
    await deliver(runtime)
    out = await sam.say("hoi")
    assert "aan je toegewezen" not in out, out
    # assigned again and the leerlijn deleted before she looks: no announcement either
    await hr.press("done")
    assert "Toegewezen aan sam" in await assign_by_dialog(hr, "sam")
    await hr.press("edit")
    await hr.press("delete")
    assert "Verwijderd" in await hr.say("ja")
    await deliver(runtime)
    assert "aan je toegewezen" not in await sam.say("hoi")


async def test_a_manager_is_told_that_hr_dialogs_are_for_hr(runtime) -> None:  # type: ignore[no-untyped-def]
    """A manager asking for an HR-only dialog is not told it is "voor leidinggevenden en HR"
    (she is one) and to ask for that role."""
    hr = User(runtime.conductor, name="hr")
    await hr.say("hallo")
    async with Workspace(runtime) as ws:
        await ws.join("piet", "Piet", role="manager")
    piet = User(runtime.conductor, name="piet")
    for request, title in (("vraag naar competenties", "Vraag naar competenties"),
                           ("rollen", "Rollen")):
        out = await piet.say(request)
        assert f"{title} is er alleen voor HR (beheerders)." in out, out
        assert "voor leidinggevenden en HR" not in out
    employee = User(runtime.conductor, name="sam")
    assert "Leerlijnen is er voor leidinggevenden en HR" in await employee.say("leerlijnen")


async def test_a_shared_pop_made_into_a_leerlijn_twice_gets_a_free_name(runtime) -> None:  # type: ignore[no-untyped-def]
    """The second leerlijn from the same POP (or one whose name is taken) is saved under a
    free name (was: "Sorry, daar ging bij mij iets mis" from the name already in use)."""
    await team_with_lead(runtime)
    anna, mia = User(runtime.conductor, name="anna"), User(runtime.conductor, name="mia")
    await prepare(anna)
    await anna.press("done")
    await anna.press("share")
    out = await mia.send_value("go:shared_plans:anna")
    out = await mia.press("path")
    assert "Bewaard als leerlijn 'Individueel: Presentatievaardigheden' (#" in out
    await mia.send_value("go:shared_plans:anna")
    out = await mia.press("path")
    assert "iets mis" not in out
    assert "Bewaard als leerlijn 'Individueel: Presentatievaardigheden (2)' (#" in out
    async with Workspace(runtime) as ws:
        assert len(await ws.paths.paths()) == 2


async def test_every_reason_starts_with_a_capital(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    """Each sentence of a training's reason starts with a capital (was: "... (mbo). beginner
    past minder bij 6-60 jaar ervaring.")."""
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    await hr.say("leerlijn maken")
    await start_level(hr, "functie", "Secretaresses")
    await hr.say("3 secretaresses van 40 tot 55, mbo, meer dan 5 jaar ervaring")
    await goals(hr, "Informatie verwerken")
    out = await hr.say("maximaal 4 trainingen, hooguit 5 uur, binnen een half jaar, online")
    assert "Ervaringsniveau beginner past minder bij 6-60 jaar ervaring." in out
    assert not re.search(r"\. [a-z]", out), out


async def test_the_console_names_a_saved_chart_without_a_stray_full_stop(tmp_path: Path) -> None:
    """The chart's alt text ends with a full stop; the console adds ": <path>" after it (was
    "... profiel.: /tmp/.../scan.png")."""
    out = io.StringIO()
    console = ConsoleAdapter(SessionKey(channel="console", workspace="local", user="hr",
                                        conversation="hr"), out, tmp_path, "nl")
    chart = ImageBlock(name="scan.png", png=b"\x89PNG", alt=plain("Er is geen profiel."))
    await console.send("", render([Message(blocks=[chart])]), None)
    assert f"[Er is geen profiel: {tmp_path}" in out.getvalue(), out.getvalue()


async def test_scan_priorities_named_by_part_of_their_title(runtime) -> None:  # type: ignore[no-untyped-def]
    """"het werk gaat voor en coachende vaardigheden" picks challenges 1 and 9 (was: "Die
    keuze herken ik niet", a part of four words was never matched)."""
    hr = User(runtime.conductor, name="hr")
    await fill_in(hr, "Team Zorg", {1, 9},
                  priorities="het werk gaat voor en coachende vaardigheden")
    assert "is bewaard" in hr.text, hr.text
    async with Workspace(runtime) as ws:
        (record,) = await ws.scans.scans("Team Zorg")
    assert record.priorities == [1, 9]


async def test_a_new_name_is_not_read_as_a_saved_path_one_letter_apart(  # type: ignore[no-untyped-def]
        runtime, case_catalogue: Path) -> None:
    """Asked whether the new leerlijn builds on saved ones, "Secretaresse Y" (the new one's
    name) is not taken as "Secretaresse X" (was: picked silently)."""
    hr = await team(runtime, case_catalogue)
    await build(hr, "Secretaresse X")
    await hr.say("leerlijn maken")
    out = await hr.press("individueel")
    assert "Bouwt deze leerlijn voort" in out
    out = await hr.say("Secretaresse Y")
    assert "Die keuze herken ik niet" in out and "Bouwt deze leerlijn voort" in out
    out = await hr.say("secretaresse x")
    assert "Hoe heet deze leerlijn?" in out


async def test_what_aanpassen_offers_can_be_typed_on_the_opened_path(  # type: ignore[no-untyped-def]
        runtime, case_catalogue: Path) -> None:
    """Seen once under "Aanpassen", "training wisselen" typed on the leerlijn's own menu goes
    there at once (was: "Die keuze herken ik niet"); one who may not change it is told so."""
    hr = await team(runtime, case_catalogue)
    await build(hr, "Secretaresses")
    await open_path(hr, "Secretaresses")
    out = await hr.say("training wisselen")
    assert "Welke training van 'Secretaresses' wil je wisselen?" in out
    await hr.say("terug")
    out = await hr.say("leerlijn verwijderen")
    assert "'Secretaresses' definitief verwijderen?" in out
    await hr.say("nee")
    assert await stored(runtime, "Secretaresses") is not None
    async with Workspace(runtime) as ws:
        await ws.join("piet", "Piet", role="manager")
    piet = User(runtime.conductor, name="piet")
    await open_path(piet, "Secretaresses")
    out = await piet.say("training wisselen")
    assert "Die keuze herken ik niet" in out and "wisselen?" not in out


async def test_asking_for_the_scan_again_picks_up_the_answers_kept(runtime) -> None:  # type: ignore[no-untyped-def]
    """Answers kept for later ("Bewaar voor later") are picked up when she asks for the scan
    again, not only after "verder" (was: a new, empty scan; the kept answers were replaced
    when that one was kept too)."""
    hr = User(runtime.conductor, name="hr")
    await hr.say("scan")
    await hr.say("Team Zorg")
    for value in ("4", "4", "2"):
        await hr.say(value)
    await hr.say("stop")
    await hr.press("Bewaar voor later")
    out = await hr.say("scan")
    assert "We gaan verder met de scan" in out and "Vraag 4 van 27" in out, out
    await hr.say("stop")
    await hr.press("Stop zonder bewaren")
    out = await hr.say("scan")  # nothing kept now: a new scan
    assert "Voor welke organisatie of welk team" in out


async def test_a_second_thought_before_terug_goes_back(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    """"nee wacht, terug" in the middle of a form goes back one field, as "terug" does (was:
    "Die keuze herken ik niet")."""
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    await hr.say("leerlijn maken")
    await start_level(hr, "organisatie", "Hele organisatie")
    await hr.say("200")
    await hr.say("20 tot 67")
    out = await hr.say("nee wacht, terug")
    assert "Die keuze herken ik niet" not in out
    assert "(2/4) Leeftijd" in out and "20 tot 67" in out  # the age again, suggested
    out = await hr.say("oeps, stop")
    assert "Gestopt met leerlijn maken" in out


async def test_terug_in_a_form_goes_back_one_field_on_every_database(  # type: ignore[no-untyped-def]
        runtime, case_catalogue: Path) -> None:
    """After "200" and "20 tot 67", "terug" asks the age again, also on PostgreSQL, whose jsonb
    keeps keys in an order of its own (was: back to the first field there)."""
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    await hr.say("leerlijn maken")
    await start_level(hr, "organisatie", "Hele organisatie")
    await hr.say("200")
    await hr.say("20 tot 67")
    out = await hr.say("terug")
    assert "(2/4) Leeftijd" in out and "20 tot 67" in out
