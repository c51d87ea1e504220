"""The question libraries: what the bot asks in check-ins, kennisrondjes, reflections, ...

Data: ``data/prompts.yaml``. Every prompt names its source: an action of the library
(``"6.2"``) or one of the method's tips (``"tip:..."``).
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field, model_validator

from knowledge.actions import load_action_library
from knowledge.base import KnowledgeError, Model, Text, data_path, load_yaml_model

Kind = Literal[
    "checkin",
    "kennisrondje",
    "reflection",
    "forum",
    "development",
    "selfscan",
    "evaluation",
    "buddy",
]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]


class LibraryQuestion(Model):
    id: str = Field(pattern=r"^[a-z]+-[0-9]{2}$")
    text: Text
    source: str = Field(description="action id such as '4.1', or 'tip:<document>-<n>'")


class PromptLibraries(Model):
    version: int = Field(ge=1)
    libraries: dict[Kind, list[LibraryQuestion]]

    @model_validator(mode="after")
    def _every_kind(self) -> PromptLibraries:
        missing = [k for k in KINDS if not self.libraries.get(k)]  # type: ignore[call-overload]
        if missing:
            raise ValueError(f"missing or empty prompt libraries: {missing}")
        ids = [p.id for prompts in self.libraries.values() for p in prompts]
        if len(ids) != len(set(ids)):
            raise ValueError("prompt ids must be unique")
        for kind, prompts in self.libraries.items():
            for prompt in prompts:
                if not prompt.id.startswith(kind):
                    raise ValueError(f"prompt {prompt.id} is filed under {kind}")
        return self

    def of(self, kind: str) -> list[LibraryQuestion]:
        return list(self.libraries[kind])  # type: ignore[index]

    def get(self, prompt_id: str) -> LibraryQuestion:
        for prompts in self.libraries.values():
            for prompt in prompts:
                if prompt.id == prompt_id:
                    return prompt
        raise KeyError(prompt_id)


@cache
def load_prompts() -> PromptLibraries:
    library = load_yaml_model(PromptLibraries, data_path("prompts.yaml"))
    actions = {a.id for a in load_action_library().actions}
    for prompts in library.libraries.values():
        for prompt in prompts:
            if not prompt.source.startswith("tip:") and prompt.source not in actions:
                raise KnowledgeError(f"prompts.yaml: {prompt.id} names unknown source "
                                     f"{prompt.source!r}")
    return library
