"""The turn's unit of work on the database: one transaction, its session store, the member
talking, the ports bound to their workspace, and their mailbox (``dialogs.kit.conductor.Unit``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.catalogues import MatcherCache
from bot.storage.mailbox import take as take_mailbox
from bot.storage.people import identify
from bot.storage.ports import BoundPorts, Shared, Store
from bot.storage.prepared import transaction
from bot.storage.sessions import SqlSessionStore
from dialogs.kit import Member, Message, SessionKey


class DatabaseUnit:
    """One turn's unit of work on the database (see ``dialogs.kit.conductor.Unit``)."""

    def __init__(self, db: AsyncSession, shared: Shared) -> None:
        self.db = db
        self.shared = shared
        self.sessions = SqlSessionStore(db)

    async def identify(self, key: SessionKey, name: str, channel: str,
                       timezone: str | None) -> Member:
        return await identify(self.db, key, name, channel, timezone)

    def ports(self, member: Member) -> BoundPorts:
        return BoundPorts(Store(self.db, member.workspace, self.shared))

    async def mailbox(self, member: Member, limit: int | None = None) -> tuple[list[Message], int]:
        return await take_mailbox(self.db, member.workspace, member.user, limit)


class Units:
    """Unit-of-work factory for the conductor: one transaction per turn."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessions
        self.shared = Shared(matchers=MatcherCache())

    @property
    def matchers(self) -> MatcherCache:
        return self.shared.matchers  # type: ignore[no-any-return]

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[DatabaseUnit]:
        """One transaction: committed when the turn ends, rolled back when it raises."""
        async with transaction(self.sessionmaker) as db:
            yield DatabaseUnit(db, self.shared)
