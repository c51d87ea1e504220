"""Storing imported catalogues, finding the active one of a workspace, and the catalogue port."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.catalogues import prepare
from bot.storage.models import CatalogueRow
from bot.storage.ports import Store, implements
from engine.matching import CompetencyMatcher
from knowledge.catalogue import Catalogue, Training
from knowledge.catalogue_import import load_sample_catalogue
from knowledge.taxonomy import load_taxonomy


class StoredCatalogue(BaseModel):
    id: int
    name: str
    trainings: int
    active: bool
    imported_at: str


async def save_catalogue(session: AsyncSession, workspace: str, catalogue: Catalogue) -> int:
    """Store ``catalogue`` as the workspace's active one (the caller commits)."""
    await session.execute(
        update(CatalogueRow)
        .where(CatalogueRow.workspace == workspace, CatalogueRow.active)
        .values(active=False)
    )
    row = CatalogueRow(
        workspace=workspace, name=catalogue.name, own_competencies=catalogue.own_competencies,
        trainings=[t.model_dump(mode="json") for t in catalogue.trainings], active=True,
    )
    session.add(row)
    await session.flush()
    return row.id


async def active_catalogue(session: AsyncSession, workspace: str) -> Catalogue | None:
    row = (await session.execute(
        select(CatalogueRow).where(CatalogueRow.workspace == workspace, CatalogueRow.active)
    )).scalar_one_or_none()
    if row is None:
        return None
    return Catalogue(name=row.name, own_competencies=row.own_competencies,
                     trainings=tuple(Training.model_validate(t) for t in row.trainings))


async def list_catalogues(session: AsyncSession, workspace: str) -> list[StoredCatalogue]:
    rows = (await session.execute(
        select(CatalogueRow).where(CatalogueRow.workspace == workspace)
        .order_by(CatalogueRow.id.desc())
    )).scalars()
    return [StoredCatalogue(id=r.id, name=r.name, trainings=len(r.trainings), active=r.active,
                            imported_at=r.imported_at.isoformat(timespec="seconds"))
            for r in rows]


async def workspace_catalogue(sessions: async_sessionmaker[AsyncSession],
                              workspace: str) -> Catalogue:
    """The workspace's imported catalogue, or the bundled sample when none was imported."""
    async with sessions() as session:
        stored = await active_catalogue(session, workspace)
    return stored if stored is not None else load_sample_catalogue()


class MatcherCache:
    """Matchers per catalogue, built once per process; a new import gets a new id."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], tuple[Catalogue, CompetencyMatcher]] = {}

    async def get(self, db: AsyncSession, workspace: str) -> tuple[Catalogue, CompetencyMatcher]:
        active_id = (await db.execute(
            select(CatalogueRow.id).where(CatalogueRow.workspace == workspace,
                                          CatalogueRow.active))).scalar_one_or_none()
        key = (workspace, active_id or 0)
        if key not in self._cache:
            stored = await active_catalogue(db, workspace) if active_id else None
            catalogue = prepare(stored if stored is not None else load_sample_catalogue())
            self._cache = {k: v for k, v in self._cache.items() if k[0] != workspace}
            self._cache[key] = (catalogue, CompetencyMatcher(catalogue, load_taxonomy()))
        return self._cache[key]


@implements("catalogue")
class SqlCatalogue:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace, self.matchers = store.db, store.workspace, store.shared.matchers

    async def catalogue(self) -> Catalogue:
        return (await self.matchers.get(self.db, self.workspace))[0]

    async def matcher(self) -> CompetencyMatcher:
        return (await self.matchers.get(self.db, self.workspace))[1]
