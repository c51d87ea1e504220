"""Channels: where messages come from and how they are shown.

Every channel follows one contract (``bot.channels.contract``): it receives the platform's
input as an ``Incoming``, runs the turn through the conductor, renders the messages in the
platform's format and sends them. The names below are what the database stores (sessions,
members, conversation references, deliveries, team rooms "<channel>:<address>").
"""

from __future__ import annotations

CONSOLE = "console"
WEB = "web"
SLACK = "slack"
#: Microsoft Teams (the word "teams" alone is kept for groups of people)
MSTEAMS = "msteams"
#: the dialog a message action ("Vraag aan collega's" on a Slack or Teams message) starts, with
#: the message as what the user said
ASK_QUESTION = "ask_question"
#: channel names of earlier versions, still met in data written before migration 0005 (a
#: room chosen in a dialog that was in progress, a queued button)
FORMER_NAMES = {"teams": MSTEAMS}


def channel_name(name: str | None) -> str | None:
    """Today's name of a stored channel name."""
    return FORMER_NAMES.get(name, name) if name is not None else None


def split_room(room: str) -> tuple[str, str]:
    """A team's room ("slack:C123", "msteams:19:abc@thread.tacv2") as (channel, address)."""
    channel, _, address = room.partition(":")
    return channel_name(channel) or channel, address


def room(channel: str, address: str) -> str:
    return f"{channel}:{address}"
