"""Plan check-ins (team leads, managers, HR): a team's check-in (how often, which day, what time
in each member's own timezone, questions from the library or one of your own), pause or
resume it, and see participation (never for fewer than five people) and the answers members
chose to share. Private answers are never shown to anyone but their author."""

from __future__ import annotations

from pydantic import Field

from dialogs.kit import (
    Ask,
    Block,
    CardBlock,
    ChartBlock,
    Choice,
    Choose,
    Confirm,
    DataSeries,
    Dialog,
    Fact,
    Flow,
    InputError,
    Rich,
    TextBlock,
    Turn,
    join,
    local_date,
    plain,
    say,
    user,
)
from dialogs.policy import MANAGERS, MIN_GROUP
from dialogs.rounds.answering import participation
from dialogs.rounds.port import Run, Schedule
from dialogs.rounds.questions import Choosing, questions_step, texts_of
from dialogs.rounds.schedule import (
    Scheduling,
    describe,
    describe_rule,
    frequency_step,
    time_step,
    weekday_step,
)
from dialogs.rounds.team_choice import TeamRef, organised_by, team_name, team_step

DEFAULT_QUESTIONS = ["checkin-01", "checkin-02", "checkin-03"]
KIND = "checkin"
#: how many recent check-ins the overview shows
RECENT_RUNS = 5
#: shared answers shown per check-in in the overview
SHARED_SHOWN = 20
#: the longest question of one's own
CUSTOM_LONGEST = 300
NO_CUSTOM = {"-", "geen", "nee", "niets", "none", "no", "nothing"}


class PlanState(Scheduling, Choosing):
    teams: list[TeamRef] = Field(default_factory=list)
    team_id: int | None = None
    schedules: list[Schedule] = Field(default_factory=list)
    action: str | None = None  # new | overview | toggle
    custom: str = ""
    toggle_id: int | None = None
    confirmed: bool = False


async def start(turn: Turn, text: str) -> PlanState:
    teams = await organised_by(turn)
    state = PlanState(teams=teams)
    if len(teams) == 1:
        state = await with_team(turn, state, teams[0].id)
    return state


async def with_team(turn: Turn, state: PlanState, team_id: int) -> PlanState:
    schedules = await turn.rounds.schedules(team_id=team_id, kind=KIND)
    return state.model_copy(update={"team_id": team_id, "schedules": schedules})


async def pick_team(turn: Turn, state: PlanState, value: str) -> PlanState:
    return await with_team(turn, state, int(value))


def actions(turn: Turn, state: PlanState) -> list[Choice]:
    choices = [Choice(value="new", label=say(turn.lang, "checkin_plan.action.new"),
                      style="primary"),
               Choice(value="overview", label=say(turn.lang, "checkin_plan.action.overview"))]
    if state.schedules:
        choices.append(Choice(value="toggle",
                              label=say(turn.lang, "checkin_plan.action.toggle")))
    return choices


def ask_action(turn: Turn, state: PlanState) -> list[Block]:
    lines: list[Rich] = [say(turn.lang, "checkin_plan.current_none")] if not state.schedules \
        else [say(turn.lang, "checkin_plan.current_one", schedule=describe_rule(turn, s.rule),
                  state=say(turn.lang, "checkin_plan.active" if s.active
                            else "checkin_plan.paused"))
              for s in state.schedules]
    return [TextBlock(text=join([*lines, say(turn.lang, "checkin_plan.ask_action")]))]


def pick_action(turn: Turn, state: PlanState, value: str) -> PlanState | Flow[PlanState]:
    chosen = state.model_copy(update={"action": value})
    if value == "overview":
        return Flow(state=chosen, done=True)
    return chosen


def not_new(turn: Turn, state: PlanState) -> bool:
    return state.action != "new"


def set_custom(turn: Turn, state: PlanState, text: str) -> PlanState:
    custom = "" if text.strip().casefold() in NO_CUSTOM else text.strip()
    if len(custom) > CUSTOM_LONGEST:
        raise InputError("rounds.too_long", max=CUSTOM_LONGEST)
    if not custom and not state.question_ids:
        raise InputError("checkin_plan.no_questions")
    return state.model_copy(update={"custom": custom})


def no_custom(turn: Turn, state: PlanState) -> list[Choice]:
    return [Choice(value="-", label=say(turn.lang, "checkin_plan.no_custom"))]


def questions_of(turn: Turn, state: PlanState) -> list[str]:
    chosen = texts_of(KIND, turn.lang, state.question_ids)
    return [*chosen, state.custom] if state.custom else chosen


def review(turn: Turn, state: PlanState) -> list[Block]:
    facts = [Fact(label=say(turn.lang, "rounds.fact.team"),
                  value=user(team_name(state.teams, state.team_id))),
             Fact(label=say(turn.lang, "rounds.fact.when"), value=describe(turn, state.draft)),
             *[Fact(label=say(turn.lang, "rounds.fact.question", number=n + 1), value=user(q))
               for n, q in enumerate(questions_of(turn, state))]]
    return [CardBlock(title=say(turn.lang, "checkin_plan.review_title"), facts=facts),
            TextBlock(text=join([say(turn.lang, "checkin_plan.timezone_note"),
                                 say(turn.lang, "rounds.ask_save")]))]


def confirm(turn: Turn, state: PlanState, yes: bool) -> Flow[PlanState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


def toggle_options(turn: Turn, state: PlanState) -> list[Choice]:
    return [Choice(value=str(s.id), label=join([
        describe_rule(turn, s.rule), " — ",
        say(turn.lang, "checkin_plan.pause" if s.active else "checkin_plan.resume")], ""))
        for s in state.schedules]


def pick_toggle(turn: Turn, state: PlanState, value: str) -> Flow[PlanState]:
    return Flow(state=state.model_copy(update={"toggle_id": int(value)}), done=True)


async def run_card(turn: Turn, run: Run, names: dict[str, str],
                   shown: list[tuple[Run, int]]) -> CardBlock:
    """Participation of one check-in and the answers that were shared; answers kept private
    are never read into the view. A participation that may be shown goes into ``shown``."""
    answers = await turn.rounds.answers(KIND, run_id=run.id)
    answered = len({a.user for a in answers if a.status == "answered"})
    if run.total >= MIN_GROUP:
        shown.append((run, answered))
    shared = [a for a in answers if a.shared and a.status == "answered"]
    facts = [Fact(label=user(names.get(a.user, a.user)),
                  value=join([user(a.question), ": ", user(a.text)], ""))
             for a in shared[:SHARED_SHOWN]]
    day = run.occurrence or run.created_at.date()  # said as the language writes a date
    return CardBlock(title=say(turn.lang, "checkin_plan.run_title", day=day),
                     text=participation(turn, run, answered), facts=facts)


async def overview(turn: Turn, state: PlanState) -> list[Block]:
    """Participation of recent check-ins (from MIN_GROUP recipients on) and what was shared."""
    assert state.team_id is not None
    runs = await turn.rounds.team_runs(state.team_id, KIND, limit=RECENT_RUNS)
    if not runs:
        return [TextBlock(text=say(turn.lang, "checkin_plan.no_runs"))]
    names = {m.user: m.name or m.user for m in await turn.people.members()}
    shown: list[tuple[Run, int]] = []
    cards: list[Block] = [await run_card(turn, run, names, shown) for run in runs]
    chart = [participation_chart(turn, shown[::-1])] if shown else []
    return [*chart, *cards, TextBlock(text=say(turn.lang, "checkin_plan.private_note"))]


def participation_chart(turn: Turn, shown: list[tuple[Run, int]]) -> ChartBlock:
    """The share of the team that answered each check-in (oldest first; only check-ins sent
    to at least MIN_GROUP people), drawn natively on Slack and Teams."""
    days = [local_date(run.occurrence or run.created_at.date(), turn.lang, year=False)
            for run, _ in shown]
    values = "; ".join(say(turn.lang, "checkin_plan.chart_value", day=day, answered=answered,
                           total=run.total).plain
                       for day, (run, answered) in zip(days, shown, strict=True))
    return ChartBlock(
        title=say(turn.lang, "checkin_plan.chart_title").plain, categories=days,
        series=[DataSeries(name=say(turn.lang, "checkin_plan.chart_series").plain,
                           values=[round(100 * answered / run.total) for run, answered in shown])],
        maximum=100, alt=plain(say(turn.lang, "checkin_plan.chart_alt", values=values).plain),
        name="deelname.png", lang=turn.lang)


async def toggle(turn: Turn, state: PlanState) -> list[Block]:
    schedule = next(s for s in state.schedules if s.id == state.toggle_id)
    await turn.rounds.set_schedule_active(schedule.id, not schedule.active)
    key = "checkin_plan.resumed" if not schedule.active else "checkin_plan.paused_now"
    return [TextBlock(text=say(turn.lang, key))]


async def finish(turn: Turn, state: PlanState) -> list[Block]:
    if not state.teams:
        return [TextBlock(text=say(turn.lang, "rounds.no_teams"))]
    if state.action == "overview":
        return await overview(turn, state)
    if state.action == "toggle" and state.toggle_id is not None:
        return await toggle(turn, state)
    if not state.confirmed or state.team_id is None:
        return [TextBlock(text=say(turn.lang, "rounds.not_saved"))]
    await turn.rounds.save_schedule(state.team_id, KIND, state.draft.rule(),
                                    questions_of(turn, state), turn.member.user)
    when = describe(turn, state.draft, mid_sentence=True)
    return [TextBlock(text=say(turn.lang, "checkin_plan.saved", when=when,
                               team=team_name(state.teams, state.team_id)))]


DIALOG = Dialog(
    id="checkin_plan", title="checkin_plan.title", state=PlanState, start=start, finish=finish,
    help="checkin_plan.help", menu=100, menu_roles=MANAGERS, aliases=["checkins"],
    steps=[
        team_step(handle=pick_team),
        Choose("actie", prompt=ask_action, options=actions, handle=pick_action,
               skip=lambda turn, state: not state.teams),
        frequency_step(skip=not_new),
        weekday_step(skip=not_new),
        time_step(skip=not_new, suggest=True),
        questions_step(KIND, DEFAULT_QUESTIONS, prompt="checkin_plan.ask_questions",
                       skip=not_new, help="checkin_plan.help_questions", own_only=True),
        Ask("eigen", prompt="checkin_plan.ask_custom", handle=set_custom, skip=not_new,
            suggestions=no_custom),
        Confirm("bewaren", prompt=review, handle=confirm, skip=not_new),
        Choose("pauzeren", prompt="checkin_plan.ask_toggle", options=toggle_options,
               handle=pick_toggle, skip=lambda turn, state: state.action != "toggle"),
    ],
    phrases=["checkins", "check-ins plannen", "checkin instellen", "check-in overzicht",
             "wekelijkse check-in", "plan a check-in", "check-in settings"],
)
