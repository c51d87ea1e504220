"""The outbox port: proactive messages queued as deliveries in the turn's transaction."""

from __future__ import annotations

from datetime import datetime

from bot import outbound
from bot.storage.ports import Store, implements
from bot.storage.team import team_of
from dialogs.kit import Message


@implements("outbox")
class SqlOutbox:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    async def notify(self, user: str, messages: list[Message], key: str,
                     at: datetime | None = None) -> None:
        await outbound.queue_to_member(self.db, self.workspace, user, messages, key, at=at)

    async def post_to_team(self, team_id: int, messages: list[Message], key: str,
                           thread_of: str | None = None, exclude: str | None = None) -> None:
        team = await team_of(self.db, self.workspace, team_id)
        if team is None:
            return
        if team.room:
            await outbound.queue_to_room(self.db, self.workspace, team.room, messages, key,
                                         thread_of=thread_of)
            return
        for member in {*team.members, team.lead} - {exclude}:
            await outbound.queue_to_member(self.db, self.workspace, str(member), messages,
                                           f"{key}:{member}")

    async def cancel(self, key: str) -> bool:
        return await outbound.cancel(self.db, key)
