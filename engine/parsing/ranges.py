"""Ranges, bounds and single whole numbers, with the unit words that may follow them.

"40-55", "tussen 40 en 55", "40 tot 55 jaar", "between 40 and 55" are a ``Range``; "54" or
"54 jaar" is the range (54, 54). "> 5 jaar", "minstens 5", "5+", "max 4", "hooguit 5 uur",
"at most 4" are a ``Bound``: one side only; the caller knows the field's own limits and turns it
into a range with ``Bound.within``. A range typed upside down ("55-40") is swapped, not refused:
the numbers it covers are the same, and ``Range.swapped`` lets a caller say so.

"Meer dan 5" and "> 5" are strict: for whole numbers they start at 6 ("minstens 5", "5+" and
">= 5" start at 5). "Tot 55" and "t/m 55" include 55.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from engine.parsing.errors import ParseError, fail
from engine.parsing.numbers import NUMBER, Number, canonical, to_number

Side = Literal["min", "max"]
Unit = Literal["years", "months", "hours", "people", "items"]

#: Words that may follow a number of each unit (folded).
UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "years": ("jaar", "jaren", "jr", "oud", "years", "year", "yrs", "yr", "old"),
    "months": ("maanden", "maand", "mnd", "months", "month", "mths"),
    "hours": ("uur", "uren", "uurtjes", "u", "h", "hours", "hour", "hrs", "hr"),
    "people": ("mensen", "personen", "persoon", "medewerkers", "medewerker", "werknemers",
               "werknemer", "deelnemers", "deelnemer", "collega's", "collegas", "man",
               "people", "persons", "person", "employees", "employee", "participants",
               "participant", "colleagues", "staff"),
    "items": ("leerinterventies", "leerinterventie", "interventies", "interventie",
              "trainingen", "training", "cursussen", "cursus", "modules", "module",
              "onderdelen", "stuks", "stuk", "interventions", "intervention", "trainings",
              "courses", "course", "items", "item"),
}
#: Units no field here counts in, known only to say "wrong unit" rather than "not a number".
OTHER_UNIT_WORDS = ("minuten", "minuut", "min", "mins", "minutes", "minute", "weken", "week",
                    "weeks", "dagen", "dag", "days", "day", "dagdeel", "dagdelen")
_FILLERS = ("de", "het", "the", "ongeveer", "about", "around", "rond", "rondom", "circa",
            "ca", "zo'n", "zon", "roughly", "approximately", "approx", "totaal", "in")

#: Phrases before a number that make it a bound: (phrase, side, inclusive).
BOUND_PREFIXES: list[tuple[str, Side, bool]] = [
    ("niet meer dan", "max", True), ("niet minder dan", "min", True),
    ("no more than", "max", True), ("not more than", "max", True),
    ("no less than", "min", True), ("not less than", "min", True),
    ("meer dan", "min", False), ("more than", "min", False), ("ouder dan", "min", False),
    ("older than", "min", False), ("langer dan", "min", False), ("longer than", "min", False),
    ("groter dan", "min", False), ("greater than", "min", False), ("boven de", "min", False),
    ("boven", "min", False), ("above", "min", False), (">=", "min", True), ("=>", "min", True),
    ("≥", "min", True), (">", "min", False),
    ("minstens", "min", True), ("minimaal", "min", True), ("ten minste", "min", True),
    ("tenminste", "min", True), ("minimum van", "min", True), ("minimum of", "min", True),
    ("minimum", "min", True), ("min.", "min", True), ("min", "min", True),
    ("vanaf", "min", True), ("at least", "min", True), ("from", "min", True),
    ("minder dan", "max", False), ("less than", "max", False), ("fewer than", "max", False),
    ("jonger dan", "max", False), ("younger than", "max", False), ("korter dan", "max", False),
    ("shorter than", "max", False), ("kleiner dan", "max", False), ("onder de", "max", False),
    ("onder", "max", False), ("under", "max", False), ("below", "max", False),
    ("<=", "max", True), ("=<", "max", True), ("≤", "max", True), ("<", "max", False),
    ("maximaal", "max", True), ("maximum van", "max", True), ("maximum of", "max", True),
    ("maximum", "max", True), ("max.", "max", True), ("max", "max", True),
    ("hooguit", "max", True), ("hoogstens", "max", True), ("ten hoogste", "max", True),
    ("tot en met", "max", True), ("t/m", "max", True), ("tot", "max", True),
    ("binnen", "max", True), ("within", "max", True), ("at most", "max", True),
    ("up to", "max", True),
]
#: English only: Dutch "over 5 jaar" means "in five years".
ENGLISH_PREFIXES: list[tuple[str, Side, bool]] = [("over", "min", False)]
#: Phrases after a number that make it a bound.
BOUND_SUFFIXES: list[tuple[str, Side, bool]] = [
    ("+", "min", True), ("of meer", "min", True), ("en meer", "min", True),
    ("of ouder", "min", True), ("en ouder", "min", True), ("of hoger", "min", True),
    ("en hoger", "min", True), ("or more", "min", True), ("or older", "min", True),
    ("and older", "min", True), ("and up", "min", True), ("and above", "min", True),
    ("plus", "min", True), ("of minder", "max", True), ("of jonger", "max", True),
    ("or less", "max", True), ("or fewer", "max", True), ("or younger", "max", True),
    ("maximaal", "max", True), ("maximum", "max", True), ("max", "max", True),
    ("hooguit", "max", True), ("at most", "max", True), ("tops", "max", True),
]


class Range(BaseModel):
    """From ``low`` to ``high``, both included."""

    model_config = ConfigDict(frozen=True)

    low: Number
    high: Number
    swapped: bool = False  # typed high first ("55-40")


class Bound(BaseModel):
    """One side of a range: at least (``min``) or at most (``max``) ``value``."""

    model_config = ConfigDict(frozen=True)

    side: Side
    value: Number
    inclusive: bool = True

    def limit(self, *, whole: bool = True) -> Number:
        """The value itself when included; for whole numbers the next one in when not."""
        if self.inclusive or not whole:
            return self.value
        return self.value + 1 if self.side == "min" else self.value - 1

    def within(self, low: Number, high: Number, *, whole: bool = True) -> Range:
        """The range this bound leaves of a field that goes from ``low`` to ``high``."""
        if self.side == "min":
            return Range(low=self.limit(whole=whole), high=high)
        return Range(low=low, high=self.limit(whole=whole))


def _alternatives(phrases: list[str]) -> str:
    ordered = sorted(phrases, key=len, reverse=True)
    return "|".join(re.escape(p) for p in ordered)


def _prefix_pattern(table: list[tuple[str, Side, bool]]) -> re.Pattern[str]:
    return re.compile(rf"^({_alternatives([p for p, _, _ in table])})(?=[\s\d-]|$)\s*")


_PREFIXES = {p: (side, inclusive) for p, side, inclusive in BOUND_PREFIXES}
_PREFIX = _prefix_pattern(BOUND_PREFIXES)
_ENGLISH_PREFIX = _prefix_pattern(ENGLISH_PREFIXES)
_SUFFIXES = {p: (side, inclusive) for p, side, inclusive in BOUND_SUFFIXES}
_SUFFIX = re.compile(
    rf"(?:(?<=\d)|\s+)({_alternatives([p for p, _, _ in BOUND_SUFFIXES])})$")


def split_bound(value: str, lang: str = "nl") -> tuple[Side | None, bool, str]:
    """(side, inclusive, the rest) of a canonical text; side None when there is no bound."""
    match = _PREFIX.match(value)
    table = _PREFIXES
    if match is None and lang == "en":
        match, table = _ENGLISH_PREFIX.match(value), {"over": ("min", False)}
    if match is not None:
        side, inclusive = table[match.group(1)]
        return side, inclusive, value[match.end():].strip()
    match = _SUFFIX.search(value)
    if match is not None:
        side, inclusive = _SUFFIXES[match.group(1)]
        return side, inclusive, value[: match.start()].strip()
    return None, True, value


def _words_pattern(words: tuple[str, ...] | list[str]) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z'])(?:{_alternatives(list(words))})(?![a-z'])")


_UNIT_PATTERNS = {unit: _words_pattern(words) for unit, words in UNIT_WORDS.items()}
_FILLER_PATTERN = _words_pattern(list(_FILLERS))
_ANY_UNIT = _words_pattern([w for words in UNIT_WORDS.values() for w in words]
                           + list(OTHER_UNIT_WORDS))


def strip_units(value: str, unit: str | None) -> str:
    """``value`` without the words of ``unit`` and without filler words."""
    if unit is not None:
        value = _UNIT_PATTERNS[unit].sub(" ", value)
    value = _FILLER_PATTERN.sub(" ", value).replace("±", " ").replace("~", " ")
    return " ".join(value.split())


def check_negative(value: str, text: str) -> None:
    """Refuse a minus sign before a number unless it stands between two numbers ("40-55")."""
    for match in re.finditer(r"-\s*\d", value):
        before = value[: match.start()].rstrip()
        if not before or not before[-1].isdigit():
            raise fail("parsing.negative", text)


def refuse(value: str, text: str, unit: str | None, code: str) -> ParseError:
    """The error for a text that did not match: a wrong unit when it names one."""
    if unit is not None and _ANY_UNIT.search(value):
        return fail(f"parsing.wrong_unit.{unit}", text)
    return fail(code, text)


def _prepared(text: str, lang: str, unit: str | None) -> str:
    value = canonical(text, lang)
    if not value:
        raise ParseError("parsing.empty")
    value = strip_units(value, unit)
    check_negative(value, text)
    return value


_RANGES = [
    re.compile(rf"^(?:van\s+|from\s+)?({NUMBER})\s*(?:-|tot en met|t/m|tm|tot|to|through|thru"
               rf"|till|until)\s*({NUMBER})$"),
    re.compile(rf"^(?:tussen|between)\s+({NUMBER})\s*(?:en|and|-|tot|to)\s*({NUMBER})$"),
]
_SINGLE = re.compile(rf"^(?:van\s+|of\s+)?({NUMBER})$")


def _match_range(value: str) -> Range | None:
    for pattern in _RANGES:
        match = pattern.match(value)
        if match:
            low, high = to_number(match.group(1)), to_number(match.group(2))
            if low > high:
                return Range(low=high, high=low, swapped=True)
            return Range(low=low, high=high)
    return None


def parse_range(text: str, *, lang: str = "nl", unit: Unit | None = None) -> Range | Bound:
    """A range, a single value (as a range of one) or a bound; see the module docstring."""
    value = _prepared(text, lang, unit)
    found = _match_range(value)
    if found is not None:
        return found
    side, inclusive, rest = split_bound(value, lang)
    if side is not None:
        if not re.fullmatch(NUMBER, rest):
            raise refuse(rest, text, unit, "parsing.not_a_range")
        return Bound(side=side, value=to_number(rest), inclusive=inclusive)
    match = _SINGLE.match(value)
    if match:
        number = to_number(match.group(1))
        return Range(low=number, high=number)
    raise refuse(value, text, unit, "parsing.not_a_range")


def check_limits(low: Number, high: Number, minimum: Number | None,
                 maximum: Number | None) -> None:
    """Refuse ``low..high`` when it leaves ``minimum..maximum`` (either may be open)."""
    too_small = minimum is not None and low < minimum
    too_large = maximum is not None and high > maximum
    if (too_small or too_large) and minimum is not None and maximum is not None:
        raise ParseError("parsing.out_of_range", low=minimum, high=maximum)
    if too_small:
        raise ParseError("parsing.too_small", low=minimum)
    if too_large:
        raise ParseError("parsing.too_large", high=maximum)


def parse_range_within(text: str, *, low: Number, high: Number, lang: str = "nl",
                       unit: Unit | None = None, whole: bool = True) -> Range:
    """``parse_range`` for a field that goes from ``low`` to ``high``: a bound is completed
    with the field's own limit, and the result must lie inside the field."""
    parsed = parse_range(text, lang=lang, unit=unit)
    result = parsed.within(low, high, whole=whole) if isinstance(parsed, Bound) else parsed
    if whole and not (float(result.low).is_integer() and float(result.high).is_integer()):
        raise fail("parsing.not_whole", text)
    if result.low > result.high:  # "< 15" where the field starts at 15
        raise ParseError("parsing.out_of_range", low=low, high=high)
    check_limits(result.low, result.high, low, high)
    return result


def parse_whole_number(text: str, *, lang: str = "nl", low: int | None = None,
                       high: int | None = None, unit: Unit | None = None,
                       bound: Side | None = None) -> int:
    """One whole number, in digits or words, maybe followed by a word of ``unit`` ("40 jaar",
    "drie mensen"). With ``bound="max"`` an upper bound is welcome ("max 4", "hooguit 5 uur",
    "minder dan 5" = 4); with ``bound="min"`` a lower one. A range is refused here."""
    value = _prepared(text, lang, unit)
    if _match_range(value) is not None:
        raise fail("parsing.exact_number", text)
    side, inclusive, rest = split_bound(value, lang)
    if not re.fullmatch(NUMBER, rest):
        raise refuse(rest, text, unit, "parsing.not_a_number")
    number = to_number(rest)
    if not float(number).is_integer():
        raise fail("parsing.not_whole", text)
    if side is not None:
        if bound is None:
            raise fail("parsing.exact_number", text)
        if side != bound:
            raise fail("parsing.wants_maximum" if bound == "max" else "parsing.wants_minimum",
                       text)
        number = Bound(side=side, value=number, inclusive=inclusive).limit()
    check_limits(number, number, low, high)
    return int(number)
