"""People: the HR admin gives roles, everyone chooses a language and their preferences
(timezone, being suggested as expert, buddy rounds)."""

from dialogs.people import language, preferences, roles

DIALOGS = [roles.DIALOG, language.DIALOG, preferences.DIALOG]
