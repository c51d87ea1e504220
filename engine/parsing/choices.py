"""Picking from a list of (value, label) options by typing: a number ("2", "twee", "de
tweede"), the label or value (typos allowed), or yes/no for a yes/no-like pair; several at once
("1,2", "1 en 3", "1-3", "mbo en hbo", "mbo + hbo", "alle", "allemaal", "geen").

Typed labels are matched like ``dialogs.inputs`` does: exact first, then rapidfuzz's WRatio
with a cut-off of 80.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from engine.parsing.answers import parse_yes_no
from engine.parsing.errors import ParseError
from engine.parsing.numbers import ORDINALS, word_number
from engine.text import fold

Option = tuple[str, str]  # (value, label)
CHOICE_CUTOFF = 80
#: an answer of more words than this must resemble a label as a whole (plain ratio)
SHORT_ANSWER = 3
LONG_CUTOFF = 88
ALL_WORDS = frozenset({"alle", "allemaal", "alles", "alle opties", "alle drie", "all",
                       "all of them", "everything", "every one"})
BOTH_WORDS = frozenset({"beide", "allebei", "alle twee", "both", "both of them"})
NONE_WORDS = frozenset({"geen", "geen enkele", "geen van beide", "geen van allen", "niets",
                        "niks", "none", "neither", "nothing", "none of them", "no one"})
#: Words around a choice that do not change it ("alleen online", "only online").
_FILLERS = re.compile(r"\b(?:alleen|enkel|uitsluitend|slechts|only|just|graag|please|de|het"
                      r"|nummer|optie|number|option|the|niveau|level)\b")
_SEPARATORS = re.compile(r"\s*(?:[,;/+&]|\ben\b|\band\b|\bplus\b)\s*")
_NUMBER_RANGE = re.compile(r"^(\d+)\s*-\s*(\d+)$")


def _clean(text: str) -> str:
    value = " ".join(fold(text).replace("’", "'").split()).strip(" .!?")
    return value


def _options_list(options: Sequence[Option]) -> str:
    return ", ".join(f"{i}. {label}" for i, (_, label) in enumerate(options, start=1))


def _not_a_choice(options: Sequence[Option]) -> ParseError:
    return ParseError("parsing.not_a_choice", options=_options_list(options))


def _position(value: str) -> int | None:
    """1-based position a text names: "2", "twee", "de tweede", "#2"; None if it names none."""
    value = value.removeprefix("#").strip()
    if value.isdigit():
        return int(value)
    if value in ORDINALS:
        return ORDINALS[value]
    if value in {"laatste", "last"}:
        return -1
    return word_number(value) if value.isalpha() else None


def _by_yes_no(value: str, options: Sequence[Option]) -> Option | None:
    """The one option that says yes (or no) when the answer does: "ja" for "Ja, stel mij voor"."""
    try:
        answer = parse_yes_no(value)
    except ParseError:
        return None
    fitting = []
    for option in options:
        for text in (option[1], option[0]):
            try:
                if parse_yes_no(text) == answer:
                    fitting.append(option)
                    break
            except ParseError:
                continue
    return fitting[0] if len(fitting) == 1 else None


def _exact(value: str, options: Sequence[Option]) -> Option | None:
    for candidate in (value, " ".join(_FILLERS.sub(" ", value).split())):
        for option in options:
            if candidate in {fold(option[0]), fold(option[1])}:
                return option
    return None


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text))


def _by_value(value: str, options: Sequence[Option]) -> Option | None:
    """The one option whose value is a word of the answer: "delete everything" for
    ("delete", "Erase everything")."""
    words = _words(value)
    named = [o for o in options if o[0].isalpha() and len(o[0]) >= 4 and fold(o[0]) in words]
    return named[0] if len(named) == 1 else None


def _fuzzy(value: str, options: Sequence[Option]) -> Option | None:
    """A label with a typo. A long answer must resemble a label as a whole: it is never matched
    by one word it happens to contain ("eigenlijk wil ik liever de scan doen" is no level).
    Words that several labels share ("alles" in "Alles downloaden" and "Alles wissen") do not
    decide: "wis alles" is compared as "wis"."""
    labels = [fold(label) for _, label in options]
    inside = [i for i, label in enumerate(labels) if re.search(rf"\b{re.escape(value)}\b", label)]
    if len(inside) == 1:  # a part of one label, word for word ("het werk gaat voor")
        return options[inside[0]]
    counts: dict[str, int] = {}
    for label in labels:
        for word in _words(label):
            counts[word] = counts.get(word, 0) + 1
    shared = {word for word, count in counts.items() if count > 1}
    if _words(value) & shared:
        value = " ".join(w for w in value.split() if w not in shared)
        labels = [" ".join(w for w in label.split() if w not in shared) for label in labels]
        if not value:
            return None
    short = len(value.split()) <= SHORT_ANSWER
    found = process.extract(value, labels, scorer=fuzz.WRatio if short else fuzz.ratio,
                            score_cutoff=CHOICE_CUTOFF if short else LONG_CUTOFF, limit=None)
    for _, _, index in found:
        if _marks_kept(value, labels[index]):
            return options[index]
    return None


def _marks_kept(value: str, label: str) -> bool:
    """A letter or number on its own is no typo: "Secretaresse Y" is not "Secretaresse X"."""
    words = set(re.findall(r"\w+", label))
    return all(word in words for word in re.findall(r"\w+", value)
               if len(word) == 1 or word.isdigit())


def pick_choice(text: str, options: Sequence[Option]) -> str:
    """The value of the option a typed answer means. Raises ParseError (empty, choice_number,
    not_a_choice)."""
    value = _clean(text)
    if not value:
        raise ParseError("parsing.empty")
    position = _position(" ".join(_FILLERS.sub(" ", value).split()))
    if position is not None:
        if position == -1:
            return options[-1][0]
        if 1 <= position <= len(options):
            return options[position - 1][0]
        raise ParseError("parsing.choice_number", count=len(options))
    found = (_exact(value, options) or _by_yes_no(value, options) or _by_value(value, options)
             or _fuzzy(value, options))
    if found is None:
        raise _not_a_choice(options)
    return found[0]


def _parts(value: str) -> list[str]:
    """The separate answers in a list: "1,2", "1 en 3", "1 2 3", "mbo + hbo"."""
    parts = [p for p in _SEPARATORS.split(value) if p]
    if len(parts) == 1 and re.fullmatch(r"[\d\s]+", parts[0]):
        parts = parts[0].split()
    return parts


def _expand(part: str, options: Sequence[Option]) -> list[str]:
    match = _NUMBER_RANGE.match(part)
    if match is None:
        return [pick_choice(part, options)]
    first, last = sorted((int(match.group(1)), int(match.group(2))))
    if first < 1 or last > len(options):
        raise ParseError("parsing.choice_number", count=len(options))
    return [value for value, _ in options[first - 1:last]]


def pick_choices(text: str, options: Sequence[Option]) -> list[str]:
    """The values of the options a typed answer picks, in the options' order; [] for "geen".
    A single option (a lone checkbox) is also picked by "1" or "ja" and left by "nee"."""
    value = _clean(text)
    if not value:
        raise ParseError("parsing.empty")
    if value in NONE_WORDS:
        return []
    if value in ALL_WORDS or (value in BOTH_WORDS and len(options) == 2):
        return [v for v, _ in options]
    if len(options) == 1:
        try:
            return [options[0][0]] if parse_yes_no(value) else []
        except ParseError:
            pass
    whole = _exact(value, options)
    if whole is None and not _SEPARATORS.search(value):
        whole = _fuzzy(value, options)
    picked = {whole[0]} if whole else {v for p in _parts(value) for v in _expand(p, options)}
    return [v for v, _ in options if v in picked]
