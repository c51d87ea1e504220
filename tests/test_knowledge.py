"""The knowledge files load, agree with each other, and agree with the source method."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.actions import load_action_library
from knowledge.base import KnowledgeError, Text, load_yaml_model
from knowledge.catalogue_import import load_sample_catalogue
from knowledge.messages import check_catalogues, normalise_lang, t
from knowledge.prompts import KINDS, load_prompts
from knowledge.scan import ScanDefinition, load_scan
from knowledge.taxonomy import load_taxonomy

SEED_ACTIONS = "002_1fd2b23c8e285c7e.txt"


def _seed_actions(shared: Path) -> dict[str, tuple[bool, bool]]:
    """Action id -> (HIGHLIGHT, OVERLAP) as marked in the source document."""
    text = (shared / "seeds" / SEED_ACTIONS).read_text(encoding="utf-8")
    result: dict[str, tuple[bool, bool]] = {}
    pending_highlight = pending_overlap = False
    for line in text.splitlines():
        if "HIGHLIGHT:" in line:
            pending_highlight = True
        if "(OVERLAP)" in line:
            pending_overlap = True
        found = re.search(r"Actie (\d)\.(\d)\.", line)
        if found:
            result[f"{found.group(1)}.{found.group(2)}"] = (pending_highlight, pending_overlap)
            pending_highlight = pending_overlap = False
    return result


def test_action_library_is_complete() -> None:
    library = load_action_library()
    assert [c.number for c in library.challenges] == list(range(1, 10))
    assert len(library.actions) >= 45
    for action in library.actions:
        assert action.practice_points, action.id
        assert action.summary.nl and action.summary.en


def test_action_flags_match_the_source(shared: Path) -> None:
    seed = _seed_actions(shared)
    library = load_action_library()
    assert {a.id for a in library.actions} == set(seed)
    for action in library.actions:
        assert (action.highlight, action.overlap) == seed[action.id], action.id


def test_overlap_actions_have_twins() -> None:
    library = load_action_library()
    for action in library.actions:
        if action.overlap:
            assert len(library.twins(action.id)) > 1, action.id


def test_scan_has_three_statements_per_challenge_some_reversed() -> None:
    scan = load_scan()
    for number in range(1, 10):
        statements = scan.statements_for(number)
        assert len(statements) >= 3
        assert any(s.reverse for s in statements) and not all(s.reverse for s in statements)
    assert {p.challenge for p in scan.profiles} == set(range(1, 10))


def test_scan_schema_rejects_a_challenge_with_too_few_statements(tmp_path: Path) -> None:
    broken = tmp_path / "scan.yaml"
    broken.write_text("version: 1\nscale: {nl: [a,b,c,d,e], en: [a,b,c,d,e]}\n"
                      "statements: []\nprofiles: []\n"
                      "ranking: {primary: 1, secondary: 0.5, barrier: 0.2, highlight: 0.1,"
                      " priority: [0.3]}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="at least 3 statements"):
        load_yaml_model(ScanDefinition, broken)


def test_prompt_libraries_name_real_actions() -> None:
    prompts = load_prompts()
    actions = {a.id for a in load_action_library().actions}
    for kind in KINDS:
        assert prompts.of(kind), kind
        for prompt in prompts.of(kind):
            assert prompt.source.startswith("tip:") or prompt.source in actions
    texts = [p.text.nl for p in prompts.of("kennisrondje")]
    assert any("bellen" in text for text in texts)


SEED_COMPETENCIES = [
    "Klantvriendelijkheid", "Zakelijke e-mails schrijven", "Informatie verwerken",
    "Directie ondersteunen", "Overlegvormen organiseren en voorbereiden",
    "Feedback geven en ontvangen", "Presentatievaardigheden",
]


def test_taxonomy_covers_the_seed_competencies_and_is_unambiguous() -> None:
    taxonomy = load_taxonomy()
    labels = {c.label.nl for c in taxonomy.competencies}
    assert set(SEED_COMPETENCIES) <= labels
    assert len(taxonomy.competencies) >= 60
    seen: dict[str, str] = {}
    for competency in taxonomy.competencies:
        for synonym in competency.synonyms:
            key = synonym.casefold()
            assert seen.setdefault(key, competency.id) == competency.id, synonym


def test_sample_catalogue_is_large_and_uses_taxonomy_labels() -> None:
    catalogue = load_sample_catalogue()
    assert len(catalogue.trainings) >= 100
    labels = {c.label.nl for c in load_taxonomy().competencies}
    assert set(catalogue.competency_labels()) <= labels
    titles = [training.title for training in catalogue.trainings]
    assert len(titles) == len(set(titles))


def test_message_catalogues_agree() -> None:
    assert check_catalogues() == []


def test_language_selection() -> None:
    assert normalise_lang("en-GB") == "en"
    assert normalise_lang("nl_BE") == "nl"
    assert normalise_lang("fr") == "nl"
    assert normalise_lang(None) == "nl"
    assert t("en", "scan.error.missing", item="s1a").startswith("s1a")


def test_text_picks_language() -> None:
    text = Text(nl="hallo", en="hello")
    assert text.get("en") == "hello" and text.get("nl") == "hallo" and text.get("de") == "hallo"
