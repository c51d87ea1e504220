"""Transitional: the action library dialog moved to ``dialogs.actions``; the scan (converted
separately) still imports the action card from here. Remove once nothing does."""

from dialogs.actions.cards import action_card, action_label

__all__ = ["action_card", "action_label"]
