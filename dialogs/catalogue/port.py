"""The workspace's active training catalogue (imported, or the bundled sample) and the matcher
that reads free text onto its competencies. Bound to the turn's workspace."""

from __future__ import annotations

from typing import Protocol

from engine.matching import CompetencyMatcher
from knowledge.catalogue import Catalogue


class CataloguePort(Protocol):
    async def catalogue(self) -> Catalogue: ...

    async def matcher(self) -> CompetencyMatcher: ...
