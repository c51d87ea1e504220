"""What the team-round dialogs (check-in, kennisrondje, reflection, path evaluation) share:
which team, when (schedule steps), which questions (the prompt library), the member's side of a
run, and answering a round (the ``answer_round`` sub-flow, which the dialogs run with ``Call``,
so it is no dialog of its own in the menu or the router)."""

from typing import Any

from dialogs.kit import Dialog

# the experts dialog picks its team with these (imported from here before rounds was a package)
from dialogs.rounds.team_choice import TeamRef, organisable, team_step

DIALOGS: list[Dialog[Any]] = []

__all__ = ["DIALOGS", "TeamRef", "organisable", "team_step"]
