"""The paths and scans ports on SQLite and PostgreSQL, and what "mijn gegevens" exports and
erases of them."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.personal import DELETED_USER
from dialogs.paths.port import PathDraft
from dialogs.scan.port import ScanOutcome
from tests.conversation import Workspace

MAY, JUNE, JULY = (datetime(2030, month, 1, 23, 59, tzinfo=UTC) for month in (5, 6, 7))


def draft(name: str, minutes: int = 60) -> PathDraft:
    return PathDraft(name=name, level="individueel", spec={"competencies": ["Excel"]},
                     trainings=[{"id": "t1", "title": "Excel basis", "minutes": minutes}],
                     total_minutes=minutes, warnings=["Rekentijd op"])


def outcome(team: str, score: int) -> ScanOutcome:
    return ScanOutcome(team=team, scores={n: score for n in range(1, 10)}, profile=1,
                       priorities=[1], top_actions=["1.1", "1.2", "2.1"])


async def test_saved_paths_newest_first_and_only_of_their_workspace(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        first = await ws.paths.save_path(draft("Excel basis"), created_by="lea")
        second = await ws.paths.save_path(draft("Plannen", 90), created_by="lea")
        assert [p.id for p in await ws.paths.paths()] == [second.id, first.id]
        assert await ws.paths.path(first.id) == first
        assert await ws.paths.path(second.id + 1) is None
    assert first.trainings[0]["title"] == "Excel basis" and first.warnings == ["Rekentijd op"]
    assert first.created_by == "lea" and second.total_minutes == 90
    async with Workspace(runtime, "other") as other:
        assert await other.paths.paths() == []
        assert await other.paths.path(first.id) is None


async def test_assignments_of_a_path_or_a_person(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        await ws.join("lea", "Lea")
        await ws.join("bob", "Bob")
        excel = await ws.paths.save_path(draft("Excel basis"), created_by="lea")
        plans = await ws.paths.save_path(draft("Plannen"), created_by="lea")
        await ws.paths.assign(excel.id, "bob", JULY, assigned_by="lea")
        await ws.paths.assign(excel.id, "cas", JUNE, assigned_by="lea")  # not a member (yet)
        await ws.paths.assign(plans.id, "bob", MAY, assigned_by="lea")
        again = await ws.paths.assign(excel.id, "bob", MAY, assigned_by="mia")  # a new deadline
        of_path = await ws.paths.assignments(path_id=excel.id)
        of_bob = await ws.paths.assignments(user="bob")
        both = await ws.paths.assignments(path_id=plans.id, user="bob")
    assert (again.deadline, again.assigned_by, again.user_name) == (MAY, "mia", "Bob")
    assert [(a.user, a.user_name, a.deadline) for a in of_path] == [
        ("bob", "Bob", MAY), ("cas", "cas", JUNE)]
    assert sorted(a.path_name for a in of_bob) == ["Excel basis", "Plannen"]
    assert [(a.path_id, a.user) for a in both] == [(plans.id, "bob")]


async def test_scans_of_a_team_newest_first(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        before = await ws.scans.save_scan(outcome("Team Zorg", 40), taken_by="hr")
        await ws.scans.save_scan(outcome("Team Kantoor", 10), taken_by="hr")
        after = await ws.scans.save_scan(outcome("Team Zorg", 60), taken_by="mia")
        zorg = await ws.scans.scans("Team Zorg")
        assert await ws.scans.scans("Team Onbekend") == []
    assert [s.id for s in zorg] == [after.id, before.id]
    assert zorg[0].scores[9] == 60 and zorg[0].taken_by == "mia"
    assert zorg[1].top_actions == ["1.1", "1.2", "2.1"] and zorg[1].priorities == [1]


async def test_my_data_exports_and_unlinks_paths_and_scans(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        await ws.join("lea", "Lea")
        await ws.join("bob", "Bob")
        made = await ws.paths.save_path(draft("Excel basis"), created_by="lea")
        given = await ws.paths.save_path(draft("Plannen"), created_by="bob")
        await ws.paths.assign(made.id, "bob", JUNE, assigned_by="lea")
        await ws.paths.assign(given.id, "lea", JULY, assigned_by="bob")
        scan = await ws.scans.save_scan(outcome("Team Zorg", 40), taken_by="lea")
        exported = await ws.my_data.export("lea")
        counts = await ws.my_data.erase("lea", keep=None)
        after = await ws.my_data.export("lea")
        path = await ws.paths.path(made.id)
        (bobs,) = await ws.paths.assignments(user="bob")
        (kept,) = await ws.scans.scans("Team Zorg")
    assert exported["paths_created"] == [{"id": made.id, "name": "Excel basis"}]
    assert [a["path_name"] for a in exported["assigned_paths"]] == ["Plannen"]
    assert [s["id"] for s in exported["scans_taken"]] == [scan.id]
    assert {k: counts[k] for k in ("assignments", "paths_unlinked", "assignments_unlinked",
                                   "scans_unlinked")} == {
        "assignments": 1, "paths_unlinked": 1, "assignments_unlinked": 1, "scans_unlinked": 1}
    assert after["paths_created"] == after["assigned_paths"] == after["scans_taken"] == []
    assert path is not None and path.created_by == DELETED_USER
    assert bobs.assigned_by == DELETED_USER and kept.taken_by == DELETED_USER
