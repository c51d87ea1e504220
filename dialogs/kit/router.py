"""Intent routing: which dialog a free sentence or a command asks for.

Each dialog lists example phrases (Dutch and English). A phrase matches when most of its
words occur in the input (typos allowed, any order); the best covering phrase wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
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
        index = {w: i for i, w in enumerate(self._vocab)}
        # each phrase as a row of vocabulary positions, padded with a position that scores 0
        longest = max((len(words) for _, _, words in self._entries), default=0)
        self._rows = np.full((len(self._entries), longest), len(self._vocab), dtype=np.intp)
        for row, (_, _, words) in enumerate(self._entries):
            self._rows[row, :len(words)] = [index[w] for w in words]
        self._lengths = np.array([len(words) for _, _, words in self._entries], dtype=float)

    def route(self, text: str) -> Route | None:
        words = tuple(dict.fromkeys(tokens(text.lstrip("/"), keep_stopwords=True)))
        if not words or not self._vocab:
            return None
        similarity = cdist(words, self._vocab, scorer=fuzz.ratio,
                           score_cutoff=WORD_SIMILARITY).max(axis=0) / 100
        hits = np.append(similarity, 0.0)[self._rows]  # phrases x words, padding scores 0
        coverage = hits.sum(axis=1) / self._lengths
        covered = np.flatnonzero(coverage >= MIN_COVERAGE)
        if not covered.size:
            return None
        # the best covering phrase; then the one that explains more of what was typed; then
        # the first listed
        explained = np.minimum(self._lengths[covered] / len(words), 1.0)
        best = covered[np.lexsort((-explained, -coverage[covered]))[0]]
        dialog, example, _ = self._entries[best]
        return Route(dialog, round(float(coverage[best]) * 100, 1), example)
