"""Who is talking in the local web chat: an id the server issues in a signed, HttpOnly,
SameSite=Strict cookie. The page never names a user id (it may choose a display name), so
knowing someone's id gives no way to act as them. The signing key lives in the data directory
(readable by its owner only), so identities survive a restart."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

COOKIE = "leerbot_chat"
KEY_FILE = "webchat.key"


def _sign(key: bytes, ident: str) -> str:
    digest = hmac.new(key, ident.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class ChatIdentity:
    def __init__(self, key: bytes) -> None:
        self.key = key

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> ChatIdentity:
        """The key of this installation, made on first use."""
        path = data_dir / KEY_FILE
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(secrets.token_bytes(32))
        return cls(path.read_bytes())

    def issue(self) -> tuple[str, str]:
        """A new identity: (id, cookie value)."""
        ident = secrets.token_hex(12)
        return ident, f"{ident}.{_sign(self.key, ident)}"

    def read(self, cookie: str | None) -> str | None:
        """The id a cookie carries, when its signature holds."""
        if not cookie or "." not in cookie:
            return None
        ident, _, signature = cookie.partition(".")
        if len(ident) != 24 or not hmac.compare_digest(signature, _sign(self.key, ident)):
            return None
        return ident
