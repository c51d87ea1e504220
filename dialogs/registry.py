"""Every feature of the product: its dialogs (which carry their phrases, menu slot and roles)
and its texts. Adding a feature is one line in ``FEATURES``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from dialogs import (
    actions,
    buddies,
    checkins,
    development,
    evaluation,
    experts,
    forum,
    knowledge_round,
    learning_help,
    my_data,
    my_path,
    paths,
    people,
    profile,
    reflection,
    rounds,
    runs,
    scan,
    team,
)
from dialogs.kit import TEXTS, AppTexts, Conductor, Dialog, Turn, UnitFactory
from dialogs.kit.texts import yaml_source
from dialogs.policy import ADMINS
from knowledge.messages import catalogue

#: the feature packages (dialogs, port, messages): one line each
FEATURES: tuple[ModuleType, ...] = (
    learning_help,
    forum,
    actions,
    profile,
    experts,
    paths,
    scan,
    team,
    rounds,
    checkins,
    knowledge_round,
    reflection,
    evaluation,
    buddies,
    runs,
    my_data,
    people,
    my_path,
    development,
)
APP_TEXTS = AppTexts(hello="leerbot.hello", greeting="leerbot.greeting", help="leerbot.help",
                     not_allowed="leerbot.not_allowed",
                     not_allowed_for=((ADMINS, "leerbot.not_allowed_admins"),))


def register_texts(features: Sequence[ModuleType] = FEATURES) -> None:
    """The catalogues: the engine's and knowledge's texts, Leerbot's own, each feature's
    (``messages.<lang>.yaml`` next to the feature's dialogs)."""
    TEXTS.add("knowledge", catalogue)
    TEXTS.add("leerbot", yaml_source(Path(__file__).resolve().parent))
    for feature in features:
        TEXTS.add(feature.__name__, yaml_source(Path(feature.__file__).resolve().parent))


register_texts()


def dialogs(features: Sequence[ModuleType] = FEATURES) -> list[Dialog[Any]]:
    return [dialog for feature in features for dialog in feature.DIALOGS]


async def learning_fallback(turn: Turn, text: str) -> str | None:
    """A sentence that names no dialog but a learning topic goes to learning help."""
    matcher = await turn.catalogue.matcher()
    if (await matcher.match_async(text, k=1)).confident:
        return "learning_help"
    return None


def build_conductor(units: UnitFactory, clock: Callable[[], datetime] | None = None,
                    features: Sequence[ModuleType] = FEATURES) -> Conductor:
    if features is not FEATURES:
        register_texts(features)
    return Conductor(dialogs(features), units, texts=APP_TEXTS, fallback=learning_fallback,
                     clock=clock)
