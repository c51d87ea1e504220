"""Saved leerlijnen as living things, in storage (SQLite and PostgreSQL): unique names per
workspace whatever their case, changing, deleting (with the assignments) and unassigning."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from bot.storage.paths import PathRow
from dialogs.paths.port import PathDraft, PathNameTaken, name_key
from tests.conversation import Workspace

JUNE = datetime(2030, 6, 1, 23, 59, tzinfo=UTC)


def draft(name: str, minutes: int = 60) -> PathDraft:
    return PathDraft(name=name, level="functie", spec={"competencies": ["Excel"]},
                     trainings=[{"id": "t1", "title": "Excel basis", "minutes": minutes}],
                     total_minutes=minutes)


def test_names_compare_without_case_and_extra_spaces() -> None:
    assert name_key("  Secretaresses   X ") == name_key("secretaresses x") == "secretaresses x"
    assert name_key("Straße") == name_key("STRASSE")


async def test_a_name_is_taken_whatever_its_case_in_its_own_workspace_only(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        first = await ws.paths.save_path(draft("Secretaresses"), created_by="lea")
        assert await ws.paths.free_name("Plannen") is None
        assert await ws.paths.free_name(" secretaresses ") == "secretaresses (2)"
        assert await ws.paths.free_name("Secretaresses", except_id=first.id) is None
        with pytest.raises(PathNameTaken) as refused:
            await ws.paths.save_path(draft("SECRETARESSES"), created_by="bob")
        assert refused.value.suggestion == "SECRETARESSES (2)"
        await ws.paths.save_path(draft("Secretaresses (2)"), created_by="bob")
        assert await ws.paths.free_name("secretaresses") == "secretaresses (3)"
        assert [p.name for p in await ws.paths.paths()] == ["Secretaresses (2)", "Secretaresses"]
    async with Workspace(runtime, "other") as other:
        assert (await other.paths.save_path(draft("Secretaresses"), created_by="x")).id


async def test_the_database_refuses_a_second_name_too(runtime) -> None:  # type: ignore[no-untyped-def]
    """Past the port's check (two writers at once), the unique index still holds."""
    with pytest.raises(IntegrityError):
        async with Workspace(runtime) as ws:
            await ws.paths.save_path(draft("Plannen"), created_by="lea")
            ws.db.add(PathRow(workspace="acme", name="plannen", name_key="plannen",
                              level="functie", created_by="bob", spec={}, trainings=[],
                              total_minutes=0, warnings=[]))
            await ws.db.flush()
    async with Workspace(runtime) as ws:
        assert await ws.paths.paths() == []  # nothing half-written


async def test_update_replaces_name_and_trainings_and_keeps_names_unique(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        path = await ws.paths.save_path(draft("Plannen"), created_by="lea")
        other = await ws.paths.save_path(draft("Excel"), created_by="lea")
        changed = draft("plannen ", 90).model_copy(update={"warnings": ["Let op"]})
        updated = await ws.paths.update_path(path.id, changed)
        with pytest.raises(PathNameTaken):
            await ws.paths.update_path(path.id, draft("EXCEL"))
        assert await ws.paths.update_path(other.id + 99, draft("Nieuw")) is None
        reread = await ws.paths.path(path.id)
    assert updated is not None and updated == reread
    assert (updated.name, updated.total_minutes, updated.warnings) == ("plannen ", 90, ["Let op"])
    assert (updated.created_by, updated.created_at) == (path.created_by, path.created_at)


async def test_delete_takes_the_assignments_and_unassign_one_person(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        path = await ws.paths.save_path(draft("Plannen"), created_by="lea")
        kept = await ws.paths.save_path(draft("Excel"), created_by="lea")
        for person in ("bob", "cas"):
            await ws.paths.assign(path.id, person, JUNE, assigned_by="lea")
        await ws.paths.assign(kept.id, "bob", JUNE, assigned_by="lea")
        assert await ws.paths.unassign(path.id, "cas") is True
        assert await ws.paths.unassign(path.id, "cas") is False
        assert [a.user for a in await ws.paths.assignments(path_id=path.id)] == ["bob"]
        assert await ws.paths.delete_path(path.id) == 1
        assert await ws.paths.delete_path(path.id) is None
        assert await ws.paths.path(path.id) is None
        assert [a.path_name for a in await ws.paths.assignments(user="bob")] == ["Excel"]
        # the name is free again
        assert await ws.paths.free_name("plannen") is None
    async with Workspace(runtime, "other") as other:
        assert await other.paths.delete_path(kept.id) is None
        assert await other.paths.unassign(kept.id, "bob") is False
    async with Workspace(runtime) as ws:
        assert [a.user for a in await ws.paths.assignments(path_id=kept.id)] == ["bob"]


def revision_before_ours() -> str:
    """The revision the names migration follows (found by its title: renumbering it when
    branches are merged needs no change here)."""
    from alembic.script import ScriptDirectory

    from bot.storage.db import MIGRATIONS

    scripts = ScriptDirectory(str(MIGRATIONS))
    ours = next(s for s in scripts.walk_revisions()
                if (s.doc or "").startswith("Leerlijn names are unique per workspace"))
    assert isinstance(ours.down_revision, str)
    return ours.down_revision


async def test_the_migration_keeps_paths_saved_under_a_taken_name(database_url: str) -> None:  # type: ignore[no-untyped-def]
    """Paths saved before names were unique all stay, the later ones of a name get their id
    added; the assignments stay with them (no table is rebuilt)."""
    from sqlalchemy import text

    from bot.storage.db import create_engine
    from tests.test_msteams_migration import migrate

    engine = create_engine(database_url)
    try:
        await migrate(engine, revision_before_ours())
        async with engine.begin() as connection:
            for ident, workspace, name in ((1, "acme", "Plannen"), (2, "acme", "plannen "),
                                           (3, "other", "PLANNEN"), (4, "acme", "Excel")):
                await connection.execute(text(
                    "INSERT INTO paths (id, workspace, name, level, created_by, created_at, "
                    "spec, trainings, total_minutes, warnings) VALUES (:id, :ws, :name, "
                    "'functie', 'lea', :at, '{}', '[]', 0, '[]')"),
                    {"id": ident, "ws": workspace, "name": name, "at": JUNE})
            await connection.execute(text(
                "INSERT INTO assignments (workspace, path_id, user_id, deadline, assigned_by, "
                "assigned_at) VALUES ('acme', 2, 'bob', :at, 'lea', :at)"), {"at": JUNE})
        await migrate(engine, "head")
        async with engine.connect() as connection:
            rows = (await connection.execute(text(
                "SELECT id, name, name_key FROM paths ORDER BY id"))).all()
            kept = (await connection.execute(text(
                "SELECT path_id, user_id FROM assignments"))).all()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "Plannen", "plannen"),
                                        (2, "plannen (#2)", "plannen (#2)"),
                                        (3, "PLANNEN", "plannen"), (4, "Excel", "excel")]
    assert [tuple(r) for r in kept] == [(2, "bob")]
