"""A dialog set aside for later: when someone switches to another dialog halfway, or stops one
that keeps its answers, it waits here (one per conversation) until they say "verder"."""

from __future__ import annotations

from dialogs.kit.session import Session, SessionKey, SessionStore

SUFFIX = "#paused"


class PausedSlot:
    def __init__(self, sessions: SessionStore, key: SessionKey) -> None:
        self.sessions = sessions
        self.conversation = key
        self._key: SessionKey | None = None

    @property
    def key(self) -> SessionKey:
        """Where the paused dialog is kept (made when first needed: most turns never look)."""
        if self._key is None:
            key = self.conversation
            self._key = key.model_copy(
                update={"conversation": key.conversation[:255 - len(SUFFIX)] + SUFFIX})
        return self._key

    async def peek(self) -> Session | None:
        session, _ = await self.sessions.load(self.key)
        return session

    async def pause(self, session: Session) -> None:
        """Keep ``session`` for later (replacing one kept before)."""
        _, version = await self.sessions.load(self.key)
        await self.sessions.save(self.key, session.model_copy(update={"pending": None}), version)

    async def take(self) -> Session | None:
        session, version = await self.sessions.load(self.key)
        if session is not None:
            await self.sessions.save(self.key, None, version)
        return session
