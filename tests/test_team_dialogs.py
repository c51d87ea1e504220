"""Teams of colleagues and personal preferences, end to end on the console channel (one question
at a time), on SQLite and PostgreSQL. (Buddies and the runs view: test_buddies_dialog.py,
test_runs_dialog.py.)"""

from __future__ import annotations

from typing import Any

from bot.storage.models import ConversationRefRow
from dialogs.team.port import Team
from tests.conversation import WEB, User, Workspace

PEOPLE = [("bob", "Bob Bakker"), ("carla", "Carla de Vries"), ("dirk", "Dirk Jansen"),
          ("eva", "Eva Smit"), ("fenna", "Fenna Visser")]


async def admin(runtime: Any, name: str = "hr") -> User:
    """The first member who talks in a workspace becomes its admin."""
    first = User(runtime.conductor, name=name)
    await first.say("hallo")
    return first


async def add_people(runtime: Any, people: list[tuple[str, str]] = PEOPLE,
                     manager: str | None = None) -> None:
    async with Workspace(runtime) as ws:
        for uid, name in people:
            await ws.join(uid, name, "manager" if uid == manager else None)


async def teams(runtime: Any) -> list[Team]:
    async with Workspace(runtime) as ws:
        return await ws.teams.teams()


# ---------------------------------------------------------------------- teams


async def test_create_edit_and_delete_a_team(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = await admin(runtime)
    await add_people(runtime)
    assert "Hoe heet het nieuwe team" in await hr.say("nieuw team")
    await hr.say("Zorg Noord")
    assert "Wie is de teamleider" in hr.text
    out = await hr.say("terug")
    assert "Hoe heet het nieuwe team" in out
    await hr.say("Zorg Noord")
    await hr.press("Ikzelf")
    out = hr.text
    assert "Typ hun namen of nummers" in out and "Carla de Vries" in out
    out = await hr.say("Bob, Karla de Vries, Gijs")
    assert "Deze namen vond ik niet: Gijs" in out
    assert "Wel gevonden: Bob Bakker, Carla de Vries" in out
    out = await hr.say("4")
    assert "Zo aanmaken?" in out
    assert "Bob Bakker, Carla de Vries, Eva Smit" in out
    assert "Geen kanaal" in out  # no channels known: messages to each person
    out = await hr.press("Ja")
    assert "Team Zorg Noord is aangemaakt" in out
    (team,) = await teams(runtime)
    assert (team.name, team.lead, team.members, team.room) == (
        "Zorg Noord", "hr", ["bob", "carla", "eva"], None)

    # a channel Leerbot was added to can be chosen afterwards
    async with runtime.sessions.begin() as db:
        db.add(ConversationRefRow(channel="slack", workspace="acme", user_id="",
                                  conversation_id="C42", scope="channel",
                                  reference={"name": "#zorg-noord"}))
    out = await hr.say("teams beheren")
    assert "Je beheert 1 team" in out
    await hr.press("Team aanpassen")
    assert "Wat wil je aanpassen" in hr.text
    await hr.press("Kanaal")
    assert "#zorg-noord" in hr.text
    await hr.press("#zorg-noord")
    assert "Wijziging bewaren?" in hr.text
    await hr.press("Ja")
    (team,) = await teams(runtime)
    assert team.room == "slack:C42"

    await hr.say("team")
    await hr.press("Team aanpassen")
    await hr.press("Leden")
    assert "De leden zijn nu: Bob Bakker, Carla de Vries, Eva Smit" in hr.text
    await hr.say("Dirk, Fenna")
    out = await hr.press("Ja")
    assert "bewaard" in out
    (team,) = await teams(runtime)
    assert team.members == ["dirk", "fenna"] and team.room == "slack:C42"

    await hr.say("team")
    await hr.press("Teams bekijken")
    assert "Zorg Noord" in hr.text and "Dirk Jansen, Fenna Visser" in hr.text
    await hr.press("Team verwijderen")
    assert "echt verwijderen" in hr.text
    out = await hr.press("Nee")
    assert "blijft bestaan" in out and len(await teams(runtime)) == 1
    await hr.say("team")
    await hr.press("Team verwijderen")
    out = await hr.press("Ja")
    assert "Team Zorg Noord is verwijderd" in out
    assert await teams(runtime) == []


async def test_team_name_must_be_unique_and_stop_saves_nothing(runtime) -> None:  # type: ignore[no-untyped-def]
    await admin(runtime)
    await add_people(runtime, manager="bob")
    async with Workspace(runtime) as ws:
        await ws.teams.save_team("Marketing", "hr", ["carla"], None)
    bob = User(runtime.conductor, name="bob")
    out = await bob.say("team")
    assert "Je beheert 1 team" in out  # managers manage every team
    await bob.press("Nieuw team")
    out = await bob.say("  marketing ")
    assert "Er bestaat al een team dat marketing heet" in out
    assert "Hoe heet het nieuwe team" in out
    out = await bob.say("x")
    assert "2 tot 80 tekens" in out
    await bob.say("Sales")
    await bob.press("Ikzelf")
    await bob.say("Carla")
    assert "Zo aanmaken?" in bob.text
    out = await bob.say("stop")
    assert "Er is niets bewaard" in out
    assert [t.name for t in await teams(runtime)] == ["Marketing"]

    # renaming: another team's name is taken, the team's own name (other spelling) is not
    async with Workspace(runtime) as ws:
        await ws.teams.save_team("Sales", "bob", ["dirk"], None)
    await bob.say("team")
    await bob.press("Team aanpassen")
    assert "Welk team?" in bob.text
    await bob.press("Sales")
    await bob.press("Naam")
    assert "Het team heet nu Sales" in bob.text
    assert "bestaat al" in await bob.say("MARKETING")
    await bob.say("SALES")
    await bob.press("Ja")
    assert sorted(t.name for t in await teams(runtime)) == ["Marketing", "SALES"]


async def test_employees_cannot_set_up_teams_but_a_lead_may_edit_their_own(runtime) -> None:  # type: ignore[no-untyped-def]
    await admin(runtime)
    await add_people(runtime)
    async with Workspace(runtime) as ws:
        await ws.teams.save_team("Zorg", "bob", ["carla", "dirk"], None)
        await ws.teams.save_team("Sales", "hr", ["eva"], None)
    carla = User(runtime.conductor, name="carla")
    out = await carla.say("nieuw team")
    assert "Teams inrichten is er voor leidinggevenden en HR" in out
    assert await teams(runtime) and len(await teams(runtime)) == 2

    bob = User(runtime.conductor, name="bob")
    out = await bob.say("team")
    assert "Je beheert 1 team" in out
    labels = [label for _, label in bob.choices()]
    assert "Nieuw team" not in labels and "Team verwijderen" not in labels
    await bob.press("Team aanpassen")
    await bob.press("Leden")
    await bob.say("Carla, Dirk, Eva")
    await bob.press("Ja")
    zorg = next(t for t in await teams(runtime) if t.name == "Zorg")
    assert zorg.members == ["carla", "dirk", "eva"]


async def test_big_workspace_types_names_and_hears_which_were_not_found(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = await admin(runtime)
    crowd = [(f"u{i:02d}", f"Collega {i:02d}") for i in range(30)]
    await add_people(runtime, [*PEOPLE, ("jan1", "Jan de Groot"), ("jan2", "Jan Mulder"),
                               *crowd])
    await hr.say("nieuw team")
    await hr.say("Grote Club")
    out = await hr.say("Carla de Vris")  # a typo in the lead's name
    assert "Wie zitten er in het team? Typ hun namen" in out
    out = await hr.say("Bob Bakker, Xavier Onbekend, eva smit, Jan")
    assert "Deze namen vond ik niet: Xavier Onbekend" in out
    assert "Meerdere collega's passen bij: Jan" in out
    assert "Wel gevonden: Bob Bakker, Eva Smit" in out
    assert "Typ de ontbrekende namen erbij" in out
    out = await hr.say("Jan Mulder en Fenna")
    assert "Zo aanmaken?" in out
    assert "Carla de Vries" in out  # the lead
    assert "Bob Bakker, Eva Smit, Jan Mulder, Fenna Visser" in out
    await hr.press("Ja")
    (team,) = await teams(runtime)
    assert team.lead == "carla" and team.members == ["bob", "eva", "jan2", "fenna"]


async def test_members_are_picked_in_a_form_on_the_web(runtime) -> None:  # type: ignore[no-untyped-def]
    await admin(runtime)
    await add_people(runtime, manager="bob")
    bob = User(runtime.conductor, name="bob", channel=WEB)
    await bob.say("team aanmaken")
    await bob.say("Web Team")
    await bob.press("Ikzelf")
    form = bob.form()
    labels = [c.label.plain for c in form.fields[0].choices]
    assert labels[:2] == ["Carla de Vries", "Dirk Jansen"] and len(labels) == 6
    out = await bob.submit(members="carla,dirk")
    assert "Zo aanmaken?" in out and "Carla de Vries, Dirk Jansen" in out
    await bob.press("Ja")
    (team,) = await teams(runtime)
    assert (team.name, team.lead, team.members) == ("Web Team", "bob", ["carla", "dirk"])


# ---------------------------------------------------------------------- preferences


async def test_preferences_step_by_step(runtime) -> None:  # type: ignore[no-untyped-def]
    await admin(runtime)
    await add_people(runtime)
    bob = User(runtime.conductor, name="bob")
    out = await bob.say("voorkeuren")
    assert "nog geen tijdzone" in out and "Europe/Amsterdam" in out
    out = await bob.say("Mars/Olympus")
    assert "'Mars/Olympus' ken ik niet als tijdzone" in out
    assert "Europe/London" in out and "Welke tijdzone" in out
    out = await bob.say("europe/brussels")
    assert "als expert" in out and "Nu: ja." in out
    await bob.press("Nee, liever niet")
    assert "buddyrondes" in bob.text
    out = await bob.say("terug")
    assert "als expert" in out
    await bob.press("Nee, liever niet")
    out = await bob.press("Ja, ik doe mee")
    assert "Tijdzone: Europe/Brussels" in out
    assert "Voorgesteld als expert: nee" in out and "Buddyrondes: ja" in out
    out = await bob.press("Ja")
    assert "Bewaard" in out
    async with Workspace(runtime) as ws:
        details = await ws.people.details("bob")
    assert details.timezone == "Europe/Brussels" and details.opt_out == {"experts"}

    # the saved values are shown next time; a city alone is enough; stop keeps everything
    out = await bob.say("mijn voorkeuren")
    assert "Je tijdzone is nu Europe/Brussels" in out
    await bob.say("jakarta")
    assert "Nu: nee." in bob.text
    await bob.press("Ja, stel mij voor")
    await bob.press("Nee, nu niet")
    assert "Asia/Jakarta" in bob.text
    assert "Er is niets bewaard" in await bob.say("stop")
    await bob.say("voorkeuren")
    await bob.press("Zo laten")
    await bob.press("Ja, stel mij voor")
    await bob.press("Nee, nu niet")
    assert "Europe/Brussels" in bob.text
    await bob.press("Ja")
    async with Workspace(runtime) as ws:
        details = await ws.people.details("bob")
    assert details.timezone == "Europe/Brussels" and details.opt_out == {"buddies"}
