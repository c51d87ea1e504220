"""Never misread, never lose work: on the console and in the web chat, Leerbot's own dialogs
ask before taking a command-like text as an answer, set a dialog aside and pick it up again
with "verder", keep what was typed in a form (also after "terug" or a problem), and offer to
keep the scan's answers on "stop"."""

from __future__ import annotations

import pytest

from dialogs.kit import Channel
from knowledge.scan import load_scan
from tests.conversation import CONSOLE, WEB, User, Workspace
from tests.test_rounds import schedule, stored, team_of

CHANNELS = pytest.mark.parametrize("channel", [CONSOLE, WEB], ids=["console", "web"])
QUESTIONS = ["Wat heb je geleerd?", "Waar loop je tegenaan?"]


async def checkin_waiting(runtime, channel: Channel) -> User:  # type: ignore[no-untyped-def]
    """Bob (a manager, so every dialog is his to start) at the first question of a check-in."""
    team = await team_of(runtime)
    async with Workspace(runtime) as ws:
        await ws.people.set_role("bob", "manager")
    await schedule(runtime, team, "checkin", QUESTIONS)
    bob = User(runtime.conductor, name="bob", channel=channel)
    assert "Tijd voor de check-in" in await bob.say("menu")
    assert "Vraag 1 van 2: Wat heb je geleerd?" in await bob.press("Beantwoorden")
    return bob


@CHANNELS
async def test_a_mistyped_request_during_a_checkin_is_asked_about(runtime, channel) -> None:  # type: ignore[no-untyped-def]
    bob = await checkin_waiting(runtime, channel)
    out = await bob.say("leerljn maken")
    assert "Bedoel je dat je leerlijn maken wilt starten, of is dit je antwoord op de vraag?" \
        in out
    assert "**" not in out
    assert await stored(runtime, "checkin") == [], "nothing taken as the answer yet"
    # it was the answer after all: then it is taken, and the next question follows
    assert "Vraag 2 van 2" in await bob.press("Het is mijn antwoord")
    await bob.say("Tijd")
    await bob.press("no")
    answers = [(r.question, r.text) for r in await stored(runtime, "checkin")]
    assert answers == [(QUESTIONS[0], "leerljn maken"), (QUESTIONS[1], "Tijd")]


@CHANNELS
async def test_the_question_about_a_request_is_answered_in_words(runtime, channel) -> None:  # type: ignore[no-untyped-def]
    """Typed at "Bedoel je ...?": another request is asked about in its own right (never read
    as "Het is mijn antwoord" because both say "mijn"), "ja" starts it, "nee" keeps the text as
    the answer."""
    bob = await checkin_waiting(runtime, channel)
    await bob.say("leerljn maken")
    out = await bob.say("mijn profeil")
    assert "Bedoel je dat je mijn profiel wilt starten" in out
    out = await bob.say("ja")
    assert "opzij" in out and "Hier ben ik goed in" in out
    await bob.say("stop")
    assert "Vraag 1 van 2" in await bob.say("verder")
    await bob.say("mijn profeil")
    assert "Vraag 2 van 2" in await bob.say("nee")
    await bob.say("iets")
    await bob.press("no")
    assert [r.text for r in await stored(runtime, "checkin")] == ["mijn profeil", "iets"]


@CHANNELS
async def test_another_dialog_pauses_the_checkin_until_verder(runtime, channel) -> None:  # type: ignore[no-untyped-def]
    bob = await checkin_waiting(runtime, channel)
    await bob.say("leerljn maken")
    out = await bob.press("Start leerlijn maken")
    assert "opzij" in out and "Voor welk niveau maak je deze leerlijn?" in out
    out = await bob.say("stop")
    assert "Check-in" in out and "verder" in out  # the check-in waits, and says how to return
    out = await bob.say("verder")
    assert "Vraag 1 van 2: Wat heb je geleerd?" in out
    await bob.say("Draaitabellen")
    await bob.say("Niets")
    await bob.press("no")
    answers = [r.text for r in await stored(runtime, "checkin")]
    assert answers == ["Draaitabellen", "Niets"], "the typo never became an answer"


async def test_a_form_on_the_console_goes_back_one_field_and_keeps_the_rest(runtime) -> None:  # type: ignore[no-untyped-def]
    anna = User(runtime.conductor, name="anna", channel=CONSOLE)
    assert "(1/4)" in await anna.say("mijn profiel")
    assert "(2/4)" in await anna.say("Excel")
    assert "(3/4)" in await anna.say("draaitabellen")
    out = await anna.say("terug")
    assert "(2/4)" in out and "voorstel: draaitabellen" in out  # one field back, suggested
    assert "(3/4)" in await anna.say("")  # Enter keeps it
    assert "(2/4)" in await anna.say("terug")
    assert "(3/4)" in await anna.say("draaitabellen en formules")  # or type another answer
    await anna.say("presenteren")
    out = await anna.say("1")
    assert "Excel" in out and "draaitabellen en formules" in out and "presenteren" in out
    assert "bewaard" in await anna.press("yes")
    async with Workspace(runtime) as ws:
        profile = await ws.profiles.profile("anna")
    assert profile is not None and profile.can_help_with == "draaitabellen en formules"


async def test_a_web_form_with_a_problem_comes_back_with_what_was_typed(runtime) -> None:  # type: ignore[no-untyped-def]
    anna = User(runtime.conductor, name="anna", channel=WEB)
    await anna.say("mijn profiel")
    out = await anna.submit(good_at="weet ik niet", can_help_with="draaitabellen",
                            wants_to_grow="presenteren", learns_best="online,coaching")
    assert "Hier ben ik goed in is verplicht" in out
    kept = {f.name: f.default for f in anna.form().fields}
    assert kept == {"good_at": "weet ik niet", "can_help_with": "draaitabellen",
                    "wants_to_grow": "presenteren", "learns_best": "online,coaching"}
    async with Workspace(runtime) as ws:
        assert await ws.profiles.profile("anna") is None, "nothing saved on a problem"
    await anna.submit(**{**kept, "good_at": "Excel"})  # type: ignore[arg-type]
    assert "bewaard" in await anna.press("yes")


@CHANNELS
async def test_stop_in_the_scan_offers_to_keep_the_answers(runtime, channel) -> None:  # type: ignore[no-untyped-def]
    total = len(load_scan().statements)
    lea = User(runtime.conductor, name="lea", channel=channel)
    await lea.say("scan")
    assert f"Vraag 1 van {total}" in await lea.say("Team Zorg")
    for answer in ("3", "4"):
        await lea.press(answer)
    out = await lea.say("stop")
    assert "bewaren" in out and "Bewaar voor later" in out and "Stop zonder bewaren" in out
    out = await lea.press("Bewaar voor later")
    assert "Bewaard" in out and "verder" in out
    assert "Team Zorg" not in await lea.say("menu")  # nothing stored as a scan yet
    out = await lea.say("verder")
    assert f"Vraag 3 van {total}" in out
    assert f"Vraag 2 van {total}" in await lea.say("terug")  # the kept answers go back too
    # stopping without keeping drops them
    await lea.say("stop")
    out = await lea.press("Stop zonder bewaren")
    assert "niets bewaard" in out.lower()
    assert "Vraag" not in await lea.say("verder")
    async with Workspace(runtime) as ws:
        assert await ws.scans.scans("Team Zorg") == []
