"""Mijn leerlijn end to end: the message on assignment, the overview, marking trainings
started and done (buttons and words, typos), the reflection, progress for the manager and HR,
and the reminders and evaluations that use the progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.storage.personal import HOOKS, Erasure
from dialogs.kit import ChartBlock
from dialogs.paths.port import PathDraft
from tests.conversation import WEB, User, Workspace, deliver, plan

TRAININGS = ["Prioriteiten stellen", "Klantvriendelijkheid", "Vergadering notuleren"]

#: (sentence, status it reports, the trainings it names) over HER_TRAININGS
SENTENCES = [
    ("ik heb prioriteiten stellen afgerond", "done", [0]),
    ("prioritijten stelen af", "done", [0]),
    ("begonnen met klantvriendelijkheid", "started", [1]),
    ("begonen met klantvriendelijkhied", "started", [1]),
    ("ik heb excel gedaan", "done", [2]),
    ("time managment klaar", "done", [3]),
    ("I finished time management", "done", [3]),
    ("started with excel", "started", [2]),
    ("plannen klaar", "done", [4, 0]),  # two are as close: ask which
    ("ik heb hem afgerond", "done", []),
    ("ik ben klaar", "done", []),
    ("mijn leerlijn", None, []),
    ("ik wil beter leren presenteren", None, []),
    ("ik doe af en toe iets met excel", None, []),
]
HER_TRAININGS = ["Prioriteiten stellen en plannen", "Klantvriendelijk telefoneren",
                 "Excel voor beginners", "Timemanagement", "Plannen en organiseren"]


@pytest.mark.parametrize(("sentence", "status", "trainings"), SENTENCES)
def test_progress_sentences_are_read(sentence: str, status: str | None,
                                     trainings: list[int]) -> None:
    from engine.progress import named, reported

    assert reported(sentence) == status
    if status is not None:
        assert named(sentence, HER_TRAININGS) == trainings


def training(number: int, title: str) -> dict[str, Any]:
    return {"id": f"T{number}", "title": title, "minutes": 60, "format": "online",
            "level": "mbo", "competencies": ["Plannen"], "fit": 1,
            "reason": [{"code": "paths.reason.covers", "params": {"competencies": "Plannen"}}]}


async def a_path(runtime: Any, name: str = "Secretaresses", by: str = "hr") -> int:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        path = await ws.paths.save_path(PathDraft(
            name=name, level="functie", spec={"competencies": ["Plannen", "Klantgericht werken"]},
            trainings=[training(i, t) for i, t in enumerate(TRAININGS, start=1)],
            total_minutes=180), created_by=by)
    return path.id


async def assign_by_dialog(hr: User, who: str, deadline: str = "31-12-2029") -> str:
    await hr.say("leerlijnen")
    if "openen?" in hr.text:
        await hr.press("Secretaresses")
    await hr.press("assign")
    if hr.channel is WEB:
        return await hr.submit(people=who, deadline=deadline)
    await hr.say(who)
    return await hr.say(deadline)


async def test_assignment_message_progress_and_reflection(runtime) -> None:  # type: ignore[no-untyped-def]
    await a_path(runtime)
    hr, sam = User(runtime.conductor, name="hr"), User(runtime.conductor, name="sam")
    await hr.say("hallo")
    await sam.say("hallo")
    out = await sam.say("mijn leerlijnen")  # an employee's own paths, not "for managers"
    assert "nog geen leerlijn aan je toegewezen" in out
    assert "Toegewezen aan sam" in await assign_by_dialog(hr, "sam")
    await hr.press("done")
    await deliver(runtime)
    out = await sam.say("hoi")
    assert "heeft de leerlijn Secretaresses aan je toegewezen: 3 trainingen" in out
    assert "31 december 2029" in out and "Waarom: je werkt aan Plannen" in out
    assert "Je eerste stap: Prioriteiten stellen" in out
    out = await sam.press("Begonnen")
    assert "Genoteerd: je bent begonnen met Prioriteiten stellen" in out
    assert "0 van 3 trainingen" in out
    out = await sam.say("wat is mijn leerlijn")
    assert "Prioriteiten stellen: bezig" in out and "Klantvriendelijkheid: niet begonnen" in out
    await sam.press("Sluiten")
    out = await sam.say("ik heb prioritijten stelen afgerond")  # typos, in words
    assert "Wat neem je mee uit Prioriteiten stellen" in out
    await sam.say("stop")  # nothing half-written
    async with Workspace(runtime) as ws:
        (mine,) = await ws.my_path.my_paths("sam")
    assert [t.status for t in mine.trainings] == ["started", "todo", "todo"]
    await sam.say("ik heb prioriteiten stellen afgerond")
    out = await sam.say("Eerst de belangrijkste taak, dan de mail")
    assert "Prioriteiten stellen is afgerond" in out and "bewaard" in out
    assert "1 van 3 trainingen" in out
    out = await sam.say("ik heb een training afgerond")
    assert "Welke training heb je afgerond?" in out
    assert "Prioriteiten stellen" not in out  # done already
    out = await sam.press("Klantvriendelijkheid")
    assert "Wat neem je mee" in out
    out = await sam.press("Overslaan")
    assert "2 van 3" in out and "bewaard bij je voortgang" not in out
    async with Workspace(runtime) as ws:
        (mine,) = await ws.my_path.my_paths("sam")
    assert [(t.status, t.reflection) for t in mine.trainings] == [
        ("done", "Eerst de belangrijkste taak, dan de mail"), ("done", None), ("todo", None)]
    out = await sam.say("ik heb prioriteiten stellen afgerond")  # already done
    assert "al op die stand" in out
    assert "al op die stand" in await sam.send_value(f"go:my_path:started:{mine.assignment_id}:T1")
    out = await sam.send_value(f"go:my_path:started:{mine.assignment_id + 1}:T1")
    assert "niet (meer) bij een leerlijn van jou" in out  # not hers: nothing saved


async def test_unsure_sentence_asks_which_and_back_works(runtime) -> None:  # type: ignore[no-untyped-def]
    path = await a_path(runtime)
    async with Workspace(runtime) as ws:
        await ws.join("hr", "HR")
        await ws.join("sam", "Sam")
        await ws.paths.assign(path, "sam", datetime(2029, 12, 31, tzinfo=UTC), assigned_by="hr")
    sam = User(runtime.conductor, name="sam")
    await sam.say("wat is mn leerlijn")  # a typo
    assert "Tot later" in await sam.say("sluiten")  # a button's label, typed
    await sam.say("mijn leerlijn")
    out = await sam.say("blabla")
    assert "begreep ik niet" in out
    out = await sam.say("afgerond")  # which one, then?
    assert "Welke training heb je afgerond?" in out
    out = await sam.say("terug")
    assert "Wat wil je doen?" in out
    out = await sam.say("begonnen")
    assert "Met welke training ben je begonnen?" in out
    out = await sam.say("vergadering")
    assert "begonnen met Vergadering notuleren" in out
    await sam.say("ik heb vergadering notuleren afgerond")
    out = await sam.say("overslaan")  # typed, not a reflection
    assert "bewaard bij je voortgang" not in out
    async with Workspace(runtime) as ws:
        (mine,) = await ws.my_path.my_paths("sam")
    assert (mine.trainings[2].status, mine.trainings[2].reflection) == ("done", None)


async def test_manager_sees_people_hr_sees_totals_from_five(runtime) -> None:  # type: ignore[no-untyped-def]
    path = await a_path(runtime)
    people = ["p1", "p2", "p3", "p4", "p5"]
    async with Workspace(runtime) as ws:
        await ws.join("hr", "HR")
        await ws.join("mia", "Mia", role="manager")
        await ws.join("emma", "Emma")
        for person in people:
            await ws.join(person, person.upper())
        for person in people[:4]:
            await ws.paths.assign(path, person, datetime(2029, 12, 31, tzinfo=UTC),
                                  assigned_by="mia" if person in {"p1", "p2"} else "hr")
        (first,) = await ws.paths.assignments(user="p1")
        await ws.my_path.set_status("p1", first.id, "T1", "done", datetime.now(UTC))
    mia, hr = User(runtime.conductor, name="mia"), User(runtime.conductor, name="hr")
    out = await mia.say("voortgang leerlijnen")
    assert "P1: 1 van 3 trainingen afgerond, 0 bezig" in out and "P2: 0 van 3" in out
    assert "P3" not in out and "te weinig" not in out
    (chart,) = [b for m in mia.last for b in m.blocks if isinstance(b, ChartBlock)]
    assert chart.categories == ["P1", "P2"] and chart.series[0].values == [1.0, 0.0]
    assert "P1 1 van 3 afgerond" in chart.alt.plain  # the figures in words, for everyone
    out = await hr.say("voortgang leerlijnen")
    assert "Toegewezen aan 4 mensen: te weinig" in out and "P1" not in out
    async with Workspace(runtime) as ws:
        await ws.paths.assign(path, "p5", datetime(2029, 12, 31, tzinfo=UTC), assigned_by="hr")
    out = await hr.say("voortgang leerlijnen")
    assert "5 mensen · 0 helemaal klaar · 1 onderweg · 7% van de trainingen afgerond" in out
    assert "Door jou toegewezen aan 3 mensen" in out
    emma = User(runtime.conductor, name="emma")
    assert "voor leidinggevenden en HR" in await emma.say("voortgang leerlijnen")


async def test_reminder_and_evaluation_use_the_progress(runtime) -> None:  # type: ignore[no-untyped-def]
    path = await a_path(runtime)
    deadline = datetime(2029, 6, 30, 23, 59, tzinfo=UTC)
    async with Workspace(runtime) as ws:
        await ws.join("hr", "HR")
        await ws.join("sam", "Sam")
        await ws.join("ben", "Ben")
        for person in ("sam", "ben"):
            await ws.paths.assign(path, person, deadline, assigned_by="hr")
        (sams,) = await ws.paths.assignments(user="sam")
        (bens,) = await ws.paths.assignments(user="ben")
        await ws.my_path.set_status("sam", sams.id, "T1", "done", datetime.now(UTC))
        for key in ("T1", "T2", "T3"):
            await ws.my_path.set_status("ben", bens.id, key, "done", datetime.now(UTC))
    await plan(runtime, datetime(2029, 6, 23, 9, tzinfo=UTC))
    await deliver(runtime)
    sam, ben = User(runtime.conductor, name="sam"), User(runtime.conductor, name="ben")
    out = await sam.say("hoi")
    assert "De deadline van je leerlijn Secretaresses komt eraan: 30 juni 2029" in out
    assert "Nog open (2): Klantvriendelijkheid, Vergadering notuleren" in out
    assert "Al afgerond: 1 training" in out
    assert "deadline" not in await ben.say("hoi")  # all done: no reminder
    await plan(runtime, datetime(2029, 9, 30, 9, tzinfo=UTC))
    await deliver(runtime)
    out = await ben.say("hoi")
    assert "3 maanden na je leerlijn Secretaresses" in out
    assert "Je hebt er 3 trainingen van afgerond" in out
    out = await ben.press("Beantwoorden")
    assert "3 maanden later" in out and "Je rondde er 3 trainingen van af" in out


async def test_progress_is_exported_and_erased(runtime) -> None:  # type: ignore[no-untyped-def]
    path = await a_path(runtime)
    async with Workspace(runtime) as ws:
        await ws.join("sam", "Sam")
        assignment = await ws.paths.assign(path, "sam", datetime.now(UTC) + timedelta(days=30),
                                           assigned_by="hr")
        assert await ws.my_path.set_status("sam", assignment.id, "T2", "done",
                                           datetime.now(UTC), reflection="Luisteren")
        assert not await ws.my_path.set_status("bob", assignment.id, "T2", "done",
                                               datetime.now(UTC))  # not bob's
    hook = HOOKS["my_path"]
    async with runtime.sessions.begin() as db:
        assert hook.export is not None
        exported = await hook.export(db, "acme", "sam")
        counts = await hook.erase(db, Erasure("acme", "sam"))
    trainings = exported["path_progress"][0]["trainings"]
    assert [(t["status"], t["reflection"]) for t in trainings][1] == ("done", "Luisteren")
    assert counts == {"path_progress": 1}


async def test_my_path_in_the_web_chat(runtime) -> None:  # type: ignore[no-untyped-def]
    """The same journey with buttons and a form, as the web chat sends them; in English."""
    await a_path(runtime)
    hr = User(runtime.conductor, name="hr", channel=WEB)
    sam = User(runtime.conductor, name="sam", channel=WEB, locale="en")
    await hr.say("hallo")
    await sam.say("hello")
    async with Workspace(runtime) as ws:  # her own choice of language (else: Dutch)
        await ws.people.set_language("sam", "en")
    out = await assign_by_dialog(hr, "sam", "over 6 maanden")
    assert "Toegewezen aan sam" in out
    await deliver(runtime)
    out = await sam.say("my learning path")
    assert "assigned the learning path Secretaresses to you: 3 trainings" in out
    assert "1 learning path is assigned to you" in out
    assert "Prioriteiten stellen: not started" in out
    await sam.press("Training finished")
    await sam.press("Vergadering notuleren")
    out = await sam.say("Short minutes, sent the same day")
    assert "Vergadering notuleren is finished" in out and "saved with your progress" in out
    assert "1 of 3 trainings" in out
    out = await sam.send_value("go:my_path:view:1")
    assert "Vergadering notuleren: finished" in out
    out = await sam.say("stop")
    async with Workspace(runtime) as ws:
        (mine,) = await ws.my_path.my_paths("sam")
    assert mine.trainings[2].reflection == "Short minutes, sent the same day"
