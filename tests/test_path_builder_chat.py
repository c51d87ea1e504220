"""The leerlijn wizard in chat: the e-book's three levels give the CLI's paths (all levels
solved together), natural Dutch in its forms, earlier levels edited and removed, a later path
for the same people that avoids (or knowingly repeats) their trainings, the previous level's
constraints offered again, and only true warnings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml

from engine.matching import CompetencyMatcher
from engine.paths import PathRequest, build_paths
from knowledge.base import data_path
from knowledge.catalogue_import import read_catalogue
from knowledge.taxonomy import load_taxonomy
from tests.conversation import User, Workspace
from tests.test_dialogs import FUNCTION_PATH, use_catalogue

LIMITS = "maximaal 4 trainingen, hooguit 5 uur, binnen een half jaar, alleen online"


async def start_level(hr: User, level: str, name: str) -> None:
    await hr.press(level)
    if "Bouwt deze leerlijn voort" in hr.text:
        await hr.press("andere mensen")
    await hr.say(name)


async def goals(hr: User, text: str) -> str:
    await hr.press("competencies")
    out = await hr.say(text)
    while "bedoel je" in out.lower():
        out = await hr.say("1")
    return out


async def build_ebook_case(hr: User) -> None:
    """The e-book's three levels, in one session, typed as a manager would."""
    assert "Stap 1" in await hr.say("ik wil een leerlijn maken")
    await start_level(hr, "afdeling", "Afdeling HR")
    out = await hr.say("15 mensen van 20 tot 55 jaar, mbo en hbo, 0 tot 30 jaar ervaring")
    assert ("Genoteerd: Aantal medewerkers: 15; Leeftijd: 20-55; Jaren werkervaring: 0-30; "
            "Opleidingsniveau: mbo,hbo.") in out
    await goals(hr, "klantvriendelijkheid, zakelijke e-mails schrijven")
    out = await hr.say(LIMITS)
    assert "Maximum aantal uren: 5 uur; Afgerond binnen: 6 maanden;" in out
    assert "Stap 5" in out and "Voor: 15 medewerkers, 20-55 jaar oud" in out
    await hr.press("accept")
    await hr.press("ok")
    await hr.press("another")
    await start_level(hr, "functie", "Secretaresses")
    await hr.say("3 secretaresses van 40 tot 55, mbo, 5 tot 30 jaar ervaring")
    out = await goals(hr, "Informatie verwerken, Directie ondersteunen, "
                          "vergaderingen organiseren en voorbereiden")
    assert "Dezelfde randvoorwaarden als 'Afdeling HR'" in out
    out = await hr.say("ja")
    assert "Stap 5" in out
    assert hr.card_labels() == FUNCTION_PATH
    await hr.press("accept")
    await hr.press("ok")
    await hr.press("another")
    await start_level(hr, "individueel", "Secretaresse X")
    for answer in ("54 jaar", "30 jaar", "mbo"):
        await hr.say(answer)
    await goals(hr, "Feedback geven en ontvangen, Presentatievaardigheden, "
                    "Zakelijke e-mails schrijven")
    out = await hr.press("yes")
    assert "Stap 5" in out and "Niet gedekt" not in out


def cli_paths(catalogue: Path) -> dict[str, list[str]]:
    matcher = CompetencyMatcher(read_catalogue(catalogue).catalogue, load_taxonomy())
    raw = yaml.safe_load(data_path("examples", "casus-secretaresse.yaml").read_text())
    result = build_paths(PathRequest.model_validate(raw), matcher)
    return {p.name: [t.id for t in p.trainings] for p in result.paths}


async def test_the_ebook_case_in_chat_gives_the_cli_paths(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    await build_ebook_case(hr)
    await hr.press("accept")
    out = await hr.press("ok")  # the final check, then the session's overview
    assert "niet gedekt" not in out.lower()
    out = await hr.press("save")
    assert "Bewaard" in out
    async with Workspace(runtime) as ws:
        saved = {p.name: [t["id"] for t in p.trainings] for p in await ws.paths.paths()}
        function = next(p for p in await ws.paths.paths() if p.name == "Secretaresses")
    assert saved == cli_paths(case_catalogue)
    assert [t["title"] for t in function.trainings] == FUNCTION_PATH
    used = [i for ids in saved.values() for i in ids]
    assert len(used) == len(set(used)), "no training in two levels"


async def test_the_final_check_marks_only_true_facts(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    await build_ebook_case(hr)
    out = await hr.press("accept")
    assert "✓ elk leerdoel is gedekt" in out
    assert "✓ let op" not in out and "⚠" not in out
    assert "✓ geen overlap met de andere leerlijnen van deze sessie" in out


async def test_an_earlier_level_is_edited_and_removed(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    await build_ebook_case(hr)
    await hr.press("accept")
    out = await hr.press("ok")
    assert "Afdeling HR" in out and "Secretaresse X" in out
    await hr.press("edit")
    await hr.press("Afdeling HR")
    assert "Stap 5" in hr.text and "'Afdeling HR'" in hr.text
    await hr.press("remove")
    await hr.press("Zakelijke e-mails schrijven")
    assert "Zakelijke e-mails schrijven" not in hr.card_labels()
    await hr.press("accept")
    await hr.press("ok")
    await hr.press("Een leerlijn weghalen")
    out = await hr.press("Secretaresse X")
    assert "'Secretaresse X' is weggehaald" in out
    out = await hr.press("save")
    async with Workspace(runtime) as ws:
        names = sorted(p.name for p in await ws.paths.paths())
        department = next(p for p in await ws.paths.paths() if p.name == "Afdeling HR")
    assert names == ["Afdeling HR", "Secretaresses"]
    assert "Zakelijke e-mails schrijven" not in [t["title"] for t in department.trainings]


async def test_a_later_path_for_the_same_people_avoids_or_repeats_knowingly(  # type: ignore[no-untyped-def]
        runtime, case_catalogue: Path) -> None:
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    await build_ebook_case(hr)
    await hr.press("accept")
    await hr.press("ok")
    await hr.press("save")
    async with Workspace(runtime) as ws:
        await ws.join("bea", "Bea")
        function = next(p for p in await ws.paths.paths() if p.name == "Secretaresses")
        await ws.paths.assign(function.id, "bea", datetime(2027, 6, 1, tzinfo=UTC), "hr")
    held = [t["title"] for t in function.trainings]
    await hr.say("leerlijn maken")
    await hr.press("individueel")
    out = hr.text
    assert "Bouwt deze leerlijn voort op bestaande leerlijnen" in out
    assert "Secretaresses (Functie, 4 trainingen), toegewezen aan Bea" in out
    await hr.press("Secretaresses (")
    await hr.say("Secretaresse Y")
    for answer in ("tussen 40 en 55", "> 5 jaar", "mbo"):
        await hr.say(answer)
    out = await goals(hr, "Plannen en organiseren, Feedback geven en ontvangen")
    out = await hr.say(LIMITS)
    assert "Stap 5" in out
    assert not set(hr.card_labels()) & set(held), "nothing they already have"
    assert ("Voor Plannen en organiseren valt af: 'Prioriteiten stellen'; de deelnemers hebben "
            "die al uit leerlijn 'Secretaresses'") in out
    assert "Toch herhalen: 'Prioriteiten stellen'" in out
    out = await hr.press("repeat")
    assert "Herhaalt 'Prioriteiten stellen' uit 'Secretaresses'" in out
    assert "Prioriteiten stellen" in hr.card_labels()
    assert "Verder zijn trainingen die ze al hebben uit 'Secretaresses' niet opnieuw" in out
    out = await hr.press("accept")
    assert "⚠ Herhaalt 'Prioriteiten stellen' uit 'Secretaresses'" in out


async def test_natural_input_and_named_mistakes(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    await hr.say("leerlijn maken")
    await start_level(hr, "functie", "Secretaresses")
    await hr.say("drie")
    out = await hr.say("40 tot 55 jaar")
    assert "werkervaring" in out.lower()
    out = await hr.say("minstens 5")
    await hr.say("mbo")
    await goals(hr, "Informatie verwerken")
    await hr.say("max 4")
    out = await hr.say("twaalf weken geleden")
    assert "uren" in out.lower()  # the field is named, the count is kept
    await hr.say("hooguit 5 uur")
    await hr.say("een half jaar")
    out = await hr.say("online")
    assert "Stap 5" in out
    assert "Voor: 3 medewerkers, 40-55 jaar oud, minstens 5 jaar ervaring, mbo" in out
    assert "van max 4" in out and "max 5 uur" in out


async def test_why_this_training_explains_its_reason(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    await hr.say("leerlijn maken")
    await start_level(hr, "functie", "Secretaresses")
    await hr.say("3 secretaresses van 40 tot 55, mbo, 5 tot 30 jaar ervaring")
    await goals(hr, "Informatie verwerken")
    await hr.say(LIMITS)
    await hr.press("why")
    out = await hr.press("Prioriteiten stellen")
    assert "Waarom 'Prioriteiten stellen': Dekt Informatie verwerken" in out
    assert "Stap 5" in out


async def test_typed_why_while_composing_explains_that_training(  # type: ignore[no-untyped-def]
        runtime, case_catalogue: Path) -> None:
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    await hr.say("leerlijn maken")
    await start_level(hr, "functie", "Secretaresses")
    await hr.say("3 secretaresses van 40 tot 55, mbo, 5 tot 30 jaar ervaring")
    await goals(hr, "Informatie verwerken, Directie ondersteunen")
    await hr.say(LIMITS)
    out = await hr.say("waarom klantvriendelijkheid?")
    assert "Waarom 'Klantvriendelijkheid': Dekt Directie ondersteunen" in out
    assert "Stap 5" in out, "still composing"
    out = await hr.say("waarom deze training")
    assert "Over welke training" in out
    out = await hr.say("1")
    assert "Waarom 'Prioriteiten stellen'" in out


async def test_what_is_a_leerlijn_explains_instead_of_starting(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = User(runtime.conductor, name="hr")
    out = await hr.say("wat is een leerlijn eigenlijk?")
    assert "samenhangende reeks trainingen" in out and "Stap 1" not in out
    assert "Leerlijn maken" in [label for _, label in hr.choices()]
    out = await hr.say("hoe werkt dit?")
    assert "Niveau" in out and "Samenstellen" in out and "laatste controle" in out
    out = await hr.say("waarom deze training")
    assert "plafond" in out
    out = await hr.press("Welke niveaus")
    assert "individueel" in out
    out = await hr.press("Leerlijn maken")
    assert "Stap 1" in out


async def test_an_employee_gets_the_explanation_without_the_wizard(runtime) -> None:  # type: ignore[no-untyped-def]
    boss = User(runtime.conductor, name="boss")
    await boss.say("hallo")  # the first user of a workspace leads it
    employee = User(runtime.conductor, name="emp")
    out = await employee.say("wat is een leerlijn?")
    assert "samenhangende reeks trainingen" in out and "vraag je leidinggevende" in out
    assert "Leerlijn maken" not in [label for _, label in employee.choices()]


async def test_a_repeat_that_fits_better_than_a_fallback_is_offered(  # type: ignore[no-untyped-def]
        runtime, case_catalogue: Path) -> None:
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    await build_ebook_case(hr)
    await hr.press("accept")
    await hr.press("ok")
    await hr.press("save")
    await hr.say("leerlijn maken")
    await hr.press("individueel")
    await hr.press("Secretaresse X (")
    await hr.say("Secretaresse X, later")
    for answer in ("54", "30", "mbo"):
        await hr.say(answer)
    await goals(hr, "Feedback geven en ontvangen")
    out = await hr.say(LIMITS)
    assert hr.card_labels() == ["Feedback die landt"]  # hbo: the mbo one they already have
    assert "past niet bij het opleidingsniveau van de doelgroep (mbo)" in out
    assert "de deelnemers hebben die al uit leerlijn 'Secretaresse X'" in out
    out = await hr.press("Toch herhalen: 'Feedback geven en ontvangen'")
    assert hr.card_labels() == ["Feedback geven en ontvangen"]
    assert "sta herhalen toe" not in out and "Toch herhalen" not in out
    assert "Herhaalt 'Feedback geven en ontvangen' uit 'Secretaresse X'" in out


async def test_the_wizard_in_english(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr", locale="en")
    assert "Step 1" in await hr.say("create a learning path")
    await hr.press("functie")
    await hr.say("Secretaries")
    out = await hr.say("3 people aged between 40 and 55, mbo, at least 5 years of experience")
    assert "Noted: Number of employees: 3; Age: 40-55; Years of experience: at least 5" in out
    await hr.press("competencies")
    await hr.say("Informatie verwerken, Directie ondersteunen")
    out = await hr.say("at most 4 trainings, no more than 5 hours, within half a year, online")
    assert "Step 5" in out and "For: 3 employees, aged 40-55" in out
    assert hr.card_labels() == ["Prioriteiten stellen", "Klantvriendelijkheid"]
    out = await hr.say("why klantvriendelijkheid")
    assert "Why 'Klantvriendelijkheid'" in out
