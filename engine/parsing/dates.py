"""Deadlines: dates and periods, always relative to a ``today`` the caller passes.

Dates: "31-05-2027", "31/5/27", "2027-05-31", "15-3", "15 maart", "March 15", "eind maart",
"begin april", "eind dit jaar", "vrijdag", "volgende week vrijdag", "next friday", "morgen".
Periods: "een half jaar", "half jaar", "6 maanden", "over 3 weken", "binnen een jaar",
"in 6 months", "anderhalf jaar", "een kwartaal"; a bare number counts months.

Choices made here: a date without a year is the first such date from today on ("15-3" typed in
April is next year's). Day and month come in that order unless the second number cannot be a
month ("5/31/2027" is 31 May). "Vrijdag", "komende vrijdag", "volgende vrijdag" and "next
friday" are the first Friday after today; "volgende week vrijdag" and "friday next week" are
the Friday of next (Monday-to-Sunday) week. A month counts 30.4375 days where a fraction of
one is needed; "eind maart" is 31 March, "begin april" 1 April, "half/medio april" 15 April.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from engine.parsing.errors import ParseError, fail
from engine.parsing.numbers import NUMBER, Number, canonical, to_number
from engine.parsing.ranges import check_limits
from engine.text import fold

PeriodUnit = Literal["days", "weeks", "months", "years"]
DAYS_PER_MONTH = 365.25 / 12
#: No deadline lies further ahead than this.
MAX_MONTHS_AHEAD = 10 * 12

#: Period unit words (folded): the unit and how many of it one word means.
PERIOD_UNITS: dict[str, tuple[PeriodUnit, int]] = {
    **dict.fromkeys(("dag", "dagen", "day", "days", "d"), ("days", 1)),
    **dict.fromkeys(("week", "weken", "weeks", "wk", "wkn"), ("weeks", 1)),
    **dict.fromkeys(("maand", "maanden", "mnd", "month", "months", "mths"), ("months", 1)),
    **dict.fromkeys(("kwartaal", "kwartalen", "quarter", "quarters"), ("months", 3)),
    **dict.fromkeys(("jaar", "jaren", "jr", "year", "years", "yr", "yrs"), ("years", 1)),
}
MONTHS: dict[str, int] = {
    **dict.fromkeys(("januari", "jan", "january"), 1),
    **dict.fromkeys(("februari", "feb", "febr", "february"), 2),
    **dict.fromkeys(("maart", "mrt", "mar", "march"), 3),
    **dict.fromkeys(("april", "apr"), 4), **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("juni", "jun", "june"), 6), **dict.fromkeys(("juli", "jul", "july"), 7),
    **dict.fromkeys(("augustus", "aug", "august"), 8),
    **dict.fromkeys(("september", "sep", "sept"), 9),
    **dict.fromkeys(("oktober", "okt", "oct", "october"), 10),
    **dict.fromkeys(("november", "nov"), 11), **dict.fromkeys(("december", "dec"), 12),
}
WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("maandag", "monday", "mon"), 0),
    **dict.fromkeys(("dinsdag", "tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("woensdag", "wednesday", "wed"), 2),
    **dict.fromkeys(("donderdag", "thursday", "thu", "thurs"), 3),
    **dict.fromkeys(("vrijdag", "friday", "fri"), 4),
    **dict.fromkeys(("zaterdag", "saturday", "sat"), 5),
    **dict.fromkeys(("zondag", "sunday", "sun"), 6),
}
#: Where in a month "eind maart", "begin april", "half april" fall (None: the last day).
MONTH_PARTS: dict[str, int | None] = {
    **dict.fromkeys(("eind", "einde", "eind van", "end of", "the end of", "late",
                     "uiterlijk eind"), None),
    **dict.fromkeys(("begin", "begin van", "start of", "the start of", "beginning of",
                     "the beginning of", "early"), 1),
    **dict.fromkeys(("half", "medio", "midden", "midden van", "halverwege", "mid",
                     "middle of", "the middle of"), 15),
}


class Period(BaseModel):
    """An amount of time counted from some day: 6 months, 3 weeks, half a year."""

    model_config = ConfigDict(frozen=True)

    amount: Number
    unit: PeriodUnit

    @property
    def months(self) -> float:
        if self.unit == "days":
            return self.amount / DAYS_PER_MONTH
        if self.unit == "weeks":
            return self.amount * 7 / DAYS_PER_MONTH
        return self.amount * (12 if self.unit == "years" else 1)

    def after(self, start: date) -> date:
        """The day this period after ``start`` ends."""
        if self.unit in {"days", "weeks"}:
            return start + timedelta(days=round(self.amount * (7 if self.unit == "weeks" else 1)))
        return add_months(start, self.months)


def add_months(start: date, months: float) -> date:
    """``start`` plus whole calendar months (the day kept, or the month's last day), plus a
    fraction of a month in days."""
    whole = math.floor(months)
    index = start.year * 12 + start.month - 1 + whole
    year, month = divmod(index, 12)
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    moved = date(year, month + 1, day)
    return moved + timedelta(days=round((months - whole) * DAYS_PER_MONTH))


def _light(text: str) -> str:
    """Folded, dashes unified, single spaces; digits left as typed (for dates)."""
    value = re.sub(r"[‐‑‒–—−]", "-", fold(text))
    return " ".join(value.split()).strip(" .!?")


_PERIOD_PREFIX = re.compile(
    r"^(?:uiterlijk|over|in|binnen|within|na|after|de|the|komende|coming|next|nu en"
    r"|ongeveer|about|around|circa|zo'n)\s+")
_PERIOD_SUFFIX = re.compile(r"\s+(?:from now|vanaf nu|van nu|from today|vanaf vandaag|tijd"
                            r"|time|later|hence)$")
_PERIOD = re.compile(rf"^({NUMBER})?\s*([a-z]+)?$")


def parse_period(text: str, *, lang: str = "nl") -> Period:
    """A period: "een half jaar", "6 maanden", "over 3 weken", "binnen een jaar",
    "in 6 months"; a bare number counts months. Raises ParseError (not_a_period)."""
    value = canonical(text, lang)
    if not value:
        raise ParseError("parsing.empty")
    while (stripped := _PERIOD_PREFIX.sub("", value)) != value:
        value = stripped
    value = _PERIOD_SUFFIX.sub("", value)
    match = _PERIOD.match(value)
    if match is None or not value:
        raise fail("parsing.not_a_period", text)
    number, word = match.group(1), match.group(2)
    if word is None:
        word = "maanden"  # a bare number counts months
    if word not in PERIOD_UNITS or (number is None and word not in {"jaar", "year", "maand",
                                                                     "month", "week"}):
        raise fail("parsing.not_a_period", text)
    unit, factor = PERIOD_UNITS[word]
    amount = to_number(number) if number is not None else 1
    period = Period(amount=amount * factor, unit=unit)
    if period.months > MAX_MONTHS_AHEAD:
        raise fail("parsing.too_far", text)
    return period


def _alternatives(words: list[str] | dict[str, object]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_MONTH = rf"({_alternatives(MONTHS)})\.?"
_WEEKDAY = rf"({_alternatives(WEEKDAYS)})"
_YEAR = r"(?:,?\s+(\d{4}))?"
_DATE_PREFIX = re.compile(r"^(?:uiterlijk|no later than|op|on|voor|before|by|tegen|per|t/m"
                          r"|tot en met|tot|until|deadline:?)\s+")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})$")
_DM = re.compile(r"^(\d{1,2})[-/](\d{1,2})$")
_DAY_MONTH = re.compile(rf"^(\d{{1,2}})(?:e|ste|de|st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}{_YEAR}$")
_MONTH_DAY = re.compile(rf"^{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?{_YEAR}$")
_PART_OF_MONTH = re.compile(rf"^({_alternatives(MONTH_PARTS)})[\s-]+{_MONTH}{_YEAR}$")
_COMING_WEEKDAY = re.compile(
    rf"^(?:(?:aanstaande|komende|deze|this|coming|volgende|next)\s+)?{_WEEKDAY}$")
_WEEKDAY_NEXT_WEEK = re.compile(
    rf"^(?:(?:volgende|next) week\s+{_WEEKDAY}|{_WEEKDAY}\s+(?:volgende|next) week)$")
_RELATIVE_DAYS: dict[str, int] = {
    "vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2,
    "the day after tomorrow": 2, "day after tomorrow": 2, "volgende week": 7, "next week": 7,
}
_RELATIVE_MONTHS: dict[str, int] = {"volgende maand": 1, "next month": 1,
                                    "volgend jaar": 12, "next year": 12}
_END_OF: dict[str, tuple[str, int]] = {  # phrase -> (month or year, how many ahead)
    **dict.fromkeys(("eind dit jaar", "eind van dit jaar", "eind van het jaar", "einde jaar",
                     "eind van het jaar", "end of the year", "end of this year",
                     "the end of the year", "year end", "end of year"), ("year", 0)),
    **dict.fromkeys(("eind volgend jaar", "eind van volgend jaar", "end of next year"),
                    ("year", 1)),
    **dict.fromkeys(("eind deze maand", "eind van de maand", "eind van deze maand",
                     "end of the month", "end of this month", "end of month"), ("month", 0)),
    **dict.fromkeys(("eind volgende maand", "eind van volgende maand", "end of next month"),
                    ("month", 1)),
}


def _make_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise fail("parsing.no_such_date", text) from None


def _next_date(month: int, day: int | None, today: date, text: str) -> date:
    """The first ``day`` of ``month`` (None: its last day) from ``today`` on."""
    for year in range(today.year, today.year + 5):
        last = calendar.monthrange(year, month)[1]
        if day is not None and day > last:
            continue
        found = date(year, month, day if day is not None else last)
        if found >= today:
            return found
    raise fail("parsing.no_such_date", text)


def _day_month(first: int, second: int) -> tuple[int, int]:
    """(day, month) of two numbers typed day first, unless only the other way is a date."""
    if second > 12 >= first:
        return second, first
    return first, second


def _full_year(year: str) -> int:
    return int(year) + 2000 if len(year) == 2 else int(year)


def _numeric_date(value: str, today: date, text: str) -> date | None:
    if match := _ISO.match(value):
        return _make_date(int(match.group(1)), int(match.group(2)), int(match.group(3)), text)
    if match := _DMY.match(value):
        day, month = _day_month(int(match.group(1)), int(match.group(2)))
        return _make_date(_full_year(match.group(3)), month, day, text)
    if match := _DM.match(value):
        day, month = _day_month(int(match.group(1)), int(match.group(2)))
        if not 1 <= month <= 12:
            raise fail("parsing.no_such_date", text)
        return _next_date(month, day, today, text)
    return None


def _in_month(month: int, day: int | None, year: str | None, today: date, text: str) -> date:
    if year is None:
        return _next_date(month, day, today, text)
    last = calendar.monthrange(int(year), month)[1]
    return _make_date(int(year), month, day if day is not None else last, text)


def _named_date(value: str, today: date, text: str) -> date | None:
    if match := _DAY_MONTH.match(value):
        return _in_month(MONTHS[match.group(2)], int(match.group(1)), match.group(3), today,
                         text)
    if match := _MONTH_DAY.match(value):
        return _in_month(MONTHS[match.group(1)], int(match.group(2)), match.group(3), today,
                         text)
    if match := _PART_OF_MONTH.match(value):
        day = MONTH_PARTS[match.group(1)]
        return _in_month(MONTHS[match.group(2)], day, match.group(3), today, text)
    return None


def _relative_date(value: str, today: date) -> date | None:
    if value in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[value])
    if value in _RELATIVE_MONTHS:
        return add_months(today, _RELATIVE_MONTHS[value])
    if value in _END_OF:
        what, ahead = _END_OF[value]
        if what == "year":
            return date(today.year + ahead, 12, 31)
        first = add_months(today.replace(day=1), ahead)
        return first.replace(day=calendar.monthrange(first.year, first.month)[1])
    if match := _COMING_WEEKDAY.match(value):
        days = (WEEKDAYS[match.group(1)] - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=days)
    if match := _WEEKDAY_NEXT_WEEK.match(value):
        weekday = WEEKDAYS[match.group(1) or match.group(2)]
        return today + timedelta(days=7 - today.weekday() + weekday)
    return None


def parse_date(text: str, *, today: date) -> date:
    """A calendar date (see the module docstring). Raises ParseError (not_a_date,
    no_such_date); a date in the past is returned as it is: ``parse_deadline`` refuses it."""
    value = _light(text)
    if not value:
        raise ParseError("parsing.empty")
    value = _DATE_PREFIX.sub("", value)
    for reader in (_numeric_date, _named_date):
        found = reader(value, today, text)
        if found is not None:
            return found
    found = _relative_date(value, today)
    if found is None:
        raise fail("parsing.not_a_date", text)
    return found


def _date_or_period(text: str, today: date, lang: str) -> date | Period:
    try:
        found: date | Period = parse_date(text, today=today)
    except ParseError as error:
        if error.code != "parsing.not_a_date":
            raise
        try:
            found = parse_period(text, lang=lang)
        except ParseError as error:
            if error.code != "parsing.not_a_period":
                raise
            raise fail("parsing.not_a_deadline", text) from None
    if isinstance(found, date) and found > add_months(today, MAX_MONTHS_AHEAD):
        raise fail("parsing.too_far", text)
    return found


#: words for a moment that has passed: read, to say so ("gisteren" is no deadline)
PAST = frozenset({"gisteren", "eergisteren", "vorige week", "vorige maand", "vorig jaar",
                  "afgelopen week", "afgelopen maand", "yesterday", "the day before yesterday",
                  "last week", "last month", "last year"})


def _in_the_past(text: str) -> bool:
    return " ".join(fold(text).strip(" .!?").split()) in PAST


def parse_deadline(text: str, *, today: date, lang: str = "nl",
                   allow_today: bool = False) -> date:
    """The day something must be done: a date, or a period from ``today`` ("over 3 weken",
    "een half jaar"). Refuses a day before today (and today itself unless ``allow_today``)."""
    if _in_the_past(text):
        raise fail("parsing.date_past", text)
    found = _date_or_period(text, today, lang)
    deadline = found.after(today) if isinstance(found, Period) else found
    if deadline < today or (deadline == today and not allow_today):
        raise fail("parsing.date_past", text)
    return deadline


def months_until(deadline: date, today: date) -> int:
    """The fewest whole months from ``today`` that reach ``deadline``."""
    months = 0
    while add_months(today, months) < deadline:
        months += 1
    return months


def parse_deadline_months(text: str, *, today: date, lang: str = "nl", low: int = 1,
                          high: int = 36) -> int:
    """Whole months to finish something in (a period rounded up: "3 weken" is 1, "een half
    jaar" 6), or the months until a date ("eind maart"); between ``low`` and ``high``."""
    if _in_the_past(text):
        raise fail("parsing.date_past", text)
    found = _date_or_period(text, today, lang)
    if isinstance(found, Period):
        months = max(0, math.ceil(round(found.months, 6)))
        if found.amount <= 0:
            raise fail("parsing.date_past", text)
    else:
        if found <= today:
            raise fail("parsing.date_past", text)
        months = months_until(found, today)
    check_limits(months, months, low, high)
    return months
