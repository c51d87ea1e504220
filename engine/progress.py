"""Reading a progress sentence: "ik heb prioriteiten stellen afgerond", "begonnen met
klantvriendelijkheid", "finished time management". Which status it reports, and which of the
person's trainings it names (typos allowed); when two are equally close, both, to ask."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein

from engine.text import fold

Reported = Literal["started", "done"]

#: words saying a training is finished, or begun (folded, as typed; a few common typos)
DONE_WORDS = ("afgerond", "afgeond", "afgrond", "klaar", "gedaan", "voltooid", "gehaald",
              "afgesloten", "af", "finished", "completed", "done", "complete")
STARTED_WORDS = ("begonnen", "begonen", "gestart", "bezig", "start", "begin", "started",
                 "begun", "starting")
#: a title this close (0-100, partial match on the sentence) counts as named
NAMED = 80
#: a runner-up this close to the best is a reason to ask which one is meant
TIE = 6


#: a typed word this long may be a status word with one typo ("finishd", "gestrat")
TYPO_LENGTH = 6


def _status(word: str) -> Reported | None:
    """The status one word reports: a status word, or a long one with one typo."""
    for status, known in (("done", DONE_WORDS), ("started", STARTED_WORDS)):
        if word in known:
            return status  # type: ignore[return-value]
    if len(word) < TYPO_LENGTH:
        return None
    for status, known in (("done", DONE_WORDS), ("started", STARTED_WORDS)):
        if any(len(k) >= TYPO_LENGTH and DamerauLevenshtein.distance(word, k) == 1
               for k in known):
            return status  # type: ignore[return-value]
    return None


def reported(text: str) -> Reported | None:
    found = re.findall(r"[a-z]+", fold(text))
    said = {_status(w) for w in found if w != "af"}
    if "done" in said or found[-1:] == ["af"]:  # "af" only at the end: not "af en toe"
        return "done"
    if "started" in said:
        return "started"
    return None


def _without_status(text: str) -> str:
    noise = {*DONE_WORDS, *STARTED_WORDS, "ik", "heb", "ben", "met", "de", "het", "een",
             "training", "cursus", "i", "have", "the", "with", "am", "en", "net", "zojuist"}
    return " ".join(w for w in re.findall(r"[a-z0-9]+", fold(text))
                    if w not in noise and (w == "af" or _status(w) is None))


def named(text: str, titles: Sequence[str]) -> list[int]:
    """The indexes of the titles the sentence names: one when sure, several (best first) when
    some are about as close, none when nothing is close enough."""
    rest = _without_status(text)
    if not rest:
        return []
    scores = []
    for index, title in enumerate(titles):
        folded = fold(title)
        score = max(fuzz.partial_ratio(rest, folded) if len(rest) >= 4 else 0,
                    fuzz.token_set_ratio(rest, folded), fuzz.WRatio(rest, folded))
        scores.append((score, index))
    scores.sort(reverse=True)
    if not scores or scores[0][0] < NAMED:
        return []
    best = scores[0][0]
    return [index for score, index in scores if score >= NAMED and best - score < TIE]
