"""Taxonomy competencies named in free text (a profile, a kennisrondje answer, a question)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from engine.matching import CompetencyMatcher
from knowledge.catalogue import Catalogue
from knowledge.taxonomy import load_taxonomy


@cache
def taxonomy_matcher() -> CompetencyMatcher:
    """Matches free text onto the taxonomy alone (for profiles and expertise)."""
    empty = Catalogue(name="taxonomy", trainings=(), own_competencies=False)
    return CompetencyMatcher(empty, load_taxonomy())


def competencies_in(text: str, limit: int = 8) -> list[str]:
    """Taxonomy competencies confidently named in a free text: per comma-separated part; a
    part joined by 'en'/'and' counts per half when every half is recognised ("excel en
    plannen" names two), else as a whole ("plannen en organiseren" is one), else per half
    that is recognised."""
    matcher = taxonomy_matcher()
    found: dict[str, None] = {}

    def confident(text: str) -> str | None:
        result = matcher.match(text, k=1)
        return result.best.competency if result.confident and result.best else None

    for part in (p.strip() for p in re.split(r"[,;\n]", text)):
        halves = [h.strip() for h in re.split(r"\s+(?:en|and)\s+", part) if h.strip()]
        named = [confident(half) for half in halves] if len(halves) > 1 else []
        whole = None if named and all(named) else confident(part) if part else None
        chosen = [whole] if whole else named
        found.update(dict.fromkeys(c for c in chosen if c))
    return list(found)[:limit]


@cache
def _labels(lang: str) -> dict[str, str]:
    return {c.label.nl.casefold(): c.label.get(lang) for c in load_taxonomy().competencies}


def label(competency: str, lang: str | None) -> str:
    """A competency (stored by its Dutch taxonomy label) in the reader's language: the
    taxonomy's English label for English ("Agendabeheer" -> "Calendar management"). A name
    the taxonomy does not know (a catalogue's own competency) stays as it is."""
    short = (lang or "nl").replace("_", "-").split("-")[0].casefold()
    return _labels(short).get(competency.casefold(), competency)


def labels(competencies: Iterable[str], lang: str | None, separator: str = ", ") -> str:
    """Several competencies in the reader's language, joined ("Agendabeheer, Plannen")."""
    return separator.join(label(c, lang) for c in competencies)
