"""Prepared statements (bot/storage/prepared.py) give what SQLAlchemy gives, on SQLite (straight
to the driver) and on PostgreSQL (through SQLAlchemy), inside the session's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import DialogSessionRow, as_utc
from bot.storage.prepared import Prepared, begin, columns_bound

_c = DialogSessionRow.__table__.c
_NAMES = ("channel", "workspace", "user_id", "conversation", "session", "version", "updated_at")
INSERT = Prepared(insert(DialogSessionRow.__table__).values(
    columns_bound(DialogSessionRow.__table__, _NAMES)))
LOAD = Prepared(select(_c.session, _c.version, _c.updated_at)
                .where(_c.user_id == bindparam("p_user")).order_by(_c.id))
BUMP = Prepared(update(DialogSessionRow.__table__).where(_c.user_id == bindparam("p_user"))
                .values(version=_c.version + 1, channel="web"))
COUNT = Prepared(select(func.count()).select_from(DialogSessionRow.__table__))
MOMENT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def row(user: str, conversation: str = "c") -> dict[str, object]:
    return {"channel": "console", "workspace": "w", "user_id": user,
            "conversation": conversation, "session": {"dialog": "x", "list": [1, "twee"]},
            "version": 1, "updated_at": MOMENT}


async def test_values_and_results_are_converted_by_the_column_types(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as db, db.begin():
        await INSERT.run(db, row("ann"))
        found = (await LOAD.run(db, {"p_user": "ann"})).first()
        assert found.session == {"dialog": "x", "list": [1, "twee"]}
        assert found.version == 1
        assert as_utc(found.updated_at) == MOMENT
        bumped = await BUMP.run(db, {"p_user": "ann"})
        assert bumped.rowcount == 1
        assert (await COUNT.run(db, {})).scalar_one() == 1
    async with sessions() as db:  # what SQLAlchemy itself reads back
        stored = (await db.execute(select(DialogSessionRow))).scalar_one()
        assert (stored.session, stored.version, stored.channel) == (
            {"dialog": "x", "list": [1, "twee"]}, 2, "web")
        assert as_utc(stored.updated_at) == MOMENT


async def test_statements_belong_to_the_sessions_transaction(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as db:
        await db.run_sync(begin)
        await INSERT.run(db, row("bob"))
        await db.rollback()
        assert (await COUNT.run(db, {})).scalar_one() == 0  # a new transaction after it
        await INSERT.run(db, row("bob"))
        await db.commit()
        await INSERT.run(db, row("bob", "d"))
        await db.commit()
    async with sessions() as db:
        assert (await COUNT.run(db, {})).scalar_one() == 2


async def test_a_broken_constraint_is_sqlalchemys_integrity_error(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as db, db.begin():
        await INSERT.run(db, row("cas"))
        with pytest.raises(IntegrityError):
            await INSERT.run(db, row("cas"))  # the same session key


async def test_a_missing_parameter_is_named(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as db, db.begin():
        with pytest.raises(Exception, match="p_user"):
            await LOAD.run(db, {})


def _upsert(dialect: str) -> object:
    """Insert unless the session key exists; PostgreSQL returns the new id."""
    from bot.queue import insert_for

    statement = insert_for(dialect)(DialogSessionRow.__table__).values(
        columns_bound(DialogSessionRow.__table__, _NAMES)).on_conflict_do_nothing()
    return statement.returning(_c.id) if dialect == "postgresql" else statement


UPSERT = Prepared(_upsert)  # type: ignore[arg-type]


async def test_an_insert_tells_the_id_it_wrote_or_none(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as db, db.begin():
        first = (await UPSERT.run(db, row("dan"))).inserted_id()
        second = (await UPSERT.run(db, row("eve"))).inserted_id()
        again = (await UPSERT.run(db, row("dan"))).inserted_id()  # the same key: not written
        ids = [found.id for found in (await db.execute(
            select(DialogSessionRow.id).order_by(DialogSessionRow.id))).all()]
    assert [first, second] == ids
    assert again is None


async def test_many_parameter_sets_run_in_the_transaction(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as db, db.begin():
        for user in ("fay", "gus", "hal"):
            await INSERT.run(db, row(user))
        await BUMP.run_many(db, [{"p_user": "fay"}, {"p_user": "hal"}, {"p_user": "nobody"}])
        await BUMP.run_many(db, [])
    async with sessions() as db:
        versions = dict((await db.execute(
            select(DialogSessionRow.user_id, DialogSessionRow.version))).all())
    assert versions == {"fay": 2, "gus": 1, "hal": 2}


async def test_a_transaction_commits_or_rolls_back_as_a_whole(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    from bot.storage.prepared import transaction

    async with transaction(sessions) as db:
        await INSERT.run(db, row("ida"))
    with pytest.raises(RuntimeError):
        async with transaction(sessions) as db:
            await INSERT.run(db, row("jon"))
            raise RuntimeError("the turn failed")
    async with sessions() as db:
        users = (await db.execute(select(DialogSessionRow.user_id))).scalars().all()
    assert users == ["ida"]


async def test_a_transaction_holds_the_orms_writes_and_the_prepared_ones_together(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    """The ORM and prepared statements in one transaction: both committed, or neither."""
    from bot.storage.prepared import transaction

    def orm_row(user: str) -> DialogSessionRow:
        return DialogSessionRow(**row(user, "orm"))  # type: ignore[arg-type]

    async with transaction(sessions) as db:
        await INSERT.run(db, row("kim"))
        db.add(orm_row("kim"))
        await db.flush()
        assert (await COUNT.run(db, {})).scalar_one() == 2  # one connection: each sees both
    with pytest.raises(RuntimeError):
        async with transaction(sessions) as db:
            db.add(orm_row("lea"))
            await db.flush()
            await INSERT.run(db, row("lea"))
            raise RuntimeError("the turn failed")
    async with transaction(sessions) as db:  # the ORM first, then a prepared statement
        db.add(orm_row("max"))
        await INSERT.run(db, row("max"))
    async with sessions() as db:
        stored = sorted((await db.execute(
            select(DialogSessionRow.user_id, DialogSessionRow.conversation))).all())
    assert stored == [("kim", "c"), ("kim", "orm"), ("max", "c"), ("max", "orm")]
