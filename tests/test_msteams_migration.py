"""Migration 0007: Microsoft Teams' stored channel name "teams" becomes "msteams" everywhere it
is kept (on SQLite and PostgreSQL), Slack's and the local channels' values stay, and a
downgrade gives back exactly what was there."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import outbound
from bot.storage.db import MIGRATIONS, _alembic_config, create_engine, sessionmaker
from bot.storage.models import (
    ConversationRefRow,
    DeliveryRow,
    DialogSessionRow,
    InboxRow,
    RateBucketRow,
)
from bot.storage.people import MemberRow
from bot.storage.team import TeamRow
from dialogs.kit import Message, TextBlock, plain

TENANT, SLACK_TEAM = "tenant-1", "T1"


def revision_before_ours() -> str:
    """The revision our migration follows (found by its title, so renumbering it when
    branches are merged needs no change here)."""
    scripts = ScriptDirectory(str(MIGRATIONS))
    ours = next(s for s in scripts.walk_revisions() if (s.doc or "").startswith(
        'Microsoft Teams is stored as channel "msteams"'))
    assert isinstance(ours.down_revision, str)
    return ours.down_revision


async def migrate(engine: AsyncEngine, revision: str, down: bool = False) -> None:
    def run(connection: Connection) -> None:
        config = _alembic_config(connection)
        (command.downgrade if down else command.upgrade)(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


def _delivery(key: str, channel: str, workspace: str, ordering: str,
              recipient: str) -> DeliveryRow:
    return DeliveryRow(key=key, channel=channel, workspace=workspace, ordering_key=ordering,
                       payload={"op": "post"}, recipient=recipient)


def rows_before() -> list[Any]:
    """What a database written by the previous version holds, for both platforms."""
    return [
        MemberRow(workspace=TENANT, user_id="aad-1", name="Anna", role="admin", channel="teams"),
        MemberRow(workspace=SLACK_TEAM, user_id="U1", name="Bram", role="admin",
                  channel="slack"),
        MemberRow(workspace="local", user_id="web-x", name="Cas", role="admin", channel="web"),
        DialogSessionRow(channel="teams", workspace=TENANT, user_id="aad-1",
                         conversation="a:1", session={}, version=1),
        DialogSessionRow(channel="slack", workspace=SLACK_TEAM, user_id="U1",
                         conversation="DU1", session={}, version=1),
        ConversationRefRow(channel="teams", workspace=TENANT, user_id="aad-1",
                           conversation_id="a:1", scope="personal", reference={}),
        ConversationRefRow(channel="slack", workspace=SLACK_TEAM, user_id="",
                           conversation_id="C1", scope="channel", reference={}),
        InboxRow(source="teams", event_key="e1", conversation_key="x", payload={}),
        InboxRow(source="slack", event_key="e2", conversation_key="slack:T1:U1", payload={}),
        _delivery("d1", "teams", TENANT, f"{TENANT}:teams:aad-1", "aad-1"),
        _delivery("d2", "teams", TENANT, f"{TENANT}:room:teams:19:abc", "teams:19:abc"),
        _delivery("d3", "slack", SLACK_TEAM, f"{SLACK_TEAM}:slack:U1", "U1"),
        _delivery("d4", "slack", SLACK_TEAM, f"{SLACK_TEAM}:room:slack:C1", "slack:C1"),
        _delivery("d5", "local", "local", "local:web:web-x", "web-x"),
        TeamRow(workspace=TENANT, name="Support", lead="aad-1", room="teams:19:abc",
                settings={}),
        TeamRow(workspace=SLACK_TEAM, name="Zorg", lead="U1", room="slack:C1", settings={}),
        TeamRow(workspace=SLACK_TEAM, name="Geen kanaal", lead="U1", room=None, settings={}),
    ]


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """The stored values that name a channel, table by table."""
    queries = {
        "members": select(MemberRow.user_id, MemberRow.channel),
        "sessions": select(DialogSessionRow.user_id, DialogSessionRow.channel),
        "references": select(ConversationRefRow.conversation_id, ConversationRefRow.channel),
        "inbox": select(InboxRow.event_key, InboxRow.source),
        "deliveries": select(DeliveryRow.key, DeliveryRow.channel, DeliveryRow.ordering_key,
                             DeliveryRow.recipient),
        "rooms": select(TeamRow.name, TeamRow.room),
        "buckets": select(RateBucketRow.key),
    }
    async with engine.connect() as connection:
        return {name: sorted(tuple(row) for row in (await connection.execute(query)).all())
                for name, query in queries.items()}


async def test_stored_channel_names_move_to_msteams_and_back(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        before_ours = revision_before_ours()
        await migrate(engine, before_ours)
        async with sessionmaker(engine).begin() as db:
            db.add_all(rows_before())
            db.add_all([RateBucketRow(key=f"teams:{TENANT}", next_at=datetime.now(UTC)),
                        RateBucketRow(key=f"slack:{SLACK_TEAM}", next_at=datetime.now(UTC))])
        before = await snapshot(engine)
        await migrate(engine, "head")
        after = await snapshot(engine)
        assert after["members"] == [("U1", "slack"), ("aad-1", "msteams"), ("web-x", "web")]
        assert after["sessions"] == [("U1", "slack"), ("aad-1", "msteams")]
        assert after["references"] == [("C1", "slack"), ("a:1", "msteams")]
        assert after["inbox"] == [("e1", "msteams"), ("e2", "slack")]
        assert after["deliveries"] == [
            ("d1", "msteams", f"{TENANT}:msteams:aad-1", "aad-1"),
            ("d2", "msteams", f"{TENANT}:room:msteams:19:abc", "msteams:19:abc"),
            ("d3", "slack", f"{SLACK_TEAM}:slack:U1", "U1"),
            ("d4", "slack", f"{SLACK_TEAM}:room:slack:C1", "slack:C1"),
            ("d5", "local", "local:web:web-x", "web-x")]
        assert after["rooms"] == [("Geen kanaal", None), ("Support", "msteams:19:abc"),
                                  ("Zorg", "slack:C1")]
        assert after["buckets"] == [(f"msteams:{TENANT}",), (f"slack:{SLACK_TEAM}",)]
        await migrate(engine, before_ours, down=True)
        assert await snapshot(engine) == before
    finally:
        await engine.dispose()


async def test_a_room_chosen_before_the_migration_is_still_reached(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    """A dialog in progress (or an old button) may still hold "teams:<conversation>"."""
    async with sessions.begin() as db:
        db.add(ConversationRefRow(channel="msteams", workspace=TENANT, user_id="",
                                  conversation_id="19:abc", scope="channel",
                                  reference={"conversation": {"id": "19:abc"}}))
    async with sessions.begin() as db:
        messages = [Message(blocks=[TextBlock(text=plain("Nieuwe hulpvraag"))])]
        assert await outbound.queue_to_room(db, TENANT, "teams:19:abc", messages, "q1") == 1
    async with sessions() as db:
        row = (await db.execute(select(DeliveryRow))).scalar_one()
    assert (row.channel, row.recipient, row.status) == ("msteams", "msteams:19:abc", "pending")
    assert row.payload["reference"] == {"conversation": {"id": "19:abc"}}


async def test_a_saved_reference_is_refreshed_in_place(sessions) -> None:  # type: ignore[no-untyped-def]
    """On SQLite and PostgreSQL: saving a conversation's reference again replaces it (the
    newest activity) and adds no row."""

    from bot.storage import conversations
    from bot.storage.models import ConversationRefRow

    first = {"activityId": "1", "conversation": {"id": "a:1"}}
    second = {"activityId": "2", "conversation": {"id": "a:1"}}
    for reference in (first, second):
        async with sessions.begin() as db:
            await conversations.save_reference(db, "msteams", "t-1", "aad-1", "a:1",
                                               "personal", reference)
    async with sessions() as db:
        rows = (await db.execute(select(ConversationRefRow))).scalars().all()
        assert [(r.reference, r.scope, r.user_id) for r in rows] == [
            (second, "personal", "aad-1")]
        assert await conversations.personal_chat(db, "msteams", "t-1", "aad-1") == (
            "a:1", second)
