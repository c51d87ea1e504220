"""Send slots per platform and workspace/tenant, shared by every sender of the process (SQLite)
or by every replica (PostgreSQL, one row per bucket in ``rate_buckets``).

A bucket hands out evenly spaced slots (a generic cell rate algorithm): reserving n slots
moves the bucket's next free moment n intervals on, in one atomic statement; the caller waits
for its slots. Nothing is dropped: a message whose slot is later simply waits.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.queue import _insert
from bot.storage.models import RateBucketRow


class Limiter(Protocol):
    async def reserve(self, bucket: str, count: int, per_second: float) -> float:
        """Reserve ``count`` slots; the wall-clock time (epoch seconds) of the first. The
        others follow at 1/per_second intervals."""
        ...


class LocalLimiter:
    """Slots kept in this process (the embedded default: one process on SQLite)."""

    def __init__(self) -> None:
        self._next: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def reserve(self, bucket: str, count: int, per_second: float) -> float:
        async with self._lock:
            start = max(self._next.get(bucket, 0.0), time.time())
            self._next[bucket] = start + count / per_second
            return start


class DatabaseLimiter:
    """Slots kept in the database, shared by all replicas (PostgreSQL)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def reserve(self, bucket: str, count: int, per_second: float) -> float:
        moment = datetime.now(UTC)
        step = timedelta(seconds=count / per_second)
        async with self.sessions.begin() as db:
            await db.execute(_insert(db, RateBucketRow).values(key=bucket, next_at=moment)
                             .on_conflict_do_nothing(index_elements=["key"]))
            following = (await db.execute(
                update(RateBucketRow).where(RateBucketRow.key == bucket)
                .values(next_at=func.greatest(RateBucketRow.next_at, moment) + step)
                .returning(RateBucketRow.next_at))).scalar_one()
        return (following - step).timestamp()


def limiter_for(sessions: async_sessionmaker[AsyncSession]) -> Limiter:
    bind = sessions.kw.get("bind")
    if bind is not None and bind.dialect.name == "postgresql":
        return DatabaseLimiter(sessions)
    return LocalLimiter()


async def wait_until(moment: float) -> None:
    delay = moment - time.time()
    if delay > 0:
        await asyncio.sleep(delay)


