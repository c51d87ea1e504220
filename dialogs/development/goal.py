"""One goal of a POP, as a sub-flow of the development conversation and of "mijn pop": the goal
in her own words (matched to a competency, "bedoel je ...?" when unsure), what she will do for
it (trainings and informal actions), and by when."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from dialogs.development.cards import action_label
from dialogs.development.offers import offers_for
from dialogs.development.port import MAX_TEXT, Goal, PlanAction
from dialogs.kit import (
    Ask,
    Block,
    Choice,
    Choose,
    Dialog,
    Flow,
    Form,
    FormField,
    InputError,
    Rich,
    TextBlock,
    Turn,
    join,
    say,
    user,
)
from engine.competencies import label

SUGGEST_FROM = 45.0  # below the confident score, offer "bedoel je ...?" from this score on
OWN_WORDS = "__own__"
OTHER = "__other__"


class GoalState(BaseModel):
    text: str = ""
    candidates: list[str] = []
    competency: str | None = None
    offers: list[PlanAction] = []
    picked: list[PlanAction] = []


async def _offered(turn: Turn, state: GoalState, competency: str | None) -> GoalState:
    offers = await offers_for(turn, competency)
    return state.model_copy(update={"competency": competency, "candidates": [],
                                    "offers": offers})


async def ask_goal(turn: Turn, state: GoalState, text: str) -> GoalState:
    """Confident: the competency; unsure: candidates to ask about; nothing: her own words."""
    if len(text) > MAX_TEXT:
        raise InputError("development.goal_too_long", max=MAX_TEXT)
    matcher = await turn.catalogue.matcher()
    result = await matcher.match_async(text, k=3)
    state = GoalState(text=text)
    if result.confident and result.best is not None:
        return await _offered(turn, state, result.best.competency)
    candidates = [m.competency for m in result.matches if m.score >= SUGGEST_FROM]
    if candidates:
        return state.model_copy(update={"candidates": candidates})
    return await _offered(turn, state, None)


def did_you_mean(turn: Turn, state: GoalState) -> Rich:
    return say(turn.lang, "development.did_you_mean", text=state.text)


def candidate_choices(turn: Turn, state: GoalState) -> list[Choice]:
    return [*(Choice(value=c, label=user(label(c, turn.lang)))
              for c in state.candidates),
            Choice(value=OWN_WORDS, label=say(turn.lang, "development.own_words")),
            Choice(value=OTHER, label=say(turn.lang, "development.other_goal"))]


async def pick_candidate(turn: Turn, state: GoalState, value: str) -> Any:
    if value == OTHER:
        return Flow(state=GoalState(), goto="doel")
    return await _offered(turn, state, None if value == OWN_WORDS else value)


def offer_prompt(turn: Turn, state: GoalState) -> list[Block]:
    if state.competency is None:
        found = say(turn.lang, "development.offer_own_words", text=state.text)
    else:
        found = say(turn.lang, "development.offer",
                    competency=label(state.competency, turn.lang))
    if not any(o.kind == "training" for o in state.offers):
        found = join([found, say(turn.lang, "development.no_trainings")])
    return [TextBlock(text=join([found, say(turn.lang, "development.ask_pick")]))]


def offer_choices(turn: Turn, state: GoalState) -> list[Choice]:
    return [Choice(value=str(i), label=action_label(turn, o))
            for i, o in enumerate(state.offers)]


def pick_offers(turn: Turn, state: GoalState, values: list[str]) -> GoalState:
    if not values:
        raise InputError("development.pick_one")
    picked = [state.offers[int(v)] for v in values]
    return state.model_copy(update={"picked": picked})


def date_fields(turn: Turn, state: GoalState) -> list[FormField]:
    return [FormField(name=f"due{i}", label=action_label(turn, action), kind="date",
                      placeholder=say(turn.lang, "development.date_example"))
            for i, action in enumerate(state.picked)]


def set_dates(turn: Turn, state: GoalState, values: dict[str, Any]) -> Flow[GoalState]:
    dated = [a.model_copy(update={"due": values[f"due{i}"]})
             for i, a in enumerate(state.picked)]
    return Flow(state=state.model_copy(update={"picked": dated}), done=True)


def result(turn: Turn, state: GoalState) -> Goal:
    return Goal(text=state.text, competency=state.competency, actions=state.picked)


DIALOG = Dialog(
    id="development_goal", title="development.goal_title", state=GoalState, result=result,
    help="development.help_goal",
    steps=[
        Ask("doel", prompt="development.ask_goal", handle=ask_goal,
            help="development.help_goal"),
        Choose("bedoel", prompt=did_you_mean, options=candidate_choices, handle=pick_candidate,
               skip=lambda turn, state: not state.candidates),
        Choose("acties", prompt=offer_prompt, options=offer_choices, handle=pick_offers,
               multi=True, help="development.help_pick"),
        Form("datums", prompt="development.ask_dates",
             title=lambda turn, state: say(turn.lang, "development.dates_title"),
             fields=date_fields, handle=set_dates, help="development.help_dates"),
    ],
)
