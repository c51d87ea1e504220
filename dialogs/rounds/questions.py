"""The questions of a round, picked from the prompt library of its kind (or its default set),
and the step that asks which."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from dialogs.kit import Choice, Choose, Turn, plain, say
from knowledge.prompts import load_prompts

#: the value of the "default questions" option in a question list
DEFAULTS = "defaults"
#: the value of "only a question of my own" in the check-in's question list
OWN_ONLY = "own"


def library(kind: str, lang: str) -> list[tuple[str, str]]:
    """(prompt id, text in the language) of a prompt library."""
    return [(p.id, p.text.get(lang)) for p in load_prompts().of(kind)]


def library_choices(kind: str, lang: str) -> list[Choice]:
    return [Choice(value=pid, label=plain(text)) for pid, text in library(kind, lang)]


def texts_of(kind: str, lang: str, ids: list[str]) -> list[str]:
    known = dict(library(kind, lang))
    return [known[i] for i in ids if i in known]


def question_options(kind: str, lang: str, defaults: list[str]) -> list[Choice]:
    """The prompt library of a kind, numbered, with "the default questions" as last option."""
    ids = [pid for pid, _ in library(kind, lang)]
    numbers = ", ".join(str(ids.index(d) + 1) for d in defaults if d in ids)
    return [*library_choices(kind, lang),
            Choice(value=DEFAULTS, label=say(lang, "rounds.default_questions", numbers=numbers),
                   style="primary")]


def chosen_questions(values: list[str], defaults: list[str]) -> list[str]:
    """Prompt ids picked; the default option stands for the default questions."""
    picked: list[str] = []
    for value in values:
        for pid in defaults if value == DEFAULTS else [value]:
            if pid != OWN_ONLY and pid not in picked:
                picked.append(pid)
    return picked


class Choosing(BaseModel):
    """A dialog state that picks a round's questions from the library."""

    question_ids: list[str] = Field(default_factory=list)


Q = TypeVar("Q", bound=Choosing)


def questions_step(kind: str, defaults: list[str], prompt: str, skip: Callable[[Turn, Any], bool],
                   help: str = "rounds.help_questions", own_only: bool = False) -> Choose:
    """Which questions (several may be picked), into ``state.question_ids``; ``own_only`` adds
    "only a question of my own" (the check-in asks for one next)."""

    def options(turn: Turn, state: Any) -> list[Choice]:
        choices = question_options(kind, turn.lang, defaults)
        if own_only:
            choices.append(Choice(value=OWN_ONLY, label=say(turn.lang, "rounds.own_only")))
        return choices

    def handle(turn: Turn, state: Q, values: list[str]) -> Q:
        return state.model_copy(update={"question_ids": chosen_questions(values, defaults)})

    return Choose("vragen", prompt=prompt, options=options, handle=handle, multi=True, skip=skip,
                  help=help)
