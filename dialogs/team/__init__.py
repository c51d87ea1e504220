"""Teams: groups of colleagues with a lead, optionally a channel (not Microsoft Teams); the
``team`` dialog sets them up, the teams port keeps them."""

from dialogs.team import team

DIALOGS = [team.DIALOG]
