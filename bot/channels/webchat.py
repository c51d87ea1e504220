"""The local web chat: a page on 127.0.0.1 that renders the same messages with buttons, forms,
cards and images. Text is sent as segments and placed with textContent in the browser, so user
text can never become markup.

Who is talking is the server's to say: an id in a signed, HttpOnly, SameSite=Strict cookie
(``web_identity``); the page only chooses a display name. Only loopback host names and the host
of LEERBOT_PUBLIC_URL are served (a web page that resolves its own name to 127.0.0.1 cannot
drive the chat)."""

from __future__ import annotations

import base64
import html
import secrets
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from yarl import URL

from bot.channels import WEB
from bot.channels.contract import Transaction, run_turn
from bot.channels.web_identity import COOKIE, ChatIdentity
from bot.settings import Settings
from dialogs.kit import (
    TEXTS,
    CardBlock,
    Channel,
    ChartBlock,
    ChoicesBlock,
    Conductor,
    FileBlock,
    FormBlock,
    ImageBlock,
    Incoming,
    Member,
    Message,
    Prompt,
    Rich,
    SessionKey,
    TextBlock,
    plain,
)
from knowledge.messages import t

CHANNEL = Channel(mailbox=True, name=WEB, forms=True)
STATIC = Path(__file__).resolve().parent / "web"
WORKSPACE = "local"
MAX_TEXT = 4000
FRAME_TEXTS = ("tag", "placeholder", "send", "name_label", "name_placeholder", "new_user",
               "connection_error", "session_error")

Request = TypeVar("Request", bound=BaseModel)


class MailboxRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locale: str | None = Field(None, max_length=16)


class WebRequest(BaseModel):
    """A message from the page. It names no user: who is talking comes from the cookie."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=80)
    locale: str | None = Field(None, max_length=16)
    text: str | None = Field(None, max_length=MAX_TEXT)
    value: str | None = Field(None, max_length=200)
    form: dict[str, str] | None = None
    prompt: Prompt | None = None


class WebTurn(BaseModel):
    """A message and the identity the cookie carried."""

    ident: str
    request: WebRequest


def rich_json(rich: Rich | None) -> list[dict[str, Any]] | None:
    if rich is None:
        return None
    return [{"kind": s.kind, "text": s.text, **({"url": s.url} if s.url else {}),
             **({"strong": True} if s.strong else {})} for s in rich.segments]


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
    if isinstance(block, ChartBlock):
        image = block.image()
        if image is not None:
            return block_json(image)
        return {"type": "text", "text": rich_json(plain("\n".join(block.text_lines())))}
    if isinstance(block, FileBlock):
        return {"type": "file", "name": block.name,
                "href": f"data:{block.media_type};base64," + base64.b64encode(block.data).decode()}
    raise TypeError(type(block))


def message_json(message: Message) -> dict[str, Any]:
    return {"blocks": [block_json(b) for b in message.blocks],
            "prompt": message.prompt.model_dump() if message.prompt else None}


def allowed_hosts(public_url: str | None) -> frozenset[str]:
    """Loopback names, plus the host of LEERBOT_PUBLIC_URL."""
    hosts = {"127.0.0.1", "localhost", "::1"}
    if public_url:
        host = URL(public_url).host
        if host:
            hosts.add(host.casefold())
    return frozenset(hosts)


def _host_of(request: web.Request) -> str:
    try:
        return (URL(f"http://{request.host}").host or "").casefold().strip("[]")
    except ValueError:
        return ""


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    return origin is None or origin == f"{request.scheme}://{request.host}"


def _key(ident: str) -> SessionKey:
    return SessionKey(channel=CHANNEL.name, workspace=WORKSPACE, user=f"web-{ident}",
                      conversation="webchat")


class WebChatAdapter:
    """The web chat as a channel adapter: a posted message in, the reply in the response."""

    channel = CHANNEL
    in_turn = False

    async def receive(self, received: WebTurn) -> Incoming | None:
        data = received.request
        return Incoming(key=_key(received.ident), text=data.text, value=data.value,
                        form=data.form, prompt=data.prompt, locale=data.locale, name=data.name)

    async def render(self, received: WebTurn, messages: list[Message]) -> list[dict[str, Any]]:
        return [message_json(m) for m in messages]

    async def send(self, received: WebTurn, rendered: list[dict[str, Any]],
                   turn: Transaction | None) -> None:
        """Nothing to push: the reply travels back in the HTTP response."""


async def _read(request: web.Request, model: type[Request]) -> Request:
    """A request of our own page (same origin, our header), validated."""
    if request.headers.get("X-Leerbot") != "1" or not _same_origin(request):
        raise web.HTTPForbidden(text="cross-site request refused")
    try:
        return model.model_validate(await request.json())
    except (ValidationError, ValueError, RecursionError):  # RecursionError: nested too deep
        raise web.HTTPBadRequest(text="malformed request") from None


def _page_headers(nonce: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": (f"default-src 'none'; script-src 'nonce-{nonce}'; "
                                    f"style-src 'nonce-{nonce}'; img-src data:; "
                                    "connect-src 'self'; form-action 'none'; "
                                    "base-uri 'none'; frame-ancestors 'none'"),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def frame_texts(lang: str) -> dict[str, str]:
    """The page's own texts (placeholder, button, labels) in a language."""
    return {name: t(lang, f"web.{name}") for name in FRAME_TEXTS}


def _frame(page: str, lang: str, nonce: str) -> str:
    """The page in the member's language (our own texts, escaped all the same)."""
    body = page.replace("{{NONCE}}", nonce).replace("{{LANG}}", lang)
    for name, text in frame_texts(lang).items():
        body = body.replace("{{" + name.upper() + "}}", html.escape(text, quote=True))
    return body


class WebChat:
    """The page and its API, for one server."""

    def __init__(self, conductor: Conductor, settings: Settings) -> None:
        self.conductor = conductor
        self.page = (STATIC / "index.html").read_text(encoding="utf-8")
        self.identity = ChatIdentity.in_data_dir(settings.data_dir)
        self.hosts = allowed_hosts(settings.public_url)
        self.adapter = WebChatAdapter()

    def _served(self, request: web.Request) -> None:
        if _host_of(request) not in self.hosts:
            raise web.HTTPMisdirectedRequest(text="this host name is not served here")

    def _caller(self, request: web.Request) -> str:
        self._served(request)
        ident = self.identity.read(request.cookies.get(COOKIE))
        if ident is None:
            raise web.HTTPUnauthorized(text="no chat session: reload the page")
        return ident

    @staticmethod
    def _set_cookie(response: web.StreamResponse, value: str, request: web.Request) -> None:
        response.set_cookie(COOKIE, value, httponly=True, samesite="Strict", path="/chat",
                            secure=request.secure, max_age=400 * 24 * 3600)

    async def _known(self, ident: str) -> Member | None:
        """The member behind a cookie, if they ever talked: opening the page or polling the
        mailbox makes nobody a member (nor, on a fresh install, its first admin)."""
        key = _key(ident)
        async with self.conductor.units() as unit:
            people = unit.ports(Member(workspace=key.workspace, user=key.user)).get("people")
            return await people.member(key.user)  # type: ignore[no-any-return]

    async def _language(self, ident: str | None, locale: str | None) -> str:
        """The member's chosen language, else the browser's."""
        member = await self._known(ident) if ident is not None else None
        if member is not None and member.lang:
            return TEXTS.normalise(member.lang)
        return TEXTS.normalise(locale)

    async def index(self, request: web.Request) -> web.Response:
        self._served(request)
        ident = self.identity.read(request.cookies.get(COOKIE))
        cookie = None
        if ident is None:
            ident, cookie = self.identity.issue()
        nonce = secrets.token_urlsafe(16)
        accepted = request.headers.get("Accept-Language", "").split(",")[0].split(";")[0]
        body = _frame(self.page, await self._language(ident, accepted.strip() or None), nonce)
        response = web.Response(text=body, content_type="text/html",
                                headers=_page_headers(nonce))
        if cookie is not None:
            self._set_cookie(response, cookie, request)
        return response

    async def asset(self, request: web.Request) -> web.Response:
        self._served(request)
        name = request.match_info["name"]
        if name not in {"app.js", "style.css"}:
            raise web.HTTPNotFound()
        kind = "application/javascript" if name.endswith(".js") else "text/css"
        return web.Response(text=(STATIC / name).read_text(encoding="utf-8"), content_type=kind,
                            headers={"X-Content-Type-Options": "nosniff"})

    async def message(self, request: web.Request) -> web.Response:
        ident = self._caller(request)
        data = await _read(request, WebRequest)
        reply = await run_turn(self.adapter, self.conductor, WebTurn(ident=ident, request=data))
        # the language may have changed in this turn ("switch to english"): the page follows
        lang = await self._language(ident, data.locale)
        return web.json_response({"messages": reply or [], "lang": lang,
                                  "frame": frame_texts(lang)})

    async def mailbox(self, request: web.Request) -> web.Response:
        """Proactive messages waiting for this web chat user (polled by the page)."""
        ident = self._caller(request)
        await _read(request, MailboxRequest)
        member = await self._known(ident)
        if member is None:  # nothing can wait for someone who never talked
            return web.json_response({"messages": []})
        async with self.conductor.units() as unit:
            waiting, _ = await unit.mailbox(member)
        return web.json_response({"messages": [message_json(m) for m in waiting]})

    async def new_identity(self, request: web.Request) -> web.Response:
        """Start as a new local user (to try several people in one browser)."""
        self._served(request)
        await _read(request, MailboxRequest)
        _, cookie = self.identity.issue()
        response = web.json_response({"status": "new"})
        self._set_cookie(response, cookie, request)
        return response


def add_routes(app: web.Application, conductor: Conductor, settings: Settings) -> None:
    """Mount the web chat (page and API) under /chat."""
    chat = WebChat(conductor, settings)
    app.router.add_get("/chat", chat.index)
    app.router.add_post("/chat/api/mailbox", chat.mailbox)
    app.router.add_post("/chat/api/identity", chat.new_identity)
    app.router.add_get("/chat/{name}", chat.asset)
    app.router.add_post("/chat/api/message", chat.message)
