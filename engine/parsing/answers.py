"""Short answers: yes or no in their many forms, and "I don't know" / "no preference" for a
question that may be left open (a distinct result, not an error)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz, process

from engine.parsing.errors import ParseError, fail
from engine.text import fold

YES_PHRASES = (
    "ja", "jazeker", "ja zeker", "jawel", "ja hoor", "ja graag", "ja prima", "jep", "jup", "j",
    "graag", "zeker", "zeker weten", "natuurlijk", "tuurlijk", "uiteraard", "prima", "goed",
    "is goed", "goed zo", "oke", "okee", "ok", "okay", "oki", "akkoord", "top", "doe maar",
    "doen", "klopt", "dat klopt", "correct", "geen probleem", "geen bezwaar", "mag",
    "yes", "yes please", "yep", "yeah", "yup", "ya", "y", "sure", "of course", "absolutely",
    "definitely", "certainly", "alright", "all right", "fine", "agreed", "no problem",
    "sounds good", "please", "right",
)
NO_PHRASES = (
    "nee", "neen", "nee dank je", "nee dank u", "nee bedankt", "nee hoor", "neuh", "nope",
    "nah", "n", "niet", "liever niet", "niet nodig", "hoeft niet", "nooit", "geen behoefte",
    "no", "no thanks", "no thank you", "not really", "rather not", "i'd rather not",
    "never", "not now", "niet nu", "nein",
)
_YES_SIGNS = ("👍", "✅", "✔")
_NO_SIGNS = ("👎", "❌", "✖")

NoAnswerKind = Literal["unknown", "no_preference", "skip"]
#: Whole answers that leave an optional question open.
NO_ANSWERS: dict[str, NoAnswerKind] = {
    **dict.fromkeys((
        "weet ik niet", "weet niet", "ik weet het niet", "ik weet niet", "weet ik veel",
        "geen idee", "geen flauw idee", "onbekend", "?", "??", "dont know", "don't know",
        "i don't know", "i dont know", "do not know", "no idea", "not sure", "unknown",
        "idk", "geen flauw benul", "ik weet het (nog) niet", "weet ik nog niet", "nog niet bekend",
    ), "unknown"),
    **dict.fromkeys((
        "maakt niet uit", "maakt me niet uit", "maakt mij niet uit", "maakt niks uit",
        "maakt niet zoveel uit", "geen voorkeur", "om het even", "alles is goed", "alles goed",
        "doesn't matter", "doesnt matter", "does not matter", "no preference", "any",
        "anything", "whatever", "either", "no matter", "don't mind", "dont mind",
        "i don't mind", "i dont mind", "n.v.t.", "nvt", "niet van toepassing", "n/a",
    ), "no_preference"),
    **dict.fromkeys(("-", "--", "overslaan", "sla over", "skip", "volgende", "next", "pass"),
                    "skip"),
}

#: a no-answer phrase this long may carry a typo; shorter ones ("-", "nvt") must be exact
TYPO_FREE = 8
TYPO_CUTOFF = 88
_LONG_NO_ANSWERS = [phrase for phrase in NO_ANSWERS if len(phrase) >= TYPO_FREE]
T = TypeVar("T")


class NoAnswer(BaseModel):
    """The user chose not to answer: does not know, has no preference, or skips."""

    model_config = ConfigDict(frozen=True)

    kind: NoAnswerKind


def _words(text: str) -> str:
    """Folded, punctuation but apostrophes and '?' turned into spaces."""
    value = fold(text).replace("’", "'")
    value = re.sub(r"[^\w'?/.\-]+", " ", value)
    return " ".join(value.split()).strip(" .")


def _starts_with(value: str, phrases: tuple[str, ...]) -> int:
    """Length of the longest phrase ``value`` is or starts with (as whole words); 0 if none."""
    best = 0
    for phrase in phrases:
        if (value == phrase or value.startswith(phrase + " ")) and len(phrase) > best:
            best = len(phrase)
    return best


def parse_yes_no(text: str) -> bool:
    """True for yes ("ja", "jazeker", "ja graag", "Ja, stel mij voor", "ok", "prima", "yes",
    "yep"), False for no ("nee", "nee dank je", "liever niet", "no", "nope"). The answer's
    opening words decide, the longest phrase first ("no problem" is a yes, "niet goed" a no).
    Raises ParseError (not_yes_no)."""
    stripped = text.strip()
    if not stripped:
        raise ParseError("parsing.empty")
    if stripped.startswith(_YES_SIGNS):
        return True
    if stripped.startswith(_NO_SIGNS):
        return False
    value = _words(stripped).replace("?", "").strip()
    for variant in _stretched(value):
        yes, no = _starts_with(variant, YES_PHRASES), _starts_with(variant, NO_PHRASES)
        if yes != no:  # both cannot match with the same length: equal means neither
            return yes > no
    raise fail("parsing.not_yes_no", text)


def _stretched(value: str) -> list[str]:
    """``value``, and for "jaaa" or "neeee" the word with its letters run in once or twice."""
    if not re.search(r"(\w)\1\1", value):
        return [value]
    return [value, re.sub(r"(\w)\1{2,}", r"\1\1", value), re.sub(r"(\w)\1{2,}", r"\1", value)]


def read_no_answer(text: str) -> NoAnswer | None:
    """The ``NoAnswer`` an empty or "weet ik niet" / "maakt niet uit" / "-" answer means;
    None for any other answer."""
    value = _words(text)
    if not value:
        return NoAnswer(kind="skip")
    kind = NO_ANSWERS.get(value) or NO_ANSWERS.get(value.rstrip("?").strip())
    if kind is None and len(value) >= TYPO_FREE:  # "wiet ik niet", "maakt nit uit"
        near = process.extractOne(value, _LONG_NO_ANSWERS, scorer=fuzz.ratio,
                                  score_cutoff=TYPO_CUTOFF)
        kind = NO_ANSWERS[near[0]] if near is not None else None
    return NoAnswer(kind=kind) if kind else None


def parse_optional(text: str, parse: Callable[[str], T]) -> T | NoAnswer:
    """``parse(text)``, unless the answer leaves an optional question open."""
    open_answer = read_no_answer(text)
    return open_answer if open_answer is not None else parse(text)
