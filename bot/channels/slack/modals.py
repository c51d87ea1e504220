"""Forms in Slack modals. A form button's ``trigger_id`` is valid for about three seconds, so
the listener opens a loading modal at once; the inbox worker then fills it with the form of the
question (``views.update``), unless the question was answered meanwhile or the modal could
not be opened (then a message says so). The submitted modal comes back as a ``form`` event."""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.contract import Transaction, run_turn
from bot.channels.slack import render
from bot.channels.slack.turns import CHANNEL, Replies, SlackTurn
from bot.storage.sessions import SqlSessionStore
from dialogs.kit import Conductor, FormBlock, Incoming, Message, say
from knowledge.messages import normalise_lang

log = logging.getLogger(__name__)


async def open_loading(client: AsyncWebClient, trigger_id: str | None) -> str | None:
    """Use the trigger at once; the id of the modal opened (None: it could not be)."""
    if not trigger_id:
        return None
    try:
        response = await client.views_open(trigger_id=trigger_id,
                                           view=render.loading_modal("Leerbot"))
        return str(response["view"]["id"])
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
        log.warning("views.open failed: %s", type(exc).__name__)
        return None


def _form(messages: list[Message]) -> FormBlock | None:
    forms = [b for m in messages for b in m.blocks if isinstance(b, FormBlock)]
    return forms[-1] if forms else None


class ModalForms:
    """Filling an opened modal, as a channel adapter: the turn shows the current question
    again ("verder"), its form becomes the modal's view."""

    channel = CHANNEL
    in_turn = True

    def __init__(self, sessions: async_sessionmaker[AsyncSession], replies: Replies) -> None:
        self.sessions = sessions
        self.replies = replies

    async def fill(self, conductor: Conductor, turn: SlackTurn) -> None:
        if await run_turn(self, conductor, turn) is None:  # answered meanwhile
            await self.send(turn, self._notice(turn, "common.stale"), None)

    async def receive(self, received: SlackTurn) -> Incoming | None:
        """Only while the form's question is still the one asked."""
        prompt = received.event.prompt
        async with self.sessions() as db:
            session, _ = await SqlSessionStore(db).load(received.key)
        current = (session.dialog, session.step, session.turn) if session else None
        if prompt is None or current != (prompt.dialog, prompt.step, prompt.turn):
            return None
        return Incoming(key=received.key, text="verder", locale=received.person.locale)

    async def render(self, received: SlackTurn, messages: list[Message]) -> dict[str, Any]:
        form = _form(messages)
        if form is None:
            return self._notice(received, "common.stale")
        if not received.event.view_id:  # Slack did not take the trigger in time, or was down
            return self._notice(received, "slack.modal_failed")
        meta = json.dumps({"channel": received.conversation})
        return {"op": "views_update", "view_id": received.event.view_id,
                "view": render.modal(received.event.prompt, form, meta)}

    async def send(self, received: SlackTurn, rendered: dict[str, Any],
                   turn: Transaction | None) -> None:
        await self.replies.queue(received.row_id, received.event.team, received.ordering,
                                 [rendered], turn.db if turn is not None else None)

    def _notice(self, received: SlackTurn, key: str) -> dict[str, Any]:
        text = say(normalise_lang(received.person.locale), key).plain
        return render.text_payload(received.conversation, text)
