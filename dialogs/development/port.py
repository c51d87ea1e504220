"""What the development conversation (ontwikkelgesprek) and the personal development plan
(POP) need from storage: one POP per employee, whether she shared it, and, for HR, how many
people want to grow in each competency (learning wishes and POP goals together). Bound to the
turn's workspace."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Protocol

from pydantic import BaseModel, Field

MAX_GOALS = 5
MAX_TEXT = 300
MAX_ANSWER = 1000


class PlanAction(BaseModel):
    """One thing to do for a goal: a training of the catalogue or an informal action of the
    action library, with the date she wants it done by."""

    kind: Literal["training", "informal"]
    ref: str = Field(max_length=100)  # the training's id, or the action's id ("4.5")
    title: str = Field(max_length=MAX_TEXT)  # as shown when it was chosen
    minutes: int | None = None  # a training's length
    format: str | None = None  # a training's learning format (online, klassikaal, ...)
    due: date | None = None


class Goal(BaseModel):
    text: str = Field(max_length=MAX_TEXT)  # in her own words
    competency: str | None = None  # recognised in the taxonomy or catalogue
    actions: list[PlanAction] = Field(default_factory=list)


class PlanDraft(BaseModel):
    """A POP as the dialogs compose it: her answers to the preparing questions (prompt id ->
    answer) and her goals."""

    answers: dict[str, str] = Field(default_factory=dict)
    goals: list[Goal] = Field(default_factory=list, max_length=MAX_GOALS)


class DevelopmentPlan(PlanDraft):
    user: str
    shared: bool = False  # her manager(s) and HR may see it
    shared_at: datetime | None = None
    updated_at: datetime


class DevelopmentPort(Protocol):
    async def plan(self, user: str) -> DevelopmentPlan | None:
        """Her POP; None when she has none."""
        ...

    async def save_plan(self, user: str, draft: PlanDraft) -> DevelopmentPlan:
        """A new POP, or her changes to it (whether it is shared stays as it was)."""
        ...

    async def set_shared(self, user: str, shared: bool) -> DevelopmentPlan | None:
        """Share the POP with her manager(s) and HR, or stop sharing it; None: no POP."""
        ...

    async def delete_plan(self, user: str) -> bool:
        """False: there was no POP."""
        ...

    async def shared_plans(self) -> list[DevelopmentPlan]:
        """Every POP its owner shared, most recently shared first."""
        ...

    async def demand(self) -> dict[str, int]:
        """Competency -> how many different people want to grow in it (their learning wishes
        and the goals of their POP)."""
        ...
