"""How long something takes, in minutes: "5 uur", "1,5 uur", "anderhalf uur", "90 min", "1u30",
"1:30", "een kwartier", "een dagdeel", "een halve dag", "2 dagen", "5 hours".

A day counts 8 hours, as the catalogue importer counts it; a *dagdeel* (a morning or an
afternoon) counts 4 hours, half such a day.
"""

from __future__ import annotations

import re
from typing import Literal

from engine.parsing.errors import ParseError, fail
from engine.parsing.numbers import NUMBER, canonical
from engine.parsing.ranges import Side, check_negative, split_bound

MINUTES_PER_DAY = 8 * 60
MINUTES_PER_DAYPART = MINUTES_PER_DAY // 2

#: Minutes in one of each unit word (folded).
DURATION_UNITS: dict[str, int] = {
    **dict.fromkeys(("m", "min", "mins", "minuut", "minuten", "minuutjes", "minute",
                     "minutes", "mn"), 1),
    **dict.fromkeys(("u", "uur", "uren", "uurtje", "uurtjes", "h", "hr", "hrs", "hour",
                     "hours"), 60),
    **dict.fromkeys(("dagdeel", "dagdelen"), MINUTES_PER_DAYPART),
    **dict.fromkeys(("dag", "dagen", "werkdag", "werkdagen", "day", "days", "workday",
                     "workdays"), MINUTES_PER_DAY),
}
DEFAULT_UNITS = {"minutes": 1, "hours": 60}

_CLOCK = re.compile(r"^(\d{1,3}):([0-5]\d)(?:\s*(?:uur|u|h|hours?))?$")
_PART = re.compile(rf"({NUMBER})\s*([a-z']+)?")
_FILLER = re.compile(r"^(?:\s|\+|,|\ben\b|\band\b)*$")


def _minutes(value: str, default_unit: int) -> float | None:
    """Minutes in a canonical text without a bound; None when it is no duration."""
    clock = _CLOCK.match(value)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    total, position, previous, found = 0.0, 0, None, False
    for match in _PART.finditer(value):
        if not _FILLER.match(value[position:match.start()]):
            return None
        number, word = float(match.group(1)), match.group(2)
        if word is None:  # "1u30": a bare number right after hours counts as minutes
            unit = 1 if previous == 60 else default_unit
        elif word in DURATION_UNITS:
            unit = DURATION_UNITS[word]
        else:
            return None
        total, previous, position, found = total + number * unit, unit, match.end(), True
    if not found or not _FILLER.match(value[position:]):
        return None
    return total


def parse_duration(text: str, *, lang: str = "nl",
                   default_unit: Literal["minutes", "hours"] = "hours",
                   bound: Side | None = None) -> int:
    """Minutes in ``text``; a bare number counts in ``default_unit``. With ``bound="max"``
    an upper bound is welcome and read as its value ("max 5 uur", "hooguit 5 uur",
    "minder dan 5 uur" are all 300); likewise ``bound="min"``."""
    value = canonical(text, lang)
    if not value:
        raise ParseError("parsing.empty")
    check_negative(value, text)
    side, _, rest = split_bound(value, lang)
    minutes = _minutes(rest, DEFAULT_UNITS[default_unit])
    if minutes is None:
        raise fail("parsing.not_a_duration", text)
    if side is not None and side != bound:
        if bound is None:
            raise fail("parsing.exact_number", text)
        raise fail("parsing.wants_maximum" if bound == "max" else "parsing.wants_minimum", text)
    # a duration is not counted in steps: "minder dan 5 uur" caps at 5 hours
    return round(minutes)
