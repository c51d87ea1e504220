"""Leerhulp: an employee says what they want to get better at and hears which trainings fit,
which informal ways to learn there are, and who can help; saved as a learning wish."""

from dialogs.learning_help import learning_help

DIALOGS = [learning_help.DIALOG]
