"""Shared building blocks for the knowledge schemas and their loaders."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DATA_DIR = Path(__file__).resolve().parent / "data"

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")


class KnowledgeError(ValueError):
    """A data file is missing, unreadable or does not match its schema."""


class Model(BaseModel):
    """Strict base: unknown keys in a data file are typos, not extensions."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Model):
    """A user-facing text in every supported language (Dutch first)."""

    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


M = TypeVar("M", bound=BaseModel)


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top)"
        lines.append(f"  {where}: {item['msg']}")
    return "\n".join(lines)


def validate(model: type[M], data: Any, source: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(f"{source} does not match its schema:\n{_describe(exc)}") from None


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise KnowledgeError(f"{path} is missing") from None
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path} is not valid YAML: {exc}") from None


def load_yaml_model(model: type[M], path: Path) -> M:
    return validate(model, read_yaml(path), str(path))


@cache
def data_path(*parts: str) -> Path:
    return DATA_DIR.joinpath(*parts)
