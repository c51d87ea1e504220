"""The "mijn gegevens" port: every storage module's personal data, exported or erased."""

from __future__ import annotations

from typing import Any

from bot.storage.models import utcnow
from bot.storage.personal import Erasure, erase_person, export_person
from bot.storage.ports import Store, implements
from dialogs.kit import SessionKey


@implements("my_data")
class SqlMyData:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    async def export(self, user: str) -> dict[str, Any]:
        return {"workspace": self.workspace, "user": user,
                "exported_at": utcnow().isoformat(timespec="seconds"),
                **await export_person(self.db, self.workspace, user)}

    async def erase(self, user: str, keep: SessionKey | None) -> dict[str, int]:
        return await erase_person(self.db, Erasure(self.workspace, user, keep))
