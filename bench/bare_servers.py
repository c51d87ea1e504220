"""Baselines for bench/channels.py: a bare Bolt app that only acks, a bare Bolt echo that acks
and posts a reply (a whole turn), and a bare botbuilder echo bot, each on aiohttp.
Run: python bench/bare_servers.py bolt|bolt-echo|msteams PORT API_URL"""

from __future__ import annotations

import re
import sys

from aiohttp import web


def bolt_app(api_url: str, echo: bool = False) -> web.Application:
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(signing_secret="bench-secret",
                    client=AsyncWebClient(token="xoxb-bench", base_url=api_url),
                    process_before_response=True)

    @bolt.event("message")
    async def message(ack, event, client) -> None:  # type: ignore[no-untyped-def]
        await ack()
        if echo:  # the whole turn: the reply posted before Slack gets its answer
            await client.chat_postMessage(channel=event["channel"], text=event.get("text", ""))

    @bolt.action(re.compile(".*"))
    async def action(ack) -> None:  # type: ignore[no-untyped-def]
        await ack()

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    return app


def msteams_app() -> web.Application:
    from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )

    class Config:
        APP_ID = ""
        APP_PASSWORD = ""
        APP_TYPE = "MultiTenant"
        APP_TENANTID = ""

    class Echo(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(MessageFactory.text(turn_context.activity.text))

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Config()))
    bot = Echo()

    async def handle(request: web.Request) -> web.Response:
        return await adapter.process(request, bot) or web.Response(status=200)

    app = web.Application()
    app.router.add_post("/api/messages", handle)
    return app


if __name__ == "__main__":
    kind, port = sys.argv[1], int(sys.argv[2])
    application = (bolt_app(sys.argv[3], echo=kind == "bolt-echo") if kind.startswith("bolt")
                   else msteams_app())
    web.run_app(application, host="127.0.0.1", port=port, print=None)
