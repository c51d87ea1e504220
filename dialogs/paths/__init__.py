"""Leerlijnen (managers and HR): build them in the e-book's 5 steps, then open, export and
assign the saved ones."""

from dialogs.paths import explain, path_builder, saved_paths

DIALOGS = [path_builder.DIALOG, saved_paths.DIALOG, explain.DIALOG]
