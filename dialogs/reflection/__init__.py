"""Team reflection (actions 1.1 and 2.2): a weekly reflection moment with one concrete lesson
(``reflection``), and the team's logbook of them (``logbook``)."""

from dialogs.reflection import logbook, reflection

DIALOGS = [reflection.DIALOG, logbook.DIALOG]
