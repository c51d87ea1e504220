"""How an action of the library is shown: as a choice, and as a whole card (the actions dialog
and the scan's advice both show it)."""

from __future__ import annotations

from dialogs.kit import Block, CardBlock, Fact, Rich, TextBlock, Turn, join, plain, say
from knowledge.actions import Action, load_action_library


def action_label(action: Action, lang: str) -> Rich:
    """The action as a choice: its title first (channels number their lists themselves, so a
    leading "1.2" would read as a second number), its id after it."""
    star = " ★" if action.highlight else ""
    return plain(f"{action.title.get(lang)}{star} ({action.id})")


def action_card(turn: Turn, action: Action) -> list[Block]:
    """The whole action: summary, practice points, questions."""
    lang = turn.lang
    library = load_action_library()
    challenges = ", ".join(library.challenge(n).title.get(lang) for n in action.challenges)
    facts = [Fact(label=say(lang, "actions.challenges"), value=plain(challenges))]
    if action.highlight:
        facts.append(Fact(label=say(lang, "actions.highlight_label"),
                          value=say(lang, "actions.highlight")))
    blocks: list[Block] = [CardBlock(title=plain(f"{action.id} {action.title.get(lang)}"),
                                     text=plain(action.summary.get(lang)), facts=facts)]
    points = [plain(f"**{p.title.get(lang)}**: {p.text.get(lang)}")
              for p in action.practice_points]
    blocks.append(TextBlock(text=join([say(lang, "actions.practice"), *points])))
    if action.questions:
        questions = [plain(f"- {q.get(lang)}") for q in action.questions]
        blocks.append(TextBlock(text=join([say(lang, "actions.questions"), *questions])))
    return blocks
