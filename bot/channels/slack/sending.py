"""The delivery worker's side of Slack (``bot.workers.Sender``): queued operations become Web API
calls, Slack's errors are classified (retry later or give up), and after a crash the DM's
history tells whether an interrupted post arrived (our key travels in its metadata)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels import SLACK
from bot.channels.slack.web import SlackWeb, failure
from bot.queue import delivery_result
from bot.settings import Settings
from bot.workers import PermanentError, RetryableError

METADATA_EVENT = "leerbot_delivery"
#: the crash check reads the conversation's history from a little before the interrupted
#: attempt until the longest a call could have taken (the client's timeout, with margin):
#: Slack gives apps outside the Marketplace 15 messages per call and one call a minute
HISTORY_BEFORE, HISTORY_AFTER, HISTORY_LIMIT = 5.0, 120.0, 15
#: operations that may simply be done again (the same view shown twice changes nothing)
IDEMPOTENT = {"views_update", "views_publish"}


class SlackSender:
    verifies = True

    def __init__(self, settings: Settings, web: SlackWeb,
                 sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.web = web
        self.sessions = sessions

    def pace(self, workspace: str, payload: dict[str, Any]) -> tuple[str, float] | None:
        """Scheduled messages share the workspace's rate; replies to a user are not held
        back (a 429 still makes them wait for Retry-After)."""
        if payload.get("run") is None or payload["op"] != "post":
            return None
        return f"{SLACK}:{workspace}", self.settings.slack_rate

    async def send(self, workspace: str, payload: dict[str, Any],
                   key: str = "") -> dict[str, Any] | None:
        """Deliver one queued operation; errors are classified for the delivery worker."""
        client = await self.web.client_for(workspace)
        op = payload["op"]
        try:
            if op == "post":
                return await self._post(client, payload, key)
            await self._other(client, op, payload)
        except SlackApiError as exc:
            raise failure(op, exc) from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryableError(f"network: {type(exc).__name__}") from None
        return None

    async def _post(self, client: AsyncWebClient, payload: dict[str, Any],
                    key: str) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "channel": payload["channel"], "text": payload["text"],
            "blocks": payload.get("blocks"), "unfurl_links": False, "unfurl_media": False}
        if payload.get("thread_ts"):
            arguments["thread_ts"] = payload["thread_ts"]
        if payload.get("thread_of"):
            arguments["thread_ts"] = await self._thread_of(payload["thread_of"])
        if key:  # lets a restarted process see whether this message arrived
            arguments["metadata"] = {"event_type": METADATA_EVENT,
                                     "event_payload": {"key": key}}
        try:
            response = await client.chat_postMessage(**arguments)
        except SlackApiError as exc:
            if not payload.get("chart_images") or exc.response.get("error") != "invalid_blocks":
                raise
            # a workspace or client without native charts: the same message with the images
            arguments["blocks"] = [b for b in arguments["blocks"] or []
                                   if b.get("type") != "data_visualization"] or None
            response = await client.chat_postMessage(**arguments)
            for image in payload["chart_images"]:
                await client.files_upload_v2(channel=response.get("channel") or payload["channel"],
                                             filename=image["filename"],
                                             content=base64.b64decode(image["content"]))
        return {"channel": response.get("channel"), "ts": response.get("ts")}

    async def _other(self, client: AsyncWebClient, op: str, payload: dict[str, Any]) -> None:
        if op == "upload":
            await client.files_upload_v2(channel=payload["channel"],
                                         filename=payload["filename"],
                                         content=base64.b64decode(payload["content"]))
        elif op == "views_update":
            await client.views_update(view_id=payload["view_id"], view=payload["view"])
        elif op == "views_publish":
            await client.views_publish(user_id=payload["user_id"], view=payload["view"])
        else:
            raise PermanentError(f"unknown operation {op}")

    async def _thread_of(self, delivery_key: str) -> str | None:
        """The ts of an earlier post (e.g. a forum question), to answer in its thread."""
        async with self.sessions() as db:
            result = await delivery_result(db, delivery_key)
        return (result or {}).get("ts")

    async def delivered(self, workspace: str, payload: dict[str, Any], key: str,
                        since: datetime) -> bool | None:
        """Whether an interrupted post arrived: our key travels in the message metadata, so
        the conversation's history around the attempt tells. None (the delivery becomes
        "unknown", never sent twice) when it cannot: Slack limits the history (apps outside
        the Marketplace: one call a minute, 15 messages), refuses it, or the window holds more
        messages than one call returns; or the queued payload no longer says where it went."""
        op = payload.get("op")
        if op in IDEMPOTENT:
            return False  # doing it again is harmless
        if payload.get("sent"):  # marked sent (``sent_payload``) by a worker that had lost
            return True  # the row: its mark came after the takeover, the post arrived
        channel = payload.get("channel")
        if op != "post" or not isinstance(channel, str) or not channel:
            return None
        try:
            found, complete = await self._look_for(workspace, channel, key, since)
        except SlackApiError as exc:
            if exc.response.status_code >= 500:  # Slack's trouble: ask again later
                raise RetryableError(f"slack {exc.response.status_code}") from None
            return None  # limited or refused: a second call would only be limited again
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryableError(f"network: {type(exc).__name__}") from None
        return True if found else (False if complete else None)

    async def _look_for(self, workspace: str, channel: str, key: str,
                        since: datetime) -> tuple[bool, bool]:
        """(whether a message with our key is in the window around the attempt, whether the
        answer saw the whole window). One call: the window is narrow, so it fits."""
        pooled = await self.web.client_for(workspace)
        if channel.startswith(("U", "W")):  # posted to a user: it went to their DM
            channel = await self.web.dm(workspace, channel)
        # without the client's retry on a rate limit: it would wait out Slack's minute
        client = AsyncWebClient(token=pooled.token, base_url=pooled.base_url,
                                session=pooled.session, retry_handlers=[])
        start = (since if since.tzinfo else since.replace(tzinfo=UTC)).timestamp()
        history = await client.conversations_history(
            channel=channel, oldest=f"{start - HISTORY_BEFORE:.6f}",
            latest=f"{start + HISTORY_AFTER:.6f}", inclusive=True,
            include_all_metadata=True, limit=HISTORY_LIMIT)
        messages = list(history.get("messages") or [])
        found = any(_carries(message, key) for message in messages)
        return found, not history.get("has_more")


def _carries(message: dict[str, Any], key: str) -> bool:
    metadata = message.get("metadata") or {}
    return metadata.get("event_type") == METADATA_EVENT and \
        (metadata.get("event_payload") or {}).get("key") == key
