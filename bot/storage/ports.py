"""The dialogs' ports on the database: each storage module registers the implementation of its
feature's port (``@implements("forum")``); a turn gets them bound to its workspace and its
transaction, made when first used.

Storage modules are found by listing this package, so a new feature's storage adds a file and
no registration line.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

import bot.storage


@dataclass
class Shared:
    """What the ports of all turns of a process share (caches)."""

    matchers: Any = None  # bot.storage.catalogue.MatcherCache, made by the runtime
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Store:
    """What a port implementation works with: the turn's transaction and workspace."""

    db: AsyncSession
    workspace: str
    shared: Shared


PortFactory = Callable[[Store], Any]
IMPLEMENTATIONS: dict[str, PortFactory] = {}
F = TypeVar("F", bound=PortFactory)


def implements(name: str) -> Callable[[F], F]:
    """Register the implementation of the port ``name`` (a class taking a Store)."""

    def register(factory: F) -> F:
        if name in IMPLEMENTATIONS and IMPLEMENTATIONS[name] is not factory:
            raise ValueError(f"port {name!r} is implemented twice")
        IMPLEMENTATIONS[name] = factory
        return factory

    return register


@cache
def load_storage_modules() -> tuple[str, ...]:
    """Import every module of ``bot.storage`` (their registrations run on import)."""
    names = []
    for module in pkgutil.iter_modules(bot.storage.__path__):
        if module.name != "migrations":
            importlib.import_module(f"bot.storage.{module.name}")
            names.append(module.name)
    return tuple(names)


class BoundPorts:
    """The ports of one turn (or one job), made on first use."""

    def __init__(self, store: Store) -> None:
        load_storage_modules()
        self.store = store
        self._made: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        if name not in self._made:
            factory = IMPLEMENTATIONS.get(name)
            if factory is None:
                raise KeyError(name)
            self._made[name] = factory(self.store)
        return self._made[name]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "store":
            raise AttributeError(name)
        try:
            return self.get(name)
        except KeyError:
            raise AttributeError(f"no port {name!r}") from None
