"""The running bot: settings, database, the dialogs' conductor. Shared by every channel."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.services import Units
from bot.settings import Settings
from bot.storage.db import create_engine, sessionmaker, upgrade
from dialogs.conductor import Conductor
from dialogs.registry import build_conductor


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    conductor: Conductor

    @classmethod
    async def start(cls, settings: Settings) -> Runtime:
        engine = create_engine(settings.effective_database_url)
        await upgrade(engine)
        sessions = sessionmaker(engine)
        return cls(settings, engine, sessions, build_conductor(Units(sessions)))

    async def close(self) -> None:
        await self.engine.dispose()
