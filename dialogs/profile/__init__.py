"""Mijn profiel: what someone is good at, can help with and wants to grow in (action 6.1)."""

from dialogs.profile import profile

DIALOGS = [profile.DIALOG]
