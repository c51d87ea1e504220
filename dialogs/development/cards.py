"""How a POP and its parts read in a chat: an action as a choice or a line, a goal, the whole
plan as one card per goal."""

from __future__ import annotations

from dialogs.development.port import Goal, PlanAction, PlanDraft
from dialogs.kit import CardBlock, Fact, Rich, Turn, join, plain, say, user
from engine.competencies import label
from knowledge.prompts import load_prompts

FORMATS = ("online", "microlearning", "webinar", "blended", "klassikaal")


def action_label(turn: Turn, action: PlanAction) -> Rich:
    """"Training: Presenteren met impact (90 min, online)" or "Op het werk: ..."."""
    if action.kind == "training":
        shown = say(turn.lang, f"format.{action.format}").plain \
            if action.format in FORMATS else (action.format or "-")
        return say(turn.lang, "development.training_label", title=action.title,
                   minutes=action.minutes or 0, format=shown)
    return say(turn.lang, "development.informal_label", title=action.title)


def action_line(turn: Turn, action: PlanAction) -> Rich:
    line = plain("- ") + action_label(turn, action)
    return line if action.due is None else line + say(turn.lang, "development.due", due=action.due)


def goal_title(turn: Turn, goal: Goal, number: int | None = None) -> Rich:
    if goal.competency and goal.competency.casefold() != goal.text.casefold():
        title = say(turn.lang, "development.goal_with_competency", goal=goal.text,
                    competency=label(goal.competency, turn.lang))
    else:
        title = user(goal.text)
    return title if number is None else plain(f"{number}. ") + title


def goal_card(turn: Turn, goal: Goal, number: int | None = None) -> CardBlock:
    lines = [action_line(turn, a) for a in goal.actions]
    return CardBlock(title=goal_title(turn, goal, number),
                     text=join(lines) if lines else say(turn.lang, "development.no_actions"))


def plan_cards(turn: Turn, plan: PlanDraft, owner: str = "") -> list[CardBlock]:
    """A heading card (her answers to the preparing questions) and a card per goal."""
    prompts = load_prompts()
    facts = [Fact(label=plain(prompts.get(pid).text.get(turn.lang)), value=user(answer))
             for pid, answer in plan.answers.items() if answer]
    title = say(turn.lang, "development.plan_title_of", name=owner) if owner else \
        say(turn.lang, "development.plan_title")
    head = CardBlock(title=title, facts=facts,
                     text=say(turn.lang, "development.goal_count", count=len(plan.goals)))
    return [head, *(goal_card(turn, g, n) for n, g in enumerate(plan.goals, start=1))]
