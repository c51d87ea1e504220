"""Verzendingen (HR admin): the recent scheduled and fan-out runs, their problems, a retry."""

from dialogs.runs import runs

DIALOGS = [runs.DIALOG]
