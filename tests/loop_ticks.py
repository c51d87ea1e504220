"""How often the event loop turned while a test waited for something: a wait that blocks the
loop (a busy timeout inside SQLite, a blocking call) leaves the count near zero."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class Ticks:
    count = 0


@contextlib.asynccontextmanager
async def loop_ticks(every: float = 0.005) -> AsyncIterator[Ticks]:
    """Counts turns of the loop (one every ``every`` seconds while it is free) in the block."""
    ticks = Ticks()

    async def tick() -> None:
        while True:
            ticks.count += 1
            await asyncio.sleep(every)

    ticking = asyncio.create_task(tick())
    try:
        yield ticks
    finally:
        ticking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticking
