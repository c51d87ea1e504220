"""The scan in chat, end to end on the console: the one-screen result (flat answers, ties,
priorities), details on request, what "stop" says, and the team scan (sent to a team, answered
privately, hidden with 4 respondents and shown with 5, compared with the previous round)."""

from __future__ import annotations

import re

import pytest

from bot.channels.console import render
from bot.storage.scan import TeamScanResponseRow
from knowledge.actions import load_action_library
from knowledge.scan import load_scan
from tests.conversation import User, Workspace, deliver

SCAN = load_scan()
LIBRARY = load_action_library()


def answers_for(barriers: set[int]) -> list[str]:
    """One answer per statement: the full barrier for ``barriers``, neutral elsewhere."""
    values = []
    for statement in SCAN.statements:
        if statement.challenge in barriers:
            values.append("1" if statement.reverse else "5")
        else:
            values.append("3")
    return values


def assert_console_clean(user: User) -> None:
    """As the console shows the last reply: its own numbers are the only numbers in front."""
    for line in render(user.last).lines:
        if isinstance(line, str):
            assert not re.match(r"\s*\d+\.\s+\d+[.\s]", line), line


async def fill_in(user: User, team: str, barriers: set[int], priorities: str = "-") -> str:
    await user.say("scan")
    await user.say(team)
    for value in answers_for(barriers):
        await user.say(value)
        assert_console_clean(user)
    assert "belangrijkst" in user.text
    out = await user.say(priorities)
    assert_console_clean(user)
    return out


def assert_clean(text: str) -> None:
    """No double numbering, no Markdown as text, no "(s)" plurals."""
    assert not re.search(r"(^|[ \t])\d+\.[ \t]+\d+\.[ \t]", text, re.M), text
    assert "**" not in text and "(s)" not in text and "(en)" not in text


def top_ids(text: str) -> list[str]:
    return re.findall(r"^• (\d\.\d+) ", text, re.M)


async def test_flat_answers_give_no_profile_and_say_so(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = User(runtime.conductor, name="hr")
    out = await fill_in(hr, "Team Zorg", set())
    assert "De scan voor Team Zorg is bewaard." in out
    assert "Geen duidelijk dominant profiel: alle uitdagingen scoren 50 van 100." in out
    assert "tussen 50 en 50" not in out and "jullie prioriteiten" not in out
    assert "Jullie profiel" not in out
    assert "Tip: geef aan welke uitdagingen" in out  # no priorities: how to focus the top 3
    top = top_ids(out)
    assert len(top) == 3 and len({LIBRARY.action(a).challenge for a in top}) == 3
    assert hr.images() and hr.images()[0].png.startswith(b"\x89PNG")
    assert "geen duidelijk dominant profiel" in hr.images()[0].alt.plain
    assert len(out.splitlines()) <= 14, "the result fits on one screen"
    assert_clean(out)
    async with Workspace(runtime) as ws:
        (record,) = await ws.scans.scans("Team Zorg")
    assert record.profile is None and set(record.scores.values()) == {50}
    assert record.top_actions == top


async def test_a_tie_names_the_tied_challenges_and_draws_the_top_across_them(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = User(runtime.conductor, name="hr")
    out = await fill_in(hr, "Team Zorg", {3, 7})
    assert "Geen duidelijk dominant profiel: 2 uitdagingen delen de hoogste drempelscore" in out
    assert f"• uitdaging 3: {LIBRARY.challenge(3).title.nl}" in out
    assert f"• uitdaging 7: {LIBRARY.challenge(7).title.nl}" in out
    assert "Jullie profiel" not in out
    top = top_ids(out)
    served = [set(LIBRARY.action(a).challenges) & {3, 7} for a in top]
    assert all(served) and {3, 7} <= {LIBRARY.action(a).challenge for a in top}
    assert_clean(out)
    async with Workspace(runtime) as ws:
        (record,) = await ws.scans.scans("Team Zorg")
    assert record.profile is None


async def test_a_clear_profile_is_named_by_its_challenge_with_labels(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = User(runtime.conductor, name="hr")
    out = await fill_in(hr, "Team Zorg", {8, 1, 4})
    # 8, 1 and 4 all at 100: a tie; the OVERLAP action 8.3 serves all three and leads
    assert top_ids(out)[0] == "8.3"
    assert "OVERLAP (uitdagingen 8, 1, 4)" in out and "HIGHLIGHT" in out
    assert "Actie 8.3 heeft het label OVERLAP" in out
    out = await fill_in(hr, "Team Kantoor", {6})
    assert f"Jullie profiel: {LIBRARY.challenge(6).title.nl} (uitdaging 6" in out
    assert_clean(out)


async def test_priorities_change_the_top_and_the_result_says_how(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = User(runtime.conductor, name="hr")
    plain_out = await fill_in(hr, "Team A", {8})
    plain_top = top_ids(plain_out)
    assert "prioriteit" not in plain_out.casefold()
    out = await fill_in(hr, "Team B", {8}, priorities="4")
    top = top_ids(out)
    assert top != plain_top and any(4 in LIBRARY.action(a).challenges for a in top)
    assert "Jullie prioriteit 1 (uitdaging 4) heeft acties naar voren gehaald" in out
    assert f"Zonder jullie prioriteiten was de top 3: {', '.join(plain_top)}." in out
    async with Workspace(runtime) as ws:
        (record,) = await ws.scans.scans("Team B")
    assert record.priorities == [4] and record.top_actions == top
    # a priority that is already on top changes nothing, and the result says so too
    out = await fill_in(hr, "Team C", {8}, priorities="8")
    assert "veranderen de top 3 niet" in out and top_ids(out) == plain_top


async def test_too_many_priorities_are_refused_in_plain_words(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = User(runtime.conductor, name="hr")
    out = await fill_in(hr, "Team Zorg", {2}, priorities="1, 2, 3, 4")
    assert "hoogstens 3" in out and "bewaard" not in out
    out = await hr.say("2, 5")
    assert "bewaard" in out


async def test_details_on_request(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = User(runtime.conductor, name="hr")
    await fill_in(hr, "Team Zorg", {6})
    await fill_in(hr, "Team Zorg", {6, 2})
    out = await hr.press("Meer details")
    assert "verschil met de scan van" in out and "(+50)" in out  # challenge 2: 50 -> 100
    assert "Alle acties" in out and "Uitdaging 6:" in out  # the story of each tied challenge
    assert "Praktijk" in out or "praktijk" in out.casefold()
    assert_clean(out)
    # typed on the console later: the newest scan of this person
    assert "Alle acties" in await hr.say("meer details")


async def test_stop_keeps_the_answers_or_saves_nothing_and_says_so(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = User(runtime.conductor, name="hr")
    await hr.say("scan")
    await hr.say("Team Zorg")
    for value in answers_for({5})[:4]:
        await hr.say(value)
    out = await hr.say("stop")
    assert "bewaren, zodat je later verder kunt" in out
    out = await hr.press("Bewaar voor later")
    assert "Bewaard. Typ verder" in out
    assert f"Vraag 5 van {len(SCAN.statements)}" in await hr.say("verder")
    out = await hr.say("stop")
    out = await hr.press("Stop zonder bewaren")
    assert "Er is niets bewaard" in out
    async with Workspace(runtime) as ws:
        assert await ws.scans.scans("Team Zorg") == []
    # a completed scan is saved and says so; nothing after it claims otherwise
    out = await fill_in(hr, "Team Zorg", {5})
    assert "is bewaard" in out and "niets bewaard" not in out
    out = await hr.say("stop")
    assert "niets bewaard" not in out and "Gestopt" not in out
    async with Workspace(runtime) as ws:
        assert len(await ws.scans.scans("Team Zorg")) == 1


# ------------------------------------------------------------------ the team scan

MEMBERS = ["ann", "bas", "cor", "dik", "eef", "fem"]


async def team_with_members(runtime) -> int:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        await ws.join("hr", "Hanna")  # first: admin
        for name in MEMBERS:
            await ws.join(name, name.capitalize())
        await ws.join("kim", "Kim")
        team = await ws.teams.save_team("Zorg", "hr", MEMBERS, None)
        await ws.teams.save_team("Klein", "hr", ["ann", "kim"], None)
    return team.id


async def answer_invitation(runtime, name: str, barriers: set[int]) -> str:  # type: ignore[no-untyped-def]
    member = User(runtime.conductor, name=name)
    out = await member.say("hoi")
    assert "vraagt je de scan over informeel leren in te vullen, voor Zorg" in out
    out = await member.press("Scan invullen")
    assert "Wat jij invult, ziet niemand" in out and "Vraag 1 van" in out
    for value in answers_for(barriers):
        out = await member.say(value)
    assert "zonder je naam bewaard" in out
    return out


async def send_round(hr: User) -> str:
    await hr.say("teamscan")
    if "Wat wil je doen" in hr.text:
        await hr.press("sturen")
    out = await hr.press("Zorg")
    assert "6 personen van Zorg" in out and "Versturen?" in out
    return await hr.press("yes")


async def test_team_scan_hidden_with_four_shown_with_five(runtime) -> None:  # type: ignore[no-untyped-def]
    await team_with_members(runtime)
    hr = User(runtime.conductor, name="hr")
    assert "nog geen teamscan verstuurd" in await hr.say("uitslag teamscan")
    await hr.say("teamscan")
    out = await hr.press("Klein")
    assert "Klein telt maar 2 personen" in out and "vanaf 5 deelnemers" in out
    await hr.say("stop")
    out = await send_round(hr)
    assert "Verstuurd naar 6 personen van Zorg" in out
    await deliver(runtime)
    for name, barriers in zip(MEMBERS[:4], [{6}, {6}, {6, 2}, {6}], strict=True):
        await answer_invitation(runtime, name, barriers)

    # 4 respondents: nothing but the head count
    await hr.say("uitslag teamscan")
    out = await hr.press("Zorg")
    assert "te weinig antwoorden" in out and "4 van de 6 uitgenodigden" in out
    assert "gemiddeld" not in out and not hr.images() and not hr.cards()
    async with Workspace(runtime) as ws:
        (found,) = await ws.team_scans.rounds()
        assert not found.closed and found.respondents == 4

    # one answers once only; an employee cannot send or read a team scan
    ann = User(runtime.conductor, name="ann")
    out = await ann.say("teamscan invullen")
    assert "al ingevuld" in out
    assert "voor leidinggevenden en HR" in await ann.say("uitslag teamscan")

    # the fifth: averages with the spread, once the manager agrees to close the round
    await answer_invitation(runtime, "eef", {6})
    await hr.say("uitslag teamscan")
    out = await hr.press("Zorg")
    assert "sluit ik de ronde" in out
    out = await hr.press("yes")
    assert "De ronde is nu gesloten" in out
    assert "Teamscan Zorg" in out and "5 deelnemers" in out
    labels = hr.card_labels()
    assert labels[5] == f"6. {LIBRARY.challenge(6).title.nl}"
    facts = {f.label.plain: f.value.plain for f in hr.cards()[-1].facts}
    assert facts[labels[5]] == "gemiddeld 100 · van 100 tot 100 · spreiding 0"
    assert facts[labels[1]] == "gemiddeld 60 · van 50 tot 100 · spreiding 20"
    assert "eerste ronde" in out
    assert f"Jullie profiel: {LIBRARY.challenge(6).title.nl}" in out
    assert hr.images() and "1 ronde" in hr.images()[0].alt.plain
    assert_clean(out)
    # the sixth comes too late, and is told so truthfully
    fem = User(runtime.conductor, name="fem")
    await fem.say("hoi")
    out = await fem.press("Scan invullen")
    assert "al gesloten" in out
    async with Workspace(runtime) as ws:
        rows = (await ws.db.execute(TeamScanResponseRow.__table__.select())).all()
    assert len(rows) == 5 and all(set(r._mapping) == {"id", "round_id", "scores"} for r in rows)


async def test_a_second_round_is_compared_with_the_first(runtime) -> None:  # type: ignore[no-untyped-def]
    await team_with_members(runtime)
    hr = User(runtime.conductor, name="hr")
    await hr.say("scan")  # the own scan offers the teams by name
    assert [label for _, label in hr.choices()] == ["Hele organisatie", "Klein", "Zorg"]
    await hr.press("Zorg")
    assert "De scan voor Zorg heeft" in hr.text
    await hr.say("stop")
    await hr.press("Stop zonder bewaren")
    await send_round(hr)
    await deliver(runtime)
    for name in MEMBERS[:5]:
        await answer_invitation(runtime, name, {6})
    await hr.say("uitslag teamscan")
    await hr.press("Zorg")
    await hr.press("yes")
    await send_round(hr)
    await deliver(runtime)
    for name in MEMBERS:
        await answer_invitation(runtime, name, set())
    await hr.say("uitslag teamscan")
    rounds = hr.choices()
    assert len(rounds) == 2 and rounds[0][1] != rounds[1][1]  # one day: told apart by number
    assert rounds[0][1].startswith("Zorg, verstuurd op") and "(ronde" in rounds[0][1]
    out = await hr.press(rounds[0][0])  # the newest; everyone answered: no need to ask
    assert "Vergeleken met de ronde van" in out and "6 deelnemers" in out
    facts = {f.label.plain: f.value.plain for f in hr.cards()[-1].facts}
    assert facts[f"6. {LIBRARY.challenge(6).title.nl}"].endswith("-50 sinds de vorige ronde")
    assert "Geen duidelijk dominant profiel" in out
    assert "2 rondes naast elkaar" in hr.images()[0].alt.plain


async def test_stop_while_answering_a_team_scan_stores_nothing(runtime) -> None:  # type: ignore[no-untyped-def]
    await team_with_members(runtime)
    hr = User(runtime.conductor, name="hr")
    await send_round(hr)
    await deliver(runtime)
    ann = User(runtime.conductor, name="ann")
    await ann.say("hoi")
    await ann.press("Scan invullen")
    await ann.say("3")
    await ann.say("stop")
    out = await ann.press("Stop zonder bewaren")
    assert "Er is niets bewaard" in out
    async with Workspace(runtime) as ws:
        (found,) = await ws.team_scans.rounds()
        assert found.respondents == 0 and not await ws.team_scans.answered(found.id, "ann")
    # the invitation is still open: typed, it starts again
    assert "Vraag 1 van" in await ann.say("teamscan invullen")


async def test_team_scan_personal_data_export_and_erase(runtime) -> None:  # type: ignore[no-untyped-def]
    team_id = await team_with_members(runtime)
    async with Workspace(runtime) as ws:
        found = await ws.team_scans.start_round(team_id, "Zorg", MEMBERS, sent_by="hr")
        await ws.team_scans.save_response(found.id, "ann", {n: 40 for n in range(1, 10)})
        exported = await ws.my_data.export("ann")
        sent = await ws.my_data.export("hr")
        counts = await ws.my_data.erase("ann", keep=None)
        await ws.my_data.erase("hr", keep=None)
        after = await ws.my_data.export("ann")
        kept = await ws.team_scans.round(found.id)
        answers = await ws.team_scans.responses(found.id)
    assert exported["team_scan_invitations"] == [
        {"round": found.id, "team": "Zorg", "answered": True}]
    assert "40" not in str(exported["team_scan_invitations"])  # the answers carry no name
    assert sent["team_scans_sent"][0]["round"] == found.id
    assert counts["team_scan_invitations"] == 1 and after["team_scan_invitations"] == []
    assert kept is not None and kept.sent_by == "deleted-user" and kept.respondents == 1
    assert answers == [{n: 40 for n in range(1, 10)}]


async def test_team_scan_storage_rules(runtime) -> None:  # type: ignore[no-untyped-def]
    team_id = await team_with_members(runtime)
    async with Workspace(runtime) as ws:
        first = await ws.team_scans.start_round(team_id, "Zorg", [*MEMBERS, "ann"], "hr")
        second = await ws.team_scans.start_round(None, "", ["ann", "kim"], "hr")
        assert first.invited == 6 and second.team_id is None
        assert await ws.team_scans.open_invitation("ann") == second.id
        assert await ws.team_scans.open_invitation("kim") == second.id
        assert await ws.team_scans.open_invitation("hr") is None
        await ws.team_scans.close_round(second.id)
        assert await ws.team_scans.open_invitation("ann") == first.id
        await ws.team_scans.save_response(first.id, "ann", {n: 10 for n in range(1, 10)})
        assert await ws.team_scans.answered(first.id, "ann")
        assert await ws.team_scans.open_invitation("ann") is None
        with pytest.raises(LookupError):  # once only
            await ws.team_scans.save_response(first.id, "ann", {n: 20 for n in range(1, 10)})
        assert [r.id for r in await ws.team_scans.rounds()] == [second.id, first.id]
    async with Workspace(runtime, "other") as ws:
        assert await ws.team_scans.rounds() == [] and await ws.team_scans.round(first.id) is None


async def test_the_result_in_english(runtime) -> None:  # type: ignore[no-untyped-def]
    hr = User(runtime.conductor, name="hr", locale="en")
    await hr.say("scan")
    await hr.say("Care team")
    for value in answers_for({3, 7}):
        await hr.say(value)
    out = await hr.say("-")
    assert "The scan for Care team is saved." in out
    assert "No clearly dominant profile: 2 challenges share the highest barrier score" in out
    assert f"• challenge 7: {LIBRARY.challenge(7).title.en}" in out
    assert "Your top 3 actions" in out and "More details" in out
    assert_clean(out)


@pytest.mark.parametrize("index", [0, 1, 2, 3], ids=["console", "web", "slack", "msteams"])
async def test_a_team_scan_invitation_is_answered_on_every_channel(
        tmp_path, case_catalogue, index: int) -> None:  # type: ignore[no-untyped-def]
    from bot.server import CHANNELS
    from dialogs.scan.team_result import target_label_in
    from dialogs.scan.team_scan import invitation
    from tests.test_channels_suite import WebDriver, drivers

    async with drivers(tmp_path, case_catalogue) as channel_drivers:
        driver = channel_drivers[index]
        runtime = channel_drivers[0].runtime  # type: ignore[attr-defined]
        client = next(d for d in channel_drivers if isinstance(d, WebDriver)).client
        await driver.say("hallo")
        async with Workspace(runtime, driver.workspace) as ws:  # as the dialog sends it
            found = await ws.team_scans.start_round(None, "", [driver.user], "hr")
            await ws.outbox.notify(driver.user, invitation(
                "nl", target_label_in("nl", ""), found.id, "Hanna"), key=f"t:{found.id}")
        await client.app[CHANNELS].deliveries.drain()  # type: ignore[union-attr]
        await driver.say("menu")  # console and web chat: the mailbox is shown now
        assert "vraagt je de scan" in driver.text()
        await driver.choose(f"go:team_scan_answer:{found.id}")
        for value in answers_for({6}):
            await driver.choose(value)
        assert "zonder je naam bewaard" in driver.text()
        async with Workspace(runtime, driver.workspace) as ws:
            assert await ws.team_scans.answered(found.id, driver.user)
            assert await ws.team_scans.responses(found.id) == [
                {n: 100 if n == 6 else 50 for n in range(1, 10)}]


async def test_a_team_scan_round_is_read_by_its_sender_the_teams_lead_and_hr_only(runtime) -> None:  # type: ignore[no-untyped-def]
    """Least privilege: another manager neither sees the round in the list nor opens it."""
    await team_with_members(runtime)
    async with Workspace(runtime) as ws:
        await ws.join("piet", "Piet", role="manager")  # a manager of another team
        await ws.join("mia", "Mia", role="manager")
        await ws.teams.save_team("Zorg-leiding", "mia", ["ann", "bob"], None)
    hr = User(runtime.conductor, name="hr")
    await send_round(hr)
    async with Workspace(runtime) as ws:
        assert len(await ws.team_scans.rounds()) == 1
    piet = User(runtime.conductor, name="piet")
    out = await piet.say("uitslag teamscan")
    assert "Zorg" not in out
    with pytest.raises(AssertionError):  # no button to press, and the value is refused
        await piet.press("Zorg")
    await hr.say("uitslag teamscan")
    assert "Zorg" in hr.text  # the sender sees it
