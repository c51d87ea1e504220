"""Check-ins (actions 4.1 and 8.2): a short recurring question round per team.

* ``checkins`` (team leads, managers, HR): plan a team's check-in (how often, which day, what
  time in each member's own timezone, questions from the library or one of your own), pause
  or resume it, and see participation (never for fewer than five people) and the answers
  members chose to share. Private answers are never shown to anyone but their author.
* ``checkin`` (everyone): answer the check-in one question at a time, skip it, or snooze it;
  started from the invitation's buttons, by typing an answer to an open check-in, or by
  asking for it ("check-in invullen").

The helpers at the top (library questions with a default set, loading a run for its
members) are shared by the kennisrondje and reflection dialogs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from dialogs import invitations
from dialogs.kit import (
    Ask,
    Block,
    CardBlock,
    Choice,
    Choose,
    Confirm,
    Dialog,
    Fact,
    Flow,
    InputError,
    Rich,
    TextBlock,
    Turn,
    join,
    say,
    user,
)
from dialogs.kit.choices import pick_choice
from dialogs.rounds import (
    OWN_ONLY,
    Answering,
    ScheduleDraft,
    TeamRef,
    answer_facts,
    chosen_questions,
    describe,
    describe_rule,
    frequency_choices,
    load_round,
    open_round,
    organisable,
    parse_time,
    participation,
    question_options,
    question_prompt,
    take_answer,
    team_step,
    texts_of,
    weekday_choices,
)
from dialogs.services_together import Schedule
from engine.recurrence import local_moment, zone

DEFAULT_QUESTIONS = ["checkin-01", "checkin-02", "checkin-03"]
KIND = "checkin"
#: how many recent check-ins the overview shows
RECENT_RUNS = 5
SNOOZES = ("1h", "3h", "tomorrow")
NO_CUSTOM = {"-", "geen", "nee", "niets", "none", "no", "nothing"}

# ---------------------------------------------------------------------------- plan (leads)


class PlanState(BaseModel):
    teams: list[TeamRef] = Field(default_factory=list)
    team_id: int | None = None
    schedules: list[Schedule] = Field(default_factory=list)
    action: str | None = None  # new | overview | toggle
    draft: ScheduleDraft = Field(default_factory=ScheduleDraft)
    question_ids: list[str] = Field(default_factory=list)
    custom: str = ""
    toggle_id: int | None = None
    confirmed: bool = False


async def plan_start(turn: Turn, text: str) -> PlanState:
    teams = organisable(await turn.services.teams(turn.workspace), turn)
    state = PlanState(teams=teams)
    if len(teams) == 1:
        state = await _with_team(turn, state, teams[0].id)
    return state


async def _with_team(turn: Turn, state: PlanState, team_id: int) -> PlanState:
    schedules = await turn.services.schedules(turn.workspace, team_id=team_id, kind=KIND)
    return state.model_copy(update={"team_id": team_id, "schedules": schedules})


async def pick_team(turn: Turn, state: PlanState, value: str) -> PlanState:
    return await _with_team(turn, state, int(value))


def actions(turn: Turn, state: PlanState) -> list[Choice]:
    choices = [Choice(value="new", label=say(turn.lang, "checkins.action.new"),
                      style="primary"),
               Choice(value="overview", label=say(turn.lang, "checkins.action.overview"))]
    if state.schedules:
        choices.append(Choice(value="toggle", label=say(turn.lang, "checkins.action.toggle")))
    return choices


def ask_action(turn: Turn, state: PlanState) -> list[Block]:
    lines: list[Rich] = [say(turn.lang, "checkins.current_none")] if not state.schedules else [
        say(turn.lang, "checkins.current_one", schedule=describe_rule(turn, s.rule),
            state=say(turn.lang, "checkins.active" if s.active else "checkins.paused"))
        for s in state.schedules]
    return [TextBlock(text=join([*lines, say(turn.lang, "checkins.ask_action")]))]


def pick_action(turn: Turn, state: PlanState, value: str) -> PlanState | Flow[PlanState]:
    chosen = state.model_copy(update={"action": value})
    if value == "overview":
        return Flow(state=chosen, done=True)
    return chosen


def is_new(turn: Turn, state: PlanState) -> bool:
    return state.action == "new"


def set_frequency(turn: Turn, state: PlanState, value: str) -> PlanState:
    return state.model_copy(update={"draft": state.draft.model_copy(
        update={"frequency": value})})


def set_weekday(turn: Turn, state: PlanState, value: str) -> PlanState:
    return state.model_copy(update={"draft": state.draft.model_copy(
        update={"weekday": int(value)})})


def set_time(turn: Turn, state: PlanState, text: str) -> PlanState:
    at = parse_time(text).strftime("%H:%M")
    return state.model_copy(update={"draft": state.draft.model_copy(update={"at": at})})


def set_questions(turn: Turn, state: PlanState, values: list[str]) -> PlanState:
    return state.model_copy(update={"question_ids": chosen_questions(values,
                                                                     DEFAULT_QUESTIONS)})


def set_custom(turn: Turn, state: PlanState, text: str) -> PlanState:
    custom = "" if text.strip().casefold() in NO_CUSTOM else text.strip()
    if len(custom) > 300:
        raise InputError("rounds.too_long", max=300)
    if not custom and not state.question_ids:
        raise InputError("checkins.no_questions")
    return state.model_copy(update={"custom": custom})


def plan_question_options(turn: Turn, state: PlanState) -> list[Choice]:
    return [*question_options(KIND, turn.lang, DEFAULT_QUESTIONS),
            Choice(value=OWN_ONLY, label=say(turn.lang, "checkins.own_only"))]


def questions_of(turn: Turn, state: PlanState) -> list[str]:
    chosen = texts_of(KIND, turn.lang, state.question_ids)
    return [*chosen, state.custom] if state.custom else chosen


def team_name(state: PlanState) -> str:
    return next((t.name for t in state.teams if t.id == state.team_id), "")


def review(turn: Turn, state: PlanState) -> list[Block]:
    facts = [Fact(label=say(turn.lang, "checkins.fact.team"), value=user(team_name(state))),
             Fact(label=say(turn.lang, "checkins.fact.when"), value=describe(turn, state.draft)),
             *[Fact(label=say(turn.lang, "checkins.fact.question", number=n + 1), value=user(q))
               for n, q in enumerate(questions_of(turn, state))]]
    return [CardBlock(title=say(turn.lang, "checkins.review_title"), facts=facts),
            TextBlock(text=join([say(turn.lang, "checkins.timezone_note"),
                                 say(turn.lang, "checkins.ask_save")]))]


def confirm(turn: Turn, state: PlanState, yes: bool) -> Flow[PlanState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


def toggle_options(turn: Turn, state: PlanState) -> list[Choice]:
    return [Choice(value=str(s.id), label=join([
        describe_rule(turn, s.rule), " — ",
        say(turn.lang, "checkins.pause" if s.active else "checkins.resume")], ""))
        for s in state.schedules]


def pick_toggle(turn: Turn, state: PlanState, value: str) -> Flow[PlanState]:
    return Flow(state=state.model_copy(update={"toggle_id": int(value)}), done=True)


async def overview(turn: Turn, state: PlanState) -> list[Block]:
    """Participation of recent check-ins (from MIN_GROUP recipients on) and the answers that
    were shared; answers kept private are never read into the view."""
    services = turn.services
    runs = [r for r in await services.runs(turn.workspace, limit=200)
            if r.kind == KIND and r.team_id == state.team_id][:RECENT_RUNS]
    if not runs:
        return [TextBlock(text=say(turn.lang, "checkins.no_runs"))]
    members = {m.user: m.name or m.user for m in await services.members(turn.workspace)}
    blocks: list[Block] = []
    for run in runs:
        answers = await services.answers(turn.workspace, KIND, run_id=run.id)
        answered = len({a.user for a in answers if a.status == "answered"})
        shared = [a for a in answers if a.shared and a.status == "answered"]
        facts = [Fact(label=user(members.get(a.user, a.user)),
                      value=join([user(a.question), ": ", user(a.text)], ""))
                 for a in shared[:20]]
        day = (run.occurrence or run.created_at.date()).isoformat()
        blocks.append(CardBlock(title=say(turn.lang, "checkins.run_title", day=day),
                                text=participation(turn, run, answered), facts=facts))
    blocks.append(TextBlock(text=say(turn.lang, "checkins.private_note")))
    return blocks


async def plan_finish(turn: Turn, state: PlanState) -> list[Block]:
    if not state.teams:
        return [TextBlock(text=say(turn.lang, "checkins.no_teams"))]
    if state.action == "overview":
        return await overview(turn, state)
    if state.action == "toggle" and state.toggle_id is not None:
        schedule = next(s for s in state.schedules if s.id == state.toggle_id)
        await turn.services.set_schedule_active(turn.workspace, schedule.id, not schedule.active)
        key = "checkins.resumed" if not schedule.active else "checkins.paused_now"
        return [TextBlock(text=say(turn.lang, key))]
    if not state.confirmed or state.team_id is None:
        return [TextBlock(text=say(turn.lang, "checkins.not_saved"))]
    await turn.services.save_schedule(turn.workspace, state.team_id, KIND,
                                      state.draft.rule().model_dump(mode="json"),
                                      questions_of(turn, state), turn.member.user)
    return [TextBlock(text=say(turn.lang, "checkins.saved", when=describe(turn, state.draft),
                               team=team_name(state)))]


PLAN = Dialog(
    menu_roles=frozenset({"manager", "admin"}),
    id="checkins", title="checkins.title", state=PlanState, start=plan_start,
    finish=plan_finish, help="checkins.help",
    steps=[
        team_step(handle=pick_team),
        Choose("actie", prompt=ask_action, options=actions, handle=pick_action,
               skip=lambda turn, state: not state.teams),
        Choose("frequentie", prompt=lambda turn, state: say(turn.lang, "rounds.ask_frequency"),
               options=lambda turn, state: frequency_choices(turn), handle=set_frequency,
               skip=lambda turn, state: not is_new(turn, state)),
        Choose("dag", prompt=lambda turn, state: say(turn.lang, "rounds.ask_weekday"),
               options=lambda turn, state: weekday_choices(turn), handle=set_weekday,
               skip=lambda turn, state: not is_new(turn, state)),
        Ask("tijd", prompt=lambda turn, state: say(turn.lang, "rounds.ask_time"),
            handle=set_time, skip=lambda turn, state: not is_new(turn, state),
            suggestions=lambda turn, state: [Choice(value=v, label=user(v))
                                             for v in ("09:00", "13:00", "16:00")]),
        Choose("vragen", prompt=lambda turn, state: say(turn.lang, "checkins.ask_questions"),
               options=plan_question_options, handle=set_questions, multi=True,
               skip=lambda turn, state: not is_new(turn, state), help="checkins.help_questions"),
        Ask("eigen", prompt=lambda turn, state: say(turn.lang, "checkins.ask_custom"),
            handle=set_custom, skip=lambda turn, state: not is_new(turn, state),
            suggestions=lambda turn, state: [Choice(value="-",
                                                    label=say(turn.lang, "checkins.no_custom"))]),
        Confirm("bewaren", prompt=review, handle=confirm,
                skip=lambda turn, state: not is_new(turn, state)),
        Choose("pauzeren", prompt=lambda turn, state: say(turn.lang, "checkins.ask_toggle"),
               options=toggle_options, handle=pick_toggle,
               skip=lambda turn, state: state.action != "toggle"),
    ],
)

# ---------------------------------------------------------------------------- answer


class AnswerState(BaseModel):
    answering: Answering | None = None
    mode: str = "answer"  # answer | skip | snooze | answered | unknown | none
    share: bool = False
    until: datetime | None = None
    confirmed: bool = False


async def answer_start(turn: Turn, text: str) -> AnswerState:
    argument = turn.argument
    # a claimed free text arrives with an argument; a button brings no text; a phrase
    # ("check-in invullen") brings no argument, and its words are no answer
    typed = text.strip() if argument else ""
    if not argument:
        argument = await open_round(turn, KIND)
        if argument is None:
            return AnswerState(mode="none")
    answering = await load_round(turn, argument, KIND)
    if answering is None or answering.run_id is None:
        return AnswerState(mode="unknown")
    mine = await turn.services.answers(turn.workspace, KIND, run_id=answering.run_id,
                                       user=turn.member.user)
    if mine:
        return AnswerState(answering=answering, mode="answered")
    mode = argument.split(":")[1] if ":" in argument else "answer"
    if mode not in {"skip", "snooze"}:
        mode = "answer"
    if mode == "answer" and typed and answering.questions:
        answering = take_answer(answering, typed)  # a typed answer to the first question
    return AnswerState(answering=answering, mode=mode)


async def claims(turn: Turn, text: str) -> str | None:
    return await open_round(turn, KIND)


def answering(state: AnswerState) -> Answering:
    assert state.answering is not None
    return state.answering


def ask_question(turn: Turn, state: AnswerState) -> Rich:
    current = answering(state)
    intro = [say(turn.lang, "checkins.answer_intro", team=current.team)] \
        if not current.answers else []
    return join([*intro, question_prompt(turn, current), say(turn.lang, "checkins.skip_hint")])


def on_answer(turn: Turn, state: AnswerState, text: str) -> AnswerState | Flow[AnswerState]:
    updated = state.model_copy(update={"answering": take_answer(answering(state), text)})
    if not answering(updated).done:
        return Flow(state=updated, goto="antwoord")
    if not any(answering(updated).answers):
        return Flow(state=updated.model_copy(update={"mode": "skip"}), done=True)
    return updated


def share(turn: Turn, state: AnswerState, yes: bool) -> Flow[AnswerState]:
    return Flow(state=state.model_copy(update={"share": yes, "confirmed": True}), done=True)


def snooze_options(turn: Turn, state: AnswerState) -> list[Choice]:
    return [Choice(value=v, label=say(turn.lang, f"checkins.snooze.{v}")) for v in SNOOZES]


async def _member_zone(turn: Turn) -> Any:
    details = await turn.services.member_details(turn.workspace, turn.member.user)
    return zone(details.timezone)


async def set_snooze(turn: Turn, state: AnswerState, text: str) -> Flow[AnswerState]:
    """A button (in an hour, in three hours, tomorrow 09:00) or a time today (HH:MM), both in
    the member's own timezone."""
    now = datetime.now(UTC)
    tz = await _member_zone(turn)
    value = text.strip()
    options = snooze_options(turn, state)
    if value not in SNOOZES:
        try:
            moment = parse_time(value) if not value.isdigit() or int(value) > len(options) \
                else None
        except InputError:
            moment = None
        if moment is not None:
            until = local_moment(now.astimezone(tz).date(), moment, tz)
            if until <= now + timedelta(minutes=1):
                raise InputError("checkins.snooze_past", value=moment.strftime("%H:%M"))
            return Flow(state=state.model_copy(update={"until": until, "confirmed": True}),
                        done=True)
        try:
            value = pick_choice(value, options).value
        except InputError:
            raise InputError("checkins.bad_snooze") from None
    if value == "1h":
        until = now + timedelta(hours=1)
    elif value == "3h":
        until = now + timedelta(hours=3)
    else:
        until = local_moment(now.astimezone(tz).date() + timedelta(days=1),
                             parse_time("09:00"), tz)
    return Flow(state=state.model_copy(update={"until": until, "confirmed": True}), done=True)


def answer_steps_skip(turn: Turn, state: AnswerState) -> bool:
    return state.mode != "answer" or state.answering is None or answering(state).done


def when_text(turn: Turn, until: datetime, tz: Any) -> Rich:
    """"today at 15:30", "tomorrow at 09:00" or "on 24-11 at 09:00", in the member's zone."""
    local = until.astimezone(tz)
    today = datetime.now(tz).date()
    at = local.strftime("%H:%M")
    if local.date() == today:
        return say(turn.lang, "checkins.when_today", at=at)
    if local.date() == today + timedelta(days=1):
        return say(turn.lang, "checkins.when_tomorrow", at=at)
    return say(turn.lang, "checkins.when_day", day=local.strftime("%d-%m"), at=at)


async def answer_finish(turn: Turn, state: AnswerState) -> list[Block]:
    services, me = turn.services, turn.member
    if state.mode == "none":
        return [TextBlock(text=say(turn.lang, "checkins.none_open"))]
    if state.mode == "unknown" or state.answering is None:
        return [TextBlock(text=say(turn.lang, "checkins.unknown_run"))]
    current = answering(state)
    assert current.run_id is not None
    if state.mode == "answered":
        return [TextBlock(text=say(turn.lang, "checkins.already_answered"))]
    if state.mode == "snooze":
        if not state.confirmed or state.until is None:
            return [TextBlock(text=say(turn.lang, "checkins.not_saved_answer"))]
        await services.cancel_message(f"run:{current.run_id}:{me.user}:reminder")
        details: dict[str, Any] = {"team": current.team, "questions": current.questions,
                                   "run": current.run_id}
        until = state.until if state.until.tzinfo else state.until.replace(tzinfo=UTC)
        stamp = int(until.timestamp())
        await services.notify(turn.workspace, me.user, invitations.checkin(turn.lang, details),
                              key=f"run:{current.run_id}:{me.user}:snooze:{stamp}",
                              at=until.astimezone(UTC))
        return [TextBlock(text=say(turn.lang, "checkins.snoozed",
                                   when=when_text(turn, until, await _member_zone(turn))))]
    if state.mode == "skip":
        await services.save_answer(turn.workspace, KIND, me.user, "", "", run_id=current.run_id,
                                   team_id=current.team_id, status="skipped")
        return [TextBlock(text=say(turn.lang, "checkins.skipped"))]
    if not state.confirmed:
        return [TextBlock(text=say(turn.lang, "checkins.not_saved_answer"))]
    for question, text in zip(current.questions, current.answers, strict=False):
        await services.save_answer(turn.workspace, KIND, me.user, question, text,
                                   run_id=current.run_id, team_id=current.team_id,
                                   shared=state.share and bool(text),
                                   status="answered" if text else "skipped")
    key = "checkins.thanks_shared" if state.share else "checkins.thanks_private"
    return [TextBlock(text=say(turn.lang, key))]


def ask_share(turn: Turn, state: AnswerState) -> list[Block]:
    current = answering(state)
    facts = answer_facts(turn, current)
    return [CardBlock(title=say(turn.lang, "checkins.your_answers"), facts=facts),
            TextBlock(text=say(turn.lang, "checkins.ask_share"))]


ANSWER = Dialog(
    id="checkin", title="checkin.title", state=AnswerState, start=answer_start,
    finish=answer_finish, help="checkin.help", claims=claims,
    steps=[
        Ask("later", prompt=lambda turn, state: say(turn.lang, "checkins.ask_snooze"),
            suggestions=snooze_options, handle=set_snooze, help="checkins.help_snooze",
            skip=lambda turn, state: state.mode != "snooze"),
        Ask("antwoord", prompt=ask_question, handle=on_answer, skip=answer_steps_skip),
        Confirm("delen", prompt=ask_share, handle=share,
                skip=lambda turn, state: state.mode != "answer" or state.answering is None),
    ],
)

DIALOGS: list[Dialog[Any]] = [PLAN, ANSWER]
PHRASES: dict[str, list[str]] = {
    "checkins": ["check-ins plannen", "checkin instellen", "check-in overzicht",
                 "wekelijkse check-in", "plan a check-in", "check-in settings"],
    "checkin": ["check-in invullen", "mijn check-in", "answer the check-in"],
}
