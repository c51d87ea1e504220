"""The running bot: settings, database, the dialogs' conductor. Shared by every channel."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.settings import Settings
from bot.storage.checkpoints import Checkpointer
from bot.storage.db import create_engine, sessionmaker, upgrade
from bot.units import Units
from dialogs.kit import Conductor
from dialogs.registry import build_conductor


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    conductor: Conductor
    #: the time the dialogs and the scheduler take as now (moved with LEERBOT_CLOCK)
    clock: Clock = field(default_factory=Clock)
    #: on SQLite: the checkpoints of its log, off the event loop
    checkpoints: Checkpointer | None = None

    @classmethod
    async def start(cls, settings: Settings) -> Runtime:
        engine = create_engine(settings.effective_database_url)
        await upgrade(engine)
        sessions = sessionmaker(engine)
        clock = Clock(settings.clock)
        conductor = build_conductor(Units(sessions), clock=clock)
        checkpoints = None
        if engine.dialect.name == "sqlite":
            checkpoints = Checkpointer(str(engine.url.database))
            checkpoints.start()
        return cls(settings, engine, sessions, conductor, clock, checkpoints)

    async def close(self) -> None:
        if self.checkpoints is not None:
            await asyncio.to_thread(self.checkpoints.stop)
        await self.engine.dispose()


class LocalDelivery:
    """The scheduler and the mailbox sender, for a process without Slack or Teams (the
    console chat): scheduled messages for console and web chat users reach their mailbox."""

    def __init__(self, runtime: Runtime) -> None:
        from bot.channels.mailbox import SENDER, MailboxSender
        from bot.scheduler import Planner
        from bot.workers import DeliveryWorker

        settings = runtime.settings
        self.worker = DeliveryWorker(runtime.sessions,
                                     {SENDER: MailboxSender(runtime.sessions)},
                                     lease=timedelta(seconds=settings.lease),
                                     retention=timedelta(days=settings.retention_days))
        self.planner = Planner(runtime.sessions, clock=runtime.clock)
        self.sessions = runtime.sessions
        self._task: asyncio.Task[None] | None = None

    async def tick(self, patience: float = 5.0) -> None:
        """Plan what is due now (after the clock was moved) and wait, a few seconds at most,
        until it is in the mailboxes (the worker's own loop may be sending it)."""
        from sqlalchemy import func, select

        from bot.channels.mailbox import SENDER
        from bot.queue import OPEN, now
        from bot.storage.models import DeliveryRow

        await self.planner.tick()
        deadline = asyncio.get_running_loop().time() + patience
        while True:
            await self.worker.drain()
            async with self.sessions() as db:
                waiting = (await db.execute(select(func.count()).select_from(DeliveryRow).where(
                    DeliveryRow.channel == SENDER, DeliveryRow.status.in_(OPEN),
                    DeliveryRow.available_at <= now()))).scalar_one()
            if not waiting or asyncio.get_running_loop().time() > deadline:
                return
            await asyncio.sleep(0.05)

    def start(self) -> None:
        self.worker.start()
        self._task = asyncio.create_task(self.planner.run_forever(self.worker.wake.set))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.worker.stop()
