"""Small network helpers."""

from __future__ import annotations

import ipaddress
import logging
import time
from urllib.parse import urlsplit


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern


def service_url_allowed(url: str | None, hosts: tuple[str, ...], *, loopback: bool) -> bool:
    """Whether Leerbot may post to ``url``: https on one of ``hosts`` (``*.example.com`` for
    its subdomains), or http(s) on a loopback address that ``hosts`` names (or any, with
    ``loopback``: the Emulator). No user info
    in the URL (``https://smba.trafficmanager.net@evil.example`` is evil.example)."""
    try:
        parts = urlsplit(url or "")
        host = (parts.hostname or "").casefold()
        parts.port  # noqa: B018 -- a bad port raises here
    except ValueError:
        return False
    if not host or parts.username is not None or parts.password is not None:
        return False
    if is_loopback(host) and parts.scheme in {"http", "https"}:  # never leaves the machine
        return loopback or host in hosts
    return parts.scheme == "https" and any(_host_matches(host, p) for p in hosts)


#: headers a proxy or tunnel adds to a request it passes on
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
                      "X-Real-IP", "X-Original-Forwarded-For")


def forwarded(headers: object) -> bool:
    """True when the request came through a proxy or tunnel (it carries a forwarding header)."""
    return any(name in headers for name in FORWARDING_HEADERS)  # type: ignore[operator]


class RefusalLog:
    """One warning line per ``every`` seconds for refused requests (with how many were
    refused since), so hostile traffic cannot flood the log; never a traceback."""

    def __init__(self, logger: logging.Logger, every: float = 60.0) -> None:
        self.logger = logger
        self.every = every
        self._last = -float("inf")
        self._quiet = 0

    def warn(self, what: str, *args: object) -> None:
        now = time.monotonic()
        if now - self._last < self.every:
            self._quiet += 1
            return
        since, self._last, self._quiet = self._quiet, now, 0
        suffix = f" ({since} more refused since the last warning)" if since else ""
        self.logger.warning(what + suffix, *args)
