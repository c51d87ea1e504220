"""`leerbot serve` in a process of its own, as it runs in production (for kill -9, a full disk,
the log it writes)."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.fakes import sign

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """One `leerbot serve` process on a free port, its output in ``log``."""

    def __init__(self, env: dict[str, str], log: Path, *options: str, **popen: Any) -> None:
        self.port = free_port()
        self.log = log
        command = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1",
                   "--port", str(self.port), *options]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("ab"),
                                        stderr=subprocess.STDOUT, **popen)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    async def get(self, path: str) -> tuple[int, dict[str, Any]]:
        async with aiohttp.ClientSession() as http, http.get(self.url + path) as response:
            return response.status, await response.json()

    async def ready(self, timeout: float = 60) -> None:
        """Wait until the server answers /healthz."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, self.output()[-3000:]
            assert time.monotonic() < deadline, self.output()[-3000:]
            try:
                if (await self.get("/healthz"))[0] == 200:
                    return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)

    async def post_slack(self, body: dict[str, Any], secret: str) -> int:
        raw = json.dumps(body)
        async with aiohttp.ClientSession() as http, http.post(
                self.url + "/slack/events", data=raw,
                headers={"Content-Type": "application/json", **sign(secret, raw)}) as response:
            return response.status

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
