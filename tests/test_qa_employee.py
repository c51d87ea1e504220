"""The employee's journeys played as a person (QA round): each test pins a defect that was
found by talking to Leerbot on the console or the web chat, and stays as its regression test."""

from __future__ import annotations

import pytest

from tests.conversation import User, Workspace


async def test_a_profile_recognises_every_competency_joined_by_en(runtime) -> None:  # type: ignore[no-untyped-def]
    """'excel en plannen' named Excel only: the whole part matched Excel confidently, so the
    halves were never tried."""
    sam = User(runtime.conductor, name="sam")
    await sam.say("mijn profiel")
    await sam.say("excel en plannen")
    await sam.say("-")
    await sam.say("-")
    out = await sam.say("-")
    assert "Excel" in out and "Plannen en organiseren" in out
    await sam.press("yes")
    async with Workspace(runtime) as ws:
        saved = await ws.profiles.profile("sam")
    assert saved is not None
    assert saved.competencies == ["Excel", "Plannen en organiseren"]


async def test_the_assignment_message_tells_the_employee_what_the_step_covers_only(runtime) -> None:  # type: ignore[no-untyped-def]
    """Sam read the builder's notes for the manager: 'Niveau mbo past bij de doelgroep (mbo).
    beginner past minder bij 6-60 jaar ervaring.' (a judgement about her, in lower case)."""

    from dialogs.paths.port import PathDraft
    from tests.conversation import deliver

    reason = [{"code": "paths.reason.covers", "params": {"competencies": "Plannen"}},
              {"code": "paths.reason.level_match", "params": {"level": "mbo",
                                                               "education": "mbo"}},
              {"code": "paths.reason.experience_mismatch",
               "params": {"experience": "beginner", "years": "6-60"}},
              {"code": "paths.reason.included", "params": {}}]
    async with Workspace(runtime) as ws:
        await ws.join("hr", "HR")
        await ws.join("sam", "Sam")
        path = await ws.paths.save_path(PathDraft(
            name="Secretaresses", level="functie", spec={"competencies": ["Plannen"]},
            trainings=[{"id": "T1", "title": "Prioriteiten stellen", "minutes": 60,
                        "format": "online", "level": "mbo", "competencies": ["Plannen"],
                        "fit": 1, "reason": reason}], total_minutes=60), created_by="hr")
    hr = User(runtime.conductor, name="hr")
    await hr.say("leerlijnen")
    await hr.press("Secretaresses")
    await hr.press("assign")
    await hr.say("sam")
    await hr.say("31-12-2029")
    await deliver(runtime)
    out = await User(runtime.conductor, name="sam").say("hoi")
    assert "Je eerste stap: Prioriteiten stellen." in out and "Dekt Plannen." in out
    assert "doelgroep" not in out and "ervaring" not in out and "Door jou gekozen" not in out
    assert path


def test_the_experience_reason_starts_with_a_capital() -> None:
    """'beginner past minder bij 6-60 jaar ervaring.' began a sentence in lower case (the
    catalogue's experience level is a lower-case word)."""
    from engine.notes import note

    for lang in ("nl", "en"):
        for code in ("paths.reason.experience_match", "paths.reason.experience_mismatch"):
            text = note(code, experience="beginner", years="6-60").text(lang)
            assert text[0].isupper() and "beginner" in text, text


async def test_a_hesitant_terug_is_not_kept_as_the_reflection(runtime) -> None:  # type: ignore[no-untyped-def]
    """'nee wacht, terug' while the reflection was asked was saved as what Sam takes away,
    and the training marked done with it."""
    from datetime import UTC, datetime

    from tests.test_my_path import a_path

    path = await a_path(runtime)
    async with Workspace(runtime) as ws:
        await ws.join("hr", "HR")
        await ws.join("sam", "Sam")
        await ws.paths.assign(path, "sam", datetime(2029, 12, 31, tzinfo=UTC), assigned_by="hr")
    sam = User(runtime.conductor, name="sam")
    out = await sam.say("ik heb prioriteiten stelen afgerond")
    assert "Wat neem je mee" in out
    for hesitant in ("nee wacht, terug", "oeps stop", "wacht even, stpo"):
        out = await sam.say(hesitant)
        assert "bewaard bij" not in out and "is afgerond" not in out, out
        async with Workspace(runtime) as ws:
            (mine,) = await ws.my_path.my_paths("sam")
        assert mine.trainings[0].status == "todo" and mine.trainings[0].reflection is None
        if "Bedoel je" in out:  # unsure: asked first; a clear "nee wacht, terug" is terug
            out = await sam.press("Ja")
            assert "bewaard bij" not in out and "is afgerond" not in out, out
        if "Wat neem je mee" not in out:
            await sam.say("ik heb prioriteiten stelen afgerond")


async def test_a_pop_shared_without_a_manager_says_only_hr_sees_it(runtime) -> None:  # type: ignore[no-untyped-def]
    """Sam shared her POP while in no team: 'alleen HR kan hem zien', then 'mijn pop' said
    'Gedeeld met je leidinggevende en HR.' (she has none)."""
    from tests.test_development import prepare

    async with Workspace(runtime) as ws:
        await ws.join("hr", "HR")
        await ws.join("anna", "Anna")
    anna = User(runtime.conductor, name="anna")
    await prepare(anna)
    await anna.press("done")
    out = await anna.press("share")
    assert "alleen HR kan hem zien" in out
    out = await anna.say("mijn pop")
    assert "leidinggevende en HR" not in out and "Gedeeld met HR" in out
    await anna.press("unshare")
    await anna.say("mijn pop")
    out = await anna.press("share")
    if "Bedoel je" in out or "Zeker" in out or "?" in out.splitlines()[-2:][0]:
        out = await anna.press("yes")
    assert "alleen HR kan hem zien" in out


async def test_weet_ik_niet_skips_a_preparing_question(runtime) -> None:  # type: ignore[no-untyped-def]
    """'weet ik niet' to 'Waar wil je je verder in verdiepen?' landed in the POP as her
    answer ('geen idee' was already a way to skip)."""
    async with Workspace(runtime) as ws:
        await ws.join("hr", "HR")
        await ws.join("anna", "Anna")
    anna = User(runtime.conductor, name="anna")
    await anna.say("ontwikkelgesprek")
    await anna.say("plannen")
    await anna.say("weet ik niet")
    await anna.say("wiet ik niet")  # a typo
    out = await anna.say("maakt niet uit")
    assert "Noem één doel" in out
    await anna.say("beter presenteren")
    await anna.say("1")
    await anna.say("eind maart")
    await anna.press("done")
    await anna.press("save")
    async with Workspace(runtime) as ws:
        plan = await ws.development.plan("anna")
    assert plan is not None and list(plan.answers.values()) == ["plannen"]


async def test_a_question_without_a_team_says_where_it_is(runtime) -> None:  # type: ignore[no-untyped-def]
    """After posting, the first line read 'Je vraag is niet in een team geplaatst.', which
    sounds as if nothing happened; the question does wait among the open questions."""
    async with Workspace(runtime) as ws:
        await ws.join("hr", "HR")
        await ws.join("sam", "Sam")
    sam = User(runtime.conductor, name="sam")
    await sam.say("hulpvraag stellen")
    await sam.say("hoe maak ik een draaitabel in excle met twee bronnen?")
    await sam.say("ja graag")
    out = await sam.say("ja")
    assert "niet in een team geplaatst" not in out
    assert out.splitlines()[0] == "Je vraag staat bij de open vragen."
    assert "draaitabel" in await sam.say("open vragen")


async def test_erasing_my_data_names_the_pop_and_the_progress(runtime) -> None:  # type: ignore[no-untyped-def]
    """The question before erasing named profile, wishes, paths and conversations, not her
    POP, her progress and reflections or her answers, which are erased too."""
    sam = User(runtime.conductor, name="sam")
    await sam.say("mijn gegevens")
    out = await sam.say("alles wissen")
    for part in ("POP", "voortgang", "antwoorden"):
        assert part in out, out
    sam.locale = "en"
    await sam.say("stop")
    await sam.say("english please")
    await sam.say("my data")
    out = await sam.say("delete everything")
    for part in ("development plan", "progress", "answers"):
        assert part in out, out


#: typed answers to "Wat wil je met je gegevens doen?": a word the labels share ("alles",
#: "everything") picked the wrong one ("wis alles" downloaded, "delete everything" too)
MY_DATA_CHOICES = [
    ("nl", "wis alles", "delete"), ("nl", "alles wisen", "delete"),
    ("nl", "alles downloaden", "export"), ("nl", "verwijder alles", None),
    ("en", "delete everything", "delete"), ("en", "erase everything", "delete"),
    ("en", "download everything", "export"), ("en", "remove everything", None),
]


@pytest.mark.parametrize(("lang", "typed", "meant"), MY_DATA_CHOICES)
def test_a_word_the_labels_share_does_not_pick_a_choice(lang: str, typed: str,
                                                        meant: str | None) -> None:
    from dialogs.kit import say
    from engine.parsing import ParseError, pick_choice

    options = [(v, say(lang, f"my_data.{v}").plain) for v in ("export", "delete", "nothing")]
    if meant is None:
        with pytest.raises(ParseError):
            pick_choice(typed, options)
    else:
        assert pick_choice(typed, options) == meant


async def test_english_mode_names_the_path_competencies_in_english(runtime) -> None:  # type: ignore[no-untyped-def]
    """In English, the assignment message and 'my learning path' said 'you are working on
    Plannen en organiseren, Klantvriendelijkheid' and 'Covers Plannen en organiseren'."""
    from dialogs.paths.port import PathDraft
    from tests.conversation import deliver

    goals = ["Plannen en organiseren", "Klantvriendelijkheid"]
    async with Workspace(runtime) as ws:
        await ws.join("hr", "HR")
        await ws.join("eva", "Eva")
        await ws.paths.save_path(PathDraft(
            name="Secretaresses", level="functie", spec={"competencies": goals},
            trainings=[{"id": "T1", "title": "Prioriteiten stellen", "minutes": 60,
                        "format": "online", "level": "mbo", "competencies": goals[:1],
                        "fit": 1, "reason": [{"code": "paths.reason.covers",
                                              "params": {"competencies": goals[0]}}]}],
            total_minutes=60), created_by="hr")
    eva = User(runtime.conductor, name="eva", locale="en")
    await eva.say("english please")
    hr = User(runtime.conductor, name="hr")
    await hr.say("leerlijnen")
    await hr.press("Secretaresses")
    await hr.press("assign")
    await hr.say("eva")
    await hr.say("31-12-2029")
    await deliver(runtime)
    out = await eva.say("hi")
    assert "you are working on Planning and organising, Customer friendliness." in out
    assert "Covers Planning and organising." in out
    out = await eva.say("my learning path")
    assert "Planning and organising, Customer friendliness" in out and "Plannen" not in out


#: a status word with one typo: "i finishd prioriteiten stellen" was not understood
TYPO_SENTENCES = [
    ("i finishd prioriteiten stellen", "done", [0]),
    ("completd prioriteiten stellen", "done", [0]),
    ("ik heb prioriteiten stellen afgerondt", "done", [0]),
    ("stared with klantvriendelijkheid", "started", [1]),
    ("begonnn met klantvriendelijkheid", "started", [1]),
    ("ik ben gestrat met notuleren", "started", [2]),
]


@pytest.mark.parametrize(("sentence", "status", "trainings"), TYPO_SENTENCES)
def test_a_status_word_with_a_typo_is_read(sentence: str, status: str,
                                           trainings: list[int]) -> None:
    from engine.progress import named, reported

    titles = ["Prioriteiten stellen", "Klantvriendelijkheid", "Vergadering notuleren"]
    assert reported(sentence) == status
    assert named(sentence, titles) == trainings


async def test_opening_the_web_chat_makes_nobody_a_member(runtime) -> None:  # type: ignore[no-untyped-def]
    """Every page load without a cookie (a curl, a prefetch) and every mailbox poll made a
    nameless member 'web-659058aff4b1c4ed4e17428c' that HR then saw among the people to assign
    a path to; on a fresh install the first page load even became HR admin."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.server import build_app

    app = build_app(runtime, webchat_enabled=True, workers=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        assert (await client.get("/chat")).status == 200
        assert (await client.get("/chat")).status == 200
        response = await client.post("/chat/api/mailbox", json={},
                                     headers={"X-Leerbot": "1"})
        assert response.status == 200 and (await response.json())["messages"] == []
        async with Workspace(runtime, "local") as ws:
            assert await ws.people.members() == []
        response = await client.post("/chat/api/message", json={"text": "hoi", "name": "Noor"},
                                     headers={"X-Leerbot": "1"})
        assert response.status == 200
        async with Workspace(runtime, "local") as ws:
            (noor,) = await ws.people.members()
        assert noor.name == "Noor" and noor.role == "admin"  # the first one who talks


async def test_the_example_sentence_names_one_of_her_own_trainings(runtime) -> None:  # type: ignore[no-untyped-def]
    """'Mijn leerlijn' suggested 'bijvoorbeeld ik heb excel afgerond' to someone whose path
    holds no Excel training at all."""
    from datetime import UTC, datetime

    from tests.test_my_path import a_path

    path = await a_path(runtime)
    async with Workspace(runtime) as ws:
        await ws.join("hr", "HR")
        await ws.join("sam", "Sam")
        await ws.paths.assign(path, "sam", datetime(2029, 12, 31, tzinfo=UTC), assigned_by="hr")
        (mine,) = await ws.paths.assignments(user="sam")
        await ws.my_path.set_status("sam", mine.id, "T1", "done", datetime.now(UTC))
    sam = User(runtime.conductor, name="sam")
    out = await sam.say("mijn leerlijn")
    assert "excel" not in out.lower()
    assert "bijvoorbeeld ik heb Klantvriendelijkheid afgerond" in out  # her first open one


def test_a_console_card_whose_label_is_a_question_shows_no_question_colon() -> None:
    """The check-in and evaluation answers read 'Wat liep anders dan verwacht?: de vergadering
    duurde te lang' on the console."""
    from bot.channels.console import render
    from dialogs.kit import CardBlock, Fact, Message, plain

    card = CardBlock(title=plain("Jouw antwoorden"), facts=[
        Fact(label=plain("Wat liep anders dan verwacht?"), value=plain("de vergadering")),
        Fact(label=plain("Team"), value=plain("Secretariaat"))])
    lines = [line for line in render([Message(blocks=[card])]).lines if isinstance(line, str)]
    assert "?:" not in "\n".join(lines)
    assert "  - Wat liep anders dan verwacht? de vergadering" in lines
    assert "  - Team: Secretariaat" in lines


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_the_web_chat_suggests_what_an_employee_may_do(runtime, lang: str) -> None:  # type: ignore[no-untyped-def]
    """The input's placeholder suggested 'leerlijn maken', which an employee is refused
    ('Leerlijn maken is er voor leidinggevenden en HR')."""
    import re

    from bot.channels.webchat import frame_texts

    examples = re.findall(r"'([^']+)'", frame_texts(lang)["placeholder"])
    assert examples and "help" in examples
    hr, sam = User(runtime.conductor, name="hr", locale=lang), User(runtime.conductor, name="sam",
                                                                    locale=lang)
    await hr.say("hoi")
    for example in examples:
        out = await sam.say(example)
        assert "leidinggevenden en HR" not in out and "managers and HR" not in out, out
        await sam.say("stop")


@pytest.mark.parametrize(("lang", "typed"), [
    ("nl", "gisteren"), ("nl", "vorige week"), ("nl", "eergisteren"), ("nl", "vorige maand"),
    ("en", "yesterday"), ("en", "last week"), ("en", "last month"),
])
def test_a_day_in_the_past_is_named_as_past(lang: str, typed: str) -> None:
    """'yesterday' for a POP date answered "I can't read 'yesterday' as a date": it can, the
    day has passed."""
    from datetime import date

    from engine.parsing import ParseError, parse_deadline

    with pytest.raises(ParseError) as raised:
        parse_deadline(typed, today=date(2026, 12, 1), lang=lang)
    assert raised.value.code == "parsing.date_past"


async def test_a_proactive_button_stays_usable_after_typing_in_the_web_chat(runtime) -> None:  # type: ignore[no-untyped-def]
    """The page disabled every older button when the user sent anything: the assignment
    message's 'Begonnen' (and a check-in's 'Beantwoorden') went grey as soon as she typed
    'hoi', although such a button is valid at any time."""
    from aiohttp.test_utils import TestServer

    from bot.server import build_app
    from dialogs.paths.port import PathDraft
    from tests.browser import browser_page
    from tests.test_my_path import TRAININGS, training
    from tests.test_webchat_browser import click, idle, type_message

    async with Workspace(runtime, "local") as ws:  # the web chat's workspace
        await ws.paths.save_path(PathDraft(
            name="Secretaresses", level="functie", spec={"competencies": ["Plannen"]},
            trainings=[training(i, t) for i, t in enumerate(TRAININGS, start=1)],
            total_minutes=180), created_by="hr")
    hr = User(runtime.conductor, name="hr", workspace="local")
    await hr.say("hoi")
    server = TestServer(build_app(runtime, webchat_enabled=True), host="127.0.0.1")
    await server.start_server()
    try:
        async with browser_page() as page:
            await page.goto(str(server.make_url("/chat")))
            await idle(page)
            await page.fill("#name", "Noor")
            await type_message(page, "hoi")
            await hr.say("leerlijnen")
            await hr.press("Secretaresses")
            await hr.press("assign")
            await hr.say("Noor")
            assert "Toegewezen aan Noor" in await hr.say("31-12-2029")
            for _ in range(40):  # the page polls its mailbox; ask at once instead
                await type_message(page, "hallo")
                if "aan je toegewezen" in (await page.locator("#log").text_content() or ""):
                    break
            await type_message(page, "hoi")  # she types something else first
            started = page.locator(".msg.bot button:not([disabled])", has_text="Begonnen")
            assert await started.count() == 1
            await started.first.click()
            await idle(page)
            said = await page.locator(".msg.bot").last.text_content() or ""
            assert "je bent begonnen met Prioriteiten stellen" in said
            await type_message(page, "mijn leerlijn")
            await click(page, "Sluiten")
            # a question's own buttons still go grey once it is answered
            assert await page.locator(".msg.bot button:not([disabled])",
                                      has_text="Training afgerond").count() == 0
    finally:
        await server.close()


async def test_engels_is_understood_as_english(runtime) -> None:  # type: ignore[no-untyped-def]
    """'Engels' (Dutch for English) was neither a request nor a choice."""
    eva = User(runtime.conductor, name="eva")
    await eva.say("hallo")
    assert "English" in await eva.say("liever engels")
    async with Workspace(runtime) as ws:
        assert (await ws.people.member("eva")).lang == "en"  # type: ignore[union-attr]
    await eva.say("taal")
    await eva.say("Nederlands")
    async with Workspace(runtime) as ws:
        assert (await ws.people.member("eva")).lang == "nl"  # type: ignore[union-attr]
    await eva.say("taal")
    await eva.say("engels")
    async with Workspace(runtime) as ws:
        assert (await ws.people.member("eva")).lang == "en"  # type: ignore[union-attr]
