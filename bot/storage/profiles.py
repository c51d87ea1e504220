"""Employee profiles (action 6.1) and the profiles port."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    UniqueConstraint,
    delete,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, JSONType, utcnow
from bot.storage.people import MemberRow, as_member
from bot.storage.personal import Erasure, PersonalData, register, rowcount
from bot.storage.ports import Store, implements
from dialogs.kit import Member
from dialogs.profile.port import Profile


class ProfileRow(Base):
    """An employee profile (action 6.1)."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("workspace", "user_id", name="uq_profiles_user"),)




async def profile_row(db: AsyncSession, workspace: str, user: str) -> ProfileRow | None:
    return (await db.execute(select(ProfileRow).where(
        ProfileRow.workspace == workspace, ProfileRow.user_id == user))).scalar_one_or_none()


async def profile_of(db: AsyncSession, workspace: str, user: str) -> Profile | None:
    row = await profile_row(db, workspace, user)
    if row is None:
        return None
    return Profile.model_validate({**row.data, "updated_at": row.updated_at})


@implements("profiles")
class SqlProfiles:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    async def profile(self, user: str) -> Profile | None:
        return await profile_of(self.db, self.workspace, user)

    async def save_profile(self, user: str, profile: Profile) -> None:
        data = profile.model_dump(mode="json", exclude={"updated_at"})
        row = await profile_row(self.db, self.workspace, user)
        if row is None:
            self.db.add(ProfileRow(workspace=self.workspace, user_id=user, data=data,
                                   updated_at=utcnow()))
        else:
            row.data, row.updated_at = data, utcnow()
        await self.db.flush()

    async def colleagues_for(self, competencies: list[str], exclude: str) -> list[Member]:
        wanted = set(competencies)
        rows = (await self.db.execute(
            select(MemberRow, ProfileRow.data)
            .join(ProfileRow, (ProfileRow.workspace == MemberRow.workspace)
                  & (ProfileRow.user_id == MemberRow.user_id))
            .where(MemberRow.workspace == self.workspace, MemberRow.user_id != exclude)
            .order_by(MemberRow.name, MemberRow.id))).all()
        return [as_member(member) for member, data in rows
                if wanted & set(data.get("competencies") or [])]


async def _export(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    profile = await profile_of(db, workspace, user)
    return {"profile": None if profile is None else profile.model_dump(mode="json")}


async def _erase(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    result = await db.execute(delete(ProfileRow).where(
        ProfileRow.workspace == erasure.workspace, ProfileRow.user_id == erasure.user))
    return {"profile": rowcount(result)}


register(PersonalData(name="profiles", tables=("profiles",), export=_export, erase=_erase))
