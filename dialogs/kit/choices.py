"""Reading a choice from what a user sends back: a pressed button, or a typed number, value or
label (typos allowed). The one place where "a typed number picks a choice"."""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from dialogs.kit.output import Choice
from dialogs.kit.problems import InputError
from engine.text import fold

CHOICE_CUTOFF = 80
#: a longer answer must resemble a label as a whole
LONG_CUTOFF = 88
SHORT_ANSWER = 3
ALL_WORDS = {"alle", "allemaal", "alles", "all", "everything"}


def _options(choices: list[Choice]) -> str:
    return ", ".join(f"{i}. {c.label.plain}" for i, c in enumerate(choices, start=1))


def pick_choice(text: str, choices: list[Choice]) -> Choice:
    """The choice a typed answer means: its number, value or label, the first word of one label
    only ("ja" for "Ja, stel mij voor"), or a label with a typo. A long sentence is matched as a
    whole, never by a word it happens to contain."""
    answer = fold(text).strip().rstrip(".")
    if not answer:
        raise InputError("input.empty")
    if answer.isdigit() and 1 <= int(answer) <= len(choices):
        return choices[int(answer) - 1]
    labels = [fold(choice.label.plain) for choice in choices]
    for choice, label in zip(choices, labels, strict=True):
        if answer in {fold(choice.value), label}:
            return choice
    starting = [c for c, label in zip(choices, labels, strict=True)
                if re.split(r"[\s,]+", label)[0] == answer]
    if len(starting) == 1:
        return starting[0]
    short = len(answer.split()) <= SHORT_ANSWER
    best = process.extractOne(answer, labels, scorer=fuzz.WRatio if short else fuzz.ratio,
                              score_cutoff=CHOICE_CUTOFF if short else LONG_CUTOFF)
    if best is not None:
        return choices[best[2]]
    raise InputError("input.not_a_choice", options=_options(choices))


def pick_choices(text: str, choices: list[Choice]) -> list[Choice]:
    """Several choices, separated by commas, 'en'/'and' or spaces between numbers; "alle"
    picks every one."""
    if fold(text).strip().rstrip(".") in ALL_WORDS:
        return list(choices)
    parts = [p for p in re.split(r"\s*(?:,|;|\ben\b|\band\b|\+|/)\s*", text.strip()) if p]
    if len(parts) == 1 and re.fullmatch(r"[\d\s]+", parts[0]):
        parts = parts[0].split()
    picked: dict[str, Choice] = {}
    for part in parts:
        choice = pick_choice(part, choices)
        picked[choice.value] = choice
    if not picked:
        raise InputError("input.empty")
    return list(picked.values())


def choice_by_value(value: str, choices: list[Choice]) -> Choice:
    """The choice of a pressed button; a value that is not (or no longer) offered is refused."""
    for choice in choices:
        if choice.value == value:
            return choice
    raise InputError("input.stale_choice")
