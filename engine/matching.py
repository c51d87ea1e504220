"""Competency matching: free text (Dutch, typos, any word order, English loanwords) onto the
competencies of the active catalogue, helped by the taxonomy.

How a query is scored (the choices are measured in ``bench/matching.py``):

1. The query and every *alias* of a competency are normalised into words
   (:mod:`engine.text`). A competency's aliases are its own label, its taxonomy names
   (synonyms, English terms) and the titles and keywords of its trainings.
2. Each query word is compared with every distinct alias word once, with rapidfuzz's
   ``ratio`` (``cdist`` over the vocabulary), plus a prefix rule for Dutch compounds
   ("presentatie" in "presentatievaardigheden"). Similarities below ``TOKEN_CUTOFF`` count 0.
3. An alias scores the idf-weighted share of its words that the query covers, damped by the
   share of the query the alias explains. A competency scores its best alias.
4. ``confident`` is true when the best score reaches ``CONFIDENT_SCORE``, calibrated on the
   evaluation set; below it we say so instead of guessing.

Whole-string scorers were measured and rejected: WRatio is slow on large catalogues and gives
many ties at 90, partial_ratio gives short labels 100 against any query containing them, and
rapidfuzz's default_process keeps accents and splits "e-mail".
"""

from __future__ import annotations

import asyncio
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from engine.text import normalise, stem, tokens
from knowledge.catalogue import Catalogue, Training
from knowledge.taxonomy import Taxonomy

TOKEN_CUTOFF = 78.0
STEM_CUTOFF = 90.0
STEM_WEIGHT = 0.95  # a stem match counts a little less than the word itself
KNOWN_WORD_FUZZ = 0.85  # fuzzy look-alikes of a word that is itself in the vocabulary
PREFIX_MIN = 5
QUERY_DAMPING = 0.7
CONFIDENT_SCORE = 72.0
#: Above this many alias words a match runs in a worker thread, off the event loop.
EXECUTOR_THRESHOLD = 20_000
MAX_TRAININGS = 10

# How much an alias of each kind counts.
WEIGHT_LABEL = 1.0
WEIGHT_TAXONOMY = 0.97
WEIGHT_RELATED = 0.88  # a related taxonomy entry ("Leidinggeven" for "Coachend leidinggeven")
WEIGHT_TITLE = 0.9
WEIGHT_KEYWORD = 0.9


class Match(BaseModel):
    competency: str
    score: float
    trainings: list[str]


class MatchResult(BaseModel):
    query: str
    confident: bool
    matches: list[Match]

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


@dataclass(frozen=True)
class _Alias:
    words: tuple[str, ...]
    target: int
    weight: float
    training: int  # index of the training the alias comes from, -1 for names


def _taxonomy_links(labels: list[str], taxonomy: Taxonomy) -> dict[int, list[int]]:
    """Catalogue label index -> taxonomy competency indices that name the same thing."""
    names: dict[str, set[int]] = defaultdict(set)
    for index, competency in enumerate(taxonomy.competencies):
        for name in competency.names:
            key = normalise(name)
            if key:
                names[key].add(index)
    links: dict[int, list[int]] = {}
    for label_index, label in enumerate(labels):
        key = normalise(label)
        found = set(names.get(key, ()))
        if not found and key:
            for name_key, owners in names.items():
                if fuzz.token_sort_ratio(key, name_key) >= 92:
                    found |= owners
        if found:
            links[label_index] = sorted(found)
    return links


def _related_links(labels: list[str], taxonomy: Taxonomy, linked: dict[int, list[int]],
                   trainings: list[tuple[set[str], list[int]]]) -> dict[int, list[int]]:
    """Taxonomy entries no catalogue label names, attached where they clearly belong:
    to catalogue labels that contain all the entry's words or whose words the entry contains
    ("Leidinggeven" and "Coachend leidinggeven"), and to the labels of trainings whose title or
    keywords are one of the entry's names ("chatgpt" -> the AI training's competencies)."""
    used = {t for indices in linked.values() for t in indices}
    label_words = [set(tokens(label)) for label in labels]
    related: dict[int, set[int]] = defaultdict(set)
    for t_index, competency in enumerate(taxonomy.competencies):
        words = set(tokens(competency.label.nl))
        if t_index in used or not words:
            continue
        for label_index, candidate in enumerate(label_words):
            if candidate and (words < candidate or candidate < words):
                related[label_index].add(t_index)
        names = {normalise(name) for name in competency.names} - {""}
        for texts, targets in trainings:
            if names & texts:
                for label_index in targets:
                    related[label_index].add(t_index)
    return {k: sorted(v) for k, v in related.items()}


class CompetencyMatcher:
    """An index over one catalogue (plus the taxonomy), built once and queried many times."""

    def __init__(self, catalogue: Catalogue, taxonomy: Taxonomy) -> None:
        self.catalogue = catalogue
        self.taxonomy = taxonomy
        if catalogue.own_competencies:
            self.labels = catalogue.competency_labels()
        else:
            self.labels = [c.label.nl for c in taxonomy.competencies]
        label_index = {label: i for i, label in enumerate(self.labels)}
        self.trainings_of: list[list[int]] = [[] for _ in self.labels]
        for t_index, training in enumerate(catalogue.trainings):
            for label in training.competencies:
                if label in label_index:
                    self.trainings_of[label_index[label]].append(t_index)
        self._build(self._aliases(label_index))

    # ---------------------------------------------------------------- building

    def _aliases(self, label_index: dict[str, int]) -> list[_Alias]:
        aliases: list[_Alias] = []

        def add(text: str, target: int, weight: float, training: int = -1) -> None:
            words = tokens(text)
            if words:
                aliases.append(_Alias(words, target, weight, training))

        for index, label in enumerate(self.labels):
            add(label, index, WEIGHT_LABEL)
        if self.catalogue.own_competencies:
            links = _taxonomy_links(self.labels, self.taxonomy)
            training_texts = [
                ({normalise(t.title), *(normalise(k) for k in t.keywords)} - {""},
                [label_index[c] for c in t.competencies if c in label_index])
                for t in self.catalogue.trainings]
            related = _related_links(self.labels, self.taxonomy, links, training_texts)
        else:
            links = {i: [i] for i in range(len(self.labels))}
            related = {}
        for weight, mapping in ((WEIGHT_TAXONOMY, links), (WEIGHT_RELATED, related)):
            for label_idx, taxonomy_indices in mapping.items():
                for t_idx in taxonomy_indices:
                    for name in self.taxonomy.competencies[t_idx].names:
                        add(name, label_idx, weight)
        for t_index, training in enumerate(self.catalogue.trainings):
            targets = [label_index[c] for c in training.competencies if c in label_index]
            for target in targets:
                add(training.title, target, WEIGHT_TITLE, t_index)
                for keyword in training.keywords:
                    add(keyword, target, WEIGHT_KEYWORD, t_index)
        # one alias per (words, target): the strongest kind wins
        best: dict[tuple[tuple[str, ...], int], _Alias] = {}
        for alias in aliases:
            key = (alias.words, alias.target)
            if key not in best or alias.weight > best[key].weight:
                best[key] = alias
        return list(best.values())

    def _build(self, aliases: list[_Alias]) -> None:
        vocabulary: dict[str, int] = {}
        for alias in aliases:
            for word in alias.words:
                vocabulary.setdefault(word, len(vocabulary))
        self.vocab = list(vocabulary)
        self._vocab_index = vocabulary
        self._stems = [stem(word) for word in self.vocab]
        # idf over competencies: a word shared by many competencies says little
        owners: list[set[int]] = [set() for _ in self.vocab]
        for alias in aliases:
            for word in alias.words:
                owners[vocabulary[word]].add(alias.target)
        n_targets = max(len(self.labels), 1)
        self.idf = np.array([math.log(1 + n_targets / len(o)) for o in owners], dtype=np.float32)
        self.max_idf = float(self.idf.max()) if len(self.idf) else 1.0
        # aliases in CSR form
        self.alias_ptr = np.zeros(len(aliases) + 1, dtype=np.int64)
        words = [vocabulary[w] for a in aliases for w in a.words]
        np.cumsum([len(a.words) for a in aliases], out=self.alias_ptr[1:])
        self.alias_tok = np.array(words, dtype=np.int64)
        self.alias_target = np.array([a.target for a in aliases], dtype=np.int64)
        self.alias_weight = np.array([a.weight for a in aliases], dtype=np.float32)
        self.alias_training = np.array([a.training for a in aliases], dtype=np.int64)
        # inverted index word -> aliases
        order = np.argsort(self.alias_tok, kind="stable")
        alias_of_pos = np.repeat(np.arange(len(aliases)), np.diff(self.alias_ptr))
        self.post_alias = alias_of_pos[order]
        self.post_ptr = np.searchsorted(self.alias_tok[order], np.arange(len(self.vocab) + 1))
        # prefixes for compounds: prefix -> words that start with it
        prefixes: dict[str, list[int]] = defaultdict(list)
        for word, index in vocabulary.items():
            for end in range(PREFIX_MIN, len(word)):
                prefixes[word[:end]].append(index)
        self._prefixes = {k: np.array(v, dtype=np.int64) for k, v in prefixes.items()}

    @property
    def size(self) -> int:
        """Alias words in the index: the work one query does is proportional to it."""
        return len(self.alias_tok)

    # ---------------------------------------------------------------- querying

    def _similarities(self, words: tuple[str, ...]) -> np.ndarray:
        """(query words x vocabulary) similarities 0..100, zero below the cutoff."""
        sims = cdist(words, self.vocab, scorer=fuzz.ratio, score_cutoff=TOKEN_CUTOFF,
                     dtype=np.float32, workers=1)
        # inflections: "presentatie" and "presenteren" share the stem "presenteer"
        stem_sims = cdist([stem(w) for w in words], self._stems, scorer=fuzz.ratio,
                          score_cutoff=STEM_CUTOFF, dtype=np.float32, workers=1)
        np.maximum(sims, stem_sims * STEM_WEIGHT, out=sims)
        # a word we know exactly is that word, not a typo of a look-alike
        # ("veranderingen" is not "vergaderingen")
        for row, word in enumerate(words):
            exact = self._vocab_index.get(word)
            if exact is not None:
                keep = sims[row, exact]
                sims[row] *= KNOWN_WORD_FUZZ
                sims[row, exact] = keep
                sims[row][sims[row] < TOKEN_CUTOFF] = 0
        for row, word in enumerate(words):
            if len(word) < PREFIX_MIN:
                continue
            longer = self._prefixes.get(word)
            if longer is not None:
                lengths = np.array([len(self.vocab[i]) for i in longer], dtype=np.float32)
                boost = 100.0 * (0.8 + 0.2 * len(word) / lengths)
                sims[row, longer] = np.maximum(sims[row, longer], boost)
            for end in range(PREFIX_MIN, len(word)):
                shorter = self._vocab_index.get(word[:end])
                if shorter is not None:
                    boost = 100.0 * (0.8 + 0.2 * end / len(word))
                    sims[row, shorter] = max(sims[row, shorter], boost)
        return sims

    def scores(self, text: str) -> np.ndarray:
        """Score 0..100 of every competency label for ``text``."""
        result = np.zeros(len(self.labels), dtype=np.float32)
        words = tuple(dict.fromkeys(tokens(text)))
        if not words or not self.vocab:
            return result
        sims = self._similarities(words)
        per_word = sims.max(axis=0)
        hit_words = np.flatnonzero(per_word)
        if not len(hit_words):
            return result
        postings = [self.post_alias[self.post_ptr[w]:self.post_ptr[w + 1]] for w in hit_words]
        candidates = np.unique(np.concatenate(postings))
        starts = self.alias_ptr[candidates]
        lengths = self.alias_ptr[candidates + 1] - starts
        seg = np.zeros(len(candidates), dtype=np.int64)
        np.cumsum(lengths[:-1], out=seg[1:])
        positions = np.repeat(starts - seg, lengths) + np.arange(lengths.sum())
        alias_words = self.alias_tok[positions]
        weights = self.idf[alias_words]
        covered = np.add.reduceat(weights * per_word[alias_words], seg)
        alias_cover = covered / np.add.reduceat(weights, seg)  # 0..100
        # how much of the query each competency explains, pooled over all its aliases
        best_per_query_word = np.maximum.reduceat(sims[:, alias_words], seg, axis=1) / 100.0
        targets = self.alias_target[candidates]
        explained = np.zeros((len(words), len(self.labels)), dtype=np.float32)
        for row in range(len(words)):
            np.maximum.at(explained[row], targets, best_per_query_word[row])
        query_weights = np.array(
            [self.idf[np.argmax(row)] if row.max() > 0 else self.max_idf for row in sims],
            dtype=np.float32,
        )
        query_cover = query_weights @ explained / query_weights.sum()  # per competency
        score = (alias_cover * (QUERY_DAMPING + (1 - QUERY_DAMPING) * query_cover[targets])
                 * self.alias_weight[candidates])
        np.maximum.at(result, targets, score.astype(np.float32))
        return result

    def match(self, text: str, k: int = 5) -> MatchResult:
        """The top-``k`` competencies for ``text`` with their trainings."""
        scores = self.scores(text)
        order = np.lexsort((np.arange(len(scores)), -scores))[:k]
        matches = [
            Match(competency=self.labels[i], score=round(float(scores[i]), 1),
                  trainings=self._trainings_for(int(i), text))
            for i in order
            if scores[i] > 0
        ]
        confident = bool(matches) and matches[0].score >= CONFIDENT_SCORE
        return MatchResult(query=text, confident=confident, matches=matches)

    async def match_async(self, text: str, k: int = 5) -> MatchResult:
        """``match`` that keeps large catalogues off the event loop."""
        if self.size < EXECUTOR_THRESHOLD:
            return self.match(text, k)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.match, text, k)

    def _trainings_for(self, target: int, text: str) -> list[str]:
        """Titles of the competency's trainings, those closest to the query first."""
        indices = self.trainings_of[target]
        if len(indices) > MAX_TRAININGS:
            query = normalise(text)
            ranked = sorted(
                indices,
                key=lambda i: -fuzz.token_set_ratio(query, normalise(self._describe(i))),
            )
            indices = ranked[:MAX_TRAININGS]
        return [self.catalogue.trainings[i].title for i in indices]

    def _describe(self, index: int) -> str:
        training = self.catalogue.trainings[index]
        return " ".join([training.title, *training.keywords])

    def trainings(self, label: str) -> list[Training]:
        """All trainings of a competency label."""
        return [self.catalogue.trainings[i] for i in self.trainings_of[self.labels.index(label)]]


def infer_competencies(catalogue: Catalogue, taxonomy: Taxonomy) -> Catalogue:
    """A catalogue without a competency column, its trainings labelled with taxonomy entries
    (the confident matches of each training's title and keywords)."""
    if catalogue.own_competencies:
        return catalogue
    bare = Catalogue(name=catalogue.name, trainings=(), own_competencies=False)
    matcher = CompetencyMatcher(bare, taxonomy)
    labelled: list[Training] = []
    for training in catalogue.trainings:
        found = _confident_labels(matcher, [training.title, " ".join(training.keywords)])
        labelled.append(training.model_copy(update={"competencies": tuple(found)}))
    return Catalogue(name=catalogue.name, trainings=tuple(labelled), own_competencies=False)


def _confident_labels(matcher: CompetencyMatcher, texts: Iterable[str]) -> list[str]:
    found: dict[str, None] = {}
    for text in texts:
        for match in matcher.match(text, k=2).matches:
            if match.score >= CONFIDENT_SCORE:
                found.setdefault(match.competency, None)
    return list(found)[:3]
