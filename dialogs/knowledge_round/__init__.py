"""Kennisrondje (action 6.2): team members tell what colleagues may call them about
(``knowledge_round``); leads see who knows what (``knowledge_overview``)."""

from dialogs.knowledge_round import knowledge_overview, knowledge_round

DIALOGS = [knowledge_round.DIALOG, knowledge_overview.DIALOG]
