"""Competency matching: robustness to the way people type, and honesty about misfits."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from engine.matching import CompetencyMatcher, infer_competencies
from engine.text import normalise, tokens
from knowledge.catalogue import Catalogue, Training
from knowledge.catalogue_import import load_sample_catalogue, read_catalogue
from knowledge.taxonomy import load_taxonomy

BENCH_DATA = Path(__file__).resolve().parent.parent / "bench" / "data"


@pytest.fixture(scope="module")
def reference(shared: Path) -> CompetencyMatcher:
    catalogue = read_catalogue(shared / "reference" / "catalogus.csv").catalogue
    return CompetencyMatcher(catalogue, load_taxonomy())


def test_normalisation() -> None:
    assert tokens("Zakelijke E-mails schrijven!") == ("zakelijke", "emails", "schrijven")
    assert tokens("Ideeën voor dia's") == ("ideeen", "dias")
    assert normalise("Ik wil beter leren presenteren") == "presenteren"


@pytest.mark.parametrize(("query", "expected"), [
    ("ik wil beter leren presenteren", "Presentatievaardigheden"),
    ("presenteeren", "Presentatievaardigheden"),  # typo
    ("groep presenteren voor", "Presentatievaardigheden"),  # word order
    ("public speaking", "Presentatievaardigheden"),  # English
    ("hoe maak ik een draaitabel", "Excel"),
    ("e-mails schrijven", "Zakelijke e-mails schrijven"),
    ("emails schrijven", "Zakelijke e-mails schrijven"),
    ("omgaan met boze klanten", "Omgaan met klachten|Klantvriendelijkheid"),
    ("ideeën bedenken", "Creatief denken"),
])
def test_typical_wishes(reference: CompetencyMatcher, query: str, expected: str) -> None:
    result = reference.match(query)
    assert result.confident, result
    assert result.matches[0].competency in expected.split("|")
    assert result.matches[0].trainings


@pytest.mark.parametrize("query", ["ik wil leren vliegen", "wat is het weer morgen",
                                   "", "?!", "x", "pianoles voor mijn dochter"])
def test_misfits_are_not_confident(reference: CompetencyMatcher, query: str) -> None:
    assert not reference.match(query).confident


def test_scores_are_ranked_and_bounded(reference: CompetencyMatcher) -> None:
    result = reference.match("feedback geven aan een collega", k=5)
    scores = [m.score for m in result.matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 100 for s in scores)
    assert result.matches[0].competency == "Feedback geven en ontvangen"


def test_one_letter_labels_do_not_win_everything() -> None:
    catalogue = Catalogue(name="t", trainings=(
        Training(id="1", title="R voor data", minutes=30, format="online",
                 competencies=("R",)),
        Training(id="2", title="Excel basis", minutes=30, format="online",
                 competencies=("Excel",)),
    ))
    matcher = CompetencyMatcher(catalogue, load_taxonomy())
    assert matcher.match("excel draaitabellen maken").matches[0].competency == "Excel"
    assert not any(m.competency == "R" and m.score > 50
                   for m in matcher.match("presenteren voor een groep").matches)


def test_catalogue_labels_are_reported_not_taxonomy_labels() -> None:
    catalogue = Catalogue(name="t", trainings=(
        Training(id="1", title="Spreken in het openbaar", minutes=30, format="online",
                 competencies=("Spreekvaardigheid",)),
    ))
    matcher = CompetencyMatcher(catalogue, load_taxonomy())
    result = matcher.match("spreken in het openbaar")
    assert result.confident and result.matches[0].competency == "Spreekvaardigheid"
    assert all(m.competency == "Spreekvaardigheid" for m in result.matches)


def test_catalogue_without_competencies_gets_taxonomy_entries() -> None:
    bare = Catalogue(name="t", own_competencies=False, trainings=(
        Training(id="1", title="Draaitabellen in Excel", minutes=30, format="online"),
        Training(id="2", title="Presenteren met impact", minutes=60, format="online"),
    ))
    labelled = infer_competencies(bare, load_taxonomy())
    assert "Excel" in labelled.trainings[0].competencies
    assert "Presentatievaardigheden" in labelled.trainings[1].competencies
    matcher = CompetencyMatcher(labelled, load_taxonomy())
    best = matcher.match("pivot table").matches[0]
    assert best.competency == "Excel" and best.trainings == ["Draaitabellen in Excel"]


def test_sample_catalogue_matches_the_common_wishes() -> None:
    matcher = CompetencyMatcher(load_sample_catalogue(), load_taxonomy())
    for query, label in [("beter plannen", "Plannen en organiseren"),
                         ("notuleren", "Overlegvormen organiseren en voorbereiden"),
                         ("coachend leidinggeven", "Coachend leidinggeven")]:
        result = matcher.match(query)
        assert result.confident and result.matches[0].competency == label, query


async def test_async_match_gives_the_same_answer(reference: CompetencyMatcher) -> None:
    direct = reference.match("excel formules")
    assert await reference.match_async("excel formules") == direct


def _accuracy(matcher: CompetencyMatcher, name: str) -> float:
    with (BENCH_DATA / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    right = 0
    for row in rows:
        expected = {e.strip() for e in row["expected"].split("|") if e.strip()}
        result = matcher.match(row["query"], k=1)
        if not expected:
            right += not result.confident
        else:
            right += result.confident and result.matches[0].competency in expected
    return 100 * right / len(rows)


@pytest.mark.parametrize("name", ["matching_dev.csv", "matching_holdout.csv"])
def test_accuracy_on_the_evaluation_sets(reference: CompetencyMatcher, name: str) -> None:
    """Quality guard (bench/matching.py prints the full figures): at least 95 % right."""
    assert _accuracy(reference, name) >= 95.0
