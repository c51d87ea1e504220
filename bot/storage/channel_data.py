"""What the runtime keeps while it talks with a person, as personal data: their dialog sessions
(also one set aside), their mailbox, the messages queued for or sent to them, the events they
sent that are stored for processing, their conversation references, and the Slack installation
they made. Erasing it leaves no identifier of the person behind; a message that was sent stays
counted in its run, without the person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels import MSTEAMS, SLACK
from bot.storage.models import (
    ConversationRefRow,
    DeliveryRow,
    DialogSessionRow,
    InboxRow,
    MailboxRow,
    SlackInstallationRow,
)
from bot.storage.personal import Erasure, PersonalData, register, rowcount

#: deliveries not sent yet are deleted; sent ones are kept (their run counts them), unlinked
UNSENT = ("pending", "processing", "failed", "unknown", "cancelled")


async def _export(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    sessions = (await db.execute(select(DialogSessionRow).where(
        DialogSessionRow.workspace == workspace, DialogSessionRow.user_id == user))).scalars()
    waiting = (await db.execute(select(MailboxRow).where(
        MailboxRow.workspace == workspace, MailboxRow.user_id == user,
        MailboxRow.seen.is_(False)))).scalars()
    return {"open_conversations": [{"channel": s.channel, "conversation": s.conversation,
                                    "dialog": s.session.get("dialog")} for s in sessions],
            "waiting_messages": [m for row in waiting for m in row.messages]}


async def _platform_conversations(db: AsyncSession, erasure: Erasure) -> set[str]:
    """The person's own chats on Slack and Microsoft Teams (their DMs): where replies to them
    were queued without naming them."""
    found = set((await db.execute(select(DialogSessionRow.conversation).where(
        DialogSessionRow.workspace == erasure.workspace, DialogSessionRow.user_id == erasure.user,
        DialogSessionRow.channel.in_((SLACK, MSTEAMS))))).scalars())
    found |= set((await db.execute(select(ConversationRefRow.conversation_id).where(
        ConversationRefRow.workspace == erasure.workspace,
        ConversationRefRow.user_id == erasure.user,
        ConversationRefRow.scope == "personal"))).scalars())
    return {conversation.split("#")[0] for conversation in found if conversation}


async def _erase_deliveries(db: AsyncSession, erasure: Erasure,
                            conversations: set[str]) -> dict[str, int]:
    mine = or_(DeliveryRow.recipient == erasure.user,
               *(DeliveryRow.ordering_key.endswith(f":{c}") for c in conversations))
    scope = (DeliveryRow.workspace == erasure.workspace, mine)
    removed = await db.execute(delete(DeliveryRow).where(*scope,
                                                         DeliveryRow.status.in_(UNSENT)))
    sent = list((await db.execute(select(DeliveryRow.id).where(*scope))).scalars())
    for delivery_id in sent:  # keys stay unique: each becomes its own placeholder
        await db.execute(update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(
            key=f"deleted:{delivery_id}", ordering_key=f"deleted:{delivery_id}",
            recipient=None, payload={"op": "removed"}, result=None))
    return {"messages_cancelled": rowcount(removed), "messages_unlinked": len(sent)}


async def _erase_inbox(db: AsyncSession, erasure: Erasure) -> int:
    """Stored events of the person: deleted, except the one being handled now (its worker
    still finishes it), which keeps no trace of the person."""
    conversation = f"{SLACK}:{erasure.workspace}:{erasure.user}"
    removed = await db.execute(delete(InboxRow).where(
        InboxRow.conversation_key == conversation, InboxRow.status != "processing"))
    await db.execute(update(InboxRow).where(
        InboxRow.conversation_key == conversation).values(
        conversation_key=f"deleted:{erasure.workspace}", payload={}))
    return rowcount(removed)


async def _erase(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    conversations = await _platform_conversations(db, erasure)
    counts = await _erase_deliveries(db, erasure, conversations)
    counts["events"] = await _erase_inbox(db, erasure)
    sessions = delete(DialogSessionRow).where(DialogSessionRow.workspace == erasure.workspace,
                                              DialogSessionRow.user_id == erasure.user)
    if erasure.keep is not None:
        sessions = sessions.where((DialogSessionRow.channel != erasure.keep.channel)
                                  | (DialogSessionRow.conversation != erasure.keep.conversation))
    counts["conversations"] = rowcount(await db.execute(sessions))
    counts["mailbox"] = rowcount(await db.execute(delete(MailboxRow).where(
        MailboxRow.workspace == erasure.workspace, MailboxRow.user_id == erasure.user)))
    counts["conversation_references"] = rowcount(await db.execute(delete(
        ConversationRefRow).where(ConversationRefRow.workspace == erasure.workspace,
                                  ConversationRefRow.user_id == erasure.user)))
    counts["installations_unlinked"] = rowcount(await db.execute(update(
        SlackInstallationRow).where(SlackInstallationRow.team_id == erasure.workspace,
                                    SlackInstallationRow.user_id == erasure.user).values(
        user_id="")))
    return counts


# first: the person's conversations are read before the other hooks remove them
register(PersonalData(name="conversations", erase=_erase, export=_export, order=10,
                      tables=("dialog_sessions", "mailbox", "deliveries", "inbox",
                              "conversation_refs", "slack_installations")))
