"""Competency matching: accuracy and speed, next to baselines measured in the same run.

    .venv/bin/python bench/matching.py [--catalogue FILE] [--big N] [--skip-scorers]

Prints, for the evaluation sets in bench/data (dev: used while tuning, holdout: never
looked at while tuning):
* top-1 accuracy on phrases the catalogue covers and honesty on misfits (no confident match),
  for our matcher, plain difflib, and rapidfuzz whole-string scorers (WRatio, token_set_ratio,
  partial_ratio) over the same aliases;
* time per query on the real catalogue, and on a generated catalogue of N trainings
  (default 100,000).
Targets (issue 2): >= 95 % overall, < 2 ms per query on the real catalogue, < 20 ms on 100k.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import random
import statistics
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from engine.matching import CONFIDENT_SCORE, CompetencyMatcher
from engine.text import normalise
from knowledge.catalogue import Catalogue, Training
from knowledge.catalogue_import import read_catalogue
from knowledge.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
REFERENCE = ROOT.parent / "shared" / "reference" / "catalogus.csv"


@dataclass
class Case:
    query: str
    expected: set[str]
    kind: str


def load_cases(name: str) -> list[Case]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return [Case(r["query"], {e.strip() for e in r["expected"].split("|") if e.strip()},
                 r["kind"].strip()) for r in rows]


Predictor = Callable[[str], tuple[str | None, bool]]


def evaluate(cases: list[Case], predict: Predictor) -> dict[str, float]:
    """Share of cases right: top-1 in expected (and confident) for fits, not confident for
    misfits."""
    right: dict[str, list[bool]] = {}
    for case in cases:
        label, confident = predict(case.query)
        ok = (not confident) if not case.expected else (confident and label in case.expected)
        right.setdefault(case.kind, []).append(ok)
        right.setdefault("ALL", []).append(ok)
    return {kind: 100 * sum(v) / len(v) for kind, v in sorted(right.items())}


def timed(predict: Predictor, queries: list[str], repeat: int = 3) -> tuple[float, float, float]:
    """Mean, p50 and p99 milliseconds per query (warm)."""
    for query in queries[:5]:
        predict(query)
    samples = []
    for _ in range(repeat):
        for query in queries:
            started = time.perf_counter()
            predict(query)
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return (statistics.fmean(samples), samples[len(samples) // 2],
            samples[min(len(samples) - 1, int(len(samples) * 0.99))])


def ours(matcher: CompetencyMatcher) -> Predictor:
    def predict(query: str) -> tuple[str | None, bool]:
        result = matcher.match(query, k=1)
        return (result.best.competency if result.best else None), result.confident

    return predict


def alias_table(matcher: CompetencyMatcher) -> tuple[list[str], list[str]]:
    """The same aliases our matcher uses, as whole strings, with their competency label."""
    texts, labels = [], []
    ptr, words, vocab = matcher.alias_ptr, matcher.alias_tok, matcher.vocab
    for index in range(len(matcher.alias_target)):
        texts.append(" ".join(vocab[w] for w in words[ptr[index]:ptr[index + 1]]))
        labels.append(matcher.labels[matcher.alias_target[index]])
    return texts, labels


def whole_string(matcher: CompetencyMatcher, scorer: Callable[..., float],
                 cutoff: float) -> Predictor:
    texts, labels = alias_table(matcher)

    def predict(query: str) -> tuple[str | None, bool]:
        best = process.extractOne(normalise(query), texts, scorer=scorer)
        if best is None:
            return None, False
        return labels[best[2]], best[1] >= cutoff

    return predict


def with_difflib(matcher: CompetencyMatcher, cutoff: float = 0.6) -> Predictor:
    texts, labels = alias_table(matcher)
    index = {text: label for text, label in zip(texts, labels, strict=True)}

    def predict(query: str) -> tuple[str | None, bool]:
        found = difflib.get_close_matches(normalise(query), texts, n=1, cutoff=0.0)
        if not found:
            return None, False
        ratio = difflib.SequenceMatcher(None, normalise(query), found[0]).ratio()
        return index[found[0]], ratio >= cutoff

    return predict


def generate_catalogue(size: int, base: Catalogue, seed: int = 7) -> Catalogue:
    """A large catalogue: the real trainings plus generated ones with their own vocabulary."""
    rng = random.Random(seed)
    words = list({"".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 11)))
                  for _ in range(30_000)})
    topics = base.competency_labels() + [f"Vakkennis {w}" for w in words[:300]]
    templates = ["{w} voor beginners", "{w} in de praktijk", "Werken met {w}",
                 "{w} en {v}", "Masterclass {w}", "{w}: de basis", "Slim {w}"]
    trainings = list(base.trainings)
    while len(trainings) < size:
        w, v = rng.choice(words), rng.choice(words)
        title = rng.choice(templates).format(w=w.capitalize(), v=v)
        trainings.append(Training(
            id=f"G{len(trainings)}", title=title, minutes=rng.choice([30, 60, 90, 120]),
            format=rng.choice(["online", "klassikaal", "microlearning"]),
            level=rng.choice(["mbo", "hbo", "wo"]),
            competencies=tuple(rng.sample(topics, rng.randint(1, 2))),
            keywords=tuple(rng.sample(words, 3)),
        ))
    return Catalogue(name=f"generated-{size}", trainings=tuple(trainings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--catalogue", default=str(REFERENCE))
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--skip-scorers", action="store_true")
    args = parser.parse_args()

    catalogue = read_catalogue(args.catalogue).catalogue
    taxonomy = load_taxonomy()
    started = time.perf_counter()
    matcher = CompetencyMatcher(catalogue, taxonomy)
    print(f"catalogue {Path(args.catalogue).name}: {len(catalogue.trainings)} trainings, "
          f"{len(matcher.labels)} competencies, {len(matcher.vocab)} words; index built in "
          f"{(time.perf_counter() - started) * 1000:.0f} ms; confident from {CONFIDENT_SCORE}")
    sets = {name: load_cases(f"matching_{name}.csv") for name in ("dev", "holdout")}
    queries = [c.query for cases in sets.values() for c in cases]

    predictors: dict[str, Predictor] = {"leerbot": ours(matcher),
                                        "difflib": with_difflib(matcher)}
    if not args.skip_scorers:
        predictors["WRatio"] = whole_string(matcher, fuzz.WRatio, 86)
        predictors["token_set_ratio"] = whole_string(matcher, fuzz.token_set_ratio, 80)
        predictors["partial_ratio"] = whole_string(matcher, fuzz.partial_ratio, 86)
    print()
    print(f"{'method':<16}{'set':<9}{'ALL':>7}  per kind (% right)        ms/query mean p50 p99")
    for name, predict in predictors.items():
        mean, p50, p99 = timed(predict, queries, repeat=3 if name == "leerbot" else 1)
        for set_name, cases in sets.items():
            scores = evaluate(cases, predict)
            kinds = " ".join(f"{k}={v:.0f}" for k, v in scores.items() if k != "ALL")
            print(f"{name:<16}{set_name:<9}{scores['ALL']:>6.1f}%  {kinds}")
        print(f"{'':<16}{'speed':<9}{'':>7}  {mean:8.3f} {p50:8.3f} {p99:8.3f} ms")
    if args.big:
        started = time.perf_counter()
        big = generate_catalogue(args.big, catalogue)
        big_matcher = CompetencyMatcher(big, taxonomy)
        built = time.perf_counter() - started
        print()
        print(f"generated catalogue: {len(big.trainings)} trainings, "
              f"{len(big_matcher.labels)} competencies, {len(big_matcher.vocab)} words, "
              f"{big_matcher.size} alias words; built in {built:.1f} s")
        means: dict[str, float] = {}
        for name, predict in {"leerbot": ours(big_matcher),
                              "difflib": with_difflib(big_matcher)}.items():
            sample = queries if name == "leerbot" else queries[:20]
            mean, p50, p99 = timed(predict, sample, repeat=1)
            means[name] = mean
            accuracy = evaluate(sets["dev"], predict)["ALL"] if name == "leerbot" else None
            extra = f"  dev accuracy {accuracy:.1f}%" if accuracy is not None else ""
            print(f"{name:<16}{'100k':<9}mean {mean:.2f} ms  p50 {p50:.2f}  p99 {p99:.2f}"
                  f"{extra}")
        print(f"difflib / leerbot time per query on 100k: "
              f"{means['difflib'] / means['leerbot']:.0f}x")


if __name__ == "__main__":
    main()
