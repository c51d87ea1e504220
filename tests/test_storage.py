"""Storage on SQLite and PostgreSQL: migrations and catalogues."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from bot.storage.catalogues import active_catalogue, list_catalogues, save_catalogue
from bot.storage.db import DatabaseError, async_url, create_engine, upgrade
from knowledge.catalogue import Catalogue, Training


def _catalogue(name: str, *titles: str) -> Catalogue:
    return Catalogue(name=name, trainings=tuple(
        Training(id=str(i), title=title, minutes=30, format="online", competencies=("Excel",))
        for i, title in enumerate(titles)))


async def test_import_activates_the_newest_catalogue_per_workspace(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        assert await active_catalogue(session, "w1") is None
    async with sessions.begin() as session:
        first = await save_catalogue(session, "w1", _catalogue("a.csv", "Excel basis"))
    async with sessions.begin() as session:
        second = await save_catalogue(session, "w1", _catalogue("b.csv", "Excel pro", "Word"))
    async with sessions.begin() as session:
        await save_catalogue(session, "w2", _catalogue("c.csv", "Other"))
    async with sessions() as session:
        active = await active_catalogue(session, "w1")
        assert active is not None and active.name == "b.csv"
        assert [t.title for t in active.trainings] == ["Excel pro", "Word"]
        listed = await list_catalogues(session, "w1")
    assert [(c.id, c.active) for c in listed] == [(second, True), (first, False)]


async def test_migrations_are_idempotent(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        await upgrade(engine)
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        assert {"catalogues", "alembic_version"} <= set(tables)
    finally:
        await engine.dispose()


def test_plain_urls_get_async_drivers() -> None:
    assert async_url("postgresql://u@h/db").startswith("postgresql+asyncpg://")
    assert async_url("sqlite:///x.db").startswith("sqlite+aiosqlite://")
    with pytest.raises(DatabaseError):
        async_url("mysql://u@h/db")
    with pytest.raises(DatabaseError, match="in-memory"):
        async_url("sqlite:///:memory:")


async def test_unreachable_database_gives_a_clear_error() -> None:
    engine = create_engine("postgresql://nobody@127.0.0.1:1/none")
    try:
        with pytest.raises(DatabaseError) as raised:
            await upgrade(engine)
        assert raised.value.problem == "unreachable" and raised.value.where == "127.0.0.1:1/none"
    finally:
        await engine.dispose()


async def test_migrations_match_the_models(database_url: str) -> None:
    """What Alembic builds is what the models declare (no forgotten column or index)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.storage.db import create_engine, upgrade
    from bot.storage.models import Base

    engine = create_engine(database_url)
    await upgrade(engine)

    def differences(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection)
        return [d for d in compare_metadata(context, Base.metadata)
                if not (isinstance(d, tuple) and d[0] == "remove_table"
                        and d[1].name == "alembic_version")]

    async with engine.connect() as connection:
        found = await connection.run_sync(differences)
    await engine.dispose()
    assert found == []
