"""Word search over small collections (actions, FAQ entries): every query word must be found
in a document (typos allowed); documents are ranked by how well."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from engine.text import tokens

WORD_SIMILARITY = 80


class WordSearch:
    def __init__(self, documents: Sequence[str]) -> None:
        self._docs = [set(tokens(text)) for text in documents]
        self._vocab = sorted(set().union(*self._docs)) if self._docs else []
        index = {w: i for i, w in enumerate(self._vocab)}
        self._members = [np.array([index[w] for w in doc], dtype=np.int64) for doc in self._docs]

    def search(self, query: str, limit: int = 10) -> list[tuple[int, float]]:
        """(document index, score 0..100), best first; only documents holding every word."""
        words = tuple(dict.fromkeys(tokens(query)))
        if not words or not self._vocab:
            return []
        sims = cdist(words, self._vocab, scorer=fuzz.ratio, score_cutoff=WORD_SIMILARITY)
        for row, word in enumerate(words):  # compounds: "feedback" finds "feedbackcultuur"
            if len(word) >= 4:
                for col, candidate in enumerate(self._vocab):
                    if candidate.startswith(word) and sims[row, col] < 90:
                        sims[row, col] = 90
        results = []
        for doc, members in enumerate(self._members):
            if not len(members):
                continue
            best = sims[:, members].max(axis=1)
            if best.min() > 0:
                results.append((doc, round(float(best.mean()), 1)))
        results.sort(key=lambda item: (-item[1], item[0]))
        return results[:limit]
