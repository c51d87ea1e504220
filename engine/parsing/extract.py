"""Several answers from one sentence: a target group ("3 secretaresses van 40 tot 55, mbo, 5 tot
30 jaar ervaring") or a path's constraints ("maximum van 4 leerinterventies, niet meer dan 5 uur,
binnen een half jaar, enkel online").

The sentence is cut into parts at commas, semicolons, new lines and "en"/"met" before a number;
each part is read on its own. A part that says what it is ("leeftijd", "ervaring", "aantal")
goes there; otherwise a number followed by a word that is not a unit is the group's size ("15
mensen", "3 secretaresses") and what follows it is the age ("van 40 tot 55"); a range without
a label is the age, or the experience once the age is known. Parts that cannot be read are kept
in ``unread`` so a dialog can ask about them.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel

from engine.parsing.dates import PERIOD_UNITS, parse_deadline_months
from engine.parsing.durations import DURATION_UNITS, parse_duration
from engine.parsing.errors import ParseError
from engine.parsing.numbers import NUMBER, canonical
from engine.parsing.ranges import (
    BOUND_PREFIXES,
    UNIT_WORDS,
    Bound,
    Range,
    check_limits,
    parse_range,
    parse_whole_number,
)
from knowledge.catalogue import FORMAT_ALIASES, EducationLevel

AGE_LIMITS = (15, 80)
EXPERIENCE_LIMITS = (0, 60)
EDUCATION_WORDS: dict[str, EducationLevel] = {
    "mbo": "mbo", "hbo": "hbo", "wo": "wo", "hogeschool": "hbo", "universiteit": "wo",
    "universitair": "wo", "university": "wo", "academisch": "wo", "wetenschappelijk": "wo",
}


def _words(words: list[str] | dict[str, Any] | tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_EDUCATION = re.compile(rf"(?<![a-z])({_words(EDUCATION_WORDS)})(?:'?ers)?(?![a-z])")
_EDUCATED_PEOPLE = re.compile(rf"(?<![a-z])(?:{_words(EDUCATION_WORDS)})'?ers(?![a-z])")
_EXPERIENCE = re.compile(
    r"\b(?:jaren\s+|jaar\s+)?(?:werk)?ervaring\b|\bervaren\b|\bdienstjaren\b|\bin dienst\b"
    r"|\b(?:years\s+of\s+|years'\s+)?(?:work\s+)?experience\b|\bexperienced\b"
    r"|\byears of service\b")
_AGE = re.compile(r"\bin de leeftijd van\b|\bleeftijd\b|\baged?\b|\bjaar oud\b|\byears old\b"
                  r"|\boud\b|\bold\b")
_SIZE = re.compile(
    r"\baantal(?:\s+(?:medewerkers|mensen|personen|deelnemers|werknemers))?\b"
    r"|\bgroepsgrootte\b|\b(?:group|team)\s+size\b|\bsize\b"
    r"|\bnumber of (?:people|employees|participants|staff)\b"
    r"|(?:\b1\s+)?\b(?:groep|team|afdeling|group|department)\s+(?:van|of)\b")
_SPLIT = re.compile(r"\s*[,;]\s*|\s+(?:en|and|met|with|waarvan)\s+(?=[\d<>])"
                    r"|\s+(?:met|with)\s+")
_NO_EXPERIENCE = re.compile(r"\b(?:geen|zonder)\s+(?:werk)?ervaring\b"
                            r"|\b(?:no|without)\s+(?:work\s+)?experience\b")
_BETWEEN = re.compile(rf"\b(?:tussen|between)\s+(?:de\s+|the\s+)?({NUMBER})\s+(?:en|and)\s+"
                      rf"(?:de\s+|the\s+)?({NUMBER})")
_NOT_A_NOUN = frozenset(
    {"tot", "to", "tm", "t/m", "en", "and", "of", "or", "a", "-", "plus", "max", "maximaal",
     "maximum", "hooguit", "oud", "old", *UNIT_WORDS["years"], *UNIT_WORDS["months"],
     *UNIT_WORDS["hours"], *PERIOD_UNITS, *DURATION_UNITS})
_SIZE_FIRST = re.compile(r"^(\d+)\s+([a-z][a-z'-]*)\s*(.*)$")


class TargetGroupDraft(BaseModel):
    """The parts of a target group a sentence gave; None for what it did not mention."""

    size: int | None = None
    age: Range | Bound | None = None
    experience_years: Range | Bound | None = None
    education: list[EducationLevel] | None = None
    unread: list[str] = []

    def as_target(self, *, age: tuple[int, int] = AGE_LIMITS,
                  experience: tuple[int, int] = EXPERIENCE_LIMITS) -> dict[str, Any]:
        """The fields found, shaped like the wizard's target dict; bounds are completed with
        the field limits ``age`` and ``experience``. Raises ParseError (out_of_range)."""
        target: dict[str, Any] = {}
        if self.size is not None:
            target["size"] = self.size
        for name, value, (low, high) in (("age", self.age, age),
                                         ("experience_years", self.experience_years,
                                          experience)):
            if value is not None:
                found = value.within(low, high) if isinstance(value, Bound) else value
                if found.low > found.high:
                    raise ParseError("parsing.out_of_range", low=low, high=high)
                check_limits(found.low, found.high, low, high)
                target[name] = [round(found.low), round(found.high)]
        if self.education is not None:
            target["education"] = list(self.education)
        return target


def _segments(text: str, lang: str) -> list[str]:
    prepared = re.sub(r"\.\s+|\n+", ", ", text)
    value = _BETWEEN.sub(r"\1-\2", canonical(prepared, lang))
    value = _NO_EXPERIENCE.sub(", 0 jaar ervaring", value)
    return [part.strip(" :.") for part in _SPLIT.split(value) if part.strip(" :.")]


def _label_free(part: str, pattern: re.Pattern[str]) -> str:
    return " ".join(pattern.sub(" ", part).split()).strip(" :")


def _read_size(part: str, draft: dict[str, Any], lang: str) -> str | None:
    """Take the group's size from the start of ``part``; the rest of it, or None when the part
    does not start with a size."""
    labelled = _SIZE.search(part) is not None
    if labelled:
        part = _label_free(part, _SIZE)
    match = _SIZE_FIRST.match(part) or re.match(r"^(\d+)()\s*(.*)$", part)
    if match is None or "size" in draft or not (labelled or match.group(2)) \
            or match.group(2) in _NOT_A_NOUN:
        return None
    draft["size"] = parse_whole_number(match.group(1), lang=lang, low=1)
    return match.group(3)


def _read_numbers(part: str, draft: dict[str, Any], lang: str) -> bool:
    """Read the numbers of one part into ``draft``; False when they make no sense."""
    rest = _read_size(part, draft, lang)
    if rest is not None:
        return not re.search(r"\d", rest) or _read_numbers(rest, draft, lang)
    for name, pattern in (("experience_years", _EXPERIENCE), ("age", _AGE)):
        if pattern.search(part):
            draft[name] = parse_range(_label_free(part, pattern), lang=lang, unit="years")
            return True
    name = "age" if "age" not in draft else "experience_years"
    if name in draft:
        return False
    draft[name] = parse_range(part, lang=lang, unit="years")
    return True


def extract_target_group(text: str, *, lang: str = "nl") -> TargetGroupDraft:
    """The target group a sentence describes (see the module docstring)."""
    draft: dict[str, Any] = {}
    education: list[EducationLevel] = []
    unread: list[str] = []
    for part in _segments(text, lang):
        levels = [EDUCATION_WORDS[w] for w in _EDUCATION.findall(part)]
        education += [level for level in levels if level not in education]
        if not re.search(r"\d", part):
            if not levels:
                unread.append(part)
            continue
        try:
            rest = _EDUCATION.sub(" ", _EDUCATED_PEOPLE.sub("mensen", part))  # 3 hbo'ers
            understood = _read_numbers(" ".join(rest.split()), draft, lang)
        except ParseError:
            understood = False
        if not understood:
            unread.append(part)
    return TargetGroupDraft(**draft, education=education or None, unread=unread)


class ConstraintsDraft(BaseModel):
    """The constraints a sentence gave; None for what it did not mention."""

    max_interventions: int | None = None
    max_minutes: int | None = None
    deadline_months: int | None = None
    formats: list[str] | None = None
    unread: list[str] = []


_BOUND = rf"(?:(?:{_words([p for p, _, _ in BOUND_PREFIXES])})\s*)?"
_ITEMS = re.compile(rf"{_BOUND}{NUMBER}\s*(?:{_words(UNIT_WORDS['items'])})\b")
_DURATION = re.compile(
    rf"{_BOUND}(?:{NUMBER}\s*(?:{_words(DURATION_UNITS)})\b\s*(?:en\s+|and\s+)?)+")
_PERIOD = re.compile(
    rf"(?:(?:binnen|within|in|over)\s+)?{NUMBER}\s*(?:{_words(PERIOD_UNITS)})\b")
_FORMAT = re.compile(rf"(?<![a-z])({_words(FORMAT_ALIASES)})(?![a-z])")


def _read_constraint(part: str, draft: dict[str, Any], today: date, lang: str) -> bool:
    if match := _ITEMS.search(part):
        draft["max_interventions"] = parse_whole_number(match.group(), lang=lang, unit="items",
                                                        bound="max", low=1)
    elif match := _DURATION.search(part):
        draft["max_minutes"] = parse_duration(match.group().strip(), lang=lang, bound="max")
    elif match := _PERIOD.search(part):
        draft["deadline_months"] = parse_deadline_months(match.group(), today=today,
                                                         lang=lang, high=120)
    else:
        return False
    return True


def extract_constraints(text: str, *, today: date, lang: str = "nl") -> ConstraintsDraft:
    """A path's constraints from one sentence: the most trainings ("maximum van 4
    leerinterventies"), the most time ("niet meer dan 5 uur", as minutes), the months to finish
    in ("binnen een half jaar") and the learning formats ("enkel online")."""
    draft: dict[str, Any] = {}
    unread: list[str] = []
    for part in _segments(text, lang):
        formats = [FORMAT_ALIASES[w] for w in _FORMAT.findall(part)]
        if formats:
            draft["formats"] = list(dict.fromkeys([*draft.get("formats", []), *formats]))
        try:
            understood = _read_constraint(part, draft, today, lang) or bool(formats)
        except ParseError:
            understood = False
        if not understood and "max_interventions" not in draft:
            understood = _bare_count(part, draft)
        if not understood:
            unread.append(part)
    return ConstraintsDraft(**draft, unread=unread)


_BARE_MAXIMUM = re.compile(r"(?:max(?:imaal|imum)?|hooguit|ten hoogste|at most|up to)\s*(\d{1,2})")


def _bare_count(part: str, draft: dict[str, Any]) -> bool:
    """"max 4" with no unit, in a sentence of constraints: the most trainings (time comes with
    its unit, "5 uur"; months with theirs)."""
    match = _BARE_MAXIMUM.fullmatch(part.strip().casefold())
    if match is None or not 0 < int(match.group(1)) <= 20:
        return False
    draft["max_interventions"] = int(match.group(1))
    return True
