"""Intent routing: which dialog a free sentence or a command asks for.

Each dialog lists example phrases (Dutch and English). A phrase matches when most of its
words occur in the input (typos allowed, any order); the best covering phrase wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from engine.text import tokens

WORD_SIMILARITY = 84
MIN_COVERAGE = 0.75


@dataclass(frozen=True)
class Route:
    dialog: str
    score: float
    phrase: str


class Router:
    def __init__(self, phrases: dict[str, list[str]]) -> None:
        self._entries: list[tuple[str, str, tuple[str, ...]]] = []
        for dialog, examples in phrases.items():
            for example in examples:
                words = tokens(example.lstrip("/"), keep_stopwords=True)
                if words:
                    self._entries.append((dialog, example, words))
        self._vocab = sorted({w for _, _, words in self._entries for w in words})
        self._index = {w: i for i, w in enumerate(self._vocab)}

    def route(self, text: str) -> Route | None:
        words = tuple(dict.fromkeys(tokens(text.lstrip("/"), keep_stopwords=True)))
        if not words or not self._vocab:
            return None
        similarity = cdist(words, self._vocab, scorer=fuzz.ratio,
                           score_cutoff=WORD_SIMILARITY).max(axis=0)
        best: Route | None = None
        best_key: tuple[float, float] = (0.0, 0.0)
        for dialog, example, phrase_words in self._entries:
            hits = [similarity[self._index[w]] / 100 for w in phrase_words]
            coverage = sum(hits) / len(hits)
            if coverage < MIN_COVERAGE:
                continue
            # prefer the phrase that explains more of what was typed
            explained = min(len(phrase_words) / len(words), 1.0)
            key = (coverage, explained)
            if key > best_key:
                best, best_key = Route(dialog, round(coverage * 100, 1), example), key
        return best
