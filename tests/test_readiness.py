"""/readyz answers 200 only while the database accepts a write, within LEERBOT_READY_TIMEOUT;
otherwise 503 with the reason in a word. Through a real `leerbot serve` whose storage is
broken from outside while it runs, and mended again."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.conftest import _drop_postgres_database, _postgres_database
from tests.processes import Served

READY_TIMEOUT = 1.0
Breaker = Callable[[Served, str], contextlib.AbstractAsyncContextManager[None]]


@contextlib.asynccontextmanager
async def full_disk(server: Served, url: str) -> AsyncIterator[None]:
    """No file of the server may grow any more (as on a full disk): its file size limit is
    set to nothing while it runs (Linux's prlimit; the root user is held by it too)."""
    limits = resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE)
    resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE, (0, limits[1]))
    try:
        yield
    finally:
        resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE, limits)


@contextlib.asynccontextmanager
async def write_lock_held(server: Served, url: str) -> AsyncIterator[None]:
    """Another program holds SQLite's write lock (longer than the readiness timeout)."""
    other = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@contextlib.asynccontextmanager
async def read_only_standby(server: Served, url: str) -> AsyncIterator[None]:
    """The database only takes reads from now on (as a standby does after a failover); the
    server's connections are cut, so its new ones get the setting."""
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))

    async def read_only(on: bool) -> None:
        await admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = '
                            f'{"on" if on else "off"}')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = $1 AND pid <> pg_backend_pid()", name)

    await read_only(True)
    try:
        yield
    finally:
        await read_only(False)
        await admin.close()


CASES: list[Any] = [
    pytest.param("sqlite", full_disk, {"disk_full", "io_error"}, id="full disk",
                 marks=pytest.mark.skipif(not hasattr(resource, "prlimit"),
                                          reason="needs Linux's prlimit")),
    pytest.param("sqlite", write_lock_held, {"timeout"}, id="write lock held"),
    pytest.param("postgresql", read_only_standby, {"read_only"}, id="read-only standby"),
]


@pytest.fixture
async def url(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A database of the backend named by the test's parameter."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'ready.db'}"
        return
    created = await _postgres_database()
    try:
        yield created
    finally:
        await _drop_postgres_database(created)


@pytest.mark.parametrize(("url", "breaker", "problems"), CASES, indirect=["url"])
async def test_readyz_says_whether_the_database_takes_a_write(
        url: str, breaker: Breaker, problems: set[str], tmp_path: Path) -> None:
    env = {**os.environ, "LEERBOT_DATABASE_URL": url,
           "LEERBOT_READY_TIMEOUT": str(READY_TIMEOUT)}
    server = Served(env, tmp_path / "serve.log")
    try:
        await server.ready()
        status, body = await server.get("/readyz")
        assert status == 200 and body["status"] == "ready", body
        async with breaker(server, url):
            started = time.monotonic()
            status, body = await server.get("/readyz")
            answered = time.monotonic() - started
            assert status == 503 and body["reason"] in problems, body
            assert answered < READY_TIMEOUT + 2  # answered in time, not after the database
            assert (await server.get("/healthz"))[0] == 200  # alive, only not ready
        await _until_ready(server)
    finally:
        server.stop()


async def _until_ready(server: Served) -> None:
    """Ready again once the storage is mended (a probe may still be finishing)."""
    deadline = time.monotonic() + 15
    while (await server.get("/readyz"))[0] != 200:
        assert time.monotonic() < deadline, server.output()[-3000:]
        await asyncio.sleep(0.2)
