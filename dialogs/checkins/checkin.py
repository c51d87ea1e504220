"""Answer a check-in (everyone): the questions one at a time (``answer_round``), then share the
answers or keep them private; or skip the check-in, or snooze it. Started from the invitation's
buttons, by typing an answer to an open check-in, or by asking for it ("check-in invullen")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from dialogs import invitations
from dialogs.kit import (
    Ask,
    Block,
    Call,
    Choice,
    Dialog,
    Flow,
    InputError,
    Rich,
    TextBlock,
    Turn,
    local_date,
    say,
)
from dialogs.kit.choices import pick_choice
from dialogs.rounds import answer_round
from dialogs.rounds.answer_round import AnswerRoundState, RoundAnswers, typed_answer
from dialogs.rounds.answering import Answering, answered_before, load_round, open_round
from dialogs.rounds.schedule import parse_time
from engine.recurrence import local_moment, zone

KIND = "checkin"
SNOOZES = ("1h", "3h", "tomorrow")
#: "tomorrow" is at this time in the member's own timezone
TOMORROW_AT = time(9, 0)
#: a time written as a 24-hour clock ("04:00", "16.30"), not spoken ("half vier", "4 uur")
CLOCK = re.compile(r"\d{1,2}[:.]\d{2}")


class CheckinState(BaseModel):
    answering: Answering | None = None
    mode: str = "answer"  # answer | skip | snooze | answered | unknown | none
    share: bool = False
    until: datetime | None = None
    confirmed: bool = False


async def start(turn: Turn, text: str) -> CheckinState:
    argument = turn.argument
    # a claimed free text arrives with an argument; a button brings no text; a phrase
    # ("check-in invullen") brings no argument, and its words are no answer
    typed = text.strip() if argument else ""
    if not argument:
        argument = await open_round(turn, KIND)
        if argument is None:
            return CheckinState(mode="none")
    answering = await load_round(turn, argument, KIND)
    if answering is None or answering.run_id is None:
        return CheckinState(mode="unknown")
    if await answered_before(turn, KIND, answering.run_id):
        return CheckinState(answering=answering, mode="answered")
    mode = argument.split(":")[1] if ":" in argument else "answer"
    if mode not in {"skip", "snooze"}:
        mode = "answer"
    if mode == "answer" and typed and answering.questions:
        answering = answering.answered([typed_answer(typed)])  # the first question's answer
    return CheckinState(answering=answering, mode=mode)


async def claims(turn: Turn, text: str) -> str | None:
    return await open_round(turn, KIND)


def current(state: CheckinState) -> Answering:
    assert state.answering is not None
    return state.answering


# ---------------------------------------------------------------------------- answering


def begin_answers(turn: Turn, state: CheckinState) -> AnswerRoundState:
    run = current(state)
    return run.answer_round(intro=say(turn.lang, "checkin.answer_intro", team=run.team),
                            review=say(turn.lang, "checkin.ask_share"), review_skipped=False)


def take_answers(turn: Turn, state: CheckinState, result: RoundAnswers) -> Flow[CheckinState]:
    """Every question skipped: the check-in is skipped; else the answer on the review card
    says whether they are shared (both are saved)."""
    updated = state.model_copy(update={"answering": current(state).answered(result.answers)})
    if result.answers and not any(result.answers):
        return Flow(state=updated.model_copy(update={"mode": "skip"}), done=True)
    return Flow(state=updated.model_copy(update={"share": result.confirmed, "confirmed": True}),
                done=True)


# ---------------------------------------------------------------------------- snoozing


def snooze_options(turn: Turn, state: CheckinState) -> list[Choice]:
    return [Choice(value=v, label=say(turn.lang, f"checkin.snooze.{v}")) for v in SNOOZES]


async def member_zone(turn: Turn) -> ZoneInfo:
    return zone((await turn.people.details(turn.member.user)).timezone)


def typed_time(value: str, buttons: int) -> time | None:
    """A time typed for today ('15:30'); a number that picks a button is none."""
    if value.isdigit() and int(value) <= buttons:
        return None
    try:
        return parse_time(value)
    except InputError:
        return None


def picked_snooze(value: str, options: list[Choice]) -> str:
    try:
        return pick_choice(value, options).value
    except InputError:
        raise InputError("checkin.bad_snooze") from None


def _later_today(now: datetime, moment: time, tz: ZoneInfo, spoken: bool) -> datetime:
    """``moment`` today. A spoken hour already past ("half vier", "4 uur", not "04:00") is read
    as the afternoon, as people mean it when they ask to be reminded later."""
    until = local_moment(now.astimezone(tz).date(), moment, tz)
    if until <= now + timedelta(minutes=1) and spoken and 0 < moment.hour < 12:
        until = local_moment(now.astimezone(tz).date(), moment.replace(hour=moment.hour + 12),
                             tz)
    if until <= now + timedelta(minutes=1):
        raise InputError("checkin.snooze_past", value=until.astimezone(tz).strftime("%H:%M"))
    return until


def snooze_until(turn: Turn, value: str, options: list[Choice], tz: ZoneInfo) -> datetime:
    """A button (in an hour, in three hours, tomorrow 09:00) or a time today (HH:MM), both in
    the member's own timezone."""
    now = turn.now
    if value not in SNOOZES:
        moment = typed_time(value, len(options))
        if moment is not None:
            return _later_today(now, moment, tz, spoken=not CLOCK.fullmatch(value))
        value = picked_snooze(value, options)
    if value == "1h":
        return now + timedelta(hours=1)
    if value == "3h":
        return now + timedelta(hours=3)
    return local_moment(now.astimezone(tz).date() + timedelta(days=1), TOMORROW_AT, tz)


async def set_snooze(turn: Turn, state: CheckinState, text: str) -> Flow[CheckinState]:
    until = snooze_until(turn, text.strip(), snooze_options(turn, state), await member_zone(turn))
    return Flow(state=state.model_copy(update={"until": until, "confirmed": True}), done=True)


def when_text(turn: Turn, until: datetime, tz: ZoneInfo) -> Rich:
    """"today at 15:30", "tomorrow at 09:00" or "on 24 November at 09:00", in the member's
    zone."""
    local = until.astimezone(tz)
    today = turn.now.astimezone(tz).date()
    at = local.strftime("%H:%M")
    if local.date() == today:
        return say(turn.lang, "checkin.when_today", at=at)
    if local.date() == today + timedelta(days=1):
        return say(turn.lang, "checkin.when_tomorrow", at=at)
    return say(turn.lang, "checkin.when_day", day=local_date(local, turn.lang, year=False),
               at=at)


async def snooze(turn: Turn, state: CheckinState) -> list[Block]:
    """The invitation again later (its reminder is cancelled)."""
    run, me = current(state), turn.member.user
    if not state.confirmed or state.until is None:
        return [TextBlock(text=say(turn.lang, "rounds.not_saved_answer"))]
    await turn.outbox.cancel(f"run:{run.run_id}:{me}:reminder")
    details = {"team": run.team, "questions": run.questions, "run": run.run_id}
    until = state.until if state.until.tzinfo else state.until.replace(tzinfo=UTC)
    await turn.outbox.notify(me, invitations.checkin(turn.lang, details),
                             key=f"run:{run.run_id}:{me}:snooze:{int(until.timestamp())}",
                             at=until.astimezone(UTC))
    return [TextBlock(text=say(turn.lang, "checkin.snoozed",
                               when=when_text(turn, until, await member_zone(turn))))]


# ---------------------------------------------------------------------------- saving


async def save(turn: Turn, state: CheckinState) -> list[Block]:
    run = current(state)
    for question, text in zip(run.questions, run.answers, strict=False):
        await turn.rounds.save_answer(KIND, turn.member.user, question, text, run_id=run.run_id,
                                      team_id=run.team_id, shared=state.share and bool(text),
                                      status="answered" if text else "skipped")
    key = "checkin.thanks_shared" if state.share else "checkin.thanks_private"
    return [TextBlock(text=say(turn.lang, key))]


async def skip(turn: Turn, state: CheckinState) -> list[Block]:
    run = current(state)
    await turn.rounds.save_answer(KIND, turn.member.user, "", "", run_id=run.run_id,
                                  team_id=run.team_id, status="skipped")
    return [TextBlock(text=say(turn.lang, "checkin.skipped"))]


async def finish(turn: Turn, state: CheckinState) -> list[Block]:
    if state.mode == "none":
        return [TextBlock(text=say(turn.lang, "checkin.none_open"))]
    if state.mode == "unknown" or state.answering is None:
        return [TextBlock(text=say(turn.lang, "rounds.unknown_run"))]
    if state.mode == "answered":
        return [TextBlock(text=say(turn.lang, "rounds.already_answered"))]
    if state.mode == "snooze":
        return await snooze(turn, state)
    if state.mode == "skip":
        return await skip(turn, state)
    if not state.confirmed:
        return [TextBlock(text=say(turn.lang, "rounds.not_saved_answer"))]
    return await save(turn, state)


DIALOG = Dialog(
    id="checkin", title="checkin.title", state=CheckinState, start=start, finish=finish,
    help="checkin.help", claims=claims,
    steps=[
        Ask("later", prompt="checkin.ask_snooze", suggestions=snooze_options, handle=set_snooze,
            help="checkin.help_snooze", skip=lambda turn, state: state.mode != "snooze"),
        Call("antwoorden", dialog=answer_round.DIALOG, begin=begin_answers,
             handle=take_answers,
             skip=lambda turn, state: state.mode != "answer" or state.answering is None),
    ],
    phrases=["check-in invullen", "mijn check-in", "answer the check-in"],
)
