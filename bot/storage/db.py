"""Database engine, sessions and migrations.

One code path for SQLite (aiosqlite, its calls run on the event loop: ``sqlite_inline``) and
PostgreSQL (asyncpg): only the URL differs.
Migrations are Alembic's, run programmatically (``leerbot db upgrade`` or at start-up).
A database that cannot be used raises ``DatabaseError``, which says what is wrong
(``problem``) and where (a directory, a file or a server, never a password).
"""

from __future__ import annotations

import errno
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.storage.checkpoints import BACKSTOP_PAGES
from bot.storage.models import HealthCheckRow
from bot.storage.sqlite_inline import inline_connect

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: PostgreSQL advisory lock key that serialises migrations across replicas.
MIGRATION_LOCK = 0x1EE4B07
#: seconds to wait for a PostgreSQL server to accept a connection
CONNECT_TIMEOUT = 10

#: what can be wrong with a database, each with its own message (``cli.database.<problem>``)
PROBLEMS = ("unsupported", "bad_url", "in_memory", "not_writable", "no_directory",
            "disk_full", "io_error", "not_a_database", "locked", "read_only", "unreachable",
            "refused", "no_database", "no_permission", "other")


class DatabaseError(RuntimeError):
    """The database cannot be reached or used. ``problem`` is one of PROBLEMS, ``where`` the
    directory, file or server concerned; the message is the technical detail."""

    def __init__(self, message: str, problem: str = "unreachable", where: str = "") -> None:
        super().__init__(message)
        self.problem = problem if problem in PROBLEMS else "other"
        self.where = where


def async_url(url: str) -> str:
    """Accept plain URLs ("postgresql://", "sqlite:///") and pick our async drivers."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError("the database URL cannot be read", "bad_url") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.get_driver_name() != "asyncpg":
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif backend == "sqlite" and parsed.get_driver_name() != "aiosqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend not in {"postgresql", "sqlite"}:
        raise DatabaseError(f"unsupported database {backend!r}: use sqlite or postgresql",
                            "unsupported", backend)
    if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
        # each connection would get a database of its own (or all would share one connection)
        raise DatabaseError("an in-memory SQLite database cannot be shared by Leerbot's "
                            "connections: give a file, e.g. sqlite:///leerbot.db", "in_memory")
    return parsed.render_as_string(hide_password=False)


def where(url: URL | str) -> str:
    """The SQLite file or the PostgreSQL server and database of a URL (no user, no password)."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database)
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"


#: SQLite's own words for what went wrong, and what that is
_SQLITE_PROBLEMS = (("readonly database", "not_writable"), ("unable to open", "not_writable"),
                    ("disk is full", "disk_full"), ("disk i/o error", "io_error"),
                    ("not a database", "not_a_database"), ("malformed", "not_a_database"),
                    ("locked", "locked"))
#: PostgreSQL's SQLSTATE codes (or their class, two characters) and what they mean here
_SQLSTATES = {"28000": "refused", "28P01": "refused", "3D000": "no_database",
              "53100": "disk_full", "25006": "read_only", "42501": "no_permission",
              "57P03": "unreachable", "53300": "unreachable", "08": "unreachable"}
_ERRNOS = {errno.EACCES: "not_writable", errno.EPERM: "not_writable",
           errno.EROFS: "not_writable", errno.ENOTDIR: "no_directory",
           errno.EEXIST: "no_directory", errno.ENOSPC: "disk_full", errno.EFBIG: "disk_full",
           errno.EDQUOT: "disk_full", errno.EIO: "io_error"}


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception, the driver's error SQLAlchemy wrapped, and what caused them."""
    found: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or current in found or len(found) > 10:
            continue
        found.append(current)
        todo += [getattr(current, "orig", None), current.__cause__, current.__context__]
    return found


def _problem_of(cause: BaseException) -> str | None:
    sqlstate = getattr(cause, "sqlstate", None)
    if isinstance(sqlstate, str):
        return _SQLSTATES.get(sqlstate) or _SQLSTATES.get(sqlstate[:2])
    if isinstance(cause, sqlite3.Error):
        message = str(cause).lower()
        return next((p for words, p in _SQLITE_PROBLEMS if words in message), "other")
    if isinstance(cause, OSError):
        return _ERRNOS.get(cause.errno or 0, "unreachable")
    if isinstance(cause, TimeoutError):
        return "unreachable"
    if isinstance(cause, ArgumentError | NoSuchModuleError):
        return "bad_url"
    return None


def database_error(exc: BaseException, url: URL | str | None = None) -> DatabaseError | None:
    """What an exception raised while opening or using the database says is wrong with it;
    None when it is not about the database (a bug, which should show its traceback)."""
    if isinstance(exc, DatabaseError):
        return exc
    for cause in _causes(exc):
        problem = _problem_of(cause)
        if problem is not None:
            place = getattr(cause, "filename", None) if isinstance(cause, OSError) else None
            return DatabaseError(_detail(cause), problem, str(place or _place(url)))
    if isinstance(exc, DBAPIError):
        return DatabaseError(_detail(exc.orig or exc), "other", _place(url))
    return None


def _place(url: URL | str | None) -> str:
    """Where the problem is: the server, the SQLite file, or its directory while the file
    does not exist yet (it could not be created there)."""
    if url is None:
        return ""
    place = where(url)
    if make_url(url).get_backend_name() == "sqlite" and not Path(place).exists():
        return str(Path(place).parent)
    return place


def _detail(cause: BaseException) -> str:
    """The error's first line, without SQL or parameters (they could hold what people wrote)."""
    if isinstance(cause, SQLAlchemyError) and getattr(cause, "orig", None) is not None:
        cause = cause.orig  # type: ignore[assignment]
    words = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {words[0] if words else ''}".strip(": ")


def sqlite_pragmas(dbapi_connection: Any, _record: Any = None, busy_ms: int = 5000) -> None:
    """Settings every SQLite connection of ours runs with. ``busy_ms``: how long SQLite itself
    waits for another connection's write lock (0 on the event loop: see sqlite_inline)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: no corruption, faster commits
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    # the log is checkpointed by a thread of its own (bot/storage/checkpoints.py); a commit
    # does it itself only when the log has grown this far
    cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    cursor.close()


def _inline_pragmas(dbapi_connection: Any, _record: Any = None) -> None:
    sqlite_pragmas(dbapi_connection, busy_ms=0)


def create_engine(url: str) -> AsyncEngine:
    """An engine for the URL; on SQLite its directory is created first. Statement parameters
    never appear in log lines or error messages (``hide_parameters``): they can hold what
    people wrote."""
    url = async_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        directory = Path(str(parsed.database)).parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            problem = database_error(exc)
            assert problem is not None
            problem.where = str(directory)
            raise problem from exc
        _open_sqlite(Path(str(parsed.database)), parsed)
        arguments, options = parsed.get_dialect()().create_connect_args(parsed)
        engine = create_async_engine(url, hide_parameters=True,
                                     async_creator=inline_connect(*arguments, **options))
        event.listen(engine.sync_engine, "connect", _inline_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10,
                               hide_parameters=True,
                               connect_args={"timeout": CONNECT_TIMEOUT})


def _open_sqlite(path: Path, url: URL) -> None:
    """Open the SQLite file once here, as our connections will (creating it when missing):
    a file that cannot be opened is reported at once, and never through aiosqlite, whose
    worker thread outlives a failed connection and then fails on a closed event loop."""
    try:
        connection = sqlite3.connect(path)
        try:
            sqlite_pragmas(connection)
        finally:
            connection.close()
    except sqlite3.Error as exc:
        problem = database_error(exc, url)
        assert problem is not None
        raise problem from exc


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    command.upgrade(_alembic_config(connection), "head")


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the schema to the newest migration (safe to run from several replicas)."""
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade)
    except Exception as exc:
        problem = database_error(exc, engine.url)
        if problem is None:
            raise
        raise problem from exc


async def touch_health(engine: AsyncEngine, replica: str) -> None:
    """Write (and commit) this process's row of ``health_checks``: the database accepts a
    write. A committed write, not a rolled-back one: SQLite would keep a write that is rolled
    back in its page cache, so a full disk or a read-only file would go unnoticed."""
    table = HealthCheckRow.__table__
    dialect = engine.dialect.name
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    moment = datetime.now(UTC)
    statement = insert.values(replica=replica[:128], checked_at=moment).on_conflict_do_update(
        index_elements=["replica"], set_={"checked_at": moment})
    async with engine.begin() as connection:
        if dialect == "postgresql":  # the server gives up on its own too (locks, a slow disk)
            await connection.execute(text("SET LOCAL statement_timeout = 5000"))
        await connection.execute(statement)
