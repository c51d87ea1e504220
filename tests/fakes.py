"""Local fake servers for the platforms' APIs (Slack Web API, Bot Framework connector), on
127.0.0.1, recording every call. Optional rate limits and random failures."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import time
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.platform_rules import slack_message_errors, teams_chart_errors


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers of a correctly signed Slack request."""
    stamp = str(timestamp or int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


class Bucket:
    """A token bucket, as the platforms enforce their limits: ``rate`` per second with a burst
    of one second's worth."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = max(rate, 1.0)
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0 when allowed, else the seconds until a token is free (for Retry-After)."""
        now = time.monotonic()
        self.tokens = min(max(self.rate, 1.0), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class FakeSlack:
    """The Slack Web API methods Leerbot uses. Optional limits: chat.postMessage per channel
    and per workspace (429 with Retry-After), and random failures (500, nothing recorded)."""

    def __init__(self, *, fail_rate: float = 0.0, per_channel_per_second: float | None = None,
                 per_workspace_per_second: float | None = None, seed: int = 1,
                 workspace_of: Any = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail_rate = fail_rate
        #: methods that always fail (Slack unreachable for them)
        self.failing: set[str] = set()
        self.limit = per_channel_per_second
        self.workspace_rate = per_workspace_per_second
        self.buckets: dict[str, Bucket] = {}
        #: which workspace a post belongs to (by its channel); one workspace by default
        self.workspace_of = workspace_of or (lambda channel: "T1")
        self.random = random.Random(seed)
        self.last_post: dict[str, float] = defaultdict(float)
        self.rate_limited = 0
        self.server: TestServer | None = None
        self.views = 0
        #: methods whose calls wait until ``released`` is set (a platform that hangs)
        self.hold: set[str] = set()
        self.released = asyncio.Event()
        self.waiting = 0
        #: a workspace whose clients cannot draw native charts refuses their blocks
        self.refuse_charts = False
        #: token rotation: refreshed tokens handed out; an organisation's workspaces
        self.refreshed = 0
        self.org_teams: list[str] = []
        #: what oauth.v2.access answers to an install (None: a plain workspace install)
        self.install_answer: dict[str, Any] | None = None
        #: conversations.history as Slack gives it to apps outside the Marketplace (2025):
        #: at most 15 messages per call, and (when set) this many calls a minute
        self.history_limit = 15
        self.history_per_minute: int | None = None
        self._history_calls: list[float] = []
        #: conversations.open answers without the channel (a malformed answer)
        self.open_without_channel = False

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/"))

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        return [args for method, args in self.calls
                if method == "chat.postMessage" and (channel is None or args["channel"] == channel)]

    def named(self, method: str) -> list[dict[str, Any]]:
        return [args for name, args in self.calls if name == method]

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST":
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(parse_qsl(await request.text()))
        return args

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        if method in self.hold:
            self.waiting += 1
            await self.released.wait()
        for key in ("blocks", "view"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        if method in self.failing or (self.fail_rate and self.random.random() < self.fail_rate):
            return web.json_response({"ok": False, "error": "internal_error"}, status=500)
        if method == "chat.postMessage" and self._invalid_blocks(args.get("blocks") or []):
            return web.json_response({"ok": False, "error": "invalid_blocks"})
        if method == "chat.postMessage" and self.workspace_rate:
            workspace = self.workspace_of(str(args.get("channel", "")))
            bucket = self.buckets.setdefault(workspace, Bucket(self.workspace_rate))
            wait = bucket.take()
            if wait:
                self.rate_limited += 1
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                         headers={"Retry-After": str(max(1, round(wait)))})
        if method == "chat.postMessage" and self.limit:
            now = time.monotonic()
            channel = args.get("channel", "")
            if now - self.last_post[channel] < 1 / self.limit:
                self.rate_limited += 1
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                         headers={"Retry-After": "1"})
            self.last_post[channel] = now
        if method == "conversations.history" and self.history_per_minute is not None:
            moment = time.monotonic()
            self._history_calls = [t for t in self._history_calls if moment - t < 60]
            if len(self._history_calls) >= self.history_per_minute:
                self.rate_limited += 1
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                         headers={"Retry-After": "60"})
            self._history_calls.append(moment)
        args["_token"] = request.headers.get("Authorization", "")
        self.calls.append((method, args))
        return web.json_response(self.answer(method, args))

    def _invalid_blocks(self, blocks: list[dict[str, Any]]) -> bool:
        charts = any(b.get("type") == "data_visualization" for b in blocks)
        return bool(slack_message_errors(blocks)) or (charts and self.refuse_charts)

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1",
                    "user": "leerbot", "team": "Acme", "url": "https://acme.slack.com/"}
        if method == "conversations.open":
            if self.open_without_channel:
                return {"ok": True}
            return {"ok": True, "channel": {"id": f"D{args.get('users', 'X')}"}}
        if method == "users.info":
            return {"ok": True, "user": {"id": args.get("user"), "locale": "nl-NL",
                                         "real_name": "Anna"}}
        if method == "views.open":
            self.views += 1
            return {"ok": True, "view": {"id": f"V{self.views}", "hash": "h"}}
        if method in {"views.update", "views.publish"}:
            return {"ok": True, "view": {"id": args.get("view_id", "VH"), "hash": "h2"}}
        if method == "files.getUploadURLExternal":
            assert self.server is not None
            return {"ok": True, "upload_url": str(self.server.make_url("/upload")),
                    "file_id": "F1"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F1", "title": "file"}]}
        if method == "oauth.v2.access" and args.get("grant_type") == "refresh_token":
            self.refreshed += 1
            return {"ok": True, "token_type": "bot", "access_token": f"xoxe.xoxb-{self.refreshed}",
                    "refresh_token": f"xoxe-1-refresh-{self.refreshed}", "expires_in": 43200}
        if method == "auth.teams.list":
            return {"ok": True, "teams": [{"id": t, "name": t} for t in self.org_teams],
                    "response_metadata": {"next_cursor": ""}}
        if method == "oauth.v2.access" and self.install_answer is not None:
            return self.install_answer
        if method == "oauth.v2.access":
            return {"ok": True, "app_id": "A1", "access_token": "xoxb-installed-T9",
                    "token_type": "bot", "scope": "chat:write,commands", "bot_user_id": "UBOT9",
                    "team": {"id": "T9", "name": "Nine"}, "enterprise": None,
                    "is_enterprise_install": False,
                    "authed_user": {"id": "UINSTALLER", "scope": "", "token_type": "user"}}
        if method == "chat.postMessage":
            channel = str(args.get("channel", ""))
            if channel.startswith("U"):  # a DM by user id lands in the app's DM with them
                channel = f"D{channel}"
            args.setdefault("_ts", f"{time.time():.6f}")
            return {"ok": True, "channel": channel, "ts": args["_ts"]}
        if method == "conversations.history":
            return self.history(args)
        return {"ok": True}

    def history(self, args: dict[str, Any]) -> dict[str, Any]:
        """The channel's posts, newest first, within oldest..latest (inclusive), at most
        ``limit`` (capped at ``history_limit``) with ``has_more`` when there were more."""
        wanted = args.get("channel")
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or time.time() + 3600)
        messages = []
        for name, posted in self.calls:
            target = str(posted.get("channel", ""))
            stamp = float(posted.get("_ts") or 0)
            if name == "chat.postMessage" and wanted in (target, f"D{target}") \
                    and oldest <= stamp <= latest:
                metadata = posted.get("metadata")
                if isinstance(metadata, str):
                    metadata = json.loads(metadata)
                messages.append({"type": "message", "text": posted.get("text"),
                                 "ts": posted.get("_ts"), "metadata": metadata or {}})
        messages.sort(key=lambda m: float(m["ts"] or 0), reverse=True)
        limit = min(int(args.get("limit") or 100), self.history_limit)
        return {"ok": True, "messages": messages[:limit], "has_more": len(messages) > limit}

    async def upload(self, request: web.Request) -> web.Response:
        self.calls.append(("upload", {"size": len(await request.read())}))
        return web.Response(text="OK")

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self.api)
        app.router.add_get("/api/{method}", self.api)
        app.router.add_post("/upload", self.upload)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        await self.server.close()


def _cards(activity: dict[str, Any]) -> list[dict[str, Any]]:
    return [a["content"] for a in activity.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]


class FakeConnector:
    """The Bot Framework connector (Teams' serviceUrl): records activities sent to it.
    Optional limits per tenant (the whole connector) and per conversation: 429 with
    Retry-After; random failures (503, nothing recorded)."""

    def __init__(self, *, fail_rate: float = 0.0, seed: int = 1,
                 per_second: float | None = None,
                 per_conversation_per_second: float | None = None) -> None:
        self.activities: list[dict[str, Any]] = []
        self.fail_rate = fail_rate
        self.bucket = Bucket(per_second) if per_second else None
        self.per_conversation = per_conversation_per_second
        self.conversation_buckets: dict[str, Bucket] = {}
        self.rate_limited = 0
        self.random = random.Random(seed)
        self.server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/")).rstrip("/") + "/"

    async def activity(self, request: web.Request) -> web.Response:
        if self.fail_rate and self.random.random() < self.fail_rate:
            return web.Response(status=503)
        conversation = request.match_info["conversation"]
        buckets = [self.bucket] if self.bucket else []
        if self.per_conversation:
            buckets.append(self.conversation_buckets.setdefault(
                conversation, Bucket(self.per_conversation)))
        for bucket in buckets:
            wait = bucket.take()
            if wait:
                self.rate_limited += 1
                return web.Response(status=429, headers={"Retry-After": f"{wait:.2f}"})
        body = await request.json()
        if any(teams_chart_errors(element) for card in _cards(body)
               for element in card.get("body") or []
               if element.get("type", "").startswith("Chart.")):
            return web.json_response({"error": {"code": "BadArgument"}}, status=400)
        body["_conversation"] = request.match_info["conversation"]
        self.activities.append(body)
        return web.json_response({"id": f"a{len(self.activities)}"})

    def cards(self) -> list[dict[str, Any]]:
        return [card for activity in self.activities for card in _cards(activity)]

    async def __aenter__(self) -> FakeConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self.activity)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply}",
                            self.activity)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        await self.server.close()
