"""What learning help needs from storage: the learning wishes people saved. Bound to the turn's
workspace. (The matcher comes from the shared catalogue port, colleagues from profiles.)"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field


class LearningWish(BaseModel):
    id: int
    text: str
    competencies: list[str]
    reflection: dict[str, str] = Field(default_factory=dict)  # self-scan question id -> answer
    created_at: datetime


class LearningWishesPort(Protocol):
    async def save_wish(self, user: str, text: str, competencies: list[str],
                        reflection: dict[str, str]) -> LearningWish: ...

    async def wishes(self, user: str) -> list[LearningWish]:
        """The user's wishes, oldest first."""
        ...
