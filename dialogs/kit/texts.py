"""What a dialog says, per language: flat catalogues of dotted keys to ``str.format`` templates.

The catalogue of a language is merged from registered *sources*: the kit's own texts, and
whatever the application adds (a YAML file per language next to each feature, or a callable
that returns a mapping). A key may be defined once; every language must have the same keys
and placeholders (``problems()`` lists where they differ).

A text that depends on a number has its plural forms as a mapping (``{one: "1 lid", other:
"{count} leden"}``); the form is chosen by the ``count`` parameter with the language's plural
rules (Babel's CLDR data).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from pathlib import Path

import yaml
from babel import Locale

Template = str | dict[str, str]
Source = Callable[[str], Mapping[str, Template]]


class TextError(ValueError):
    """A catalogue file is unreadable, a key is defined twice, or a key is unknown."""


def placeholders(template: Template) -> set[str]:
    forms = template.values() if isinstance(template, dict) else [template]
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}


def _valid(value: object) -> bool:
    if isinstance(value, dict):
        return "other" in value and all(isinstance(k, str) and isinstance(v, str)
                                        for k, v in value.items())
    return isinstance(value, str)


def yaml_source(folder: Path, stem: str = "messages") -> Source:
    """The texts in ``<folder>/<stem>.<lang>.yaml`` (a missing file is an empty catalogue)."""

    def read(lang: str) -> Mapping[str, Template]:
        path = folder / f"{stem}.{lang}.yaml"
        if not path.exists():
            return {}
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        if not isinstance(data, dict) or not all(
                isinstance(k, str) and _valid(v) for k, v in data.items()):
            raise TextError(f"{path} must map message keys to texts (or plural forms with "
                            "'other')")
        return data

    read.__name__ = f"yaml:{folder.name}"
    return read


class Texts:
    """The registry of catalogues. ``languages`` are the supported ones, the first is the
    default (used for unknown locales)."""

    def __init__(self, languages: tuple[str, ...] = ("nl", "en")) -> None:
        self.languages = languages
        self._sources: dict[str, Source] = {}
        self._merged: dict[str, dict[str, Template]] = {}
        self._languages: dict[str | None, str] = {}  # what ``normalise`` found before

    @property
    def default(self) -> str:
        return self.languages[0]

    def add(self, name: str, source: Source) -> None:
        """Register a source under a name (adding a name twice replaces it)."""
        self._sources[name] = source
        self._merged.clear()

    def catalogue(self, lang: str) -> dict[str, Template]:
        lang = self.normalise(lang)
        if lang not in self._merged:
            merged: dict[str, Template] = {}
            origin: dict[str, str] = {}
            for name, source in self._sources.items():
                for key, text in source(lang).items():
                    if key in merged:
                        raise TextError(f"message {key!r} of {name} is already defined by "
                                        f"{origin[key]}")
                    merged[key], origin[key] = text, name
            self._merged[lang] = merged
        return self._merged[lang]

    def template(self, lang: str | None, key: str, count: object = None) -> str:
        """The text of ``key``; for a plural text, the form that fits ``count``."""
        lang = self.normalise(lang)
        try:
            found = self.catalogue(lang)[key]
        except KeyError:
            raise TextError(f"message {key!r} is not in the catalogue") from None
        if isinstance(found, str):
            return found
        if not isinstance(count, int | float):
            raise TextError(f"message {key!r} has plural forms: give it a number as 'count'")
        return found.get(Locale.parse(lang).plural_form(count), found["other"])

    def has(self, key: str) -> bool:
        return key in self.catalogue(self.default)

    def normalise(self, locale: str | None) -> str:
        """A locale such as 'en-GB' or 'nl_BE' mapped onto a supported language."""
        found = self._languages.get(locale)
        if found is None:
            short = (locale or "").replace("_", "-").split("-")[0].casefold()
            found = short if short in self.languages else self.default
            if len(self._languages) < 1000:  # locales are few; a flood of odd ones is not kept
                self._languages[locale] = found
        return found

    def problems(self) -> list[str]:
        """Where the languages' catalogues differ from the default's (empty when they agree)."""
        found: list[str] = []
        reference = self.catalogue(self.default)
        for lang in self.languages[1:]:
            other = self.catalogue(lang)
            found += [f"{lang}: missing {key}" for key in sorted(reference.keys() - other.keys())]
            found += [f"{lang}: unknown key {key}"
                      for key in sorted(other.keys() - reference.keys())]
            found += [f"{lang}: placeholders of {key} differ from {self.default}"
                      for key in sorted(reference.keys() & other.keys())
                      if placeholders(reference[key]) != placeholders(other[key])]
        return found


#: the process-wide registry; the kit's own texts are always in it
TEXTS = Texts()
TEXTS.add("kit", yaml_source(Path(__file__).resolve().parent))
