"""Statements of every turn, prepared once.

A turn loads its session, looks up the member, saves the session and, on the console and the
web chat, takes the mailbox. Through SQLAlchemy's execution machinery (a greenlet per call, an
execution context, a result object) each of those cost about ten times what SQLite takes to
answer it. A ``Prepared`` statement is compiled by SQLAlchemy once per dialect; on SQLite, whose
calls run on the event loop (``sqlite_inline``), it then goes straight to the driver connection
of the turn's transaction, its parameters and results converted by the columns' own types as
SQLAlchemy would convert them. On PostgreSQL it runs through SQLAlchemy: asyncpg's transaction
starts with the first statement SQLAlchemy runs, and the round trip dwarfs the rest.

Only plain statements qualify: bound parameters by name (no expanding lists), every value given
(no column defaults are filled in), results read by column name.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections import namedtuple
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any, NamedTuple

from sqlalchemy import bindparam
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable
from sqlalchemy.sql.expression import Select
from sqlalchemy.util import greenlet_spawn

from bot.storage.sqlite_inline import InlineConnection

_DRIVER = "leerbot.prepared.driver"
_HELD = "leerbot.prepared.held"
Processor = Callable[[Any], Any] | None


def columns_bound(table: Any, names: Iterable[str]) -> dict[str, Any]:
    """The values of an INSERT of ``names``: a bound parameter for each, named after its column
    and converted by the column's type (a prepared statement fills in no defaults)."""
    return {name: bindparam(name, type_=table.c[name].type) for name in names}


class Rows:
    """What a prepared statement gives back: its rows (named tuples of the selected or
    returned columns), ``rowcount``, and on SQLite the ``lastrowid`` of an INSERT."""

    def __init__(self, rows: Sequence[Any], rowcount: int, lastrowid: int | None = None) -> None:
        self.rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    def inserted_id(self) -> int | None:
        """The id of the one row an INSERT wrote (None: it wrote none, e.g. ON CONFLICT DO
        NOTHING): the row it returned where it says RETURNING (PostgreSQL; SQLite before 3.35
        has no RETURNING), else the driver's ``lastrowid``."""
        if self.rows:
            return self.rows[0][0]  # type: ignore[no-any-return]
        return self.lastrowid if self.rowcount == 1 else None

    def first(self) -> Any:
        return self.rows[0] if self.rows else None

    def all(self) -> list[Any]:
        return list(self.rows)

    def scalar_one(self) -> Any:
        if len(self.rows) != 1:
            raise LookupError(f"expected one row, got {len(self.rows)}")
        return self.rows[0][0]


class _Compiled(NamedTuple):
    sql: str
    names: tuple[str, ...]  # the bound parameters, in their positions
    binds: tuple[Processor, ...]
    given: dict[str, Any]  # values written into the statement (``.values(seen=True)``)
    row: type | None  # a named tuple of the selected columns
    results: tuple[Processor, ...]


class Prepared:
    """A statement compiled once per dialect (see the module)."""

    def __init__(self, statement: Executable | Callable[[str], Executable]) -> None:
        """``statement``, or what builds it for a dialect's name (an upsert is written in
        each dialect's own terms)."""
        self._build = statement if not isinstance(statement, Executable) else (
            lambda _dialect: statement)
        self._statements: dict[str, Executable] = {}
        self._compiled: dict[str, _Compiled] = {}

    def statement(self, dialect: str) -> Executable:
        found = self._statements.get(dialect)
        if found is None:
            found = self._statements[dialect] = self._build(dialect)
        return found

    def row(self, dialect: Dialect) -> Any:
        """The named tuple its rows come as (a statement that selects or returns columns)."""
        return self.compiled(dialect).row

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = self._compile(dialect)
        return found

    def _compile(self, dialect: Dialect) -> _Compiled:
        statement = self.statement(dialect.name)
        compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        names = tuple(compiled.positiontup or ())
        binds = tuple(compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                      for name in names)
        given = {name: compiled.binds[name].value for name in names
                 if not compiled.binds[name].required}
        columns = list(statement.selected_columns if isinstance(statement, Select)
                       else getattr(statement, "exported_columns", ()))  # RETURNING
        if not columns:
            return _Compiled(compiled.string, names, binds, given, None, ())
        row = namedtuple("Row", [c.key or f"column_{i}" for i, c in enumerate(columns)],
                         rename=True)
        results = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None)
                        for c in columns)
        return _Compiled(compiled.string, names, binds, given, row, results)

    async def run(self, db: AsyncSession, parameters: dict[str, Any]) -> Rows:
        """Run in the session's transaction (begun when it was not yet)."""
        if db.bind.dialect.name != "sqlite":
            statement = self.statement(db.bind.dialect.name)
            result = await (await db.connection()).execute(statement, parameters)
            row = self.compiled(db.bind.dialect).row
            if row is not None:  # the same named tuples as on SQLite
                return Rows([row(*values) for values in result.all()], result.rowcount)
            return Rows((), result.rowcount)
        return await self._run_on_driver(db, parameters)

    async def run_many(self, db: AsyncSession, parameters: list[dict[str, Any]]) -> None:
        """Run once per set of parameters (a statement that returns no rows), in the
        session's transaction. How many rows changed is not told: asyncpg's executemany does
        not count them."""
        if not parameters:
            return
        if db.bind.dialect.name != "sqlite":
            await (await db.connection()).execute(
                self.statement(db.bind.dialect.name), parameters)
            return
        plan = self.compiled(db.bind.dialect)
        try:
            await (await _driver(db)).run(
                plan.sql, [self._values(plan, each) for each in parameters], many=True)
        except sqlite3.Error as exc:
            raise _wrapped(plan, exc) from exc

    @staticmethod
    def _values(plan: _Compiled, parameters: dict[str, Any]) -> list[Any]:
        values = [parameters[name] if name in parameters else plan.given[name]
                  for name in plan.names]
        return [value if bind is None else bind(value)
                for value, bind in zip(values, plan.binds, strict=True)]

    async def _run_on_driver(self, db: AsyncSession, parameters: dict[str, Any]) -> Rows:
        plan = self.compiled(db.bind.dialect)
        try:
            raw, rowcount, lastrowid = await (await _driver(db)).run(
                plan.sql, self._values(plan, parameters))
        except sqlite3.Error as exc:
            raise _wrapped(plan, exc) from exc
        if plan.row is None:
            return Rows((), rowcount, lastrowid)
        results = plan.results
        return Rows([plan.row(*(value if result is None else result(value)
                                for value, result in zip(values, results, strict=True)))
                     for values in raw], rowcount)


def _wrapped(plan: _Compiled, error: sqlite3.Error) -> DBAPIError:
    """A driver error as SQLAlchemy raises it (IntegrityError, OperationalError, ...)."""
    return DBAPIError.instance(plan.sql, None, error, sqlite3.Error, hide_parameters=True)


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session in one transaction, for work made mostly of prepared statements: committed
    when the block ends, rolled back when it raises.

    On SQLite the session is bound to a connection checked out for the block, and the ORM's
    own transaction bookkeeping is only begun when the work uses the ORM: a turn of prepared
    statements commits on the driver. Two hops into SQLAlchemy's greenlet (check out; close),
    a third when the ORM was used. On PostgreSQL the session begins as usual (two hops: begin;
    commit and close), where ``sessions.begin()`` takes five."""
    engine: AsyncEngine = sessions.kw["bind"]
    if engine.dialect.name != "sqlite":
        async with _session_transaction(sessions) as db:
            yield db
        return
    connection, driver = await greenlet_spawn(_check_out, engine.sync_engine)
    db = sessions(bind=AsyncConnection(engine, connection))
    db.info[_HELD] = driver
    done = False
    try:
        yield db
        if db.sync_session.in_transaction():  # the ORM was used: flush, commit through it
            await db.commit()
        else:
            await driver.commit()
        done = True
    finally:
        if not done:
            with contextlib.suppress(sqlite3.Error):
                await driver.rollback()
        await greenlet_spawn(_close, db.sync_session, connection)


def _check_out(engine: Engine) -> tuple[Connection, InlineConnection]:
    connection = engine.connect()
    return connection, connection.connection.driver_connection  # type: ignore[return-value]


def _close(session: Session, connection: Connection) -> None:
    session.close()  # rolls back what the ORM began and did not commit
    connection.close()


@asynccontextmanager
async def _session_transaction(
        sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    db = sessions()
    done = False
    try:
        await db.run_sync(begin)
        yield db
        await db.run_sync(_commit_and_close)
        done = True
    finally:
        if not done:
            await db.close()  # rolls back what was not committed


def _commit_and_close(session: Session) -> None:
    session.commit()
    session.close()


def begin(session: Session) -> None:
    """Begin the session's transaction and note its driver connection for the prepared
    statements (synchronous: ``await db.run_sync(begin)``, one hop into SQLAlchemy's greenlet
    for what would otherwise be three)."""
    connection = session.connection()
    session.info[_DRIVER] = (session.get_transaction(), connection.connection.driver_connection)


async def _driver(db: AsyncSession) -> InlineConnection:
    """The driver connection of the session's transaction (looked up once per transaction)."""
    held = db.info.get(_HELD)
    if held is not None:  # a ``transaction`` on SQLite: its connection
        return held  # type: ignore[no-any-return]
    transaction = db.sync_session.get_transaction()
    cached = db.info.get(_DRIVER)
    if transaction is not None and cached is not None and cached[0] is transaction:
        return cached[1]
    await db.run_sync(begin)
    return db.info[_DRIVER][1]
