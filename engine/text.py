"""Text normalisation shared by matching and search: case, accents, punctuation, stopwords.

Dutch compounds are kept whole ("e-mail" becomes "email", "dia's" becomes "dias") so that
the hyphen or apostrophe of one spelling does not split a word that another spelling writes
as one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

#: Words that carry no topic in a learning wish, Dutch and English.
STOPWORDS = frozenset(
    [
        "aan", "al", "alle", "alles", "als", "af", "achter", "bij", "beetje", "dan", "dat",
        "de", "deze", "die", "dit", "doe", "doen", "door", "dus", "een", "eigen", "en", "enz",
        "er", "erg", "even", "eens", "gaan", "ga", "geen", "graag", "had", "heb", "hebben",
        "heeft", "heel", "het", "hier", "hoe", "hun", "ik", "in", "is", "iets", "ja", "je",
        "jij", "jou", "jouw", "kan", "kun", "kunnen", "krijg", "krijgen", "laat", "laten",
        "maar", "me", "mee", "men", "meer", "met", "mezelf", "mij", "mijn", "moet", "moeten",
        "na", "naar", "nee", "niet", "nog", "nu", "of", "om", "omdat", "ons", "onze", "ook",
        "op", "over", "steeds", "te", "tegen", "toch", "tot", "u", "uit", "van", "veel", "vaak",
        "voor", "waar", "wat", "wanneer", "want", "was", "we", "wel", "wij", "wil", "wilt",
        "willen", "wie", "word", "worden", "wordt", "zal", "ze", "zelf", "zich", "zij", "zijn",
        "zo", "zou", "zouden", "zoals", "altijd", "soms", "echt", "gewoon", "manier", "beter",
        "goed", "leren", "leer", "verbeteren", "verbeter", "hulp", "help", "helpen", "zoek",
        "zoeken", "vind", "vinden", "training", "trainingen", "cursus", "cursussen",
        "opleiding", "opleidingen", "workshop", "bijleren", "ontwikkelen", "sterker",
        "handiger", "meest", "vooral", "maak", "maken", "gebruik", "gebruiken", "i", "my",
        "mine", "wants", "wanted", "to", "learn", "learning", "how", "the", "a", "an", "and",
        "or", "for", "on", "with", "at", "be", "get", "getting", "better", "improve",
        "improving", "become", "more", "about", "some", "any", "are", "am", "do", "does",
        "please", "course", "courses", "trainings", "need", "would", "like", "can", "could",
        "should", "our",
    ]
)

_APOSTROPHE = re.compile(r"(?<=\w)['’`](?=\w)")
_JOINER = re.compile(r"(?<=[^\W\d_])[-.](?=[^\W\d_])")
_NON_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case without accents: "Ideeën" -> "ideeen"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=65536)
def tokens(text: str, *, keep_stopwords: bool = False) -> tuple[str, ...]:
    """Normalised words of ``text``: folded, compounds joined, punctuation and stopwords gone."""
    folded = _JOINER.sub("", _APOSTROPHE.sub("", fold(text)))
    words = _NON_WORD.sub(" ", folded).split()
    if keep_stopwords:
        return tuple(words)
    return tuple(w for w in words if w not in STOPWORDS)


_DUTCH = snowballstemmer.stemmer("dutch")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Dutch Snowball stem of a normalised word ("vergaderingen" -> "vergader")."""
    return _DUTCH.stemWord(word)


def normalise(text: str) -> str:
    """``tokens`` joined by single spaces."""
    return " ".join(tokens(text))
