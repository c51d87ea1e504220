"""Reading what people type into typed values: numbers, ranges, durations, dates, times, yes/no.

Pure functions; a value that cannot be read raises ``ParseError`` whose ``code`` is a message
key (the dialogs say it in the user's language) and whose ``params`` fill it in.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from engine.text import fold

DAYS_PER_MONTH = 30.44
NO_ANSWER = {"-", "weet ik niet", "weet niet", "geen idee", "maakt niet uit", "geen voorkeur",
             "don't know", "dont know", "no idea", "no preference", "doesn't matter"}
YES = {"ja", "j", "jazeker", "ja graag", "graag", "ok", "oke", "okay", "prima", "goed", "yes",
       "y", "yep", "sure", "zeker"}
NO = {"nee", "n", "neen", "nee dank je", "liever niet", "niet", "no", "nope", "no thanks"}
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(?:uur|u)?$")
_RANGE = re.compile(r"^(?:van\s+|tussen\s+|between\s+)?(\d+)\s*(?:-|tot|t/m|en|and|to)\s*(\d+)"
                    r"(?:\s*jaar|\s*years?)?$")


class ParseError(ValueError):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _clean(text: str) -> str:
    return fold(text).strip().rstrip(".!")


def is_no_answer(text: str) -> bool:
    """'-', 'weet ik niet', 'maakt niet uit': no answer to an optional question."""
    return _clean(text) in NO_ANSWER


def parse_number(text: str) -> int:
    cleaned = _clean(text).replace(" ", "")
    if not re.fullmatch(r"-?\d+", cleaned):
        raise ParseError("input.not_a_number", value=text.strip())
    return int(cleaned)


def parse_range(text: str, lowest: int | None = None,
                highest: int | None = None) -> tuple[int, int]:
    """'40-55', 'tussen 40 en 55', '40 tot 55 jaar'; one number is a range of one."""
    cleaned = _clean(text)
    match = _RANGE.fullmatch(cleaned)
    if match:
        low, high = int(match.group(1)), int(match.group(2))
    else:
        single = re.fullmatch(r"(\d+)(?:\s*jaar|\s*years?)?", cleaned)
        if not single:
            raise ParseError("input.not_a_range", value=text.strip())
        low = high = int(single.group(1))
    if low > high:
        raise ParseError("input.range_reversed", value=text.strip())
    return low, high


def parse_duration(text: str) -> int:
    """Minutes: '90', '90 min', '5 uur', '1,5 uur'."""
    cleaned = _clean(text).replace(",", ".")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(min(?:uten|utes)?|uur|u|hours?|h)?", cleaned)
    if not match:
        raise ParseError("input.not_a_duration", value=text.strip())
    amount = float(match.group(1))
    unit = match.group(2) or "min"
    return round(amount * (1 if unit.startswith("min") else 60))


def parse_date(text: str, today: date) -> date:
    """'31-05-2027', '31/5/2027', '2027-05-31', 'over 3 maanden', 'in 6 months'; never in the
    past."""
    value = _clean(text)
    found: date | None = None
    match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", value)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    months = re.fullmatch(r"(?:over|in|binnen)?\s*(\d{1,2})\s*(?:maand(?:en)?|months?)?", value)
    try:
        if match:
            found = date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        elif iso:
            found = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        elif months:
            found = today + timedelta(days=round(int(months.group(1)) * DAYS_PER_MONTH))
    except ValueError:
        found = None
    if found is None:
        raise ParseError("input.not_a_date", value=text.strip())
    if found <= today:
        raise ParseError("input.date_past", value=text.strip())
    return found


def parse_time(text: str) -> time:
    """'9', '09:30', '9.30', '14u', '9:00 uur'."""
    match = _TIME.fullmatch(_clean(text))
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ParseError("input.not_a_time", value=text.strip())


def parse_yes_no(text: str) -> bool:
    value = _clean(text)
    first = value.split(",")[0].split()[0] if value.split() else ""
    if value in YES or first in YES:
        return True
    if value in NO or first in NO:
        return False
    raise ParseError("input.not_yes_no", value=text.strip())
