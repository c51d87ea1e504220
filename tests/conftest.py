"""Shared fixtures. Tests that need ../shared, PostgreSQL or Chromium skip with a reason on a
user's machine; with LEERBOT_REQUIRE_SERVICES=1 (set by .ci/run) such a skip is a failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REQUIRE_SERVICES = os.environ.get("LEERBOT_REQUIRE_SERVICES") == "1"


def unavailable(reason: str) -> None:
    """Skip, or fail when the environment promised every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required for this run (LEERBOT_REQUIRE_SERVICES=1): {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        unavailable(f"{SHARED} (the project's shared reference data) is not present")
    return SHARED


@pytest.fixture(scope="session")
def reference_catalogue(shared: Path) -> Path:
    return shared / "reference" / "catalogus.csv"


@pytest.fixture(scope="session")
def case_catalogue(shared: Path) -> Path:
    return shared / "reference" / "casus-secretaresse.csv"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own data directory and never sees the developer's settings."""
    for name in list(os.environ):
        if name.startswith(("LEERBOT_", "SLACK_", "MICROSOFT_")) and name not in {
            "LEERBOT_REQUIRE_SERVICES", "LEERBOT_TEST_POSTGRES_URL"
        }:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEERBOT_DATA_DIR", str(tmp_path / "data"))
    from bot.settings import get_settings

    get_settings.cache_clear()


POSTGRES_URL = os.environ.get("LEERBOT_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")


async def _postgres_database() -> str:
    """A fresh, empty PostgreSQL database for one test; its URL."""
    import uuid

    import asyncpg

    name = f"leerbot_t_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(POSTGRES_URL, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        unavailable(f"PostgreSQL at {POSTGRES_URL} is not reachable ({exc}); "
                    "set LEERBOT_TEST_POSTGRES_URL to test on PostgreSQL")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


async def _drop_postgres_database(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(POSTGRES_URL, timeout=3)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Each storage test runs on SQLite and on a real PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    url = await _postgres_database()
    try:
        yield url
    finally:
        await _drop_postgres_database(url)


@pytest.fixture
async def sessions(database_url: str):  # type: ignore[no-untyped-def]
    from bot.storage.db import create_engine, sessionmaker, upgrade

    engine = create_engine(database_url)
    await upgrade(engine)
    try:
        yield sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def runtime(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The whole bot on a fresh database: SQLite (what `leerbot chat` runs on) and PostgreSQL."""
    from bot.runtime import Runtime
    from bot.settings import Settings

    settings = Settings(database_url=database_url, data_dir=tmp_path / "data")
    started = await Runtime.start(settings)
    try:
        yield started
    finally:
        await started.close()


@pytest.fixture
async def postgres_url():  # type: ignore[no-untyped-def]
    """A fresh PostgreSQL database (for tests that exist only for PostgreSQL, e.g. replicas)."""
    url = await _postgres_database()
    try:
        yield url
    finally:
        await _drop_postgres_database(url)
