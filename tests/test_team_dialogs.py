"""Teams of colleagues, buddies, the runs view and personal preferences, end to end on the
console channel (one question at a time), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from bot.storage.models import ConversationRefRow, DeliveryRow
from dialogs.team.port import Team
from tests.conversation import WEB, Services, User, Workspace, deliver

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


# ---------------------------------------------------------------------- runs


async def test_runs_view_shows_problems_and_retries_them(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = await admin(runtime)
    await add_people(runtime)
    async with Workspace(runtime) as ws:
        team = await ws.teams.save_team("Zorg", "hr", ["bob", "carla", "dirk"], None)
        run = await ws.rounds.start_run("kennisrondje", team.id,
                                        ["Waarvoor mag men jou bellen?"], "hr")
    async with runtime.sessions.begin() as db:
        await db.execute(update(DeliveryRow).where(
            DeliveryRow.run_id == run.id, DeliveryRow.recipient == "bob").values(
            status="failed", last_error="platform zegt: channel_not_found"))
        await db.execute(update(DeliveryRow).where(
            DeliveryRow.run_id == run.id, DeliveryRow.recipient == "carla").values(
            status="unknown", last_error="gestopt tijdens het versturen"))

    employee = User(runtime.conductor, name="dirk")
    assert "is er voor" in await employee.say("runs")

    out = await hr.say("runs")
    assert "kennisrondje, Zorg" in out
    assert "0 verstuurd · 1 wacht · 1 mislukt · 1 onbekend" in out
    out = await hr.say("help")
    assert "Onbekend betekent" in out
    out = await hr.press(f"#{run.id}")
    assert "Bob Bakker: mislukt (platform zegt: channel_not_found)" in out
    assert "Carla de Vries: onbekend (gestopt tijdens het versturen)" in out
    assert "Dirk" not in out
    out = await hr.press("Opnieuw proberen")
    assert "2 bericht(en) staan weer in de wachtrij" in out
    assert "0 verstuurd · 3 wacht · 0 mislukt · 0 onbekend" in out
    assert "Geen mislukte of onbekende berichten" in out
    async with runtime.sessions() as db:
        statuses = dict((await db.execute(select(DeliveryRow.recipient, DeliveryRow.status)
                                          .where(DeliveryRow.run_id == run.id))).all())
    assert statuses == {"bob": "pending", "carla": "pending", "dirk": "pending"}
    out = await hr.press("Klaar")
    assert "Tot later" in out

    await deliver(runtime)
    out = await hr.say("runs")
    assert "3 verstuurd · 0 wacht" in out


async def test_runs_view_without_runs(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = await admin(runtime)
    assert "nog geen verzendingen" in await hr.say("verzendingen")


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
    async with Services(runtime) as services:
        details = await services.member_details("acme", "bob")
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
    async with Services(runtime) as services:
        details = await services.member_details("acme", "bob")
    assert details.timezone == "Europe/Brussels" and details.opt_out == {"buddies"}


# ---------------------------------------------------------------------- buddies

TEAM = ["carla", "dirk", "eva", "fenna", "gijs"]


async def buddy_team(runtime: Any) -> int:
    """Team Zorg, led by bob (an employee), with five members and what they want and offer."""
    await admin(runtime)
    await add_people(runtime, [*PEOPLE, ("gijs", "Gijs de Boer")])
    from dialogs.services import Profile

    async with Services(runtime) as services:
        team = await services.save_team("acme", "Zorg", "bob", TEAM, None)
        await services.save_profile("acme", "carla", Profile(
            good_at="feedback geven", competencies=["Feedback geven en ontvangen"]))
        await services.save_profile("acme", "dirk", Profile(
            good_at="Excel", wants_to_grow="feedback geven", competencies=["Excel"]))
        await services.save_wish("acme", "eva", "beter leren presenteren",
                                 ["Presentatievaardigheden"], {})
        await services.save_profile("acme", "fenna", Profile(
            good_at="presenteren", competencies=["Presentatievaardigheden"]))
    return team.id


async def history(runtime: Any, team_id: int) -> list[list[str]]:
    async with Services(runtime) as services:
        return await services.buddy_history("acme", team_id)


def pairs_in(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset((a, b)) for group in groups for a in group for b in group if a < b}


async def start_round(lead: User) -> str:
    await lead.say("buddies")
    return await lead.press("Nieuwe buddyronde")


async def test_buddy_round_of_five_makes_a_trio_and_notifies_everyone(runtime) -> None:  # type: ignore[no-untyped-def]
    team_id = await buddy_team(runtime)
    bob = User(runtime.conductor, name="bob")
    out = await start_round(bob)
    assert "Voorstel buddyronde Zorg" in out
    assert "2 groepje(s) voor 5 deelnemers" in out
    for name in ("Carla de Vries", "Dirk Jansen", "Eva Smit", "Fenna Visser", "Gijs de Boer"):
        assert name in out
    assert "Niet ingedeeld" not in out
    out = await bob.press("Ja")
    assert "Buddyronde 1 van Zorg is gestart: 2 groepje(s)" in out
    (first, second) = await history(runtime, team_id)
    assert sorted(len(g) for g in (first, second)) == [2, 3]  # odd: one trio, nobody dropped
    assert sorted(first + second) == sorted(TEAM)

    await deliver(runtime)
    carla = User(runtime.conductor, name="carla")
    out = await carla.say("menu")
    assert "Nieuwe buddyronde in Zorg! Je buddy deze keer:" in out
    group = next(g for g in (first, second) if "carla" in g)
    names = dict(PEOPLE)
    for other in set(group) - {"carla"}:
        assert (names.get(other) or "Gijs de Boer") in out
    assert "Gespreksonderwerp" in out and "Tip (" in out
    assert "Niet meer meedoen" in out  # the message's own button
    if "dirk" in group:  # carla offers what dirk wants
        assert "jij helpt met Feedback geven en ontvangen" in out

    # five people, a pair and a trio: no second grouping without a repeat exists, so the
    # history starts afresh (and says so); still nobody is dropped
    out = await start_round(bob)
    assert "Zonder herhaling lukt geen indeling meer" in out
    await bob.press("Ja")
    rounds = await history(runtime, team_id)
    assert len(rounds) == 4 and sorted(len(g) for g in rounds[2:]) == [2, 3]
    assert sorted(u for g in rounds[2:] for u in g) == sorted(TEAM)


async def test_next_rounds_avoid_earlier_buddies(runtime) -> None:  # type: ignore[no-untyped-def]
    await buddy_team(runtime)
    async with Services(runtime) as services:  # carla helps dirk, fenna helps eva: the best
        team = await services.save_team("acme", "Vier", "bob", ["carla", "dirk", "eva", "fenna"],
                                        None)
    bob = User(runtime.conductor, name="bob")
    seen: list[set[frozenset[str]]] = []
    for number in range(1, 5):
        await bob.say("buddies")
        await bob.press("Nieuwe buddyronde")
        out = await bob.press("Vier")
        assert ("Zonder herhaling" in out) == (number == 4)  # three ways to pair four people
        if number == 1:
            assert "Carla de Vries helpt Dirk Jansen met Feedback geven en ontvangen" in out
            assert "Fenna Visser helpt Eva Smit met Presentatievaardigheden" in out
        await bob.press("Ja")
        rounds = await history(runtime, team.id)
        latest = pairs_in(rounds[-2:])
        assert len(latest) == 2
        if number < 4:
            assert all(not latest & earlier for earlier in seen)
        seen.append(latest)


async def test_buddies_honour_opt_out_and_exclusions(runtime) -> None:  # type: ignore[no-untyped-def]
    team_id = await buddy_team(runtime)
    eva = User(runtime.conductor, name="eva")
    out = await eva.say("buddies")
    assert "Je doet mee met buddyrondes" in out
    assert "Nieuwe buddyronde" not in [label for _, label in eva.choices()]
    await eva.press("Niet meer meedoen")
    out = await eva.press("Ja")
    assert "Je doet niet meer mee" in out
    async with Services(runtime) as services:
        assert "buddies" in (await services.member_details("acme", "eva")).opt_out

    bob = User(runtime.conductor, name="bob")
    await bob.say("buddies")
    await bob.press("Uitzonderingen")
    assert "nog geen uitzonderingen" in bob.text
    await bob.press("Uitzondering toevoegen")
    await bob.say("Carla de Vries")
    out = await bob.say("carla")
    assert "twee verschillende mensen" in out
    await bob.say("Carla de Vries")
    out = await bob.say("Dirk Jansen")
    assert "Carla de Vries en Dirk Jansen komen niet meer samen" in out
    async with Services(runtime) as services:
        team = await services.team("acme", team_id)
    assert team is not None and team.settings["buddy_exclusions"] == [["carla", "dirk"]]

    for _ in range(3):
        out = await start_round(bob)
        assert "Eva" not in out and "1 teamlid/teamleden doen niet mee" in out
        await bob.press("Ja")
    rounds = await history(runtime, team_id)
    assert len(rounds) == 6 and all(len(group) == 2 for group in rounds)
    assert all("eva" not in group for group in rounds)
    assert frozenset(("carla", "dirk")) not in pairs_in(rounds)
    # four people, one exclusion: the second round is the only other way, with no repeat
    assert not pairs_in(rounds[0:2]) & pairs_in(rounds[2:4])
    await deliver(runtime)
    out = await eva.say("menu")
    assert "buddy" not in out.casefold()

    # eva rejoins; the exclusion can be removed again
    await eva.say("buddies weer meedoen")
    out = await eva.press("Ja")
    assert "je doet weer mee" in out
    await bob.say("buddies")
    await bob.press("Uitzonderingen")
    out = await bob.press("Weg: Carla de Vries en Dirk Jansen")
    assert "is weg" in out
    async with Services(runtime) as services:
        team = await services.team("acme", team_id)
        assert team is not None and team.settings["buddy_exclusions"] == []
        assert "buddies" not in (await services.member_details("acme", "eva")).opt_out


async def test_buddy_message_button_opts_out_and_too_few_people(runtime) -> None:  # type: ignore[no-untyped-def]
    await buddy_team(runtime)
    bob = User(runtime.conductor, name="bob")
    await start_round(bob)
    assert "Er is niets bewaard" in await bob.say("stop")
    await start_round(bob)
    await bob.press("Ja")
    await deliver(runtime)
    gijs = User(runtime.conductor, name="gijs")
    await gijs.say("menu")
    await gijs.press("Niet meer meedoen")
    assert "niet meer meedoen met buddyrondes" in gijs.text
    await gijs.press("Ja")
    async with Services(runtime) as services:
        assert (await services.member_details("acme", "gijs")).opt_out == {"buddies"}
        await services.save_team("acme", "Klein", "bob", ["gijs", "carla"], None)
    await bob.say("buddies")
    await bob.press("Nieuwe buddyronde")
    out = await bob.press("Klein")
    assert "In Klein doen maar 1 mensen mee" in out
    out = await bob.say("stop")
    assert "Er is niets bewaard" in out
