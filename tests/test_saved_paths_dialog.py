"""Saved leerlijnen are living things, in conversation: open one, rename it, swap and remove a
training (checked by the engine again, saved only on "ja"), unassign someone, delete it with
its assignments, copy it as a new leerlijn; names stay unique; assigning warns about trainings
someone would get twice; only the maker or HR changes a leerlijn."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.storage.paths import PathRow
from dialogs.paths.path_builder import NO_BASE
from dialogs.paths.port import PathDraft
from tests.conversation import User, Workspace
from tests.test_dialogs import build_level, use_catalogue

DEADLINE = datetime(2030, 6, 30, 23, 59, tzinfo=UTC)
GROUP = ["3", "40-55", "5-30", "mbo"]


async def build(user: User, name: str, goals: str = "Informatie verwerken, Directie ondersteunen",
                level: str = "functie") -> None:
    await user.say("leerlijn maken")
    await build_level(user, level, name, GROUP, goals)
    await user.press("accept")
    await user.press("ok")
    await user.press("save")


async def open_path(user: User, name: str) -> str:
    await user.say("leerlijnen")
    return await user.press(name)


async def stored(runtime, name: str):  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        found = [p for p in await ws.paths.paths() if p.name == name]
        return found[0] if found else None


async def titles(runtime, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    path = await stored(runtime, name)
    assert path is not None, name
    return [t["title"] for t in path.trainings]


async def people_of(runtime, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    path = await stored(runtime, name)
    assert path is not None
    async with Workspace(runtime) as ws:
        return [a.user for a in await ws.paths.assignments(path_id=path.id)]


async def team(runtime, case_catalogue: Path) -> User:  # type: ignore[no-untyped-def]
    """HR (the first member: admin) and two colleagues, sam and lea, on the e-book's catalogue."""
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    await hr.say("hallo")
    async with Workspace(runtime) as ws:
        await ws.join("sam", "Sam")
        await ws.join("lea", "Lea")
    return hr


async def assign(user: User, people: str, deadline: str = "30-06-2030") -> str:
    await user.press("assign")
    await user.say(people)
    return await user.say(deadline)


async def test_edit_unassign_and_delete_a_saved_path(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    hr = await team(runtime, case_catalogue)
    await build(hr, "Secretaresses")
    assert await titles(runtime, "Secretaresses") == ["Prioriteiten stellen",
                                                      "Klantvriendelijkheid"]
    out = await open_path(hr, "Secretaresses")
    assert "Doelgroep: 3 medewerkers, 40-55 jaar, 5-30 jaar ervaring, mbo" in out
    assert "Dekt Informatie verwerken" in out  # each training with its reason
    assert "2 van max 4 trainingen, 2u15 van max 5 uur" in out  # the constraints
    out = await assign(hr, "sam, lea")
    assert "Toegewezen aan 2 mensen: Lea, Sam, deadline 30 juni 2030." in out

    # rename: stop halfway saves nothing (and "stop" does not deny the assignment saved)
    await hr.press("edit")
    await hr.press("rename")
    out = await hr.say("stop")
    assert "Wat ik hierboven als bewaard meldde, blijft bewaard; waar je nog mee bezig was, " \
           "is niet bewaard." in out
    assert await stored(runtime, "Secretaresses") is not None
    await open_path(hr, "Secretaresses")
    await hr.press("edit")
    await hr.press("rename")
    assert "Gestopt met leerlijnen. Er is niets bewaard." in await hr.say("stop")
    assert await stored(runtime, "Secretaresses") is not None
    await open_path(hr, "Secretaresses")
    await hr.press("edit")
    await hr.press("rename")
    out = await hr.say("Secretaresses   X")
    assert "Bewaard: 'Secretaresses' heet nu 'Secretaresses X'." in out
    assert await stored(runtime, "Secretaresses") is None

    # swap a training: the engine checks it again and warns truly; "terug" and "nee" keep it
    await hr.press("edit")
    await hr.press("swap")
    await hr.press("Prioriteiten stellen")
    out = await hr.press("Creative thinking")
    assert "Zo wordt 'Secretaresses X'" in out and "2u45 van max 5 uur" in out
    assert "'Creative thinking' (hbo) dekt Informatie verwerken, maar past niet bij het " \
           "opleidingsniveau van de doelgroep (mbo)." in out
    assert "Zo bewaren?" in out
    assert "Waardoor wil je 'Prioriteiten stellen' vervangen?" in await hr.say("terug")
    await hr.press("Creative thinking")
    out = await hr.say("nee")
    assert "Niet bewaard; 'Secretaresses X' is niet veranderd." in out
    assert await titles(runtime, "Secretaresses X") == ["Prioriteiten stellen",
                                                        "Klantvriendelijkheid"]
    await hr.press("edit")
    await hr.press("swap")
    await hr.press("Prioriteiten stellen")
    await hr.press("Creative thinking")
    out = await hr.say("ja")
    assert "Bewaard: 'Secretaresses X' is aangepast." in out
    assert "Zo bewaren?" in await hr.say("terug")  # back to the question just answered
    out = await hr.say("nee")  # too late to say no: it says so
    assert "Deze wijziging was al bewaard; 'Secretaresses X' blijft zoals hij nu is." in out
    assert await titles(runtime, "Secretaresses X") == ["Creative thinking",
                                                        "Klantvriendelijkheid"]
    changed = await stored(runtime, "Secretaresses X")
    assert changed is not None and changed.total_minutes == 165
    assert any("past niet bij het opleidingsniveau" in w for w in changed.warnings)

    # someone else changes it while the change waits for "ja": theirs stays, and it says so
    await hr.press("edit")
    await hr.press("remove")
    await hr.press("Klantvriendelijkheid")
    async with Workspace(runtime) as ws:
        meanwhile = await ws.paths.path(changed.id)
        assert meanwhile is not None
        await ws.paths.update_path(changed.id, meanwhile.model_copy(update={
            "trainings": meanwhile.trainings[::-1]}))
    out = await hr.say("ja")
    assert "Iemand anders heeft 'Secretaresses X' intussen veranderd, dus je wijziging is " \
           "niet bewaard." in out
    assert await titles(runtime, "Secretaresses X") == ["Klantvriendelijkheid",
                                                        "Creative thinking"]
    async with Workspace(runtime) as ws:
        await ws.paths.update_path(changed.id, changed)

    # remove a training: what is no longer covered is said, and saved only on "ja"
    await hr.press("edit")
    await hr.press("remove")
    out = await hr.press("Klantvriendelijkheid")
    assert "Niet meer gedekt: Directie ondersteunen." in out
    await hr.press("yes")
    assert await titles(runtime, "Secretaresses X") == ["Creative thinking"]
    await hr.press("edit")
    await hr.press("remove")
    out = await hr.press("Creative thinking")
    assert "laatste training van deze leerlijn" in out  # a leerlijn keeps one training

    # unassign: "nee" keeps Lea's, "ja" takes it away
    assert "blijft bewaard" in await hr.say("stop")
    await open_path(hr, "Secretaresses X")
    await hr.press("edit")
    await hr.press("unassign")
    out = await hr.press("Lea")
    assert "'Secretaresses X' intrekken bij Lea?" in out
    assert "Niet ingetrokken; Lea houdt 'Secretaresses X'." in await hr.say("nee")
    assert sorted(await people_of(runtime, "Secretaresses X")) == ["lea", "sam"]
    await hr.press("edit")
    await hr.press("unassign")
    await hr.press("Lea")
    assert "Ingetrokken: Lea heeft 'Secretaresses X' niet meer." in await hr.say("ja")
    await hr.say("terug")
    assert "Lea had 'Secretaresses X' al niet meer; er is niets veranderd." in \
        await hr.say("nee")
    assert await people_of(runtime, "Secretaresses X") == ["sam"]

    # delete: says the assignment goes too; "nee" keeps it, "ja" deletes both
    await hr.press("edit")
    out = await hr.press("delete")
    assert "De toewijzing aan Sam vervalt dan ook." in out
    assert "Niet verwijderd" in await hr.say("nee")
    assert await stored(runtime, "Secretaresses X") is not None
    await hr.press("edit")
    await hr.press("delete")
    out = await hr.say("ja")
    assert "Verwijderd: 'Secretaresses X' en de toewijzing aan 1 persoon." in out
    assert "nog geen leerlijnen" in out  # none left: the dialog ends
    assert await stored(runtime, "Secretaresses X") is None
    async with Workspace(runtime) as ws:
        assert await ws.paths.assignments(user="sam") == []


async def test_names_unique_whatever_their_case(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    hr = await team(runtime, case_catalogue)
    await build(hr, "Secretaresses")
    await hr.say("leerlijn maken")
    await hr.press("functie")
    await hr.press(NO_BASE)  # other people than those of the saved leerlijn
    out = await hr.say("SECRETARESSES")
    assert "Er is al een leerlijn die 'SECRETARESSES' heet" in out
    assert "bijvoorbeeld 'SECRETARESSES (2)'" in out
    assert "doelgroep" in (await hr.say("Secretaresses Y")).casefold()  # the next step
    await hr.say("stop")
    await open_path(hr, "Secretaresses")
    await hr.press("copy")
    assert "al een leerlijn die 'secretaresses' heet" in await hr.say("secretaresses")
    await hr.press("Secretaresses (kopie)")
    out = await hr.press("individueel")
    assert "Bewaard als nieuwe leerlijn: 'Secretaresses (kopie)' (Individueel)" in out
    assert "Een individuele leerlijn is voor één persoon; de doelgroep telt er 3." in out
    await hr.press("edit")
    await hr.press("rename")
    assert "al een leerlijn die 'Secretaresses' heet" in await hr.say("Secretaresses")
    out = await hr.say("secretaresses (kopie)")  # its own name in other letters is fine
    assert "heet nu 'secretaresses (kopie)'" in out
    async with Workspace(runtime) as ws:
        names = sorted(p.name for p in await ws.paths.paths())
    assert names == ["Secretaresses", "secretaresses (kopie)"]


async def test_assigning_warns_about_duplicates(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    hr = await team(runtime, case_catalogue)
    await build(hr, "Secretaresses")
    await open_path(hr, "Secretaresses")
    await assign(hr, "sam")
    await hr.press("copy")
    await hr.say("Secretaresses Y")
    await hr.press("functie")
    out = await assign(hr, "sam, lea")
    assert "Let op, dan krijgt iemand een training dubbel:" in out
    assert "Sam heeft 'Prioriteiten stellen' al via leerlijn 'Secretaresses'" in out
    assert "Sam heeft 'Klantvriendelijkheid' al via leerlijn 'Secretaresses'" in out
    assert "Lea heeft" not in out and "Toch aan deze 2 mensen toewijzen?" in out
    assert "Niet toegewezen; er is niets veranderd." in await hr.say("nee")
    assert await people_of(runtime, "Secretaresses Y") == []
    await assign(hr, "sam, lea")
    out = await hr.say("ja")
    assert "Toegewezen aan 2 mensen: Lea, Sam" in out
    assert sorted(await people_of(runtime, "Secretaresses Y")) == ["lea", "sam"]
    # changing the copy says what Sam would still get twice; that is not kept as a warning
    await hr.press("edit")
    await hr.press("remove")
    out = await hr.press("Klantvriendelijkheid")
    assert "'Prioriteiten stellen' hebben mensen met deze leerlijn al via leerlijn " \
           "'Secretaresses'." in out
    assert "Bewaard: 'Secretaresses Y' is aangepast." in await hr.say("ja")
    copy = await stored(runtime, "Secretaresses Y")
    assert copy is not None and not any("al via leerlijn" in w for w in copy.warnings)
    assert await titles(runtime, "Secretaresses Y") == ["Prioriteiten stellen"]
    # assigned again (a new deadline) is no duplicate of itself
    out = await assign(hr, "lea", "31-12-2030")
    assert "dubbel" not in out and "Toegewezen aan Lea, deadline 31 december 2030." in out
    # Lea has Secretaresses Y only: nothing twice; Sam has it through both
    out = await assign(hr, "sam")
    assert "Sam heeft 'Prioriteiten stellen' al via leerlijn 'Secretaresses'" in out
    assert "Klantvriendelijkheid" not in out.split("Toch toewijzen?")[0]


async def test_only_the_maker_or_hr_changes_a_path(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    hr = await team(runtime, case_catalogue)
    mia = User(runtime.conductor, name="mia")
    await mia.say("hallo")
    async with Workspace(runtime) as ws:
        await ws.people.set_role("mia", "manager")
    await build(hr, "Secretaresses")
    out = await open_path(mia, "Secretaresses")
    assert "Aanpassen kan alleen wie deze leerlijn maakte, of HR." in out
    assert "edit" not in [value for value, _ in mia.choices()]
    out = await mia.say("aanpassen")  # not one of her options: asked again
    assert "Die keuze herken ik niet" in out and "edit" not in [v for v, _ in mia.choices()]
    assert await stored(runtime, "Secretaresses") is not None
    # mia may assign and copy; her copy is hers to change
    await mia.press("copy")
    await mia.say("Mia's secretaresses")
    out = await mia.press("functie")
    assert "Aanpassen kan alleen" not in out and "edit" in [v for v, _ in mia.choices()]
    # what she may do is checked against what is stored, at every step
    await mia.press("edit")
    async with Workspace(runtime) as ws:
        await ws.db.execute(update(PathRow).where(PathRow.name == "Mia's secretaresses")
                            .values(created_by="hr"))
    out = await mia.press("rename")
    assert "Deze leerlijn kan alleen worden aangepast door wie hem maakte, of door HR." in out
    async with Workspace(runtime) as ws:
        await ws.db.execute(update(PathRow).where(PathRow.name == "Mia's secretaresses")
                            .values(created_by="mia"))
    # HR changes anyone's
    await open_path(hr, "Mia's secretaresses")
    await hr.press("edit")
    await hr.press("rename")
    assert "heet nu 'Secretaresses (Mia)'" in await hr.say("Secretaresses (Mia)")
    # an employee does not get in at all
    sam = User(runtime.conductor, name="sam")
    assert "Secretaresses" not in await sam.say("leerlijnen")


async def test_lists_and_exports_show_the_target_group(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    hr = await team(runtime, case_catalogue)
    await build(hr, "Secretaresses")
    out = await hr.say("leerlijnen")
    assert "Er is 1 leerlijn bewaard" in out
    assert "Secretaresses · Functie · 3 medewerkers, 40-55 jaar, 5-30 jaar ervaring, mbo" in out
    await hr.press("Secretaresses")
    await hr.press("csv")
    rows = list(csv.reader(io.StringIO(hr.files()[0].data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-4:] == ["Doelgroep: aantal", "Doelgroep: leeftijd", "Doelgroep: ervaring",
                            "Doelgroep: opleiding"]
    assert rows[1][-4:] == ["3 medewerkers", "40-55 jaar", "5-30 jaar ervaring", "mbo"]
    await hr.press("markdown")
    markdown = hr.files()[0].data.decode()
    assert "- Doelgroep: 3 medewerkers, 40-55 jaar, 5-30 jaar ervaring, mbo\n" in markdown
    assert "max 4 trainingen, max 5 uur, binnen 6 maanden, online" in markdown


async def test_a_name_taken_while_building_gets_a_free_one(runtime, case_catalogue: Path) -> None:  # type: ignore[no-untyped-def]
    hr = await team(runtime, case_catalogue)
    await hr.say("leerlijn maken")
    await build_level(hr, "functie", "Secretaresses", GROUP, "Informatie verwerken")
    await hr.press("accept")
    await hr.press("ok")
    async with Workspace(runtime) as ws:  # a colleague saves the name first
        await ws.paths.save_path(PathDraft(name="secretaresses", level="functie", spec={},
                                           trainings=[], total_minutes=0), created_by="mia")
    out = await hr.press("save")
    assert "Bewaard: Secretaresses (2) (#2)." in out
    assert "Intussen heeft iemand anders een leerlijn 'Secretaresses' bewaard; deze is daarom " \
           "bewaard als 'Secretaresses (2)'." in out
    assert await titles(runtime, "Secretaresses (2)") == ["Prioriteiten stellen"]


@pytest.mark.parametrize("index", [0, 1, 2, 3], ids=["console", "web", "slack", "msteams"])
async def test_changing_a_saved_path_on_every_channel(tmp_path: Path, case_catalogue: Path,
                                                      index: int) -> None:
    """The four channels: remove a training (saved on "ja"), then delete the leerlijn."""
    from tests.test_channels_suite import drivers, wizard

    async with drivers(tmp_path, case_catalogue) as channel_drivers:
        driver = channel_drivers[index]
        runtime = channel_drivers[0].runtime  # type: ignore[attr-defined]
        await wizard(driver)
        async with Workspace(runtime, driver.workspace) as ws:
            (path,) = await ws.paths.paths()
        await driver.say("leerlijnen")
        await driver.choose(str(path.id))
        await driver.choose("edit")
        await driver.choose("remove")
        await driver.choose("C04")  # Klantvriendelijkheid
        assert "Zo bewaren?" in driver.text()
        await driver.choose("yes")
        assert "is aangepast" in driver.text()
        async with Workspace(runtime, driver.workspace) as ws:
            changed = await ws.paths.path(path.id)
        assert changed is not None and "C04" not in [t["id"] for t in changed.trainings]
        assert len(changed.trainings) == len(path.trainings) - 1
        await driver.choose("edit")
        await driver.choose("delete")
        await driver.choose("yes")
        assert "Verwijderd" in driver.text()
        async with Workspace(runtime, driver.workspace) as ws:
            assert await ws.paths.paths() == []
