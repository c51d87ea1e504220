"""Buddies (actions 4.2 and 8.1): buddy rounds for a team, exclusions, opting out and in."""

from dialogs.buddies import buddies

DIALOGS = [buddies.DIALOG]
