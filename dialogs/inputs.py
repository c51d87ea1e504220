"""Reading what a user sends back: a choice (clicked or typed), a number, a form field."""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from dialogs.output import Choice, FormField
from engine.text import fold

CHOICE_CUTOFF = 80


class InputError(ValueError):
    """The answer cannot be used; ``key`` and ``params`` name the reason for the user."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def pick_choice(text: str, choices: list[Choice]) -> Choice:
    """The choice a typed answer means: its number, value or label (typos allowed)."""
    answer = fold(text).strip().rstrip(".")
    if not answer:
        raise InputError("input.empty")
    if answer.isdigit() and 1 <= int(answer) <= len(choices):
        return choices[int(answer) - 1]
    for choice in choices:
        if answer in {fold(choice.value), fold(choice.label.plain)}:
            return choice
    labels = [fold(choice.label.plain) for choice in choices]
    best = process.extractOne(answer, labels, scorer=fuzz.WRatio, score_cutoff=CHOICE_CUTOFF)
    if best is not None:
        return choices[best[2]]
    raise InputError("input.not_a_choice", options=", ".join(
        f"{i}. {c.label.plain}" for i, c in enumerate(choices, start=1)))


def pick_choices(text: str, choices: list[Choice]) -> list[Choice]:
    """Several choices, separated by commas, 'en' or spaces between numbers."""
    parts = [p for p in re.split(r"\s*(?:,|;|\ben\b|\band\b)\s*", text.strip()) if p]
    if len(parts) == 1 and re.fullmatch(r"[\d\s]+", parts[0]):
        parts = parts[0].split()
    picked: dict[str, Choice] = {}
    for part in parts:
        choice = pick_choice(part, choices)
        picked[choice.value] = choice
    if not picked:
        raise InputError("input.empty")
    return list(picked.values())


def parse_number(text: str, low: int | None = None, high: int | None = None) -> int:
    cleaned = text.strip().replace(" ", "")
    if not re.fullmatch(r"-?\d+", cleaned):
        raise InputError("input.not_a_number", value=text.strip())
    value = int(cleaned)
    if (low is not None and value < low) or (high is not None and value > high):
        raise InputError("input.out_of_range", value=value, low=low if low is not None else "",
                         high=high if high is not None else "")
    return value


def parse_field(field: FormField, raw: str | None) -> str:
    """Check one form value; returns it cleaned ('' when optional and empty)."""
    text = (raw or "").strip()
    if text == "-":
        text = ""
    if not text:
        if field.required:
            raise InputError("input.required", field=field.label.plain)
        return ""
    if field.kind == "number":
        return str(parse_number(text, field.min, field.max))
    if field.kind == "choice":
        return pick_choice(text, field.choices).value
    if field.kind == "multichoice":
        return ",".join(c.value for c in pick_choices(text, field.choices))
    if field.max is not None and len(text) > field.max:
        raise InputError("input.too_long", field=field.label.plain, max=field.max)
    if field.min is not None and len(text) < field.min:
        raise InputError("input.too_short", field=field.label.plain, min=field.min)
    return text
