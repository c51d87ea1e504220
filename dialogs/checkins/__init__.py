"""Check-ins (actions 4.1 and 8.2): a short recurring question round per team. Leads plan them
(``checkin_plan``), everyone answers them (``checkin``)."""

from dialogs.checkins import checkin, checkin_plan

DIALOGS = [checkin_plan.DIALOG, checkin.DIALOG]
