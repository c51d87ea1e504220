"""The files made for a person (their data export, a chart, a list) as personal data: erasing
their data deletes them at once, so no link to them works any more."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import StoredFileRow
from bot.storage.personal import Erasure, PersonalData, register, rowcount


async def _export(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    rows = (await db.execute(select(StoredFileRow.name, StoredFileRow.expires_at).where(
        StoredFileRow.workspace == workspace, StoredFileRow.user_id == user))).all()
    return {"files": [{"name": name, "expires_at": expires.isoformat(timespec="seconds")}
                      for name, expires in rows]}


async def _erase(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    removed = await db.execute(delete(StoredFileRow).where(
        StoredFileRow.workspace == erasure.workspace, StoredFileRow.user_id == erasure.user))
    return {"files": rowcount(removed)}


register(PersonalData(name="stored_files", tables=("stored_files",), erase=_erase,
                      export=_export))
