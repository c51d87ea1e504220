"""What a parser says when it cannot use an answer: a message key of the ``parsing`` catalogue
(``knowledge/data/messages/<lang>/parsing.yaml``) and the values for its placeholders."""

from __future__ import annotations

#: Every error a parser raises, with the placeholders its message uses.
ERRORS: dict[str, frozenset[str]] = {
    "parsing.empty": frozenset(),
    "parsing.not_a_number": frozenset({"value"}),
    "parsing.negative": frozenset({"value"}),
    "parsing.not_whole": frozenset({"value"}),
    "parsing.exact_number": frozenset({"value"}),
    "parsing.wants_maximum": frozenset({"value"}),
    "parsing.wants_minimum": frozenset({"value"}),
    "parsing.out_of_range": frozenset({"low", "high"}),
    "parsing.too_small": frozenset({"low"}),
    "parsing.too_large": frozenset({"high"}),
    "parsing.wrong_unit.years": frozenset({"value"}),
    "parsing.wrong_unit.months": frozenset({"value"}),
    "parsing.wrong_unit.hours": frozenset({"value"}),
    "parsing.wrong_unit.people": frozenset({"value"}),
    "parsing.wrong_unit.items": frozenset({"value"}),
    "parsing.not_a_range": frozenset({"value"}),
    "parsing.not_a_duration": frozenset({"value"}),
    "parsing.not_a_period": frozenset({"value"}),
    "parsing.not_a_date": frozenset({"value"}),
    "parsing.not_a_deadline": frozenset({"value"}),
    "parsing.no_such_date": frozenset({"value"}),
    "parsing.date_past": frozenset({"value"}),
    "parsing.too_far": frozenset({"value"}),
    "parsing.not_a_time": frozenset({"value"}),
    "parsing.not_yes_no": frozenset({"value"}),
    "parsing.not_a_choice": frozenset({"options"}),
    "parsing.choice_number": frozenset({"count"}),
}

#: How much of the user's own text an error message repeats.
MAX_QUOTED = 40


class ParseError(ValueError):
    """An answer that cannot be used. ``code`` is a message key; ``params`` fill it in.

    ``str(error)`` is the code alone, so logging the error never logs what the user typed.
    """

    def __init__(self, code: str, **params: object) -> None:
        expected = ERRORS.get(code)
        if expected is None or set(params) != expected:
            raise KeyError(f"parse error {code!r} with params {sorted(params)}")
        super().__init__(code)
        self.code = code
        self.params: dict[str, object] = params

    @property
    def key(self) -> str:
        """The same as ``code``: the name ``dialogs.inputs.InputError`` uses."""
        return self.code


def quoted(text: str) -> str:
    """The user's text as an error repeats it: trimmed, at most ``MAX_QUOTED`` characters."""
    clean = " ".join(text.split())
    return clean if len(clean) <= MAX_QUOTED else clean[: MAX_QUOTED - 1] + "…"


def fail(code: str, text: str) -> ParseError:
    """The error ``code`` about the user's ``text``."""
    return ParseError(code, value=quoted(text))
