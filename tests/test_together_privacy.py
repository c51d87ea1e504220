"""A user's data of the learning-together features: exported with "mijn gegevens", and after
deleting it no table holds the user's id any more."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.outbound import queue_to_member
from bot.storage.models import Base, MailboxRow
from dialogs.kit import Message, TextBlock, plain
from tests.conversation import User, Workspace, deliver

USER = "gerrit-4711"


async def arrange(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        await ws.join("admin", "Admin")
        await ws.join(USER, "Gerrit")
        await ws.join("bea", "Bea")
        team = await ws.teams.save_team("Support", USER, [USER, "bea"], None)
        await ws.outbox.notify(USER, [Message(blocks=[TextBlock(text=plain("Hoi"))])],
                               key="test:mailbox")
        await queue_to_member(ws.db, "acme", USER,
                              [Message(blocks=[TextBlock(text=plain("Later"))])],
                              key="test:later", at=datetime.now(UTC) + timedelta(days=1))
    async with Workspace(runtime) as ws:
        await ws.rounds.save_answer("checkin", USER, "Wat heb je geleerd?", "Draaitabellen",
                                    team_id=team.id)
        question = await ws.forum.save_question("Hoe werkt VLOOKUP?", ["excel"],
                                                team_id=team.id, asker=USER, suggested=["bea"])
        answer = await ws.forum.save_answer(question.id, "bea", "Met X.ZOEKEN")
        await ws.forum.accept_answer(answer.id)
        other = await ws.forum.save_question("Wie kent Teams?", [], team_id=team.id,
                                             asker="bea", suggested=[USER])
        await ws.forum.save_answer(other.id, USER, "Ik!")
        await ws.buddies.save_round(team.id, [[USER, "bea"]])
    await deliver(runtime)


async def tables_mentioning(runtime, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    async with runtime.sessions() as db:
        for table in Base.metadata.sorted_tables:
            for row in (await db.execute(select(table))).all():
                if text in json.dumps([str(v) for v in row], default=str):
                    found.append(table.name)
                    break
    return found


async def test_export_holds_the_together_data_and_delete_leaves_no_trace(runtime) -> None:  # type: ignore[no-untyped-def]
    await arrange(runtime)
    gerrit = User(runtime.conductor, name=USER)
    await gerrit.say("mijn gegevens")
    await gerrit.press("export")
    exported = json.loads(gerrit.files()[0].data)
    assert exported["answers"][0]["text"] == "Draaitabellen"
    assert exported["forum_questions"][0]["text"] == "Hoe werkt VLOOKUP?"
    assert exported["forum_answers"][0]["text"] == "Ik!"
    assert len(exported["forum_asked_as_expert"]) == 1  # bea's question was put to gerrit
    assert exported["buddy_rounds"] == [{"round": 1, "with": ["bea"]}]
    assert exported["teams"] == [{"name": "Support", "lead": True}]
    async with runtime.sessions() as db:  # the mailbox message was shown at this turn
        assert (await db.execute(select(MailboxRow.seen))).scalars().all() == [True]

    await gerrit.say("mijn gegevens")
    await gerrit.press("delete")
    await gerrit.press("yes")
    # only the conversation of this very turn is left (the conductor ends it itself)
    assert set(await tables_mentioning(runtime, USER)) <= {"dialog_sessions"}
    bea = User(runtime.conductor, name="bea")
    await bea.say("menu")
    assert await tables_mentioning(runtime, USER) in ([], ["dialog_sessions"])
