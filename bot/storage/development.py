"""Personal development plans (POP) and the development port. A POP is the employee's own
data: "mijn gegevens" exports and erases it; it is seen by others only when she shares it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    String,
    UniqueConstraint,
    delete,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.learning_wishes import WishRow
from bot.storage.models import Base, JSONType, utcnow
from bot.storage.personal import Erasure, PersonalData, register, rowcount
from bot.storage.ports import Store, implements
from dialogs.development.port import DevelopmentPlan, PlanDraft


class DevelopmentPlanRow(Base):
    """An employee's POP: her answers to the preparing questions and her goals (JSON)."""

    __tablename__ = "development_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("workspace", "user_id", name="uq_development_plans_user"),)


def as_plan(row: DevelopmentPlanRow) -> DevelopmentPlan:
    return DevelopmentPlan.model_validate({**row.data, "user": row.user_id, "shared": row.shared,
                                           "shared_at": row.shared_at,
                                           "updated_at": row.updated_at})


async def plan_row(db: AsyncSession, workspace: str, user: str) -> DevelopmentPlanRow | None:
    return (await db.execute(select(DevelopmentPlanRow).where(
        DevelopmentPlanRow.workspace == workspace,
        DevelopmentPlanRow.user_id == user))).scalar_one_or_none()


@implements("development")
class SqlDevelopment:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    async def plan(self, user: str) -> DevelopmentPlan | None:
        row = await plan_row(self.db, self.workspace, user)
        return None if row is None else as_plan(row)

    async def save_plan(self, user: str, draft: PlanDraft) -> DevelopmentPlan:
        data = PlanDraft.model_validate(draft.model_dump()).model_dump(mode="json")
        row = await plan_row(self.db, self.workspace, user)
        if row is None:
            row = DevelopmentPlanRow(workspace=self.workspace, user_id=user, data=data,
                                     shared=False, updated_at=utcnow())
            self.db.add(row)
        else:
            row.data, row.updated_at = data, utcnow()
        await self.db.flush()
        return as_plan(row)

    async def set_shared(self, user: str, shared: bool) -> DevelopmentPlan | None:
        row = await plan_row(self.db, self.workspace, user)
        if row is None:
            return None
        row.shared, row.shared_at = shared, utcnow() if shared else None
        await self.db.flush()
        return as_plan(row)

    async def delete_plan(self, user: str) -> bool:
        result = await self.db.execute(delete(DevelopmentPlanRow).where(
            DevelopmentPlanRow.workspace == self.workspace,
            DevelopmentPlanRow.user_id == user))
        return rowcount(result) > 0

    async def shared_plans(self) -> list[DevelopmentPlan]:
        rows = (await self.db.execute(select(DevelopmentPlanRow).where(
            DevelopmentPlanRow.workspace == self.workspace, DevelopmentPlanRow.shared.is_(True))
            .order_by(DevelopmentPlanRow.shared_at.desc(), DevelopmentPlanRow.id))).scalars()
        return [as_plan(row) for row in rows]

    async def demand(self) -> dict[str, int]:
        wanted: dict[str, set[str]] = {}
        wishes = await self.db.execute(select(WishRow.user_id, WishRow.competencies).where(
            WishRow.workspace == self.workspace))
        for user, competencies in wishes.all():
            for competency in competencies or []:
                wanted.setdefault(competency, set()).add(user)
        plans = await self.db.execute(select(DevelopmentPlanRow).where(
            DevelopmentPlanRow.workspace == self.workspace))
        for row in plans.scalars():
            for goal in as_plan(row).goals:
                if goal.competency:
                    wanted.setdefault(goal.competency, set()).add(row.user_id)
        return {competency: len(people) for competency, people in wanted.items()}


async def _export(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    row = await plan_row(db, workspace, user)
    return {"development_plan": None if row is None else as_plan(row).model_dump(mode="json")}


async def _erase(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    result = await db.execute(delete(DevelopmentPlanRow).where(
        DevelopmentPlanRow.workspace == erasure.workspace,
        DevelopmentPlanRow.user_id == erasure.user))
    return {"development_plan": rowcount(result)}


register(PersonalData(name="development_plans", tables=("development_plans",), export=_export,
                      erase=_erase))
