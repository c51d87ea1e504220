"""When a planned round happens: how often, which day, what time (in each member's own
timezone), as a draft in the dialog's state (``state.draft``) and the steps that fill it in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from dialogs.kit import Ask, Choice, Choose, InputError, Rich, Turn, say, user
from engine import parsing
from engine.recurrence import Recurrence

FREQUENCIES = ("weekly", "biweekly", "monthly")
#: times offered as buttons when asking what time
SUGGESTED_TIMES = ("09:00", "13:00", "16:00")
Skip = Callable[[Turn, Any], bool]


class ScheduleDraft(BaseModel):
    frequency: str = "weekly"
    weekday: int = 0
    at: str = "09:00"

    def rule(self) -> Recurrence:
        return Recurrence(frequency=self.frequency, weekday=self.weekday,  # type: ignore[arg-type]
                          at=parse_time(self.at))


def parse_time(text: str) -> time:
    """A time of day as people type it ('9', '09:30', 'half 10', '2 pm'); InputError otherwise."""
    try:
        return parsing.parse_time_of_day(text)
    except parsing.ParseError as problem:
        raise InputError(problem.code, **problem.params) from None


def frequency_choices(turn: Turn) -> list[Choice]:
    return [Choice(value=f, label=say(turn.lang, f"rounds.frequency.{f}")) for f in FREQUENCIES]


def weekday_choices(turn: Turn) -> list[Choice]:
    return [Choice(value=str(d), label=say(turn.lang, f"rounds.weekday.{d}")) for d in range(7)]


def describe(turn: Turn, draft: ScheduleDraft, mid_sentence: bool = False) -> Rich:
    """"Elke week, op vrijdag om 09:30"; ``mid_sentence``: "elke week, ..." (after a comma)."""
    frequency = say(turn.lang, f"rounds.frequency.{draft.frequency}").plain
    if mid_sentence:
        frequency = frequency[:1].lower() + frequency[1:]
    return say(turn.lang, "rounds.schedule_summary", frequency=frequency,
               weekday=say(turn.lang, f"rounds.weekday.{draft.weekday}"), at=draft.at)


def describe_rule(turn: Turn, rule: Recurrence) -> Rich:
    return describe(turn, ScheduleDraft(frequency=rule.frequency, weekday=rule.weekday,
                                        at=rule.at.strftime("%H:%M")))


class Scheduling(BaseModel):
    """A dialog state that plans a schedule."""

    draft: ScheduleDraft = Field(default_factory=ScheduleDraft)


S = TypeVar("S", bound=Scheduling)


def with_draft(state: S, **changes: Any) -> S:
    return state.model_copy(update={"draft": state.draft.model_copy(update=changes)})


def set_frequency(turn: Turn, state: S, value: str) -> S:
    return with_draft(state, frequency=value)


def set_weekday(turn: Turn, state: S, value: str) -> S:
    return with_draft(state, weekday=int(value))


def set_time(turn: Turn, state: S, text: str) -> S:
    return with_draft(state, at=parse_time(text).strftime("%H:%M"))


def suggested_times(turn: Turn, state: Any) -> list[Choice]:
    return [Choice(value=at, label=user(at)) for at in SUGGESTED_TIMES]


def frequency_step(skip: Skip) -> Choose:
    return Choose("frequentie", prompt="rounds.ask_frequency",
                  options=lambda turn, state: frequency_choices(turn), handle=set_frequency,
                  skip=skip)


def weekday_step(skip: Skip) -> Choose:
    return Choose("dag", prompt="rounds.ask_weekday",
                  options=lambda turn, state: weekday_choices(turn), handle=set_weekday,
                  skip=skip)


def time_step(skip: Skip, suggest: bool = False) -> Ask:
    """What time; with ``suggest``, a few common times as buttons."""
    return Ask("tijd", prompt="rounds.ask_time", handle=set_time, skip=skip,
               suggestions=suggested_times if suggest else None)
