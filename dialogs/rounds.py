"""What the team-round dialogs (check-in, kennisrondje, reflection) share: which teams a person
may organise rounds for, the schedule questions (how often, which day, what time), questions
from the prompt library, and answering a run's questions one by one."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from dialogs.kit import Choice, Choose, Fact, InputError, Rich, Turn, plain, say, user
from dialogs.kit.steps import Handler
from dialogs.services_together import MIN_GROUP, RunSummary, Team
from engine.recurrence import Recurrence
from knowledge.prompts import load_prompts

#: the value of the "default questions" option in a question list
DEFAULTS = "defaults"
#: the value of "only a question of my own" in the check-in's question list
OWN_ONLY = "own"
FREQUENCIES = ("weekly", "biweekly", "monthly")
SKIP_WORDS = {"overslaan", "skip", "sla over", "-"}
_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.h](\d{2}))?\s*(?:uur|u)?\s*$")


class TeamRef(BaseModel):
    id: int
    name: str
    size: int


class ScheduleDraft(BaseModel):
    frequency: str = "weekly"
    weekday: int = 0
    at: str = "09:00"

    def rule(self) -> Recurrence:
        return Recurrence(frequency=self.frequency, weekday=self.weekday,  # type: ignore[arg-type]
                          at=parse_time(self.at))


def organisable(teams: list[Team], turn: Turn) -> list[TeamRef]:
    """Teams this person may organise rounds for: all for managers and HR, else the ones
    they lead."""
    allowed = [t for t in teams if turn.member.role in {"manager", "admin"}
               or t.lead == turn.member.user]
    return [TeamRef(id=t.id, name=t.name, size=len(t.members)) for t in allowed]


def team_choices(teams: list[TeamRef]) -> list[Choice]:
    return [Choice(value=str(t.id), label=user(t.name)) for t in teams]


M = TypeVar("M", bound=BaseModel)


def set_team_id(turn: Turn, state: M, value: str) -> M:
    return state.model_copy(update={"team_id": int(value)})


def team_known(turn: Turn, state: Any) -> bool:
    return state.team_id is not None or not state.teams


def team_step(handle: Handler = set_team_id,
              skip: Callable[[Turn, Any], bool] = team_known) -> Choose:
    """The step "which team?" over ``state.teams`` (a list of TeamRef) into ``state.team_id``;
    by default skipped when the team is known (or there is only one, set at the start) or there
    is none to choose."""
    return Choose("team", prompt=lambda turn, state: say(turn.lang, "rounds.which_team"),
                  options=lambda turn, state: team_choices(state.teams), handle=handle,
                  skip=skip)


def parse_time(text: str) -> time:
    """'9', '09:30', '9.30', '14u', '9:00 uur' -> a time; InputError otherwise."""
    match = _TIME.match(text.casefold())
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise InputError("rounds.bad_time", value=text)


def frequency_choices(turn: Turn) -> list[Choice]:
    return [Choice(value=f, label=say(turn.lang, f"rounds.frequency.{f}")) for f in FREQUENCIES]


def weekday_choices(turn: Turn) -> list[Choice]:
    return [Choice(value=str(d), label=say(turn.lang, f"rounds.weekday.{d}")) for d in range(7)]


def describe(turn: Turn, draft: ScheduleDraft) -> Rich:
    return say(turn.lang, "rounds.schedule_summary",
               frequency=say(turn.lang, f"rounds.frequency.{draft.frequency}"),
               weekday=say(turn.lang, f"rounds.weekday.{draft.weekday}"), at=draft.at)


def describe_rule(turn: Turn, rule: dict[str, Any]) -> Rich:
    parsed = Recurrence.model_validate(rule)
    return describe(turn, ScheduleDraft(frequency=parsed.frequency, weekday=parsed.weekday,
                                        at=parsed.at.strftime("%H:%M")))


def library(kind: str, lang: str) -> list[tuple[str, str]]:
    """(prompt id, text in the language) of a prompt library."""
    return [(p.id, p.text.get(lang)) for p in load_prompts().of(kind)]


def library_choices(kind: str, lang: str) -> list[Choice]:
    return [Choice(value=pid, label=plain(text)) for pid, text in library(kind, lang)]


def texts_of(kind: str, lang: str, ids: list[str]) -> list[str]:
    known = dict(library(kind, lang))
    return [known[i] for i in ids if i in known]


def participation(turn: Turn, run: RunSummary, answered: int) -> Rich:
    """How many answered, never for a group smaller than MIN_GROUP (privacy)."""
    if run.total < MIN_GROUP:
        return say(turn.lang, "rounds.participation_hidden", minimum=MIN_GROUP)
    return say(turn.lang, "rounds.participation", answered=answered, total=run.total)


class Answering(BaseModel):
    """A run's questions answered one at a time."""

    run_id: int | None = None
    team_id: int | None = None
    team: str = ""
    questions: list[str] = Field(default_factory=list)
    answers: list[str] = Field(default_factory=list)  # "" = skipped

    @property
    def current(self) -> str:
        return self.questions[len(self.answers)] if len(self.answers) < len(self.questions) \
            else ""

    @property
    def done(self) -> bool:
        return len(self.answers) >= len(self.questions)


def question_prompt(turn: Turn, answering: Answering) -> Rich:
    return say(turn.lang, "rounds.question", number=len(answering.answers) + 1,
               total=len(answering.questions), question=answering.current)


def answer_facts(turn: Turn, answering: Answering) -> list[Fact]:
    """The answers given so far, question by question (for the review card)."""
    return [Fact(label=user(q), value=user(a) if a else say(turn.lang, "checkins.skipped_one"))
            for q, a in zip(answering.questions, answering.answers, strict=False)]


def take_answer(answering: Answering, text: str, allow_skip: bool = True) -> Answering:
    value = text.strip()
    if allow_skip and value.casefold() in SKIP_WORDS:
        value = ""
    elif len(value) > 2000:
        raise InputError("rounds.too_long", max=2000)
    return answering.model_copy(update={"answers": [*answering.answers, value]})


def question_options(kind: str, lang: str, defaults: list[str]) -> list[Choice]:
    """The prompt library of a kind, numbered, with "the default questions" as last option."""
    ids = [pid for pid, _ in library(kind, lang)]
    numbers = ", ".join(str(ids.index(d) + 1) for d in defaults if d in ids)
    return [*library_choices(kind, lang),
            Choice(value=DEFAULTS, label=say(lang, "rounds.default_questions", numbers=numbers),
                   style="primary")]


def chosen_questions(values: list[str], defaults: list[str]) -> list[str]:
    """Prompt ids picked; the default option stands for the default questions."""
    picked: list[str] = []
    for value in values:
        for pid in defaults if value == DEFAULTS else [value]:
            if pid != OWN_ONLY and pid not in picked:
                picked.append(pid)
    return picked


async def load_round(turn: Turn, argument: str | None, kind: str) -> Answering | None:
    """The run named by a button's argument ("<run id>[:...]"), when it is a run of this kind
    in this workspace, for a team the person belongs to (or leads)."""
    head = (argument or "").split(":", 1)[0]
    if not head.isdigit():
        return None
    run = await turn.services.run(turn.workspace, int(head))
    if run is None or run.kind != kind or run.team_id is None:
        return None
    team = await turn.services.team(turn.workspace, run.team_id)
    if team is None or turn.member.user not in {*team.members, team.lead}:
        return None
    return Answering(run_id=run.id, team_id=run.team_id,
                     team=str(run.details.get("team") or team.name),
                     questions=[str(q) for q in run.details.get("questions") or []])


async def open_round(turn: Turn, kind: str) -> str | None:
    """The argument of the person's open invitation of that kind, if any."""
    run = await turn.services.open_invitation(turn.workspace, turn.member.user, kind)
    return str(run) if run is not None else None


class RoundState(BaseModel):
    """What the lead's side (plan a round) and the member's side (answer it) of a round
    dialog share; kennisrondje and reflection add their own fields."""

    teams: list[TeamRef] = Field(default_factory=list)
    team_id: int | None = None
    question_ids: list[str] = Field(default_factory=list)
    draft: ScheduleDraft = Field(default_factory=ScheduleDraft)
    answering: Answering | None = None
    answered_before: bool = False
    unknown_run: bool = False
    none_open: bool = False
    confirmed: bool = False

    @property
    def member_mode(self) -> bool:
        return self.answering is not None or self.answered_before or self.unknown_run \
            or self.none_open


R = TypeVar("R", bound=RoundState)


async def answer_state(turn: Turn, argument: str, typed: str, kind: str,
                       state: type[R]) -> R:
    """The member's side: the run of the argument, unless unknown or answered already; a
    typed (claimed) text is the answer to the first question."""
    answering = await load_round(turn, argument, kind)
    if answering is None or answering.run_id is None:
        return state(unknown_run=True)
    if await turn.services.answers(turn.workspace, kind, run_id=answering.run_id,
                                   user=turn.member.user):
        return state(answered_before=True)
    if typed and answering.questions:
        answering = take_answer(answering, typed, allow_skip=False)
    return state(answering=answering)


async def round_start(turn: Turn, text: str, kind: str, state: type[R]) -> R:
    """Start a round dialog: from an invitation (button or claimed text) the member answers;
    a lead plans; anyone else answers their open round, if there is one."""
    if turn.argument:
        return await answer_state(turn, turn.argument, text.strip(), kind, state)
    teams = organisable(await turn.services.teams(turn.workspace), turn)
    if teams:
        return state(teams=teams, team_id=teams[0].id if len(teams) == 1 else None)
    argument = await open_round(turn, kind)
    if argument is None:
        return state(none_open=True)
    return await answer_state(turn, argument, "", kind, state)


def lead_skip(turn: Turn, state: RoundState) -> bool:
    """Lead-only steps are skipped for members (and when there is no team to plan for)."""
    return state.member_mode or not state.teams
