"""Evaluating a leerlijn 3, 6 and 9 months after its deadline (``evaluation``)."""

from dialogs.evaluation import evaluation

DIALOGS = [evaluation.DIALOG]
