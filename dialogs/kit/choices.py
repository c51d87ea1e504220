"""Reading a choice from what a user sends back: a pressed button, or a typed number, value or
label (typos allowed). The reading itself is ``engine.parsing``'s; this module speaks in the
kit's choices and problems."""

from __future__ import annotations

from dialogs.kit.output import Choice
from dialogs.kit.problems import InputError
from engine import parsing


def _options(choices: list[Choice]) -> list[tuple[str, str]]:
    return [(choice.value, choice.label.plain) for choice in choices]


def pick_choice(text: str, choices: list[Choice]) -> Choice:
    """The choice a typed answer means: its number, value or label, "ja" for the one yes-like
    label, or a label with a typo."""
    try:
        value = parsing.pick_choice(text, _options(choices))
    except parsing.ParseError as problem:
        raise InputError(problem.code, **problem.params) from None
    return next(choice for choice in choices if choice.value == value)


def pick_choices(text: str, choices: list[Choice]) -> list[Choice]:
    """Several choices ("1,2", "1 en 3", "mbo en hbo", "alle"); none for "geen"."""
    try:
        values = parsing.pick_choices(text, _options(choices))
    except parsing.ParseError as problem:
        raise InputError(problem.code, **problem.params) from None
    return [choice for choice in choices if choice.value in values]


def choice_by_value(value: str, choices: list[Choice]) -> Choice:
    """The choice of a pressed button; a value that is not (or no longer) offered is refused."""
    for choice in choices:
        if choice.value == value:
            return choice
    raise InputError("input.stale_choice")
