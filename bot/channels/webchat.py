"""The local web chat: a page on 127.0.0.1 that renders the same messages with buttons, forms,
cards and images. Text is sent as segments and placed with textContent in the browser, so user
text can never become markup."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

from bot.channels import WEB
from bot.channels.contract import Transaction, run_turn
from dialogs.kit import (
    CardBlock,
    Channel,
    ChoicesBlock,
    Conductor,
    FileBlock,
    FormBlock,
    ImageBlock,
    Incoming,
    Message,
    Prompt,
    Rich,
    SessionKey,
    TextBlock,
)

CHANNEL = Channel(mailbox=True, name=WEB, forms=True)
STATIC = Path(__file__).resolve().parent / "web"
WORKSPACE = "local"
MAX_TEXT = 4000


Request = TypeVar("Request", bound=BaseModel)


class MailboxRequest(BaseModel):
    user: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    locale: str | None = Field(None, max_length=16)


class WebRequest(BaseModel):
    user: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    name: str = Field("", max_length=80)
    locale: str | None = Field(None, max_length=16)
    text: str | None = Field(None, max_length=MAX_TEXT)
    value: str | None = Field(None, max_length=200)
    form: dict[str, str] | None = None
    prompt: Prompt | None = None


def rich_json(rich: Rich | None) -> list[dict[str, Any]] | None:
    if rich is None:
        return None
    return [{"kind": s.kind, "text": s.text, **({"url": s.url} if s.url else {})}
            for s in rich.segments]


def block_json(block: object) -> dict[str, Any]:
    if isinstance(block, TextBlock):
        return {"type": "text", "text": rich_json(block.text)}
    if isinstance(block, ChoicesBlock):
        return {"type": "choices", "choices": [
            {"value": c.value, "label": rich_json(c.label), "style": c.style}
            for c in block.choices]}
    if isinstance(block, FormBlock):
        return {"type": "form", "title": rich_json(block.title), "submit": rich_json(block.submit),
                "fields": [{"name": f.name, "label": rich_json(f.label), "kind": f.kind,
                            "required": f.required, "min": f.min, "max": f.max,
                            "default": f.default, "placeholder": rich_json(f.placeholder),
                            "choices": [{"value": c.value, "label": rich_json(c.label)}
                                        for c in f.choices]} for f in block.fields]}
    if isinstance(block, CardBlock):
        return {"type": "card", "title": rich_json(block.title), "text": rich_json(block.text),
                "facts": [{"label": rich_json(f.label), "value": rich_json(f.value)}
                          for f in block.facts]}
    if isinstance(block, ImageBlock):
        return {"type": "image", "alt": rich_json(block.alt),
                "src": "data:image/png;base64," + base64.b64encode(block.png).decode()}
    if isinstance(block, FileBlock):
        return {"type": "file", "name": block.name,
                "href": f"data:{block.media_type};base64," + base64.b64encode(block.data).decode()}
    raise TypeError(type(block))


def message_json(message: Message) -> dict[str, Any]:
    return {"blocks": [block_json(b) for b in message.blocks],
            "prompt": message.prompt.model_dump() if message.prompt else None}


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    return origin is None or origin == f"{request.scheme}://{request.host}"


def _key(user: str) -> SessionKey:
    return SessionKey(channel=CHANNEL.name, workspace=WORKSPACE, user=f"web-{user}",
                      conversation="webchat")


class WebChatAdapter:
    """The web chat as a channel adapter: a posted message in, the reply in the response."""

    channel = CHANNEL
    in_turn = False

    async def receive(self, received: WebRequest) -> Incoming | None:
        return Incoming(key=_key(received.user), text=received.text, value=received.value,
                        form=received.form, prompt=received.prompt, locale=received.locale,
                        name=received.name)

    async def render(self, received: WebRequest,
                     messages: list[Message]) -> list[dict[str, Any]]:
        return [message_json(m) for m in messages]

    async def send(self, received: WebRequest, rendered: list[dict[str, Any]],
                   turn: Transaction | None) -> None:
        """Nothing to push: the reply travels back in the HTTP response."""


async def _read(request: web.Request, model: type[Request]) -> Request:
    """A request of our own page (same origin, our header), validated."""
    if request.headers.get("X-Leerbot") != "1" or not _same_origin(request):
        raise web.HTTPForbidden(text="cross-site request refused")
    try:
        return model.model_validate(await request.json())
    except (ValidationError, ValueError):
        raise web.HTTPBadRequest(text="malformed request") from None


def _page_headers(nonce: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": (f"default-src 'none'; script-src 'nonce-{nonce}'; "
                                    f"style-src 'nonce-{nonce}'; img-src data:; "
                                    "connect-src 'self'; form-action 'none'; "
                                    "base-uri 'none'; frame-ancestors 'none'"),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def add_routes(app: web.Application, conductor: Conductor) -> None:
    """Mount the web chat (page and API) under /chat."""
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    adapter = WebChatAdapter()

    async def index(request: web.Request) -> web.Response:
        nonce = secrets.token_urlsafe(16)
        return web.Response(text=page.replace("{{NONCE}}", nonce), content_type="text/html",
                            headers=_page_headers(nonce))

    async def asset(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in {"app.js", "style.css"}:
            raise web.HTTPNotFound()
        kind = "application/javascript" if name.endswith(".js") else "text/css"
        return web.Response(text=(STATIC / name).read_text(encoding="utf-8"), content_type=kind,
                            headers={"X-Content-Type-Options": "nosniff"})

    async def message(request: web.Request) -> web.Response:
        data = await _read(request, WebRequest)
        reply = await run_turn(adapter, conductor, data)
        return web.json_response({"messages": reply or []})

    async def mailbox(request: web.Request) -> web.Response:
        """Proactive messages waiting for this web chat user (polled by the page)."""
        data = await _read(request, MailboxRequest)
        async with conductor.units() as unit:
            member = await unit.identify(_key(data.user), "", CHANNEL.name, None)
            waiting = await unit.mailbox(member)
        return web.json_response({"messages": [message_json(m) for m in waiting]})

    app.router.add_get("/chat", index)
    app.router.add_post("/chat/api/mailbox", mailbox)
    app.router.add_get("/chat/{name}", asset)
    app.router.add_post("/chat/api/message", message)
