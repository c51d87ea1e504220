"""Every dialog of the product, the phrases that start them, and the menu.

A module holds one dialog (``DIALOG`` and its ``PHRASES`` list) or several (``DIALOGS`` and
``PHRASES`` as a mapping from dialog id to phrases)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
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
    learning_help,
    my_data,
    paths,
    people,
    profile,
    reflection,
    runs,
    scan,
    teams_setup,
)
from dialogs.kit import TEXTS, AppTexts, Conductor, Dialog, Turn, UnitFactory
from dialogs.kit.texts import yaml_source
from knowledge.messages import catalogue

MODULES: tuple[ModuleType, ...] = (
    learning_help,
    action_library,
    profile,
    forum,
    experts,
    checkins,
    kennisrondje,
    reflection,
    evaluation,
    teams_setup,
    buddies,
    runs,
)
#: the features built as packages (dialogs, port, messages): one line each
FEATURES: tuple[ModuleType, ...] = (people, my_data, paths, scan)
#: menu slots of the dialogs not yet in a feature package (the packages' dialogs carry theirs)
MENU = {"leerhulp": 10, "vraag": 20, "acties": 30, "profiel": 40, "experts": 50, "team": 90,
        "checkins": 100, "kennisrondje": 110, "logboek": 120, "buddies": 130, "runs": 140}
TEXTS.add("knowledge", catalogue)
TEXTS.add("leerbot", yaml_source(Path(__file__).resolve().parent))
for _feature in FEATURES:
    TEXTS.add(_feature.__name__, yaml_source(Path(_feature.__file__).resolve().parent))
APP_TEXTS = AppTexts(hello="leerbot.hello", greeting="leerbot.greeting", help="leerbot.help",
                     not_allowed="leerbot.not_allowed")


def _entries(module: ModuleType) -> list[tuple[Dialog[Any], list[str]]]:
    if hasattr(module, "DIALOG"):
        return [(module.DIALOG, list(module.PHRASES))]
    return [(dialog, list(module.PHRASES.get(dialog.id, []))) for dialog in module.DIALOGS]


def dialogs() -> list[Dialog[Any]]:
    old = [dataclasses.replace(dialog, phrases=examples, menu=MENU.get(dialog.id))
           for module in MODULES for dialog, examples in _entries(module)]
    return [*old, *(dialog for feature in FEATURES for dialog in feature.DIALOGS)]


async def learning_fallback(turn: Turn, text: str) -> str | None:
    """A sentence that names no dialog but a learning topic goes to learning help."""
    matcher = await turn.catalogue.matcher()
    if (await matcher.match_async(text, k=1)).confident:
        return "leerhulp"
    return None


def build_conductor(units: UnitFactory,
                    clock: Callable[[], datetime] | None = None) -> Conductor:
    return Conductor(dialogs(), units, texts=APP_TEXTS, fallback=learning_fallback,
                     clock=clock)
