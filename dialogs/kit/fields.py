"""Form fields typed and parsed once: what a user typed (or a form sent) for a field becomes the
value its handler works with, or an InputError that names the field.

| kind | the handler gets |
|---|---|
| text, textarea | ``str`` |
| number | ``int`` within ``min``..``max`` ("4", "vier", "max 4" when ``bound="max"``) |
| range | ``tuple[int, int]`` within ``min``..``max`` ("40-55", "tussen 40 en 55", "> 5 jaar") |
| duration | ``int`` minutes ("5 uur", "90 min", "een dagdeel") |
| date | ``datetime.date`` after the turn's day ("31-05-2027", "over een half jaar") |
| months | ``int`` months from the turn's day ("6", "een half jaar", "eind maart") |
| time | ``datetime.time`` ("9:30", "half 10") |
| choice | ``str`` (the choice's value) |
| multichoice | ``list[str]`` |
| yesno | ``bool`` |

An optional field left empty (or answered "-", "weet ik niet", "maakt niet uit") gives ``None``.
The words themselves are read by ``engine.parsing``, whose texts the application registers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from dialogs.kit.choices import pick_choice, pick_choices
from dialogs.kit.output import FormField
from dialogs.kit.problems import InputError
from dialogs.kit.rich import say
from engine import parsing

#: the widest range a range field without its own limits accepts
NO_LIMIT = 10**9
Parser = Callable[[FormField, str, date, str], Any]


def _text(field: FormField, text: str, today: date, lang: str) -> str:
    if field.max is not None and len(text) > field.max:
        raise InputError("input.too_long", at=field.name, field=field.label.plain, max=field.max)
    if field.min is not None and len(text) < field.min:
        raise InputError("input.too_short", at=field.name, field=field.label.plain,
                         min=field.min)
    return text


def _number(field: FormField, text: str, today: date, lang: str) -> int:
    unit = field.measure if field.measure != "minutes" else None
    return parsing.parse_whole_number(text, lang=lang, low=field.min, high=field.max,
                                      unit=unit, bound=field.bound)


def _range(field: FormField, text: str, today: date, lang: str) -> tuple[int, int]:
    unit = field.measure if field.measure != "minutes" else None
    found = parsing.parse_range_within(
        text, low=field.min if field.min is not None else 0,
        high=field.max if field.max is not None else NO_LIMIT, lang=lang, unit=unit)
    return int(found.low), int(found.high)


def _duration(field: FormField, text: str, today: date, lang: str) -> int:
    return parsing.parse_duration(
        text, lang=lang, default_unit="minutes" if field.measure == "minutes" else "hours",
        bound=field.bound)


PARSERS: dict[str, Parser] = {
    "text": _text,
    "textarea": _text,
    "number": _number,
    "range": _range,
    "duration": _duration,
    "date": lambda field, text, today, lang: parsing.parse_deadline(text, today=today,
                                                                    lang=lang),
    "months": lambda field, text, today, lang: parsing.parse_deadline_months(
        text, today=today, lang=lang, low=field.min or 1, high=field.max or 120),
    "time": lambda field, text, today, lang: parsing.parse_time_of_day(text),
    "choice": lambda field, text, today, lang: pick_choice(text, field.choices).value,
    "multichoice": lambda field, text, today, lang: [
        c.value for c in pick_choices(text, field.choices)],
    "yesno": lambda field, text, today, lang: parsing.parse_yes_no(text),
}


def parse_field(field: FormField, raw: str | None, today: date, lang: str) -> Any:
    """The typed value of one field; InputError (naming the field) when it cannot be used."""
    text = (raw or "").strip()
    if not text or parsing.read_no_answer(text) is not None:
        if field.required:
            raise InputError("input.required", at=field.name, field=field.label.plain)
        return None
    try:
        return PARSERS[field.kind](field, text, today, lang)
    except parsing.ParseError as problem:
        raise InputError("input.in_field", at=field.name, field=field.label.plain,
                         problem=say(lang, problem.code, **problem.params)) from None
    except InputError as problem:
        if problem.at is None:
            raise InputError("input.in_field", at=field.name, field=field.label.plain,
                             problem=say(lang, problem.key, **problem.params)) from None
        raise


def parse_fields(fields: list[FormField], raw: dict[str, str], today: date,
                 lang: str) -> dict[str, Any]:
    """Every field's typed value; the first field that cannot be used raises InputError."""
    return {field.name: parse_field(field, raw.get(field.name), today, lang)
            for field in fields}
