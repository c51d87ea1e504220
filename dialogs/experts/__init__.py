"""The expertise directory (actions 6.1, 6.4 and 6.5): who can help with a topic, and a team's
competency matrix for managers and HR."""

from dialogs.experts import competency_matrix, experts

DIALOGS = [experts.DIALOG, competency_matrix.DIALOG]
