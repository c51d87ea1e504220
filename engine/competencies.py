"""Taxonomy competencies named in free text (a profile, a kennisrondje answer, a question)."""

from __future__ import annotations

import re
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
    """Taxonomy competencies confidently named in a free text: per comma-separated part, and
    per half of a part joined by 'en'/'and' when the whole part is not recognised."""
    matcher = taxonomy_matcher()
    found: dict[str, None] = {}

    def recognise(part: str) -> bool:
        result = matcher.match(part, k=1)
        if result.confident and result.best is not None:
            found.setdefault(result.best.competency, None)
            return True
        return False

    for part in (p.strip() for p in re.split(r"[,;\n]", text)):
        if part and not recognise(part):
            for half in re.split(r"\s+(?:en|and)\s+", part):
                if half.strip():
                    recognise(half)
    return list(found)[:limit]
