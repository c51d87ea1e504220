"""What the team-round dialogs (check-in, kennisrondje, reflection) share: which teams a person
may organise rounds for, the schedule questions (how often, which day, what time), questions
from the prompt library, and answering a run's questions one by one."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from pydantic import BaseModel, Field

from dialogs.context import Turn
from dialogs.inputs import InputError
from dialogs.output import Choice
from dialogs.rich import Rich, plain, say, user
from dialogs.services_together import MIN_GROUP, RunSummary, Team
from engine.recurrence import Recurrence
from knowledge.prompts import load_prompts

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


async def load_run(turn: Turn, argument: str | None) -> Answering | None:
    """The run named by a button's argument ("<run id>[:...]"), if it is this workspace's."""
    if not argument:
        return None
    head = argument.split(":", 1)[0]
    if not head.isdigit():
        return None
    run = await turn.services.run(turn.workspace, int(head))
    if run is None:
        return None
    return Answering(run_id=run.id, team_id=run.team_id, team=str(run.details.get("team", "")),
                     questions=[str(q) for q in run.details.get("questions") or []])


def question_prompt(turn: Turn, answering: Answering) -> Rich:
    return say(turn.lang, "rounds.question", number=len(answering.answers) + 1,
               total=len(answering.questions), question=answering.current)


def take_answer(answering: Answering, text: str, allow_skip: bool = True) -> Answering:
    value = text.strip()
    if allow_skip and value.casefold() in SKIP_WORDS:
        value = ""
    elif len(value) > 2000:
        raise InputError("rounds.too_long", max=2000)
    return answering.model_copy(update={"answers": [*answering.answers, value]})
