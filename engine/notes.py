"""Language-neutral notes from the engine (reasons, warnings), rendered by whoever shows them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from knowledge.messages import t


class Note(BaseModel):
    """A message key of the catalogue plus its parameters."""

    code: str
    params: dict[str, Any] = Field(default_factory=dict)

    def text(self, lang: str | None = None) -> str:
        return t(lang, self.code, **self.params)


def note(code: str, **params: Any) -> Note:
    return Note(code=code, params=params)
