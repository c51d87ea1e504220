"""Message catalogues: every user-facing sentence of the product, per language.

Data: ``data/messages/<lang>.yaml`` plus one file per feature in ``data/messages/<lang>/``, each
a flat mapping of dotted keys to ``str.format`` templates (a key may be defined only once).
Dutch is the reference; every language has exactly the same keys and placeholders.
"""

from __future__ import annotations

import string
from functools import cache
from typing import Any

from knowledge.base import LANGS, KnowledgeError, data_path, read_yaml

DEFAULT_LANG = "nl"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@cache
def catalogue(lang: str) -> dict[str, str]:
    if lang not in LANGS:
        raise KnowledgeError(f"no message catalogue for language {lang!r}")
    main = data_path("messages", f"{lang}.yaml")
    folder = data_path("messages", lang)
    parts = [main, *sorted(folder.glob("*.yaml"))] if folder.is_dir() else [main]
    merged: dict[str, str] = {}
    for path in parts:
        data = read_yaml(path)
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise KnowledgeError(f"{path} must map message keys to texts")
        for key in data.keys() & merged.keys():
            raise KnowledgeError(f"{path}: message {key!r} is already defined elsewhere")
        merged.update(data)
    return merged


def check_catalogues() -> list[str]:
    """Differences between the languages' catalogues (empty when they agree)."""
    problems = []
    reference = catalogue(DEFAULT_LANG)
    for lang in LANGS:
        other = catalogue(lang)
        for key in sorted(reference.keys() - other.keys()):
            problems.append(f"{lang}: missing {key}")
        for key in sorted(other.keys() - reference.keys()):
            problems.append(f"{lang}: unknown key {key}")
        for key in sorted(reference.keys() & other.keys()):
            if placeholders(reference[key]) != placeholders(other[key]):
                problems.append(f"{lang}: placeholders of {key} differ from {DEFAULT_LANG}")
    return problems


def normalise_lang(lang: str | None) -> str:
    """Map a locale such as 'en-GB' or 'nl_BE' onto a supported language (default Dutch)."""
    if not lang:
        return DEFAULT_LANG
    short = lang.replace("_", "-").split("-")[0].casefold()
    return short if short in LANGS else DEFAULT_LANG


def t(lang: str | None, key: str, **params: Any) -> str:
    """The text for ``key`` in ``lang``, filled with ``params``."""
    texts = catalogue(normalise_lang(lang))
    try:
        template = texts[key]
    except KeyError:
        raise KnowledgeError(f"message {key!r} is not in the catalogue") from None
    return template.format(**params)
