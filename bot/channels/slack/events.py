"""What a Slack request asks of us, and the inbox it is kept in until a worker handles it.

A listener turns Slack's payload into a ``SlackEvent`` and stores it (deduplicated on a key
Slack repeats on a retry: the ``event_id``, a trigger id, a view's id and hash) before the
request is acknowledged. Nothing else happens in the request, so work survives a crash between
the acknowledgement and the reply, and any replica may do it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel

from bot.channels import ASK_QUESTION, SLACK
from bot.channels.slack import render
from bot.group_commit import InboxWriter
from dialogs.kit import Prompt

MENTION = re.compile(r"<@[A-Z0-9]+>")


class SlackEvent(BaseModel):
    """What the inbox keeps of a Slack request: enough to run the turn and reply."""

    kind: Literal["message", "action", "open_form", "form", "home", "joined"]
    team: str
    user: str
    channel: str | None = None  # where to answer (a DM id); None: open the user's DM
    text: str | None = None
    value: str | None = None
    form: dict[str, str] | None = None
    prompt: Prompt | None = None
    view_id: str | None = None
    thread_ts: str | None = None
    #: a dialog to start by its id, with ``text`` as what the user said (a message action)
    start: str | None = None


def _id(part: Any) -> str:
    return str((part or {}).get("id", ""))


def from_event(body: dict[str, Any], event: dict[str, Any],
               bot_user: str | None) -> SlackEvent | None:
    """An Events API event (None: nothing for us, e.g. a bot's own message)."""
    team, user, kind = body.get("team_id", ""), event.get("user", ""), event["type"]
    if kind == "message":
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return None
        return SlackEvent(kind="message", team=team, user=user,
                          channel=event.get("channel"), text=event.get("text", ""))
    if kind == "app_mention":
        text = MENTION.sub("", event.get("text", "")).strip() or "menu"
        return SlackEvent(kind="message", team=team, user=user, text=text)
    if kind == "app_home_opened":
        if event.get("tab", "home") != "home":
            return None
        return SlackEvent(kind="home", team=team, user=user)
    if user != bot_user or not event.get("channel"):  # member_joined_channel: only our own
        return None
    return SlackEvent(kind="joined", team=team, user=user, channel=event.get("channel"))


def from_action(body: dict[str, Any], action: dict[str, Any],
                view_id: str | None = None) -> SlackEvent:
    """A pressed button or a chosen option; a form button opens a modal (``view_id``)."""
    prompt, kind = render.parse_action_id(action["action_id"])
    team, user = _id(body.get("team")), _id(body.get("user"))
    channel = (body.get("channel") or {}).get("id")
    if kind == "form":
        return SlackEvent(kind="open_form", team=team, user=user, channel=channel,
                          prompt=prompt, view_id=view_id)
    value = action.get("value")
    if action.get("type") == "static_select":
        value = (action.get("selected_option") or {}).get("value")
    return SlackEvent(kind="action", team=team, user=user, channel=channel, value=value,
                      prompt=prompt)


def opens_form(action: dict[str, Any]) -> bool:
    """Whether the action is a form button (its modal must be opened in the request)."""
    return render.parse_action_id(action["action_id"])[1] == "form"


def action_key(body: dict[str, Any], action: dict[str, Any]) -> str:
    return f"action:{body.get('trigger_id') or action.get('action_ts')}"


def from_submission(body: dict[str, Any], view: dict[str, Any]) -> SlackEvent:
    """A submitted modal: the form's values for the question it was opened for."""
    prompt, _ = render.parse_action_id(view["callback_id"])
    meta = json.loads(view.get("private_metadata") or "{}")
    return SlackEvent(kind="form", team=_id(body.get("team")), user=_id(body.get("user")),
                      channel=meta.get("channel"),
                      form=render.modal_values(view.get("state") or {}), prompt=prompt)


def submission_key(view: dict[str, Any]) -> str:
    return f"view:{view['id']}:{view.get('hash', '')}"


def from_command(body: dict[str, Any]) -> SlackEvent:
    """``/leerbot <text>``: answered in the user's DM."""
    return SlackEvent(kind="message", team=body.get("team_id", ""),
                      user=body.get("user_id", ""), text=(body.get("text") or "menu").strip())


def from_shortcut(body: dict[str, Any]) -> SlackEvent:
    """The message action: the help-question dialog starts with the message as question."""
    message = (body.get("message") or {}).get("text") or ""
    return SlackEvent(kind="message", team=_id(body.get("team")), user=_id(body.get("user")),
                      text=message, start=ASK_QUESTION)


class SlackInbox:
    """Stores events before they are acknowledged, then wakes the inbox worker."""

    def __init__(self, writer: InboxWriter, wake: Callable[[], object]) -> None:
        self.writer = writer
        self.wake = wake

    async def store(self, event_key: str, event: SlackEvent) -> None:
        """Returns once the event is committed; a repeated key is dropped."""
        conversation = f"{SLACK}:{event.team}:{event.user}"
        await self.writer.store(SLACK, event_key, conversation, event.model_dump(mode="json"))
        self.wake()

    async def close(self) -> None:
        await self.writer.close()
