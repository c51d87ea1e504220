"""Teams: groups of colleagues with a lead, optionally a channel (not Microsoft Teams)."""
