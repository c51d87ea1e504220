"""What typed text may mean besides an answer: a command with a typo ("stpo"), or a request
for another dialog ("eigenlijk wil ik liever de scan doen"). The conductor asks instead of
guessing when one of these is likely (see ``Conductor._typed``)."""

from __future__ import annotations

from rapidfuzz.distance import DamerauLevenshtein

from engine.text import fold, tokens

#: commands that are asked about when typed with one typo (greetings are never guessed)
GUESSABLE = ("stop", "back", "help", "resume")
#: words that say "not an answer: I want something else"
SWITCH_MARKERS = frozenset({"eigenlijk", "liever", "toch", "instead", "rather", "actually"})
#: a routed sentence at least this sure may be a request for another dialog
SURE_ROUTE = 90.0
#: ... and a text that is no valid answer is offered to a route at least this sure
LOOSE_ROUTE = 75.0
SHORT = 4


#: words said before a command on second thought ("nee wacht, terug", "oeps stop")
HESITATIONS = frozenset({"nee", "neen", "wacht", "even", "ho", "oh", "oeps", "sorry", "toch",
                         "laat", "maar", "eh", "ehm", "hmm", "no", "wait", "oops", "hold", "on",
                         "please", "graag", "alsjeblieft"})


def near_command(text: str, commands: dict[str, set[str]]) -> str | None:
    """The command a single mistyped word means ('stpo' -> 'stop'), or a command said after
    words of hesitation ('nee wacht, terug'), or None."""
    words = tokens(text, keep_stopwords=True)
    if len(words) > 1:
        rest = [w for w in words if w not in HESITATIONS]
        if len(rest) != 1:
            return None
        return next((name for name in GUESSABLE for known in commands[name]
                     if rest[0] == known or (len(known) >= 4 and len(rest[0]) >= 4 and
                                             DamerauLevenshtein.distance(rest[0], known) == 1)),
                    None)
    word = fold(text).strip().strip("!.").lstrip("/")
    if " " in word or len(word) < 4:
        return None
    for name in GUESSABLE:
        for known in commands[name]:
            if len(known) >= 4 and DamerauLevenshtein.distance(word, known) == 1:
                return name
    return None


def wants_switch(text: str, score: float, phrase: str) -> bool:
    """A sure route said as a change of mind ("eigenlijk liever de scan"), or a short text that
    is a request of several words ("leerljn maken"), is more likely a request for another
    dialog than an answer. One word that happens to name a dialog ("buddy" as a search term) is
    not: it is offered only when the step cannot take it as an answer."""
    words = tokens(text, keep_stopwords=True)
    if score < SURE_ROUTE:
        return False
    if SWITCH_MARKERS & set(words):
        return True
    return len(words) <= SHORT and len(tokens(phrase, keep_stopwords=True)) >= 2
