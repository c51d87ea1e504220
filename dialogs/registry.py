"""Every dialog of the product, the phrases that start them, and the menu."""

from __future__ import annotations

from typing import Any

from dialogs import (
    action_library,
    language,
    learning_help,
    mydata,
    profile,
    roles,
    saved_paths,
    scan,
    wizard,
)
from dialogs.conductor import Conductor, UnitFactory
from dialogs.framework import Dialog

MODULES = (learning_help, action_library, profile, wizard, saved_paths, scan, mydata, language,
           roles)
MENU = ("leerhulp", "acties", "profiel", "leerlijn", "leerlijnen", "scan", "gegevens", "taal",
        "rollen")


def dialogs() -> list[Dialog[Any]]:
    return [module.DIALOG for module in MODULES]


def phrases() -> dict[str, list[str]]:
    return {module.DIALOG.id: [module.DIALOG.id, *module.PHRASES] for module in MODULES}


def build_conductor(units: UnitFactory) -> Conductor:
    return Conductor(dialogs(), phrases(), units, MENU)
