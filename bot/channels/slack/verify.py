"""A request to ``/slack/events`` is checked before anything reads it: signed by Slack (the
signing secret over the raw bytes, at most five minutes old), then UTF-8, then a JSON object
(the body itself, or a form's ``payload``) or a plain form (a slash command). Anything else is
refused with a 4xx status, and the refusals are logged as one line at most every
``REFUSAL_LOG_EVERY`` seconds with how many there were: never a traceback, never the body."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from bot.net import RefusalLog

log = logging.getLogger(__name__)
#: how old a signed request may be (Slack's advice; older ones could be replays)
MAX_AGE = 300
#: at most one warning about refused requests this often (a flood costs one line a minute)
REFUSAL_LOG_EVERY = 60.0
#: the form Slack sends to check a slash command's certificate (answered, nothing else done)
SSL_CHECK = "ssl_check"


class Refused(Exception):
    """The request is not Slack's or not in a shape Slack sends; ``status`` says which."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def check_signature(secret: str, headers: Mapping[str, str], body: bytes,
                    now: float | None = None) -> None:
    """Slack's v0 signature over the raw body; raises ``Refused`` (401) if it does not hold."""
    stamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not stamp or not signature:
        raise Refused(401, "unsigned")
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
        raise Refused(401, "bad timestamp")
    if abs((now if now is not None else time.time()) - int(stamp)) > MAX_AGE:
        raise Refused(401, "stale timestamp")
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body,
                                hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise Refused(401, "bad signature")


def parse(body: bytes, content_type: str) -> tuple[str, dict[str, Any]]:
    """The body as text and as what Bolt will read from it; ``Refused`` (400) when it is not a
    shape Slack sends. Bolt reads the text the same way, so it never meets what fails here."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "not UTF-8") from None
    if not text:
        raise Refused(400, "empty body")
    try:
        if content_type == "application/json" or text.startswith("{"):
            parsed = json.loads(text)
        elif "payload" in text:
            payload = dict(parse_qsl(text, keep_blank_values=True)).get("payload")
            parsed = json.loads(payload) if payload is not None else {}
        else:
            parsed = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=True))
            if not {"command", SSL_CHECK} & set(parsed):  # Slack's forms: a command or a check
                raise Refused(400, "a form that is no slash command")
    except ValueError:  # json.JSONDecodeError is one, as is a form parse_qsl cannot read
        raise Refused(400, "malformed body") from None
    if not isinstance(parsed, dict) or not parsed:
        raise Refused(400, "not an object")
    return text, parsed


def is_ssl_check(body: bytes) -> bool:
    """Slack's certificate check of a slash command URL (Bolt answers it unsigned too)."""
    try:
        form = dict(parse_qsl(body.decode("ascii"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return False
    return form.get(SSL_CHECK) == "1"


class Refusals(RefusalLog):
    """Refused Slack requests: one warning line a minute at most (``bot.net.RefusalLog``),
    with the reason and status of the one that opened it."""

    def __init__(self, every: float = REFUSAL_LOG_EVERY) -> None:
        super().__init__(log, every)

    def refused(self, reason: str, status: int) -> None:
        self.warn("slack: refused a request: %s (%d)", reason, status)
