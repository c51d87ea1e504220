"""Learning wishes saved from learning help, and the learning wishes port."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Index,
    Integer,
    String,
    delete,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, JSONType, utcnow
from bot.storage.personal import Erasure, PersonalData, register, rowcount
from bot.storage.ports import Store, implements
from dialogs.learning_help.port import LearningWish


class WishRow(Base):
    """A personal learning wish saved from learning help."""

    __tablename__ = "learning_wishes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(String(1000))
    competencies: Mapped[list[Any]] = mapped_column(JSONType)
    reflection: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_learning_wishes_user", "workspace", "user_id"),)



MAX_TEXT = 1000


def as_wish(row: WishRow) -> LearningWish:
    return LearningWish(id=row.id, text=row.text, competencies=row.competencies,
                        reflection=row.reflection or {}, created_at=row.created_at)


async def wishes_of(db: AsyncSession, workspace: str, user: str) -> list[LearningWish]:
    rows = (await db.execute(select(WishRow).where(
        WishRow.workspace == workspace, WishRow.user_id == user).order_by(WishRow.id)))
    return [as_wish(r) for r in rows.scalars()]


@implements("learning_wishes")
class SqlLearningWishes:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    async def save_wish(self, user: str, text: str, competencies: list[str],
                        reflection: dict[str, str]) -> LearningWish:
        row = WishRow(workspace=self.workspace, user_id=user, text=text[:MAX_TEXT],
                      competencies=competencies, reflection=reflection, created_at=utcnow())
        self.db.add(row)
        await self.db.flush()
        return as_wish(row)

    async def wishes(self, user: str) -> list[LearningWish]:
        return await wishes_of(self.db, self.workspace, user)


async def _export(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    return {"learning_wishes": [w.model_dump(mode="json")
                                for w in await wishes_of(db, workspace, user)]}


async def _erase(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    result = await db.execute(delete(WishRow).where(
        WishRow.workspace == erasure.workspace, WishRow.user_id == erasure.user))
    return {"learning_wishes": rowcount(result)}


register(PersonalData(name="learning_wishes", tables=("learning_wishes",), export=_export,
                      erase=_erase))
