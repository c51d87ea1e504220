"""Ontwikkelgesprek en POP: an employee prepares her development conversation and keeps a
personal development plan (goals, actions, dates) that she may share with her manager, who can
turn it into an individual leerlijn; HR sees the demand per competency next to the supply."""

from dialogs.development import conversation, demand, goal, my_plan, shared

DIALOGS = [conversation.DIALOG, goal.DIALOG, my_plan.DIALOG, shared.DIALOG, demand.DIALOG]
