"""Times of day: "9 uur", "14:30", "14.30", "9u", "9u30", "2 pm", "9 am", "half 10",
"kwart over 9", "kwart voor 10", "10 over half 9", "kwart over half 10", "quarter past 9",
"half past 9", "noon".

"Half 10" is Dutch: half an hour *before* ten, 09:30 (English "half past 9" is also 09:30;
the British "half ten" is read the Dutch way too, as the bot speaks with Dutch colleagues).
Dutch clock phrases ("half", "kwart over", "voor", "over") count on a twelve-hour clock in the
daytime: "half 1" is 12:30, not 00:30; "'s avonds", "'s middags" or "pm" move a time to the
afternoon or evening, "'s ochtends" or "am" keep it in the morning.
"""

from __future__ import annotations

import re
from datetime import time

from engine.parsing.errors import ParseError, fail
from engine.parsing.numbers import word_number
from engine.text import fold

_HOUR = r"(\d{1,2}|[a-z]+)"
_MINUTE = r"(\d{1,2}|[a-z]+)"
_PREFIX = re.compile(r"^(?:om|at|rond|rondom|around|tegen|omstreeks|vanaf|from)\s+")
_AFTERNOON = re.compile(r"\s*(?:'s middags|s middags|'s avonds|s avonds|in de middag"
                        r"|in de avond|in the afternoon|in the evening|tonight|p\.?m\.?)$")
_MORNING = re.compile(r"\s*(?:'s ochtends|s ochtends|'s morgens|s morgens|in de ochtend"
                      r"|in the morning|a\.?m\.?)$")
_NIGHT = re.compile(r"\s*(?:'s nachts|s nachts|at night)$")
_NAMED = {"middag": time(12, 0), "noon": time(12, 0), "midday": time(12, 0),
          "middernacht": time(0, 0), "midnight": time(0, 0)}
_DIGITAL = re.compile(r"^(\d{1,2})(?:\s*[:.hu]\s*(\d{2}))?\s*(?:uur|u|h|o'?clock)?$")
_WORD_HOUR = re.compile(rf"^{_HOUR}\s*(?:uur|u|h|o'?clock)?$")
#: Clock phrases: pattern -> minutes from the hour they name.
_PHRASES: list[tuple[re.Pattern[str], int]] = [
    (re.compile(rf"^(?:kwart over|quarter past|quarter after|a quarter past) {_HOUR}$"), 15),
    (re.compile(rf"^(?:kwart voor|quarter to|quarter of|a quarter to) {_HOUR}$"), -15),
    (re.compile(rf"^kwart over half {_HOUR}$"), -15),
    (re.compile(rf"^kwart voor half {_HOUR}$"), -45),
    (re.compile(rf"^half past {_HOUR}$"), 30),
    (re.compile(rf"^half {_HOUR}$"), -30),
]
#: "10 over half 9" and the like: (pattern, minutes from the hour, sign of the minutes).
_MINUTE_PHRASES: list[tuple[re.Pattern[str], int, int]] = [
    (re.compile(rf"^{_MINUTE} (?:minuten |minutes )?over half {_HOUR}$"), -30, 1),
    (re.compile(rf"^{_MINUTE} (?:minuten |minutes )?voor half {_HOUR}$"), -30, -1),
    (re.compile(rf"^{_MINUTE} (?:minuten |minutes )?(?:over|past|after) {_HOUR}$"), 0, 1),
    (re.compile(rf"^{_MINUTE} (?:minuten |minutes )?(?:voor|to|before) {_HOUR}$"), 0, -1),
]


def _number(token: str) -> int | None:
    return int(token) if token.isdigit() else word_number(token)


def _clock(hour: int, minutes: int) -> int | None:
    """Minutes after midnight of a clock phrase on hour ``hour`` (1..12 in the daytime)."""
    if not 0 <= hour <= 24:
        return None
    total = hour * 60 + minutes
    if total < 60:  # "half 1", "kwart voor 1": just after noon, not after midnight
        total += 12 * 60
    return total


def _phrase_minutes(value: str) -> int | None:
    for pattern, offset in _PHRASES:
        if match := pattern.match(value):
            hour = _number(match.group(1))
            return None if hour is None else _clock(hour, offset)
    for pattern, base, sign in _MINUTE_PHRASES:
        if match := pattern.match(value):
            minute, hour = _number(match.group(1)), _number(match.group(2))
            if minute is None or hour is None or not 0 < minute < 30:
                return None
            return _clock(hour, base + sign * minute)
    return None


def _plain_minutes(value: str) -> int | None:
    if match := _DIGITAL.match(value):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        return hour * 60 + minute if minute < 60 else None
    if match := _WORD_HOUR.match(value):
        hour = _number(match.group(1))
        return None if hour is None else hour * 60
    return None


def parse_time_of_day(text: str) -> time:
    """A time of day (see the module docstring). Raises ParseError (not_a_time)."""
    value = " ".join(fold(text).replace("’", "'").split()).strip(" .!?")
    if not value:
        raise ParseError("parsing.empty")
    value = _PREFIX.sub("", value)
    if value in _NAMED:
        return _NAMED[value]
    part = None
    for name, pattern in (("pm", _AFTERNOON), ("am", _MORNING), ("night", _NIGHT)):
        if pattern.search(value):
            part, value = name, pattern.sub("", value).strip()
            break
    minutes = _phrase_minutes(value)
    if minutes is None:
        minutes = _plain_minutes(value)
    if minutes is None:
        raise fail("parsing.not_a_time", text)
    hour, minute = divmod(minutes, 60)
    if part in {"am", "night"} and hour == 12:
        hour = 0
    elif part == "pm" and hour < 12:
        hour += 12
    if hour > 23 or (part is not None and divmod(minutes, 60)[0] > 12):
        raise fail("parsing.not_a_time", text)
    return time(hour, minute)
