"""When a recurring team moment (check-in, reflection, kennisrondje) happens, in each member's
own timezone.

A schedule names a calendar pattern (weekly, every two weeks, or the first given weekday of the
month) and a wall-clock time. An *occurrence* is a calendar date; each member gets the message
at that date and time in their own timezone. Daylight saving: a wall-clock time that does not
exist on that date (the spring-forward gap) moves forward by the length of the gap; a time
that exists twice (autumn) is taken at its first occurrence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, Field, field_validator

Frequency = Literal["weekly", "biweekly", "monthly"]
#: The earliest timezone on Earth is UTC+14: a date's first local moment is 14 h before UTC's.
EARLIEST_OFFSET = timedelta(hours=14)


class Recurrence(BaseModel, frozen=True):
    frequency: Frequency = "weekly"
    weekday: int = Field(0, ge=0, le=6, description="0 = Monday")
    at: time = time(9, 0)
    #: biweekly schedules count weeks from this Monday (their first week)
    anchor: date = date(2024, 1, 1)

    @field_validator("anchor")
    @classmethod
    def _monday(cls, value: date) -> date:
        return value - timedelta(days=value.weekday())

    def matches(self, day: date) -> bool:
        if day.weekday() != self.weekday:
            return False
        if self.frequency == "biweekly":
            return ((day - self.anchor).days // 7) % 2 == 0
        if self.frequency == "monthly":
            return day.day <= 7
        return True

    def next_date(self, on_or_after: date) -> date:
        """The first occurrence on or after the date."""
        day = on_or_after + timedelta(days=(self.weekday - on_or_after.weekday()) % 7)
        while not self.matches(day):
            day += timedelta(days=7)
        return day


def zone(name: str | None) -> ZoneInfo:
    """The timezone of that IANA name; Europe/Amsterdam when unknown or empty."""
    try:
        return ZoneInfo(name or "Europe/Amsterdam")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Amsterdam")


def valid_zone(name: str) -> bool:
    return name in available_timezones()


def local_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``tz`` (DST-safe, see module doc)."""
    naive = datetime.combine(day, at)
    local = naive.replace(tzinfo=tz, fold=0)
    # a time in the spring-forward gap does not survive the round trip through UTC
    # (zoneinfo reads it with the offset from before the gap, which moves it forward by the
    # length of the gap: 02:30 on a spring-forward night becomes 03:30)
    return local.astimezone(UTC)


def plan_from(day: date, at: time) -> datetime:
    """The UTC instant from which an occurrence on ``day`` may be planned: when its time
    arrives in the earliest timezone, so every member's delivery is known in advance."""
    return datetime.combine(day, at, tzinfo=UTC) - EARLIEST_OFFSET


def due_occurrence(rule: Recurrence, now: datetime, last: date | None) -> date | None:
    """The occurrence to plan now: the next one after ``last`` (the last planned) whose
    planning moment has come, or None. Occurrences more than a day in the past are skipped
    (a bot that was down a week does not send last week's check-in)."""
    start = now.date() - timedelta(days=1)
    if last is not None and last >= start:
        start = last + timedelta(days=1)
    day = rule.next_date(start)
    return day if plan_from(day, rule.at) <= now else None
