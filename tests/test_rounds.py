"""Check-ins, kennisrondje, team reflection with its logbook, and path evaluations, end to end
on the console channel, with the scheduler and the mailbox delivery in between."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import select

from bot.storage.models import DeliveryRow, RunRow, ScheduleRow
from bot.storage.personal import DELETED_USER, HOOKS, Erasure
from bot.storage.rounds import AnswerRow
from bot.units import Units
from dialogs.kit import Block, Call, ChartBlock, Choice, Choose, Conductor, Dialog, TextBlock, plain
from dialogs.paths.port import PathDraft
from dialogs.registry import APP_TEXTS
from dialogs.rounds import answer_round
from dialogs.rounds.answer_round import AnswerRoundState, RoundAnswers
from engine.recurrence import Recurrence
from tests.conversation import User, Workspace, deliver, plan, rule_due_now

MEMBERS = ["bob", "cas", "dirk", "eva", "fem"]


async def team_of(runtime, members: list[str] = MEMBERS) -> int:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        await ws.join("lea", "Lea")  # first: admin
        for name in members:
            await ws.join(name, name.capitalize())
        team = await ws.teams.save_team("Support", "lea", members, None)
        return team.id


async def schedule(runtime, team_id: int, kind: str, questions: list[str]) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        await ws.rounds.save_schedule(team_id, kind, Recurrence.model_validate(rule_due_now()),
                                      questions, "lea")
    assert await plan(runtime, datetime.now(UTC)) >= 1
    await deliver(runtime)


async def stored(runtime, kind: str) -> list[AnswerRow]:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as db:
        return list((await db.execute(select(AnswerRow).where(AnswerRow.kind == kind)
                                      .order_by(AnswerRow.id))).scalars())


async def deliveries(runtime, recipient: str) -> dict[str, tuple[str, datetime]]:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as db:
        rows = (await db.execute(select(DeliveryRow.key, DeliveryRow.status,
                                        DeliveryRow.available_at).where(
            DeliveryRow.recipient == recipient))).all()
    return {key: (status, at if at.tzinfo else at.replace(tzinfo=UTC))
            for key, status, at in rows}


# ---------------------------------------------------------------------------- planning


async def test_lead_plans_a_checkin_through_the_dialog(runtime) -> None:  # type: ignore[no-untyped-def]
    await team_of(runtime)
    lea = User(runtime.conductor, name="lea")
    await lea.say("check-ins plannen")
    assert "nog geen check-in" in lea.text
    await lea.press("Nieuwe check-in")
    await lea.press("Om de week")
    await lea.press("woensdag")
    out = await lea.say("25:00")
    assert "snap ik niet als tijdstip" in out
    await lea.say("9.30")
    assert "standaardvragen (1, 2, 3)" in lea.text.casefold()
    await lea.say("1, 3")
    await lea.say("Wat ga je volgende week proberen?")
    out = lea.text
    assert "Om de week, op woensdag om 09:30" in out and "proberen" in out
    await lea.press("yes")
    assert "Opgeslagen" in lea.text
    async with Workspace(runtime) as ws:
        (saved,) = await ws.rounds.schedules(kind="checkin")
    assert saved.rule.frequency == "biweekly" and saved.rule.weekday == 2
    assert saved.rule.at == time(9, 30)
    assert len(saved.questions) == 3 and saved.questions[-1].startswith("Wat ga je")
    assert saved.questions[0] == "Wat heb je deze week geleerd of ontdekt?"

    # the default questions, no question of one's own; stopped at the summary: nothing saved
    await lea.say("check-ins plannen")
    assert "Om de week, op woensdag om 09:30 (actief)" in lea.text
    await lea.press("Nieuwe check-in")
    await lea.press("Elke week")
    await lea.press("maandag")
    await lea.say("09:00")
    await lea.press("standaardvragen")
    await lea.press("Geen eigen vraag")
    assert "Waar heb je hulp bij nodig" in lea.text  # the third default question
    assert "Gestopt" in await lea.say("stop") or "gestopt" in lea.text
    async with Workspace(runtime) as ws:
        assert len(await ws.rounds.schedules(kind="checkin")) == 1

    # only a question of one's own, which then cannot be left out
    await lea.say("check-ins plannen")
    await lea.press("Nieuwe check-in")
    await lea.press("Elke maand")
    await lea.press("vrijdag")
    await lea.say("16:00")
    await lea.press("Alleen een eigen vraag")
    out = await lea.press("Geen eigen vraag")
    assert "Typ een eigen vraag" in out
    await lea.say("Wat was je leukste klantcontact?")
    await lea.press("yes")
    async with Workspace(runtime) as ws:
        schedules = await ws.rounds.schedules(kind="checkin")
    assert schedules[-1].questions == ["Wat was je leukste klantcontact?"]

    # pause and resume
    await lea.say("check-ins plannen")
    await lea.press("Pauzeren of hervatten")
    out = await lea.press(str(schedules[0].id))
    assert "gepauzeerd" in out
    async with Workspace(runtime) as ws:
        assert [x.active for x in await ws.rounds.schedules(kind="checkin")] == [False, True]

    # a member who leads no team may not plan check-ins
    bob = User(runtime.conductor, name="bob")
    assert "geen teamleider" in await bob.say("check-ins plannen")


async def test_terug_goes_back_a_step_while_planning(runtime) -> None:  # type: ignore[no-untyped-def]
    await team_of(runtime)
    lea = User(runtime.conductor, name="lea", locale="en")
    await lea.say("plan a check-in")
    await lea.press("Plan a new check-in")
    await lea.press("Every week")
    out = await lea.say("terug")
    assert "How often?" in out
    await lea.press("Every other week")
    await lea.press("Thursday")
    await lea.press("13:00")
    await lea.press("default questions")
    await lea.say("-")
    assert "Every other week, on Thursday at 13:00" in lea.text
    assert "What did you learn or discover this week?" in lea.text  # in the lead's language
    await lea.press("no")
    assert "Nothing saved" in lea.text
    async with Workspace(runtime) as ws:
        assert await ws.rounds.schedules(kind="checkin") == []


# ---------------------------------------------------------------------------- answering


async def test_checkin_answer_private_share_skip_and_participation(runtime) -> None:  # type: ignore[no-untyped-def]
    team = await team_of(runtime, MEMBERS[:4])  # four people: participation stays hidden
    await schedule(runtime, team, "checkin", ["Wat heb je geleerd?", "Waar loop je tegenaan?"])
    bob, cas, dirk = (User(runtime.conductor, name=n) for n in ("bob", "cas", "dirk"))
    out = await bob.say("menu")
    assert "Tijd voor de check-in van" in out and "Wat heb je geleerd?" in out
    await bob.press("Beantwoorden")
    assert "Vraag 1 van 2" in bob.text
    await bob.say("Draaitabellen in Excel")
    await bob.say("overslaan")
    assert "(overgeslagen)" in bob.text
    await bob.press("no")  # private
    assert "privé" in bob.text
    cas.locale = "en"  # a member who chats in English
    await cas.say("menu")
    await cas.press("Beantwoorden")
    assert "Question 1 of 2" in cas.text
    await cas.say("Feedback geven")
    await cas.say("Tijd")
    await cas.press("yes")  # shared
    assert "shared with your team" in cas.text
    await dirk.say("menu")
    assert "sla je over" in await dirk.press("overslaan")
    statuses = {key.split(":")[2]: status
                for name in ("bob", "cas", "dirk", "eva")
                for key, (status, _) in (await deliveries(runtime, name)).items()
                if key.endswith(":reminder")}
    assert statuses["bob"] == "cancelled" and statuses["dirk"] == "cancelled"
    assert statuses["cas"] == "cancelled"
    assert statuses["eva"] == "pending"  # eva has not answered yet
    rows = await stored(runtime, "checkin")
    assert [(r.user_id, r.status, r.shared) for r in rows] == [
        ("bob", "answered", False), ("bob", "skipped", False),
        ("cas", "answered", True), ("cas", "answered", True), ("dirk", "skipped", False)]

    assert "al ingevuld" in await bob.send_value(f"go:checkin:{rows[0].run_id}")

    lea = User(runtime.conductor, name="lea")
    await lea.say("check-ins plannen")
    out = await lea.press("Deelname")
    assert "pas getoond vanaf 5" in out and "van de 4 teamleden" not in out
    assert "Wat heb je geleerd?: Feedback geven" in out  # shared
    assert "Draaitabellen" not in out  # private stays private


async def test_participation_shown_from_five_and_typed_answer_is_claimed(runtime) -> None:  # type: ignore[no-untyped-def]
    team = await team_of(runtime)
    await schedule(runtime, team, "checkin", ["Wat heb je geleerd?"])
    for name in MEMBERS[:3]:
        member = User(runtime.conductor, name=name)
        await member.say("menu")
        # typing an answer instead of pressing the button
        out = await member.say("Ik heb geleerd om beter te plannen met een weekoverzicht")
        assert "delen" in out and "weekoverzicht" in out
        await member.press("yes")
    (first, *_) = await stored(runtime, "checkin")
    assert first.text == "Ik heb geleerd om beter te plannen met een weekoverzicht"
    lea = User(runtime.conductor, name="lea")
    await lea.say("check-ins plannen")
    out = await lea.press("Deelname")
    assert "3 van de 5 teamleden" in out and "weekoverzicht" in out
    (chart,) = [b for m in lea.last for b in m.blocks if isinstance(b, ChartBlock)]
    assert chart.series[0].values == [60.0] and "3 van 5" in chart.alt.plain


async def test_stop_while_answering_saves_nothing_and_the_checkin_stays_open(runtime) -> None:  # type: ignore[no-untyped-def]
    team = await team_of(runtime)
    await schedule(runtime, team, "checkin", ["Wat heb je geleerd?", "Waar loop je tegenaan?"])
    fem = User(runtime.conductor, name="fem")
    await fem.say("menu")
    await fem.press("Beantwoorden")
    await fem.say("Iets over budgetten")
    await fem.say("stop")
    assert await stored(runtime, "checkin") == []
    reminder = [v for k, v in (await deliveries(runtime, "fem")).items()
                if k.endswith(":reminder")]
    assert reminder[0][0] == "pending"
    # asking for it by name finds the open check-in; the words are no answer
    out = await fem.say("check-in invullen")
    assert "Vraag 1 van 2" in out and "Wat heb je geleerd?" in out
    await fem.say("Budgetten lezen")
    await fem.say("Niets")
    await fem.press("no")
    assert [r.text for r in await stored(runtime, "checkin")] == ["Budgetten lezen", "Niets"]
    # with nothing open any more
    assert "geen check-in voor je open" in await fem.say("check-in invullen")


async def test_terug_and_stop_inside_the_answer_round(runtime) -> None:  # type: ignore[no-untyped-def]
    """The questions run as a sub-flow of the check-in: "terug" goes back one question (from
    the first one, back into the check-in, which has no earlier question), "stop" saves
    nothing and leaves the check-in open."""
    team = await team_of(runtime)
    await schedule(runtime, team, "checkin", ["Wat heb je geleerd?", "Waar loop je tegenaan?"])
    bob = User(runtime.conductor, name="bob")
    await bob.say("menu")
    await bob.press("Beantwoorden")
    out = await bob.say("terug")
    assert "eerste vraag" in out and "Vraag 1 van 2" in out
    await bob.say("Draaitabellen")
    assert "Vraag 2 van 2" in bob.text
    out = await bob.say("terug")
    assert "Vraag 1 van 2" in out and "Check-in van Support" in out
    await bob.say("Formules")
    await bob.say("Tijd")
    assert "Formules" in bob.text and "delen" in bob.text  # the review card
    out = await bob.say("terug")
    assert "Vraag 2 van 2" in out
    out = await bob.say("help")
    assert "overslaan" in out and "Vraag 2 van 2" in out
    out = await bob.say("stop")
    assert "Gestopt met check-in" in out
    assert await stored(runtime, "checkin") == []
    reminder = [v for k, v in (await deliveries(runtime, "bob")).items()
                if k.endswith(":reminder")]
    assert reminder[0][0] == "pending"
    assert "Vraag 1 van 2" in await bob.say("check-in invullen")  # still open
    # a button that starts another dialog names the one set aside: the check-in
    out = await bob.send_value("go:logbook:")
    assert "bezig met check-in" in out and "Teamlogboek" not in out.split("\n")[0]


class Trial(BaseModel):
    topic: str = ""
    got: RoundAnswers | None = None


KEPT: list[Trial] = []


def trial_round(turn, state: Trial) -> AnswerRoundState:  # type: ignore[no-untyped-def]
    return AnswerRoundState(questions=[f"Wat weet je van {state.topic}?", "En verder?"],
                            review=plain("Bewaren?"))


def keep(turn, state: Trial) -> list[Block]:  # type: ignore[no-untyped-def]
    KEPT.append(state)
    return [TextBlock(text=plain("Bewaard."))]


#: a dialog with a question of its own before it runs the answer_round sub-flow
TRIAL = Dialog(
    id="trial", title="evaluation.title", state=Trial, finish=keep, phrases=["proef"],
    steps=[
        Choose("onderwerp", prompt=lambda turn, state: plain("Welk onderwerp?"),
               options=lambda turn, state: [Choice(value="excel", label=plain("Excel")),
                                            Choice(value="word", label=plain("Word"))],
               handle=lambda turn, state, value: state.model_copy(update={"topic": value})),
        Call("vragen", dialog=answer_round.DIALOG, begin=trial_round,
             handle=lambda turn, state, got: state.model_copy(update={"got": got})),
    ],
)


async def test_terug_from_the_first_question_goes_back_into_the_caller(runtime) -> None:  # type: ignore[no-untyped-def]
    KEPT.clear()
    anna = User(Conductor([TRIAL], Units(runtime.sessions), texts=APP_TEXTS))
    await anna.say("proef")
    assert "Vraag 1 van 2: Wat weet je van excel?" in await anna.press("Excel")
    out = await anna.say("terug")
    assert "Terug naar de vorige vraag" in out and "Welk onderwerp?" in out
    assert "Vraag 1 van 2: Wat weet je van word?" in await anna.press("Word")
    await anna.say("Veel")
    out = await anna.say("overslaan")
    assert "Veel" in out and "(overgeslagen)" in out and "Bewaren?" in out
    assert "Gestopt met" in await anna.say("stop")
    assert KEPT == []  # stopped inside the sub-flow: the caller finished nothing

    await anna.say("proef")
    await anna.press("Word")
    await anna.say("Veel")
    await anna.say("Genoeg")
    assert "Bewaard." in await anna.press("yes")
    (kept,) = KEPT
    assert kept == Trial(topic="word", got=RoundAnswers(answers=["Veel", "Genoeg"],
                                                        confirmed=True))


async def test_snooze_plans_a_later_message_and_cancels_the_reminder(runtime) -> None:  # type: ignore[no-untyped-def]
    team = await team_of(runtime)
    await schedule(runtime, team, "checkin", ["Wat heb je geleerd?"])
    eva = User(runtime.conductor, name="eva")
    await eva.say("menu")
    await eva.press("Later herinneren")
    out = await eva.press("Over drie uur")
    assert "ik vraag het je opnieuw" in out
    rows = await deliveries(runtime, "eva")
    (reminder,) = [v for k, v in rows.items() if k.endswith(":eva:reminder")]
    assert reminder[0] == "cancelled"
    snoozed = [v for k, v in rows.items() if ":snooze:" in k]
    assert len(snoozed) == 1 and snoozed[0][0] == "pending"
    assert timedelta(hours=2.9) < snoozed[0][1] - datetime.now(UTC) < timedelta(hours=3.1)
    assert await stored(runtime, "checkin") == []  # snoozing is no answer

    # a time typed for today, in the member's own timezone (one where it is morning now)
    offset = next(o for o in range(-12, 15) if 8 <= (datetime.now(UTC).hour + o) % 24 <= 12)
    name = f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"
    async with Workspace(runtime) as ws:
        await ws.people.set_details("eva", timezone=name)
    local = datetime.now(ZoneInfo(name))
    run = next(k for k in rows if k.endswith(":eva:reminder")).split(":")[1]
    await eva.send_value(f"go:checkin:{run}:snooze")
    out = await eva.say("00:00")
    assert "al voorbij" in out
    out = await eva.say("half vier")  # a spoken hour that passed this morning: the afternoon
    assert "vandaag om 15:30" in out
    await eva.send_value(f"go:checkin:{run}:snooze")
    assert "Dat begrijp ik niet" in await eva.say("straks ergens")
    typed = (local + timedelta(hours=2)).strftime("%H:%M")
    assert f"vandaag om {typed}" in await eva.say(typed)
    # and tomorrow at nine, in that timezone too
    await eva.send_value(f"go:checkin:{run}:snooze")
    assert "morgen om 09:00" in await eva.press("Morgen")
    times = sorted(at for k, (_, at) in (await deliveries(runtime, "eva")).items()
                   if ":snooze:" in k)
    assert len(times) == 4
    assert typed in {at.astimezone(ZoneInfo(name)).strftime("%H:%M") for at in times[:3]}
    tomorrow = times[-1].astimezone(ZoneInfo(name))
    assert tomorrow.date() == local.date() + timedelta(days=1) and tomorrow.hour == 9
    # answering meanwhile (typed) cancels every snoozed invitation still waiting
    await eva.say("Ik leerde plannen met een weekoverzicht")
    await eva.press("no")
    statuses = {status for k, (status, _) in (await deliveries(runtime, "eva")).items()
                if ":snooze:" in k}
    assert statuses == {"cancelled"}


async def test_snoozed_checkin_arrives_again(runtime) -> None:  # type: ignore[no-untyped-def]
    team = await team_of(runtime)
    await schedule(runtime, team, "checkin", ["Wat heb je geleerd?"])
    eva = User(runtime.conductor, name="eva")
    await eva.say("menu")
    await eva.press("Later herinneren")
    await eva.press("Over een uur")
    async with runtime.sessions.begin() as db:  # an hour passes
        for row in (await db.execute(select(DeliveryRow).where(
                DeliveryRow.key.like("%:eva:snooze:%")))).scalars():
            row.available_at = datetime.now(UTC) - timedelta(minutes=1)
    await deliver(runtime)
    out = await eva.say("menu")
    assert "Tijd voor de check-in van" in out
    await eva.press("Beantwoorden")
    await eva.say("Samenwerken")
    await eva.press("yes")
    assert [r.text for r in await stored(runtime, "checkin")] == ["Samenwerken"]


async def test_a_waiting_reminder_does_not_hold_back_other_messages(runtime) -> None:  # type: ignore[no-untyped-def]
    team = await team_of(runtime)
    bob = User(runtime.conductor, name="bob")
    await bob.say("menu")  # bob is reachable on the console from now on
    await schedule(runtime, team, "checkin", ["Wat heb je geleerd?"])
    assert "Tijd voor de check-in" in await bob.say("menu")  # its reminder waits 4 hours
    async with Workspace(runtime) as ws:
        await ws.rounds.start_run("kennisrondje", team, ["Waarvoor mag men jou bellen?"], "lea")
    await deliver(runtime)
    assert "Waarvoor mag men jou bellen?" in await bob.say("menu")


# ---------------------------------------------------------------------------- kennisrondje


async def test_kennisrondje_now_feeds_the_expert_directory(runtime) -> None:  # type: ignore[no-untyped-def]
    await team_of(runtime)
    bob = User(runtime.conductor, name="bob")
    assert "geen kennisrondje voor je open" in await bob.say("kennisrondje")
    assert "geen teamleider" in await bob.say("kennisrondje overzicht")
    lea = User(runtime.conductor, name="lea")
    await lea.say("kennisrondje starten")
    await lea.press("standaardvragen")
    out = await lea.press("Nu starten")
    assert "Waarvoor mag men jou bellen?" in out
    out = await lea.press("yes")
    assert "5 mensen" in out
    await deliver(runtime)
    await bob.say("menu")
    await bob.press("Beantwoorden")
    assert "voor je hele team" in bob.text
    await bob.say("Excel en draaitabellen, en ook presenteren")
    await bob.say("overslaan")
    await bob.say("Een collega helpen met formules")
    assert "delen" in bob.text
    await bob.press("yes")
    cas = User(runtime.conductor, name="cas")
    await cas.say("menu")
    # a non-lead asking for the kennisrondje answers the open round
    out = await cas.say("kennisrondje")
    assert "Vraag 1 van 3" in out
    for _ in range(3):
        await cas.say("overslaan")
    await cas.press("yes")
    assert "niets bewaard" in cas.text
    dirk = User(runtime.conductor, name="dirk")
    await dirk.say("menu")
    await dirk.say("Plannen en roosters maken")  # typed: claimed as the first answer
    await dirk.say("stop")
    rows = await stored(runtime, "kennisrondje")
    assert [(r.user_id, r.status, r.shared) for r in rows] == [
        ("bob", "answered", True), ("bob", "answered", True), ("cas", "skipped", False)]
    async with Workspace(runtime) as ws:
        experts = await ws.experts.experts(["Excel"], exclude=set())
    assert [e.member.user for e in experts] == ["bob"]
    assert "kennisrondje" in experts[0].sources
    out = await lea.say("kennisrondje overzicht")
    assert "bob: Excel en draaitabellen" in out
    assert "1 van de 5 teamleden" in out


async def test_kennisrondje_planned_and_small_team_hides_participation(runtime) -> None:  # type: ignore[no-untyped-def]
    team = await team_of(runtime, MEMBERS[:2])
    lea = User(runtime.conductor, name="lea")
    await lea.say("kennisrondje starten")
    await lea.say("1, 5")
    await lea.press("Elke maand")
    await lea.press("dinsdag")
    await lea.say("10:00")
    await lea.press("yes")
    async with Workspace(runtime) as ws:
        (saved,) = await ws.rounds.schedules(team_id=team, kind="kennisrondje")
        run = await ws.rounds.start_run("kennisrondje", team, saved.questions, "lea")
    assert saved.rule.frequency == "monthly" and len(saved.questions) == 2
    await deliver(runtime)
    bob = User(runtime.conductor, name="bob")
    await bob.send_value(f"go:knowledge_round:{run.id}")
    await bob.say("Offertes schrijven")
    await bob.say("Excel")
    await bob.press("yes")
    out = await lea.say("kennisrondje overzicht")
    assert "Offertes schrijven" in out  # named on purpose
    assert "pas getoond vanaf 5" in out and "van de 2 teamleden" not in out
    # a member of another team cannot answer this round
    async with Workspace(runtime) as ws:
        await ws.join("zoe", "Zoe")
    zoe = User(runtime.conductor, name="zoe")
    assert "ken ik niet" in await zoe.send_value(f"go:kennisrondje:{run.id}")  # former id


# ---------------------------------------------------------------------------- reflection


async def test_reflection_round_logbook_search_themes_and_export(runtime) -> None:  # type: ignore[no-untyped-def]
    team = await team_of(runtime)
    bob = User(runtime.conductor, name="bob")
    assert "geen reflectiemoment voor je open" in await bob.say("teamreflectie")
    assert "nog leeg" in await bob.say("logboek")
    lea = User(runtime.conductor, name="lea")
    await lea.say("reflectiemoment plannen")
    await lea.press("vrijdag")
    await lea.say("15:00")
    await lea.press("standaardvragen")
    assert "Wat heb jij deze week geleerd?" in lea.text
    await lea.press("yes")
    assert "reflecteert voortaan elke week, op vrijdag" in lea.text  # no capital mid-sentence
    async with Workspace(runtime) as ws:
        (saved,) = await ws.rounds.schedules(team_id=team, kind="reflection")
    assert saved.rule.weekday == 4 and len(saved.questions) == 2
    answers = {"bob": ("De planning liep uit", "Planning elke maandag samen doorlopen"),
               "cas": ("Klant was boos over planning", "Eerder bellen bij vertraging")}
    for week in range(2):
        async with Workspace(runtime) as ws:
            run = await ws.rounds.start_run("reflection", team, ["Wat liep minder goed?"],
                                            "lea")
        await deliver(runtime)
        for name, (answer, lesson) in answers.items():
            member = User(runtime.conductor, name=name)
            await member.say("menu")
            await member.press(f"go:reflection:{run.id}")
            await member.say(f"{answer} (week {week})")
            assert "concrete les" in member.text
            await member.say(lesson)
            await member.press("yes")
    # dirk starts, then stops: nothing in the logbook
    dirk = User(runtime.conductor, name="dirk")
    await dirk.say("menu")
    await dirk.press(f"go:reflection:{run.id}")
    await dirk.say("Geheim antwoord over vergaderingen")
    await dirk.say("stop")
    rows = await stored(runtime, "reflection")
    assert len(rows) == 8 and all(r.shared for r in rows)
    # a button of the former dialog id still works
    assert "staat al in het teamlogboek" in await bob.send_value(f"go:reflectie:{run.id}")
    assert sum(r.question == "les" for r in rows) == 4

    out = await bob.say("logboek planning")
    assert "Gevonden voor 'planning'" in out and "Planning elke maandag" in out
    assert "Geheim" not in out
    await bob.say("logboek")
    out = await bob.press("Terugkerende")
    assert "planning" in out.casefold() and "in 2 rondes" in out
    await bob.say("logboek")
    await bob.press("CSV")
    (file,) = bob.files()
    assert file.name == "logboek-support.csv"
    rows_csv = list(csv.reader(io.StringIO(file.data.decode("utf-8-sig")), delimiter=";"))
    assert rows_csv[0] == ["datum", "wie", "vraag", "antwoord"] and len(rows_csv) == 9
    assert rows_csv[-1][1:3] in (["bob", "Les of actie"], ["cas", "Les of actie"])
    await bob.say("logboek")
    await bob.press("Markdown")
    text = bob.files()[0].data.decode()
    assert text.startswith("# Logboek Support") and "Les of actie van cas" in text
    assert "Eerder bellen bij vertraging" in text and "Geheim" not in text
    # someone outside the team has no logbook
    async with Workspace(runtime) as ws:
        await ws.join("zoe", "Zoe")
    assert "niet in een team" in await User(runtime.conductor, name="zoe").say("logboek")


async def test_typed_reflection_is_claimed_and_needs_a_lesson(runtime) -> None:  # type: ignore[no-untyped-def]
    team = await team_of(runtime)
    async with Workspace(runtime) as ws:
        await ws.rounds.start_run("reflection", team, ["Wat leerde je?"], "lea")
    await deliver(runtime)
    eva = User(runtime.conductor, name="eva", locale="en")
    await eva.say("menu")
    out = await eva.say("I learned to ask for help earlier")
    assert "concrete lesson or action" in out
    out = await eva.say("x" * 501)
    assert "rather long" in out
    await eva.say("Ask before the deadline")
    await eva.press("yes")
    assert "team logbook" in eva.text
    rows = await stored(runtime, "reflection")
    assert [(r.question, r.text) for r in rows] == [
        ("Wat leerde je?", "I learned to ask for help earlier"), ("les", "Ask before the deadline")]


# ---------------------------------------------------------------------------- evaluation


async def test_evaluation_only_by_the_assigned_person(runtime) -> None:  # type: ignore[no-untyped-def]
    await team_of(runtime)
    async with Workspace(runtime) as ws:
        path = await ws.paths.save_path(PathDraft(name="Excel basis", level="individueel",
                                                  spec={}, trainings=[], total_minutes=60),
                                        created_by="lea")
        assignment = await ws.paths.assign(path.id, "bob", datetime.now(UTC) - timedelta(days=90),
                                           assigned_by="lea")
    cas = User(runtime.conductor, name="cas")
    out = await cas.send_value(f"go:evaluation:{assignment.id}:3")
    assert "niet aan jou toegewezen" in out
    bob = User(runtime.conductor, name="bob")
    assert "ken ik niet" in await bob.send_value(f"go:evaluation:{assignment.id}:4")
    out = await bob.send_value(f"go:evaluation:{assignment.id}:3")
    assert "3 maanden later" in out
    await bob.say("Ik maak nu zelf draaitabellen")
    await bob.say("stop")  # stopped: nothing kept
    assert await stored(runtime, "evaluation") == []
    await bob.send_value(f"go:evaluation:{assignment.id}:3")
    await bob.say("Ik maak nu zelf draaitabellen")
    await bob.say("overslaan")
    await bob.say("Meer oefenen")
    while "Vraag" in bob.text:  # the library may hold more questions: skip the rest
        await bob.say("overslaan")
    await bob.press("yes")
    assert "leidinggevende en HR" in bob.text
    rows = await stored(runtime, "evaluation")
    assert [a.path_id for a in rows] == [path.id, path.id]
    assert all(not a.shared and a.user_id == "bob" for a in rows)
    assert "al ingevuld" in await bob.send_value(f"go:evaluatie:{assignment.id}:3")  # former id
    assert "6 maanden later" in await bob.send_value(f"go:evaluation:{assignment.id}:6")
    lea = User(runtime.conductor, name="lea")  # the path shows what bob noticed
    await lea.say("leerlijnen")
    out = await lea.press("Excel basis")
    assert "Terugblikken" in out and "Ik maak nu zelf draaitabellen" in out


# ---------------------------------------------------------------------------- personal data


async def test_round_data_of_a_person_is_exported_and_erased(runtime) -> None:  # type: ignore[no-untyped-def]
    """Answers are the person's (taken along, deleted); the schedules and runs they started
    are the team's (kept, without their name)."""
    team = await team_of(runtime)
    async with Workspace(runtime) as ws:
        await ws.rounds.save_answer("checkin", "bob", "Wat heb je geleerd?", "Draaitabellen",
                                    team_id=team)
        await ws.rounds.save_answer("checkin", "cas", "Wat heb je geleerd?", "Plannen",
                                    team_id=team)
        await ws.rounds.save_schedule(team, "reflection", Recurrence(), ["Wat leerde je?"], "bob")
        run = await ws.rounds.start_run("kennisrondje", team, ["Waarvoor?"], "bob")
    hook = HOOKS["rounds"]
    async with runtime.sessions.begin() as db:
        assert hook.export is not None
        exported = await hook.export(db, "acme", "bob")
        counts = await hook.erase(db, Erasure("acme", "bob"))
    assert [(a["question"], a["text"]) for a in exported["answers"]] == [
        ("Wat heb je geleerd?", "Draaitabellen")]
    assert "user" not in exported["answers"][0]
    assert counts == {"answers": 1, "schedules_unlinked": 1, "runs_unlinked": 1}
    async with Workspace(runtime) as ws:
        assert [a.user for a in await ws.rounds.answers("checkin")] == ["cas"]
        assert len(await ws.rounds.schedules(kind="reflection")) == 1
        assert await ws.rounds.run(run.id) is not None
    async with runtime.sessions() as db:
        assert (await db.execute(select(ScheduleRow.created_by).where(
            ScheduleRow.kind == "reflection"))).scalar_one() == DELETED_USER
        assert (await db.get(RunRow, run.id)).details["by"] == DELETED_USER  # type: ignore[union-attr]


async def test_team_runs_are_the_teams_rounds_of_one_kind_newest_first(runtime) -> None:  # type: ignore[no-untyped-def]
    team = await team_of(runtime)
    async with Workspace(runtime) as ws:
        other = await ws.teams.save_team("Sales", "lea", ["bob"], None)
        first = await ws.rounds.start_run("kennisrondje", team, ["Waarvoor?"], "lea")
        await ws.rounds.start_run("reflection", team, ["Wat leerde je?"], "lea")
        await ws.rounds.start_run("kennisrondje", other.id, ["Waarvoor?"], "lea")
        second = await ws.rounds.start_run("kennisrondje", team, ["Wie bel je?"], "lea")
        runs = await ws.rounds.team_runs(team, "kennisrondje")
        latest = await ws.rounds.team_runs(team, "kennisrondje", limit=1)
    assert [r.id for r in runs] == [second.id, first.id]
    assert [r.id for r in latest] == [second.id]
    assert (second.team, second.questions, second.total) == ("Support", ["Wie bel je?"], 5)
