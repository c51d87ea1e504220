"""Proactive messages: to a member's chat or a team's channel, now or later (a port)."""
