"""Leerbot added to a Slack channel: it says hello there, and remembers the channel so a team
can choose it for its forum questions and reflection."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels import SLACK
from bot.channels.slack import render
from bot.channels.slack.events import SlackEvent
from bot.channels.slack.turns import Replies
from bot.channels.slack.web import SlackWeb
from bot.storage import conversations
from dialogs.kit import say


class Welcome:
    def __init__(self, web: SlackWeb, sessions: async_sessionmaker[AsyncSession],
                 replies: Replies) -> None:
        self.web = web
        self.sessions = sessions
        self.replies = replies

    async def greet(self, row_id: int, event: SlackEvent) -> None:
        channel = event.channel or ""
        label = await self.web.channel_label(event.team, channel)
        text = say("nl", "slack.joined").plain
        async with self.sessions.begin() as db:
            await conversations.add_room(db, SLACK, event.team, channel,
                                         {"channel": channel, "name": label})
            await self.replies.queue(row_id, event.team, f"{SLACK}:{event.team}:{channel}",
                                     [render.text_payload(channel, text)], db)
