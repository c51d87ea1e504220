"""A person's data across the tables. Each storage module registers how it exports and erases
what its tables keep about a user ("mijn gegevens" runs them all); a test fails when a table
that can name a person is covered by no registration, so a new table cannot be forgotten.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.ports import load_storage_modules
from dialogs.kit import SessionKey

#: who organisation records (a saved leerlijn, a scan) name once their author is erased
DELETED_USER = "deleted-user"


@dataclass(frozen=True)
class Erasure:
    """Whose data to erase; ``keep`` is the session of the turn that asked for it (the
    conductor closes that one itself)."""

    workspace: str
    user: str
    keep: SessionKey | None = None


Export = Callable[[AsyncSession, str, str], Awaitable[dict[str, Any]]]
Erase = Callable[[AsyncSession, Erasure], Awaitable[dict[str, int]]]


@dataclass(frozen=True)
class PersonalData:
    """``tables``: the tables whose rows can name the person; ``export(db, workspace, user)``
    returns what the person may take along, as sections of the export (JSON); ``erase``
    removes it (or unlinks it from organisation records) and says how many rows, per kind.
    Lower ``order`` erases first."""

    name: str
    tables: tuple[str, ...]
    erase: Erase
    export: Export | None = None
    order: int = 50


HOOKS: dict[str, PersonalData] = {}


def register(hook: PersonalData) -> PersonalData:
    if hook.name in HOOKS and HOOKS[hook.name] != hook:
        raise ValueError(f"personal data {hook.name!r} is registered twice")
    HOOKS[hook.name] = hook
    return hook


def hooks() -> list[PersonalData]:
    load_storage_modules()
    return sorted(HOOKS.values(), key=lambda hook: (hook.order, hook.name))


async def export_person(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    sections: dict[str, Any] = {}
    for hook in hooks():
        if hook.export is not None:
            sections.update(await hook.export(db, workspace, user))
    return sections


async def erase_person(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    counts: dict[str, int] = {}
    for hook in hooks():
        for kind, count in (await hook.erase(db, erasure)).items():
            counts[kind] = counts.get(kind, 0) + count
    return counts


def rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE touched."""
    return int(result.rowcount or 0)
