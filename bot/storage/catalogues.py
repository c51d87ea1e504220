"""Storing imported catalogues and finding the active one of a workspace."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import CatalogueRow
from knowledge.catalogue import Catalogue, Training


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
