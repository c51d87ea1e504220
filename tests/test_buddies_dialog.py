"""Buddy rounds end to end on the console channel: the proposal, the messages everyone gets,
exclusions, opting out and back in; the buddies port and what it keeps about a person. On
SQLite and PostgreSQL. (The pairing itself is tested in test_buddies.py.)"""

from __future__ import annotations

from typing import Any

from dialogs.profile.port import Profile
from tests.conversation import User, Workspace, deliver

PEOPLE = [("bob", "Bob Bakker"), ("carla", "Carla de Vries"), ("dirk", "Dirk Jansen"),
          ("eva", "Eva Smit"), ("fenna", "Fenna Visser"), ("gijs", "Gijs de Boer")]
TEAM = ["carla", "dirk", "eva", "fenna", "gijs"]


async def buddy_team(runtime: Any) -> int:
    """Team Zorg, led by bob (an employee), with five members and what they want and offer."""
    await User(runtime.conductor, name="hr").say("hallo")  # the first member is the admin
    async with Workspace(runtime) as ws:
        for uid, name in PEOPLE:
            await ws.join(uid, name)
        team = await ws.teams.save_team("Zorg", "bob", TEAM, None)
        await ws.profiles.save_profile("carla", Profile(
            good_at="feedback geven", competencies=["Feedback geven en ontvangen"]))
        await ws.profiles.save_profile("dirk", Profile(
            good_at="Excel", wants_to_grow="feedback geven", competencies=["Excel"]))
        await ws.learning_wishes.save_wish("eva", "beter leren presenteren",
                                           ["Presentatievaardigheden"], {})
        await ws.profiles.save_profile("fenna", Profile(
            good_at="presenteren", competencies=["Presentatievaardigheden"]))
    return team.id


async def history(runtime: Any, team_id: int) -> list[list[str]]:
    async with Workspace(runtime) as ws:
        return await ws.buddies.history(team_id)  # type: ignore[no-any-return]


async def opted_out_of(runtime: Any, user: str) -> set[str]:
    async with Workspace(runtime) as ws:
        return (await ws.people.details(user)).opt_out  # type: ignore[no-any-return]


async def exclusions(runtime: Any, team_id: int) -> list[list[str]]:
    async with Workspace(runtime) as ws:
        team = await ws.teams.team(team_id)
    assert team is not None
    return team.settings["buddy_exclusions"]  # type: ignore[no-any-return]


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
    assert "2 groepjes voor 5 deelnemers" in out
    for name in ("Carla de Vries", "Dirk Jansen", "Eva Smit", "Fenna Visser", "Gijs de Boer"):
        assert name in out
    assert "Niet ingedeeld" not in out
    out = await bob.press("Ja")
    assert "Buddyronde 1 van Zorg is gestart: 2 groepjes" in out
    (first, second) = await history(runtime, team_id)
    assert sorted(len(g) for g in (first, second)) == [2, 3]  # odd: one trio, nobody dropped
    assert sorted(first + second) == sorted(TEAM)

    await deliver(runtime)
    carla = User(runtime.conductor, name="carla")
    out = await carla.say("menu")
    assert "Nieuwe buddyronde in Zorg! Je buddy deze keer:" in out
    group = next(g for g in (first, second) if "carla" in g)
    names = dict(PEOPLE)
    others = [names[other] for other in group if other != "carla"]
    assert " en ".join(others) in out  # "Dirk Jansen", "Dirk Jansen en Eva Smit"
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


async def test_the_round_message_is_in_the_members_language(runtime) -> None:  # type: ignore[no-untyped-def]
    team_id = await buddy_team(runtime)
    async with Workspace(runtime) as ws:
        for uid in TEAM:
            await ws.people.set_language(uid, "en")
    bob = User(runtime.conductor, name="bob")
    await start_round(bob)
    await bob.press("Ja")
    await deliver(runtime)
    (first, second) = await history(runtime, team_id)
    group = first if "eva" in first else second
    out = await User(runtime.conductor, name="eva").say("menu")
    names = dict(PEOPLE)
    buddies = " and ".join(names[u] for u in group if u != "eva")
    assert f"New buddy round in Zorg! Your buddy this time: {buddies}." in out
    assert "Something to talk about:" in out and "Tip (" in out
    assert "fenna" in group  # the most useful grouping: fenna offers what eva wants
    assert "Fenna Visser helps you with Presentation skills" in out  # the label in English


async def test_next_rounds_avoid_earlier_buddies(runtime) -> None:  # type: ignore[no-untyped-def]
    await buddy_team(runtime)
    async with Workspace(runtime) as ws:  # carla helps dirk, fenna helps eva: the best
        team = await ws.teams.save_team("Vier", "bob", ["carla", "dirk", "eva", "fenna"], None)
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
    assert "buddies" in await opted_out_of(runtime, "eva")

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
    assert await exclusions(runtime, team_id) == [["carla", "dirk"]]

    for _ in range(3):
        out = await start_round(bob)
        assert "Eva" not in out and "1 teamlid doet niet mee" in out
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

    # saying to stop again changes nothing; eva rejoins; the exclusion can be removed again
    await eva.say("niet meer meedoen met buddies")
    assert "Wil je weer meedoen" not in eva.text
    await eva.say("stop")
    await eva.say("buddies weer meedoen")
    out = await eva.press("Ja")
    assert "je doet weer mee" in out
    await bob.say("buddies")
    await bob.press("Uitzonderingen")
    out = await bob.press("Weg: Carla de Vries en Dirk Jansen")
    assert "is weg" in out
    assert await exclusions(runtime, team_id) == []
    assert "buddies" not in await opted_out_of(runtime, "eva")


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
    assert await opted_out_of(runtime, "gijs") == {"buddies"}
    async with Workspace(runtime) as ws:
        await ws.teams.save_team("Klein", "bob", ["gijs", "carla"], None)
    await bob.say("buddies")
    await bob.press("Nieuwe buddyronde")
    out = await bob.press("Klein")
    assert "In Klein doet maar 1 persoon mee" in out
    out = await bob.say("stop")
    assert "Er is niets bewaard" in out


async def test_rounds_are_numbered_per_team_and_workspace(runtime) -> None:  # type: ignore[no-untyped-def]
    team_id = await buddy_team(runtime)
    async with Workspace(runtime) as ws:
        other = await ws.teams.save_team("Ander", "bob", ["carla", "dirk"], None)
        assert await ws.buddies.save_round(team_id, [["carla", "dirk"], ["eva", "fenna"]]) == 1
        assert await ws.buddies.save_round(other.id, [["carla", "dirk"]]) == 1
        assert await ws.buddies.save_round(team_id, [["carla", "eva"]]) == 2
        assert await ws.buddies.history(team_id) == [["carla", "dirk"], ["eva", "fenna"],
                                                     ["carla", "eva"]]
    async with Workspace(runtime, "elsewhere") as ws:
        assert await ws.buddies.history(team_id) == []


async def test_a_persons_buddy_rounds_are_exported_and_unlinked(runtime) -> None:  # type: ignore[no-untyped-def]
    team_id = await buddy_team(runtime)
    async with Workspace(runtime) as ws:
        await ws.buddies.save_round(team_id, [["carla", "dirk"], ["eva", "fenna", "gijs"]])
        await ws.buddies.save_round(team_id, [["carla", "eva"]])
        exported = await ws.my_data.export("carla")
        assert exported["buddy_rounds"] == [{"round": 1, "with": ["dirk"]},
                                            {"round": 2, "with": ["eva"]}]
        counts = await ws.my_data.erase("carla", None)
        assert counts["buddy_groups_unlinked"] == 2
        assert await ws.buddies.history(team_id) == [
            ["deleted-user", "dirk"], ["eva", "fenna", "gijs"], ["deleted-user", "eva"]]
        assert (await ws.my_data.export("carla"))["buddy_rounds"] == []
