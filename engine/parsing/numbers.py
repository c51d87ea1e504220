"""Numbers as people type them, in digits or words, Dutch or English.

``canonical`` rewrites an answer into one form the other parsers match with simple patterns:
folded to lower case without accents, dashes unified, number words and fractions written as
digits ("vijfenveertig" -> "45", "anderhalf" -> "1.5", "een half jaar" -> "0.5 jaar"), and
digit groups read the way the language writes them ("1.000" -> "1000", "1,5" -> "1.5").

Separators: a comma is a decimal comma in Dutch ("1,5") unless it is followed by exactly three
digits in English ("1,000"); a dot followed by exactly three digits groups thousands ("1.000",
"12.500", in both languages), any other dot is a decimal point ("1.5", "12.75").
"""

from __future__ import annotations

import re
from typing import Literal

from engine.parsing.errors import ParseError, fail
from engine.text import fold

Number = int | float
Lang = Literal["nl", "en"]

#: The canonical form of a number inside a canonical text; longer digit runs are no number
#: anyone means (and would overflow a float).
NUMBER = r"(?<![\d.])\d{1,9}(?:\.\d{1,6})?(?!\d)"
MAX_NUMERAL = 30

_SMALL: dict[str, int] = {
    "nul": 0, "zero": 0,
    "een": 1, "one": 1, "twee": 2, "two": 2, "drie": 3, "three": 3, "vier": 4, "four": 4,
    "vijf": 5, "five": 5, "zes": 6, "six": 6, "zeven": 7, "seven": 7, "acht": 8, "eight": 8,
    "negen": 9, "nine": 9, "tien": 10, "ten": 10, "elf": 11, "eleven": 11, "twaalf": 12,
    "twelve": 12, "dertien": 13, "thirteen": 13, "veertien": 14, "fourteen": 14,
    "vijftien": 15, "fifteen": 15, "zestien": 16, "sixteen": 16, "zeventien": 17,
    "seventeen": 17, "achttien": 18, "eighteen": 18, "negentien": 19, "nineteen": 19,
}
_TENS: dict[str, int] = {
    "twintig": 20, "twenty": 20, "dertig": 30, "thirty": 30, "veertig": 40, "forty": 40,
    "vijftig": 50, "fifty": 50, "zestig": 60, "sixty": 60, "zeventig": 70, "seventy": 70,
    "tachtig": 80, "eighty": 80, "negentig": 90, "ninety": 90,
}
_SCALES: dict[str, int] = {"honderd": 100, "hundred": 100, "duizend": 1000, "thousand": 1000}
#: Dutch writes a number as one word: these are its parts ("en" joins units to tens).
_MORPHEMES = sorted([*_SMALL, *_TENS, *_SCALES, "en"], key=len, reverse=True)
_DUTCH_PARTS = re.compile("|".join(_MORPHEMES))
#: Ordinals, for picking from a list ("de tweede", "third").
ORDINALS: dict[str, int] = {
    "eerste": 1, "first": 1, "1e": 1, "1ste": 1, "1st": 1, "tweede": 2, "second": 2, "2e": 2,
    "2de": 2, "2nd": 2, "derde": 3, "third": 3, "3e": 3, "3de": 3, "3rd": 3, "vierde": 4,
    "fourth": 4, "4e": 4, "4de": 4, "4th": 4, "vijfde": 5, "fifth": 5, "5e": 5, "5de": 5,
    "5th": 5, "zesde": 6, "sixth": 6, "zevende": 7, "seventh": 7, "achtste": 8, "eighth": 8,
    "negende": 9, "ninth": 9, "tiende": 10, "tenth": 10,
}

_DASHES = re.compile(r"[‐‑‒–—−]")
_NUMERAL = re.compile(r"\d+(?:[.,]\d+)*")
_WORD_OR_GAP = re.compile(r"[a-z]+|[ -]+|[^a-z -]+")
#: The most parts a number in words has ("one hundred and twenty three thousand ...").
MAX_NUMBER_PARTS = 12


def as_number(value: float) -> Number:
    """``value`` as an int when it is whole (so 40.0 prints as 40)."""
    return int(value) if float(value).is_integer() else float(value)


def read_numeral(token: str, lang: str = "nl") -> Number | None:
    """A number written in digits with '.' and ',' as the language uses them; None when the
    separators do not make a number ("1.2.3")."""
    if len(token) > MAX_NUMERAL:
        return None
    separators = re.findall(r"[.,]", token)
    parts = re.split(r"[.,]", token)
    if not separators:
        return int(token)
    if len(set(separators)) == 2:  # "1.000,5" or "1,000.5": the last one is the decimal sign
        decimal = separators[-1]
        if separators.count(decimal) > 1 or any(len(p) != 3 for p in parts[1:-1]):
            return None
        return as_number(float("".join(parts[:-1]) + "." + parts[-1]))
    if len(separators) > 1:  # "1.000.000": groups of thousands only
        return int("".join(parts)) if all(len(p) == 3 for p in parts[1:]) else None
    groups_thousands = len(parts[1]) == 3 and parts[0] != "0" and (
        separators[0] == "." or lang == "en")
    if groups_thousands:
        return int(parts[0] + parts[1])
    return as_number(float(parts[0] + "." + parts[1]))


def _split_number_word(word: str) -> list[str] | None:
    """The parts of one (Dutch compound or English) number word; None when it is not one."""
    parts = _DUTCH_PARTS.findall(word)
    return parts if parts and "".join(parts) == word else None


def _below_thousand(parts: list[str], start: int) -> tuple[int | None, int]:
    """Read "[unit] hundred [and] rest" from ``parts[start:]``; (value, next index)."""
    value: int | None = None
    i = start
    if i + 1 < len(parts) and _SMALL.get(parts[i], 0) in range(1, 10) \
            and parts[i + 1] in {"honderd", "hundred"}:
        value, i = _SMALL[parts[i]] * 100, i + 2
    elif i < len(parts) and parts[i] in {"honderd", "hundred"}:
        value, i = 100, i + 1
    if value is not None and i < len(parts) and parts[i] == "and":
        i += 1
    rest: int | None = None
    unit = _SMALL.get(parts[i]) if i < len(parts) else None
    if unit is not None and 1 <= unit <= 9 and i + 2 < len(parts) and parts[i + 1] == "en" \
            and parts[i + 2] in _TENS:  # vijf-en-veertig
        rest, i = unit + _TENS[parts[i + 2]], i + 3
    elif i < len(parts) and parts[i] in _TENS:
        rest, i = _TENS[parts[i]], i + 1
        if i < len(parts) and _SMALL.get(parts[i], 0) in range(1, 10):  # twenty one
            rest, i = rest + _SMALL[parts[i]], i + 1
    elif unit is not None and (unit > 0 or value is None):
        rest, i = unit, i + 1
    if rest is None:
        return value, i
    return (value or 0) + rest, i


def words_value(parts: list[str]) -> int | None:
    """The number a sequence of number-word parts makes ("twee", "honderd", "vijftig" -> 250);
    None when they do not make one ("twee drie")."""
    if parts in (["nul"], ["zero"]):
        return 0
    head, i = _below_thousand(parts, 0)
    total = 0
    if i < len(parts) and parts[i] in {"duizend", "thousand"}:
        total, i = (head or 1) * 1000, i + 1
        if i < len(parts) and parts[i] == "and":
            i += 1
        head, i = _below_thousand(parts, i)
    if i != len(parts) or (head is None and total == 0):
        return None
    return total + (head or 0)


def word_number(word: str) -> int | None:
    """One number word: "drie" -> 3, "vijfenveertig" -> 45, "honderdtwintig" -> 120."""
    parts = _split_number_word(fold(word))
    return words_value(parts) if parts else None


def _convert_word_runs(text: str) -> str:
    """Write runs of number words as digits; a run that is no number keeps its words."""
    pieces = _WORD_OR_GAP.findall(text)
    out: list[str] = []
    i = 0
    while i < len(pieces):
        parts = _split_number_word(pieces[i]) if pieces[i].isalpha() else None
        if not parts or parts == ["en"]:
            out.append(pieces[i])
            i += 1
            continue
        run, j = list(parts), i + 1
        while j + 1 < len(pieces) and pieces[j].strip(" -") == "" and pieces[j + 1].isalpha() \
                and len(run) < MAX_NUMBER_PARTS:
            following = _split_number_word(pieces[j + 1])
            joins = pieces[j + 1] == "and" and run[-1] in {"hundred", "thousand"}
            if not (following and following != ["en"]) and not joins:
                break
            run += following or ["and"]
            j += 2
        value = words_value(run)
        if value is not None and run[-1] != "and":
            out.append(str(value))
            i = j
        else:
            single = words_value(parts)
            out.append(str(single) if single is not None else pieces[i])
            i += 1
    return "".join(out)


def _convert_numerals(text: str, lang: str) -> str:
    def one(match: re.Match[str]) -> str:
        value = read_numeral(match.group(), lang)
        return match.group() if value is None else str(value)

    return _NUMERAL.sub(one, text)


_BEFORE_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), replacement) for pattern, replacement in [
        (r"\b(?:een\s+)?driekwartier\b", "45 minuten"),
        (r"\b(?:een\s+)?kwartier\b", "15 minuten"),
        (r"\b(?:een\s+)?anderhal(?:f|ve)\b", "1.5"),
        (r"\bdriekwart\b", "0.75"),
        (r"\b(?:een|a|an)\s+hal(?:f|ve)\b", "0.5"),
        (r"\bhalf\s+(?:a|an)\b", "0.5"),
        (r"\b(?:a|an)\s+(?=(?:minute|hour|day|week|month|year|quarter)s?\b)", "1 "),
        (r"\b(?:a|an)\s+(?=(?:hundred|thousand)\b)", "one "),
        (r"\b(?:een|a)\s+(?=(?:maximum|minimum|max|min)\b)", ""),
        (r"\b([a-z]+?)enhal(?:f|ve)\b", r"\1 en 0.5"),
    ]
]
_AFTER_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), replacement) for pattern, replacement in [
        (r"\bhal(?:f|ve)\b(?!\s*\d)", "0.5"),
        (r"\b(\d+)\s+(?:en|and)\s+(?:0\.5|hal(?:f|ve))\b", r"\1.5"),
        # "1 hour and 0.5", "2 uur en 0.5": the half belongs to the unit before it
        (r"\b(\d+)\s+([a-z]+)\s+(?:en|and)\s+0\.5\b", r"\1.5 \2"),
    ]
]


def canonical(text: str, lang: str = "nl") -> str:
    """``text`` in the one form the parsers match (see the module docstring)."""
    value = _DASHES.sub("-", fold(text)).replace("’", "'")
    value = " ".join(value.split()).strip(" .!?")
    value = _convert_numerals(value, lang)
    for pattern, replacement in _BEFORE_WORDS:
        value = pattern.sub(replacement, value)
    value = _convert_word_runs(value)
    for pattern, replacement in _AFTER_WORDS:
        value = pattern.sub(replacement, value)
    return value


def to_number(token: str) -> Number:
    """A canonical number ("45", "1.5") as int or float."""
    return as_number(float(token))


def parse_number(text: str, *, lang: str = "nl") -> Number:
    """One number in digits or words: "3", "drie", "twaalf", "één", "three", "1.000", "1,5",
    "anderhalf", "twenty-one". Raises ParseError (not_a_number, negative, empty)."""
    value = canonical(text, lang)
    if not value:
        raise ParseError("parsing.empty")
    if re.fullmatch(r"-\s*" + NUMBER, value):
        raise fail("parsing.negative", text)
    if not re.fullmatch(NUMBER, value):
        raise fail("parsing.not_a_number", text)
    return to_number(value)

