"""Taal: the user chooses Dutch, English, or to follow the chat app's language."""

from __future__ import annotations

from pydantic import BaseModel

from dialogs.kit import Block, Choice, Choose, Dialog, Flow, TextBlock, Turn, plain, say
from engine.text import tokens


class LanguageState(BaseModel):
    choice: str | None = None


WORDS = {"nl": {"nederlands", "dutch", "nl"}, "en": {"english", "engels", "en"}}


def start(turn: Turn, text: str) -> LanguageState:
    words = set(tokens(text, keep_stopwords=True))
    for lang, names in WORDS.items():
        if words & names:
            return LanguageState(choice=lang)
    return LanguageState()


def options(turn: Turn, state: LanguageState) -> list[Choice]:
    # each language named in both, so "Engels" and "Dutch" are understood too
    return [Choice(value="nl", label=plain("Nederlands (Dutch)")),
            Choice(value="en", label=plain("English (Engels)")),
            Choice(value="auto", label=say(turn.lang, "language.auto"))]


def choose(turn: Turn, state: LanguageState, value: str) -> Flow[LanguageState]:
    return Flow(state=LanguageState(choice=value), done=True)


async def finish(turn: Turn, state: LanguageState) -> list[Block]:
    lang = None if state.choice in (None, "auto") else state.choice
    await turn.people.set_language(turn.member.user, lang)
    shown = lang or turn.lang
    return [TextBlock(text=say(shown, "language.done_auto" if lang is None else "language.done"))]


DIALOG = Dialog(
    id="language", title="language.title", state=LanguageState, start=start, finish=finish,
    menu=170, aliases=["taal"],
    steps=[Choose("kies", prompt="language.ask", options=options, handle=choose,
                  skip=lambda turn, state: state.choice is not None)],
    phrases=["taal", "taal wijzigen", "language", "change language", "english please",
             "in het nederlands", "speak english", "switch to english", "nederlands graag",
             "engels", "in het engels", "engels graag", "liever engels", "in dutch"],
)
