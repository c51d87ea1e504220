"""Acties: the action library of informal learning (9 challenges, ~48 actions), to browse or
search."""

from dialogs.actions import actions

DIALOGS = [actions.DIALOG]
