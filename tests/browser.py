"""Driving the web chat in a real headless Chromium (Debian's `chromium`, via Playwright)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tests.conftest import unavailable

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    path = os.environ.get("LEERBOT_CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    if not path:
        unavailable("Chromium is not installed (Debian: apt install chromium)")
    return path  # type: ignore[return-value]


@asynccontextmanager
async def browser_page(width: int = 1000, height: int = 800,
                       locale: str = "nl-NL") -> AsyncIterator[object]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    executable = chromium_path()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable,
                                                   args=CHROMIUM_FLAGS)
        try:
            page = await browser.new_page(viewport={"width": width, "height": height},
                                          locale=locale)
            yield page
        finally:
            await browser.close()
