"""Ontwikkelgesprek and POP, end to end: an employee prepares her development conversation and
keeps her POP (console, one question at a time, and the web chat with forms); she changes,
exports and shares it; her manager turns it into an individual leerlijn; nobody else sees it;
HR sees the demand per competency only from five people."""

from __future__ import annotations

import json
from datetime import date

from dialogs.profile.port import Profile
from tests.conversation import WEB, User, Workspace, deliver


async def team_with_lead(runtime, lead: str = "mia", member: str = "anna") -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        await ws.join("hr", "Hanna HR")  # the first member: admin (HR)
        await ws.join(lead, "Mia", role="manager")
        await ws.join(member, "Anna")
        await ws.join("bob", "Bob", role="manager")  # another team's lead
        await ws.teams.save_team("Secretariaat", lead, [member], None)
        await ws.teams.save_team("Techniek", "bob", ["tom"], None)


async def prepare(anna: User) -> str:
    out = await anna.say("ik wil mijn ontwikkelgesprek voorbereiden")
    assert "Vraag 1 van 4" in out and "Sla over" in out
    await anna.say("Ik kan goed plannen en mensen op hun gemak stellen")
    out = await anna.press("Sla over")
    assert "Vraag 3 van 4" in out
    out = await anna.say("terug")  # one question back
    assert "Vraag 2 van 4" in out
    await anna.say("sla over")
    await anna.say("Voor een groep durven spreken")
    out = await anna.say("me verdiepen in presenteren")
    assert "Noem één doel" in out
    out = await anna.say("beter presenteren voor groepen")
    assert "Presentatievaardigheden" in out and "Training:" in out and "Op het werk:" in out
    out = await anna.say("geen")
    assert "minstens één" in out
    out = await anna.say("1, 4")
    assert "(1/2)" in out and "Wanneer" in out
    out = await anna.say("gisteren")
    assert "(1/2)" in out  # a date in the past is refused, the same field is asked again
    await anna.say("eind maart")
    out = await anna.say("over een half jaar")
    assert "presenteren" in out and "nog een doel" in out.lower()
    return out


async def test_employee_prepares_keeps_changes_and_exports_her_pop(runtime) -> None:  # type: ignore[no-untyped-def]
    await team_with_lead(runtime)
    async with Workspace(runtime) as ws:  # a colleague whose profile names presenting
        await ws.join("piet", "Piet")
        await ws.profiles.save_profile("piet", Profile(good_at="presenteren",
                                                       competencies=["Presentatievaardigheden"]))
    anna = User(runtime.conductor, name="anna")
    out = await prepare(anna)
    assert "Op het werk: een gesprek van 20 minuten met Piet" in out
    await anna.press("another")
    out = await anna.say("rst houden als het druk is")  # a typo: still understood
    assert "werkdruk" in out.lower() or "Bedoel je" in out
    if "Bedoel je" in out:
        await anna.say("1")
    await anna.say("2")
    await anna.say("over 3 maanden")
    out = await anna.press("done")
    assert "Wat wil je ermee doen" in out
    out = await anna.press("save")
    assert "Je POP is bewaard, met 2 doelen." in out and "mijn pop" in out
    async with Workspace(runtime) as ws:
        plan = await ws.development.plan("anna")
        assert plan is not None and not plan.shared
        assert plan.goals[0].competency == "Presentatievaardigheden"
        assert [a.kind for a in plan.goals[0].actions] == ["training", "informal"]
        first_due = plan.goals[0].actions[0].due
        assert first_due is not None and first_due.month == 3
        assert "development-11" in plan.answers and "development-04" not in plan.answers
    out = await anna.say("mijn pop")
    assert "Alleen jij ziet deze POP" in out and "2 doelen" in out
    await anna.press("markdown")
    (file,) = anna.files()
    text = file.data.decode()
    assert file.name == "pop.md" and text.startswith("# Persoonlijk ontwikkelplan van anna")
    assert "Presentatievaardigheden" in text and "maart" in text
    await anna.say("mijn ontwikkelplan")
    await anna.press("html")
    page = anna.files()[0].data.decode()
    assert '<html lang="nl">' in page and "<h3>1. " in page
    await anna.say("mijn pop")
    await anna.press("date")
    await anna.say("1")
    out = await anna.say("31-12-2030")
    assert "aangepast" in out and "31 december 2030" in out
    await anna.say("mijn pop")
    await anna.press("remove")
    await anna.say("2")
    out = await anna.press("yes")
    assert "1 doel" in out
    async with Workspace(runtime) as ws:
        plan = await ws.development.plan("anna")
        assert plan is not None and len(plan.goals) == 1
        assert plan.goals[0].actions[0].due == date(2030, 12, 31)
    await anna.say("mijn gegevens")
    await anna.press("export")
    data = json.loads(anna.files()[0].data)
    assert data["development_plan"]["goals"][0]["competency"] == "Presentatievaardigheden"
    await anna.say("mijn pop")
    await anna.press("delete")
    assert "gewist" in await anna.press("yes")
    assert "nog geen POP" in await anna.say("mijn pop")


async def test_stop_saves_nothing_and_a_discarded_pop_is_not_kept(runtime) -> None:  # type: ignore[no-untyped-def]
    anna = User(runtime.conductor, name="anna")
    await anna.say("ontwikkelgesprek")
    await anna.say("sla over")
    await anna.say("stop")
    await anna.say("ontwikkelgesprek")
    for _ in range(4):
        await anna.say("sla over")
    await anna.say("excel")
    await anna.say("1")
    await anna.say("over 2 maanden")
    await anna.press("done")
    out = await anna.press("discard")
    assert "Niets bewaard" in out
    async with Workspace(runtime) as ws:
        assert await ws.development.plan("anna") is None


async def test_shared_pop_reaches_her_manager_who_makes_it_a_path(runtime) -> None:  # type: ignore[no-untyped-def]
    await team_with_lead(runtime)
    anna = User(runtime.conductor, name="anna")
    bob = User(runtime.conductor, name="bob")
    mia = User(runtime.conductor, name="mia")
    await prepare(anna)
    await anna.press("done")
    # before she shares, nobody else sees it: not her manager, not HR
    assert "nog geen POP met je gedeeld" in await mia.say("gedeelde pop")
    hr = User(runtime.conductor, name="hr")
    assert "nog geen POP met je gedeeld" in await hr.say("gedeelde pop")
    out = await anna.press("share")
    assert "mia kan hem nu zien" in out
    await deliver(runtime)
    out = await mia.say("menu")
    assert "anna heeft een persoonlijk ontwikkelplan met je gedeeld" in out
    assert "nog geen POP met je gedeeld" in await bob.say("gedeelde pop")  # not her manager
    out = await mia.send_value("go:shared_plans:anna")
    assert "Persoonlijk ontwikkelplan van anna" in out and "Presentatievaardigheden" in out
    out = await mia.press("path")
    assert "Bewaard als leerlijn 'Individueel: Presentatievaardigheden' (#" in out
    assert "met 1 training." in out
    async with Workspace(runtime) as ws:
        (path,) = await ws.paths.paths()
        assert path.level == "individueel" and path.created_by == "mia"
        assert "anna" not in path.name.casefold()  # saved leerlijnen are listed to all managers
        assert path.spec["competencies"] == ["Presentatievaardigheden"]
        assert len(path.trainings) == 1
    out = await hr.say("gedeelde pop")  # HR sees it too once it is shared
    assert "Wiens POP" in out and "anna" in out
    await hr.say("stop")
    await anna.say("mijn pop")
    out = await anna.press("unshare")
    assert "niet meer gedeeld" in out
    assert "nog geen POP met je gedeeld" in await mia.say("gedeelde pop")
    await anna.say("mijn pop")
    out = await anna.press("share")
    assert "mia krijgt je POP te zien, net als HR. Delen?" in out
    assert "Niet gedeeld" in await anna.press("no")
    assert "nog geen POP met je gedeeld" in await mia.say("gedeelde pop")
    await anna.say("mijn pop")
    await anna.press("share")
    assert "mia kan hem nu zien" in await anna.press("yes")
    assert "Wiens POP" in await mia.say("gedeelde pop")
    await mia.say("stop")
    await anna.say("mijn gegevens")  # she erases her data: the POP goes, for everyone
    await anna.press("delete")
    await anna.press("yes")
    async with Workspace(runtime) as ws:
        assert await ws.development.plan("anna") is None
    assert "nog geen POP met je gedeeld" in await mia.say("gedeelde pop")


async def test_employees_cannot_open_shared_pops_or_the_demand(runtime) -> None:  # type: ignore[no-untyped-def]
    await team_with_lead(runtime)
    anna = User(runtime.conductor, name="anna")
    for text in ("gedeelde pop", "vraag naar competenties"):
        out = await anna.say(text)
        assert "Persoonlijk ontwikkelplan van" not in out and "mensen willen" not in out
        await anna.say("stop")


async def test_hr_sees_demand_only_from_five_people(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        await ws.join("hr", "Hanna HR")
        for n in range(5):
            await ws.learning_wishes.save_wish(f"p{n}", "presenteren",
                                               ["Presentatievaardigheden"], {})
        for n in range(4):
            await ws.learning_wishes.save_wish(f"q{n}", "excel", ["Excel"], {})
    hr = User(runtime.conductor, name="hr")
    out = await hr.say("vraag naar competenties")
    assert "Presentatievaardigheden" in out and "5 mensen willen dit leren" in out
    assert "trainingen in de catalogus" in out
    assert "Excel" not in out and "Nog 1 competentie" in out
    anna = User(runtime.conductor, name="anna")  # a fifth person wants Excel, in her POP
    await anna.say("ontwikkelgesprek")
    for _ in range(4):
        await anna.say("sla over")
    await anna.say("excel")
    await anna.say("1")
    await anna.say("over 2 maanden")
    await anna.press("done")
    await anna.press("save")
    out = await hr.say("vraag naar competenties")
    assert "Excel" in out


async def test_learning_wishes_and_pop_goals_show_in_the_profile(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        await ws.learning_wishes.save_wish("anna", "ik wil beter worden in excel", ["Excel"], {})
    anna = User(runtime.conductor, name="anna")
    out = await anna.say("mijn profiel")
    assert "Mijn leerwensen" in out and "ik wil beter worden in excel (Excel)" in out
    for answer in ("plannen", "-", "-", "-"):
        await anna.say(answer)
    await anna.press("yes")
    await anna.say("ontwikkelgesprek")
    for _ in range(4):
        await anna.say("sla over")
    await anna.say("beter presenteren")
    await anna.say("4")
    await anna.say("over 2 maanden")
    await anna.press("done")
    await anna.press("save")
    out = await anna.say("mijn profiel")  # her saved profile, with both wishes
    assert "Hier ben ik goed in: plannen" in out
    assert "Mijn leerwensen: ik wil beter worden in excel (Excel); " \
           "beter presenteren (Presentatievaardigheden)" in out


async def test_pop_on_the_web_chat_with_forms(runtime) -> None:  # type: ignore[no-untyped-def]
    anna = User(runtime.conductor, name="anna", channel=WEB)
    await anna.say("ontwikkelgesprek")
    for _ in range(4):
        await anna.press("Sla over")
    out = await anna.say("beter presenteren")
    await anna.say("1, 2")
    out = await anna.submit(due0="over een half jaar", due1="vorig jaar")
    assert "'vorig jaar' ligt niet in de toekomst" in out  # the second date is refused
    assert anna.form().fields[0].default == "over een half jaar"  # what she typed is kept
    await anna.submit(due0="over een half jaar", due1="eind maart")
    await anna.press("done")
    out = await anna.press("save")
    assert "Je POP is bewaard, met 1 doel." in out


async def test_pop_in_english(runtime) -> None:  # type: ignore[no-untyped-def]
    anna = User(runtime.conductor, name="anna", locale="en")
    await anna.say("switch to english")
    out = await anna.say("prepare my development conversation")
    assert "Question 1 of 4" in out
    for _ in range(4):
        await anna.say("skip")
    out = await anna.say("get better at giving feedback")
    assert "Giving and receiving feedback" in out and "At work:" in out
    await anna.say("1")
    out = await anna.say("end of june")
    assert "(by June 30," in out
    await anna.press("done")
    out = await anna.press("save")
    assert "Your development plan is saved, with 1 goal." in out
    await anna.say("my development plan")
    await anna.press("html")
    page = anna.files()[0].data.decode()
    assert '<html lang="en">' in page and "Giving and receiving feedback" in page
    async with Workspace(runtime) as ws:
        plan = await ws.development.plan("anna")
    assert plan is not None and plan.goals[0].competency == "Feedback geven en ontvangen"


async def test_a_pop_holds_five_goals_and_says_so(runtime) -> None:  # type: ignore[no-untyped-def]
    anna = User(runtime.conductor, name="anna")
    await anna.say("ontwikkelgesprek")
    for _ in range(4):
        await anna.say("sla over")
    for number, goal in enumerate(["excel", "presenteren", "feedback geven", "notuleren",
                                   "leidinggeven"], start=1):
        if number > 1:
            await anna.press("another")
        await anna.say(goal)
        await anna.say("4")  # talk to a colleague
        out = await anna.say("over 2 maanden")
    assert "al 5 doelen" in out and "Nog een doel" not in out
    await anna.press("done")
    assert "met 5 doelen" in await anna.press("save")
    out = await anna.say("mijn pop")
    assert "Een doel toevoegen" not in out


async def test_a_pop_without_trainings_offers_no_leerlijn(runtime) -> None:  # type: ignore[no-untyped-def]
    await team_with_lead(runtime)
    anna = User(runtime.conductor, name="anna")
    await anna.say("ontwikkelgesprek")
    for _ in range(4):
        await anna.say("sla over")
    out = await anna.say("zqxv wvbn")  # nothing matches: her own words are kept
    assert "geen competentie uit de lijst" in out and "Training:" not in out
    await anna.say("2")
    await anna.say("over een maand")
    await anna.press("done")
    await anna.press("share")
    mia = User(runtime.conductor, name="mia")
    await mia.say("gedeelde pop")
    out = await mia.say("1")
    assert "zqxv wvbn" in out and "leerlijn" not in out.lower()
    await mia.press("markdown")
    assert "zqxv wvbn" in mia.files()[0].data.decode()
