"""What the profile dialog (and the features that look for who knows what) need from storage:
a member's profile, and the colleagues whose profile names a competency. Bound to the turn's
workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field

from dialogs.kit import Member


class Profile(BaseModel):
    good_at: str = ""
    can_help_with: str = ""
    wants_to_grow: str = ""
    learns_best: str = ""  # comma-separated learning styles (profile.STYLES)
    competencies: list[str] = Field(default_factory=list)  # recognised in the texts
    updated_at: datetime | None = None


class ProfilesPort(Protocol):
    async def profile(self, user: str) -> Profile | None:
        """None: the member never saved a profile."""
        ...

    async def save_profile(self, user: str, profile: Profile) -> None: ...

    async def colleagues_for(self, competencies: list[str], exclude: str) -> list[Member]:
        """Members whose profile names one of the competencies (never ``exclude``), by name."""
        ...
