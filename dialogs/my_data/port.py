"""What "mijn gegevens" needs from storage: everything kept about the person, to take along or
to erase. Bound to the turn's workspace."""

from __future__ import annotations

from typing import Any, Protocol

from dialogs.kit import SessionKey


class MyDataPort(Protocol):
    async def export(self, user: str) -> dict[str, Any]:
        """Everything kept about the user, as sections (JSON)."""
        ...

    async def erase(self, user: str, keep: SessionKey | None) -> dict[str, int]:
        """Delete it, or unlink it from organisation records; rows per kind. ``keep`` is the
        session of the current turn, which the conductor closes itself."""
        ...
