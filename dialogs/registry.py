"""Every dialog of the product, the phrases that start them, and the menu.

A module holds one dialog (``DIALOG`` and its ``PHRASES`` list) or several (``DIALOGS`` and
``PHRASES`` as a mapping from dialog id to phrases)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from dialogs import (
    action_library,
    buddies,
    checkins,
    evaluation,
    experts,
    forum,
    kennisrondje,
    language,
    learning_help,
    mydata,
    preferences,
    profile,
    reflection,
    roles,
    runs,
    saved_paths,
    scan,
    teams_setup,
    wizard,
)
from dialogs.conductor import Conductor, UnitFactory
from dialogs.framework import Dialog

MODULES: tuple[ModuleType, ...] = (
    learning_help,
    action_library,
    profile,
    wizard,
    saved_paths,
    scan,
    mydata,
    language,
    roles,
    forum,
    experts,
    checkins,
    kennisrondje,
    reflection,
    evaluation,
    teams_setup,
    buddies,
    runs,
    preferences,
)
MENU = ("leerhulp", "vraag", "acties", "profiel", "experts", "leerlijn", "leerlijnen", "scan",
        "team", "checkins", "kennisrondje", "logboek", "buddies", "runs", "gegevens",
        "voorkeuren", "taal", "rollen")


def _entries(module: ModuleType) -> list[tuple[Dialog[Any], list[str]]]:
    if hasattr(module, "DIALOG"):
        return [(module.DIALOG, list(module.PHRASES))]
    return [(dialog, list(module.PHRASES.get(dialog.id, []))) for dialog in module.DIALOGS]


def dialogs() -> list[Dialog[Any]]:
    return [dialog for module in MODULES for dialog, _ in _entries(module)]


def phrases() -> dict[str, list[str]]:
    return {dialog.id: [dialog.id, *examples]
            for module in MODULES for dialog, examples in _entries(module)}


def build_conductor(units: UnitFactory) -> Conductor:
    return Conductor(dialogs(), phrases(), units, MENU)
