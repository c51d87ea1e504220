"""`leerbot serve`: one aiohttp application for every HTTP channel, plus health checks.

Routes: ``/slack/events`` (when Slack is configured), ``/api/messages`` (Microsoft Teams;
without an app id only from 127.0.0.1), ``/chat`` (local web chat, only when listening on
loopback), ``/healthz`` (the process runs) and ``/readyz`` (the database accepts a write).
The inbox and delivery workers run inside the same process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from datetime import timedelta
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import files
from bot.channels import MSTEAMS, SLACK, webchat
from bot.channels.mailbox import SENDER, MailboxSender
from bot.channels.msteams import MsTeamsChannel
from bot.channels.slack.channel import SlackChannel
from bot.net import is_loopback
from bot.runtime import Runtime
from bot.scheduler import Planner
from bot.storage.db import database_error, touch_health
from bot.wakeups import DELIVERIES, INBOX, Wakeups
from bot.workers import DeliveryWorker, InboxWorker, Sender

log = logging.getLogger(__name__)
RUNTIME = web.AppKey("runtime", Runtime)

__all__ = ["PathAccessLogger", "build_app", "is_loopback"]


class Channels:
    """The chat platforms configured in the settings, and the workers that serve them."""

    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        self.settings = settings
        self.socket_mode: Any = None
        senders: dict[str, Sender] = {SENDER: MailboxSender(runtime.sessions)}
        lease = timedelta(seconds=settings.lease)
        self.deliveries = DeliveryWorker(runtime.sessions, senders, lease=lease,
                                         retention=timedelta(days=settings.retention_days))
        self.planner = Planner(runtime.sessions, clock=runtime.clock)
        self._planning: asyncio.Task[None] | None = None
        self.inbox = InboxWorker(runtime.sessions, {}, lease=lease)
        self.slack: SlackChannel | None = None
        if settings.slack_signing_secret is not None:
            self.slack = SlackChannel(settings, runtime.conductor, runtime.sessions,
                                      self.inbox.wake.set, self.deliveries.wake.set,
                                      direct=self.deliveries)
            senders[SLACK] = self.slack.sender
            self.inbox.processors[SLACK] = self.slack.process
        self.msteams = MsTeamsChannel(settings, runtime.conductor, runtime.sessions)
        senders[MSTEAMS] = self.msteams.sender
        self.wakeups = Wakeups(runtime.engine, {INBOX: self.inbox.wake.set,
                                                DELIVERIES: self.deliveries.wake.set})

    async def start(self) -> None:
        self.inbox.start()
        self.deliveries.start()
        if self.settings.wakeups:
            self.wakeups.start()
        self._planning = asyncio.create_task(self.planner.run_forever(self.deliveries.wake.set),
                                             name="leerbot-planner")
        if self.slack is not None and self.settings.slack_app_token is not None:
            # development behind a firewall: events arrive over Socket Mode, not HTTP
            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

            self.socket_mode = AsyncSocketModeHandler(
                self.slack.app, self.settings.slack_app_token.get_secret_value())
            await self.socket_mode.connect_async()

    async def stop(self) -> None:
        if self.socket_mode is not None:
            await self.socket_mode.close_async()
        if self.slack is not None:
            await self.slack.close()
        if self._planning is not None:
            self._planning.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._planning
        await self.wakeups.stop()
        await self.inbox.stop()
        await self.deliveries.stop()


CHANNELS = web.AppKey("channels", Channels)


class PathAccessLogger(AbstractAccessLogger):
    """aiohttp's access log (LEERBOT_ACCESS_LOG) without query strings, which can carry
    secrets (Slack's OAuth redirect has the install code in it), and without addresses."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse,
            time: float) -> None:
        self.logger.info("%s %s %s %.3fs", request.method, request.path, response.status,
                         time)


class Readiness:
    """Whether the database accepts a write, answered within ``timeout`` seconds: a probe
    still running when the time is up keeps running in the background (the next check waits
    for the same probe rather than piling up new ones)."""

    def __init__(self, engine: AsyncEngine, timeout: float) -> None:
        self.engine = engine
        self.timeout = timeout
        self.replica = f"{socket.gethostname()}:{os.getpid()}"
        self._probe: asyncio.Task[None] | None = None

    async def problem(self) -> str | None:
        """None when ready, else what is wrong in a word (``timeout`` or a DatabaseError
        problem such as ``disk_full``, ``not_writable``, ``read_only``, ``unreachable``)."""
        if self._probe is None or self._probe.done():
            self._probe = asyncio.create_task(touch_health(self.engine, self.replica),
                                              name="leerbot-readiness")
            # a probe that ends after its check gave up: its error is read here, not lost
            self._probe.add_done_callback(lambda probe: probe.cancelled() or probe.exception())
        done, _ = await asyncio.wait({self._probe}, timeout=self.timeout)
        if not done:
            return "timeout"
        error = self._probe.exception()
        if error is None:
            return None
        found = database_error(error)
        return found.problem if found is not None else "error"


def build_app(runtime: Runtime, *, webchat_enabled: bool,
              workers: bool = True) -> web.Application:
    app = web.Application(client_max_size=2 * 1024 * 1024)
    app[RUNTIME] = runtime
    channels = Channels(runtime)
    app[CHANNELS] = channels

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    readiness = Readiness(runtime.engine, runtime.settings.ready_timeout)

    async def readyz(request: web.Request) -> web.Response:
        problem = await readiness.problem()
        if problem is not None:  # not ready: say why in a word (no paths, no secrets)
            log.warning("readiness check failed: %s", problem)
            return web.json_response({"status": "unavailable", "database": "down",
                                      "reason": problem}, status=503)
        return web.json_response({"status": "ready", "database": "up"})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_post("/api/messages", channels.msteams.handle)
    files.add_routes(app, runtime.sessions)
    if channels.slack is not None:
        app.router.add_post("/slack/events", channels.slack.handle)
        if channels.slack.installations is not None:
            app.router.add_get("/slack/install", channels.slack.handle_oauth)
            app.router.add_get("/slack/oauth_redirect", channels.slack.handle_oauth)
    if webchat_enabled:
        webchat.add_routes(app, runtime.conductor, runtime.settings)

    if workers:
        async def start_workers(_app: web.Application) -> None:
            await channels.start()

        async def stop_workers(_app: web.Application) -> None:
            await channels.stop()

        app.on_startup.append(start_workers)
        app.on_cleanup.append(stop_workers)
    elif channels.slack is not None:
        slack = channels.slack

        async def close_slack(_app: web.Application) -> None:
            await slack.close()

        app.on_cleanup.append(close_slack)

    async def close_msteams(_app: web.Application) -> None:
        await channels.msteams.close()

    app.on_cleanup.append(close_msteams)
    return app
