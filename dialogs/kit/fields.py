"""Form fields typed and parsed once: what a user typed (or a form sent) for a field becomes the
value its handler works with, or an InputError that names the field.

| kind | the handler gets |
|---|---|
| text, textarea | ``str`` |
| number | ``int`` within ``min``..``max`` |
| range | ``tuple[int, int]`` (low, high) within ``min``..``max``; one number is a range of one |
| duration | ``int`` minutes |
| date | ``datetime.date`` (relative answers count from the turn's day) |
| time | ``datetime.time`` |
| choice | ``str`` (the choice's value) |
| multichoice | ``list[str]`` |
| yesno | ``bool`` |

An optional field left empty (or answered "-", "weet ik niet", "maakt niet uit") gives ``None``.
The words themselves are read by ``engine.parsing``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from dialogs.kit.choices import pick_choice, pick_choices
from dialogs.kit.output import FormField
from dialogs.kit.problems import InputError
from engine import parsing


def _number(field: FormField, text: str, today: date) -> int:
    value = parsing.parse_number(text)
    _within(field, value, text)
    return value


def _range(field: FormField, text: str, today: date) -> tuple[int, int]:
    low, high = parsing.parse_range(text, lowest=field.min, highest=field.max)
    _within(field, low, text)
    _within(field, high, text)
    return low, high


def _within(field: FormField, value: int, text: str) -> None:
    if (field.min is not None and value < field.min) or \
            (field.max is not None and value > field.max):
        raise InputError("input.out_of_range", at=field.name, field=field.label.plain,
                         value=text.strip(), low=field.min if field.min is not None else "",
                         high=field.max if field.max is not None else "")


def _text(field: FormField, text: str, today: date) -> str:
    if field.max is not None and len(text) > field.max:
        raise InputError("input.too_long", at=field.name, field=field.label.plain, max=field.max)
    if field.min is not None and len(text) < field.min:
        raise InputError("input.too_short", at=field.name, field=field.label.plain,
                         min=field.min)
    return text


PARSERS: dict[str, Callable[[FormField, str, date], Any]] = {
    "text": _text,
    "textarea": _text,
    "number": _number,
    "range": _range,
    "duration": lambda field, text, today: parsing.parse_duration(text),
    "date": lambda field, text, today: parsing.parse_date(text, today),
    "time": lambda field, text, today: parsing.parse_time(text),
    "choice": lambda field, text, today: pick_choice(text, field.choices).value,
    "multichoice": lambda field, text, today: [c.value for c in pick_choices(text, field.choices)],
    "yesno": lambda field, text, today: parsing.parse_yes_no(text),
}


def parse_field(field: FormField, raw: str | None, today: date) -> Any:
    """The typed value of one field; InputError (naming the field) when it cannot be used."""
    text = (raw or "").strip()
    if not text or parsing.is_no_answer(text):
        if field.required:
            raise InputError("input.required", at=field.name, field=field.label.plain)
        return None
    try:
        return PARSERS[field.kind](field, text, today)
    except parsing.ParseError as problem:
        raise InputError(problem.code, at=field.name, field=field.label.plain,
                         **problem.params) from None
    except InputError as problem:
        if problem.at is None:
            problem.at = field.name
        raise


def parse_fields(fields: list[FormField], raw: dict[str, str], today: date) -> dict[str, Any]:
    """Every field's typed value; the first field that cannot be used raises InputError."""
    return {field.name: parse_field(field, raw.get(field.name), today) for field in fields}
