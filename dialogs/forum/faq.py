"""FAQ (action 1.3): search the questions colleagues already answered ("faq excel draaitabel");
without search words, the latest ones."""

from __future__ import annotations

from pydantic import BaseModel

from dialogs.forum.answered import faq_card, similar
from dialogs.kit import Ask, Block, Choice, ChoicesBlock, Dialog, TextBlock, Turn, say

SHOWN = 5
#: the words that ask for the dialog, not what to search for
COMMAND_WORDS = {"faq", "veelgestelde", "vragen"}
ASK_DIALOG = "ask_question"


class FaqState(BaseModel):
    query: str = ""


def start(turn: Turn, text: str) -> FaqState:
    words = [w for w in text.split() if w.casefold() not in COMMAND_WORDS]
    return FaqState(query=" ".join(words))


def take_query(turn: Turn, state: FaqState, text: str) -> FaqState:
    return state.model_copy(update={"query": text})


async def finish(turn: Turn, state: FaqState) -> list[Block]:
    solved = await turn.forum.questions(status="solved")
    if not solved:
        return [TextBlock(text=say(turn.lang, "faq.empty"))]
    hits = similar(solved, state.query, limit=SHOWN) if state.query else solved[:SHOWN]
    if not hits:
        return [TextBlock(text=say(turn.lang, "faq.none", query=state.query)),
                ChoicesBlock(choices=[Choice(value=ASK_DIALOG,
                                             label=say(turn.lang, "faq.ask_it"))])]
    return [TextBlock(text=say(turn.lang, "faq.found")), *[faq_card(turn, q) for q in hits]]


DIALOG = Dialog(
    id="faq", title="faq.title", state=FaqState, start=start, finish=finish, help="faq.help",
    steps=[Ask("zoeken", prompt="faq.ask", handle=take_query,
               skip=lambda turn, state: bool(state.query))],
    phrases=["faq", "veelgestelde vragen", "frequently asked questions"],
)
