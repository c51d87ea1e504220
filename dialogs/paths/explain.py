"""Uitleg: what a leerlijn is, how the method works (the 5 steps, the levels, the final check)
and why a training ends up in a path, in a few lines each, with the choice to start the wizard
(for managers and HR) or to read on. Everyone may ask; nothing is stored."""

from __future__ import annotations

from pydantic import BaseModel

from dialogs.invitations import go
from dialogs.kit import Block, Choice, ChoicesBlock, Dialog, TextBlock, Turn, say
from dialogs.policy import MANAGERS
from engine.text import fold

TOPICS = ("what", "how", "levels", "why")
#: words that pick a topic from what was typed (folded); the first topic found wins
TOPIC_WORDS = {"why": ("waarom", "why", "reden", "reason"),
               "levels": ("niveau", "niveaus", "level", "levels"),
               "how": ("hoe", "how", "stappen", "steps", "werkt", "work")}


class ExplainState(BaseModel):
    topic: str = "what"


def topic_of(text: str) -> str:
    """The topic a question asks about: "waarom deze training" -> why, "hoe werkt dit" ->
    how, "wat is een leerlijn" (or anything else) -> what."""
    words = set(fold(text).replace("?", " ").split())
    for topic, markers in TOPIC_WORDS.items():
        if words & set(markers):
            return topic
    return "what"


def start(turn: Turn, text: str) -> ExplainState:
    if turn.argument in TOPICS:
        return ExplainState(topic=turn.argument)
    return ExplainState(topic=topic_of(text))


def finish(turn: Turn, state: ExplainState) -> list[Block]:
    choices = []
    if turn.member.role in MANAGERS:
        choices.append(Choice(value=go("path_builder", ""), style="primary",
                              label=say(turn.lang, "path_explain.start")))
    choices += [Choice(value=go("path_explain", topic),
                       label=say(turn.lang, f"path_explain.more.{topic}"))
                for topic in TOPICS if topic != state.topic]
    closing = "path_explain.try" if turn.member.role in MANAGERS else "path_explain.ask_manager"
    return [TextBlock(text=say(turn.lang, f"path_explain.{state.topic}")),
            TextBlock(text=say(turn.lang, closing)), ChoicesBlock(choices=choices)]


DIALOG = Dialog(
    id="path_explain", title="path_explain.title", state=ExplainState, steps=[], start=start,
    finish=finish, help="path_explain.help",
    phrases=["wat is een leerlijn", "wat is een leerlijn eigenlijk", "wat zijn leerlijnen",
             "uitleg leerlijn", "uitleg over leerlijnen", "hoe werkt dit", "hoe werkt een leerlijn",
             "hoe maak je een leerlijn", "welke niveaus zijn er", "waarom deze training",
             "waarom deze trainingen", "what is a learning path", "how does this work",
             "how does a learning path work", "why this training"],
)
