"""Mijn leerlijn: an employee's assigned leerlijnen, their progress and reflections; the
message on assignment; progress for the manager who assigned a path (per person) and for HR
(aggregates from MIN_GROUP people)."""

from dialogs.my_path import my_path, path_progress

DIALOGS = [my_path.DIALOG, path_progress.DIALOG]
