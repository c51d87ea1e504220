"""Gedeelde POP's (managers and HR): the development plans employees shared with them, to read,
export, and turn into an individual leerlijn (a saved path with the POP's trainings, to assign
under "leerlijnen"). A POP that was not shared, or not with this viewer, never shows."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from dialogs.development.cards import plan_cards
from dialogs.development.exports import plan_markdown
from dialogs.development.port import DevelopmentPlan
from dialogs.development.sharing import may_see
from dialogs.kit import (
    Block,
    Choice,
    Choose,
    Dialog,
    FileBlock,
    Flow,
    TextBlock,
    Turn,
    say,
    user,
)
from dialogs.paths.path_editing import save_new
from dialogs.paths.port import PathDraft
from dialogs.policy import MANAGERS
from engine.paths import ChosenTraining, PathSpec, TargetGroup


class SharedState(BaseModel):
    people: list[tuple[str, str]] = []  # (user, name) whose shared POP this viewer may see
    owner: str | None = None
    trainings: bool = False  # her POP holds trainings (so a leerlijn can be made of it)
    action: str | None = None  # path | markdown | done


async def start(turn: Turn, text: str) -> SharedState:
    people = []
    for plan in await turn.development.shared_plans():
        if await may_see(turn, plan):
            member = await turn.people.member(plan.user)
            people.append((plan.user, (member.name if member else "") or plan.user))
    state = SharedState(people=people)
    if turn.argument in dict(people):
        return await pick_person(turn, state, turn.argument or "")
    return state


def people_choices(turn: Turn, state: SharedState) -> list[Choice]:
    return [Choice(value=u, label=user(name)) for u, name in state.people]


async def pick_person(turn: Turn, state: SharedState, value: str) -> SharedState:
    plan = await turn.development.plan(value)
    return state.model_copy(update={"owner": value,
                                    "trainings": plan is not None and bool(_trainings(plan))})


async def _plan(turn: Turn, state: SharedState) -> DevelopmentPlan | None:
    """Read again each turn: she may have stopped sharing it in the meantime."""
    plan = await turn.development.plan(state.owner or "")
    return plan if plan is not None and await may_see(turn, plan) else None


def _trainings(plan: DevelopmentPlan) -> list[str]:
    return list(dict.fromkeys(a.ref for g in plan.goals for a in g.actions
                              if a.kind == "training"))


async def plan_prompt(turn: Turn, state: SharedState) -> list[Block]:
    plan = await _plan(turn, state)
    if plan is None:
        return [TextBlock(text=say(turn.lang, "development.no_longer_shared"))]
    name = dict(state.people).get(plan.user, plan.user)
    return [*plan_cards(turn, plan, owner=name),
            TextBlock(text=say(turn.lang, "development.ask_manager_what"))]


def plan_choices(turn: Turn, state: SharedState) -> list[Choice]:
    choices = [Choice(value="markdown", label=say(turn.lang, "development.what.markdown")),
               Choice(value="done", label=say(turn.lang, "development.what.done"))]
    if state.trainings:
        choices.insert(0, Choice(value="path", label=say(turn.lang, "development.manager.path"),
                                 style="primary"))
    return choices


def pick_action(turn: Turn, state: SharedState, value: str) -> Flow[SharedState]:
    return Flow(state=state.model_copy(update={"action": value}), done=True)


async def path_draft(turn: Turn, plan: DevelopmentPlan, name: str) -> PathDraft | None:
    """The POP's trainings as an individual leerlijn, in the POP's order; None: it has none
    that the catalogue still holds."""
    catalogue = await turn.catalogue.catalogue()
    known = {t.id: t for t in catalogue.trainings}
    competency_of = {a.ref: g.competency for g in plan.goals for a in g.actions
                     if a.kind == "training" and g.competency}
    chosen = [ChosenTraining(id=t.id, title=t.title, minutes=t.minutes, format=t.format,
                             level=t.level, competencies=[competency_of.get(t.id) or ""],
                             reason=[], fit=0, included=True)
              for ref in _trainings(plan) if (t := known.get(ref)) is not None]
    goals = list(dict.fromkeys(c for c in competency_of.values()))
    if not chosen or not goals:
        return None
    # named by its goals, not by her: saved leerlijnen are listed to every manager
    title = say(turn.lang, "development.path_name", goals=", ".join(goals)).plain[:120]
    spec = PathSpec(name=title, level="individueel", target_group=TargetGroup(size=1),
                    competencies=goals, include=[c.id for c in chosen])
    return PathDraft(name=title, level="individueel", spec=spec.model_dump(mode="json"),
                     trainings=[c.model_dump(mode="json") for c in chosen],
                     total_minutes=sum(c.minutes for c in chosen))


async def finish(turn: Turn, state: SharedState) -> list[Block]:
    if not state.people:
        return [TextBlock(text=say(turn.lang, "development.no_shared"))]
    plan = await _plan(turn, state)
    if plan is None or state.action in {None, "done"}:
        return [TextBlock(text=say(turn.lang, "development.manager_bye"))]
    name = dict(state.people).get(plan.user, plan.user)
    if state.action == "markdown":
        return [FileBlock(name="pop.md", media_type="text/markdown",
                          data=plan_markdown(plan, name, turn.lang))]
    draft = await path_draft(turn, plan, name)
    if draft is None:
        return [TextBlock(text=say(turn.lang, "development.no_path"))]
    saved, _ = await save_new(turn, draft)  # a name in use: the free one suggested
    return [TextBlock(text=say(turn.lang, "development.path_saved", path=saved.name,
                               number=saved.id, count=len(saved.trainings)))]


def _no_plan(turn: Turn, state: SharedState) -> Any:
    return state.owner is None


DIALOG = Dialog(
    id="shared_plans", title="development.shared_title", state=SharedState, start=start,
    finish=finish, roles=MANAGERS, menu=145, help="development.help_shared",
    steps=[
        Choose("wie", prompt="development.ask_whose", options=people_choices,
               handle=pick_person,
               skip=lambda turn, state: state.owner is not None or not state.people),
        Choose("wat", prompt=plan_prompt, options=plan_choices, handle=pick_action,
               skip=_no_plan),
    ],
    phrases=["gedeelde pop", "gedeelde ontwikkelplannen", "pop van mijn medewerker",
             "pop's van mijn team", "shared development plans", "development plans of my team"],
)
