"""Acties: browse the action library (challenges, actions, practice points) or search it."""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel

from dialogs.actions.cards import action_card, action_label
from dialogs.kit import (
    Ask,
    Block,
    CardBlock,
    Choice,
    Choose,
    Dialog,
    Flow,
    InputError,
    TextBlock,
    Turn,
    plain,
    say,
)
from engine.search import WordSearch
from knowledge.actions import Action, load_action_library

SEARCH = "search"
MAX_RESULTS = 10
#: an action named in the sentence that starts the dialog ("actie 1.2")
ACTION_ID = re.compile(r"\b([1-9])\.([1-9])\b")


class BrowseState(BaseModel):
    challenge: int | None = None
    query: str | None = None  # "": asking for the words; None: not searching
    results: list[str] = []
    action: str | None = None


@cache
def _search(lang: str) -> WordSearch:
    library = load_action_library()
    docs = []
    for action in library.actions:
        parts = [action.title.get(lang), action.summary.get(lang), " ".join(action.keywords),
                 *(p.title.get(lang) for p in action.practice_points)]
        docs.append(" ".join(parts))
    return WordSearch(docs)


def search_actions(query: str, lang: str) -> list[Action]:
    library = load_action_library()
    return [library.actions[i] for i, _ in _search(lang).search(query, limit=MAX_RESULTS)]


def start(turn: Turn, text: str) -> BrowseState:
    found = ACTION_ID.search(text)
    if found:
        wanted = f"{found.group(1)}.{found.group(2)}"
        if any(a.id == wanted for a in load_action_library().actions):
            return BrowseState(action=wanted, challenge=int(found.group(1)))
    return BrowseState()


def challenges(turn: Turn, state: BrowseState) -> list[Choice]:
    library = load_action_library()
    # the channel numbers the list (1-9, in the library's order): no number in the label
    choices = [Choice(value=str(c.number), label=plain(c.title.get(turn.lang)))
               for c in library.challenges]
    choices.append(Choice(value=SEARCH, label=say(turn.lang, "actions.search")))
    return choices


def pick_challenge(turn: Turn, state: BrowseState, value: str) -> BrowseState:
    if value == SEARCH:
        return BrowseState(query="")
    return BrowseState(challenge=int(value))


def search(turn: Turn, state: BrowseState, text: str) -> BrowseState:
    found = search_actions(text, turn.lang)
    if not found:
        raise InputError("actions.no_results", query=text)
    return state.model_copy(update={"query": text, "results": [a.id for a in found]})


def action_choices(turn: Turn, state: BrowseState) -> list[Choice]:
    library = load_action_library()
    if state.query:
        actions = [library.action(i) for i in state.results]
    else:
        actions = library.actions_for(state.challenge or 1)
    return [Choice(value=a.id, label=action_label(a, turn.lang)) for a in actions]


def action_prompt(turn: Turn, state: BrowseState) -> list[Block]:
    if state.query:
        return [TextBlock(text=say(turn.lang, "actions.results", query=state.query))]
    challenge = load_action_library().challenge(state.challenge or 1)
    return [CardBlock(title=plain(f"{challenge.number}. {challenge.title.get(turn.lang)}"),
                      text=plain(challenge.summary.get(turn.lang))),
            TextBlock(text=say(turn.lang, "actions.pick_action"))]


def pick_action(turn: Turn, state: BrowseState, value: str) -> BrowseState:
    return state.model_copy(update={"action": value})


def details(turn: Turn, state: BrowseState) -> list[Block]:
    assert state.action is not None
    action = load_action_library().action(state.action)
    return [*action_card(turn, action), TextBlock(text=say(turn.lang, "actions.next"))]


def next_options(turn: Turn, state: BrowseState) -> list[Choice]:
    return [Choice(value="other_action", label=say(turn.lang, "actions.other_action")),
            Choice(value="other_challenge", label=say(turn.lang, "actions.other_challenge")),
            Choice(value="done", label=say(turn.lang, "actions.done"))]


def back_to_the_list(state: BrowseState) -> BrowseState:
    """The list the action came from: the search results, or its challenge's actions."""
    challenge = state.challenge
    if challenge is None and not state.query and state.action is not None:
        challenge = load_action_library().action(state.action).challenge
    return state.model_copy(update={"challenge": challenge, "action": None})


def after(turn: Turn, state: BrowseState, value: str) -> Flow[BrowseState]:
    if value == "other_action":
        return Flow(state=back_to_the_list(state), goto="actie")
    if value == "other_challenge":
        return Flow(state=BrowseState(), goto="uitdaging")
    return Flow(state=state, done=True)


DIALOG = Dialog(
    id="actions", title="actions.title", state=BrowseState, start=start, help="actions.help",
    finish=lambda turn, state: [TextBlock(text=say(turn.lang, "actions.bye"))],
    menu=30, aliases=["acties"],
    steps=[
        Choose("uitdaging", prompt="actions.ask_challenge", options=challenges,
               handle=pick_challenge,
               skip=lambda turn, state: state.action is not None or state.query is not None),
        Ask("zoekterm", prompt="actions.ask_query", handle=search,
            skip=lambda turn, state: state.query != "" or state.action is not None),
        Choose("actie", prompt=action_prompt, options=action_choices, handle=pick_action,
               skip=lambda turn, state: state.action is not None),
        Choose("details", prompt=details, options=next_options, handle=after),
    ],
    phrases=["acties", "actiebibliotheek", "informeel leren", "tips informeel leren",
             "actie bekijken", "welke acties zijn er", "action library", "informal learning",
             "actions", "uitdagingen"],
)
