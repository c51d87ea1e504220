"""Mijn POP: her development plan to read again, change (add or remove a goal, move a date),
export (Markdown, HTML), share with her manager(s) or stop sharing, or delete. Nobody else
opens it here: this dialog only ever reads the POP of the member who talks."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from dialogs.development import goal
from dialogs.development.cards import action_label, goal_title, plan_cards
from dialogs.development.exports import plan_html, plan_markdown
from dialogs.development.port import MAX_GOALS, DevelopmentPlan, Goal, PlanDraft
from dialogs.development.sharing import managers_of, tell_managers
from dialogs.kit import (
    Block,
    Call,
    Choice,
    Choose,
    Confirm,
    Dialog,
    FileBlock,
    Flow,
    Form,
    FormField,
    InputError,
    Rich,
    TextBlock,
    Turn,
    join,
    say,
)

EXPORTS = {"markdown": ("md", "text/markdown"), "html": ("html", "text/html")}


class MyPlanState(BaseModel):
    plan: DevelopmentPlan | None = None
    action: str | None = None
    goal: int | None = None  # the goal to remove
    item: tuple[int, int] | None = None  # (goal, action) whose date moves
    due: date | None = None
    added: Goal | None = None
    confirmed: bool = False
    managers: list[str] = []  # her managers' names: who sees it when shared


async def start(turn: Turn, text: str) -> MyPlanState:
    plan = await turn.development.plan(turn.member.user)
    managers = await managers_of(turn, turn.member.user) if plan is not None else []
    return MyPlanState(plan=plan, managers=[m.name or m.user for m in managers])


def _plan(state: MyPlanState) -> DevelopmentPlan:
    assert state.plan is not None
    return state.plan


def overview(turn: Turn, state: MyPlanState) -> list[Block]:
    plan = _plan(state)
    status = ("development.status_private" if not plan.shared
              else "development.status_shared" if state.managers
              else "development.status_shared_hr")
    return [*plan_cards(turn, plan),
            TextBlock(text=join([say(turn.lang, status), say(turn.lang, "development.ask_what")]))]


def what_choices(turn: Turn, state: MyPlanState) -> list[Choice]:
    plan = _plan(state)
    values = ["markdown", "html", "unshare" if plan.shared else "share"]
    if len(plan.goals) < MAX_GOALS:
        values.append("add")
    values += ["date", "remove", "delete", "done"]
    return [Choice(value=v, label=say(turn.lang, f"development.what.{v}"),
                   style="danger" if v == "delete" else "default") for v in values]


async def pick_what(turn: Turn, state: MyPlanState, value: str) -> Any:
    chosen = state.model_copy(update={"action": value})
    if value in {"markdown", "html", "done", "unshare"}:
        return Flow(state=chosen, done=True)
    if value == "date" and not any(g.actions for g in _plan(state).goals):
        raise InputError("development.nothing_dated")
    if value == "share":
        managers = await managers_of(turn, turn.member.user)
        return Flow(state=chosen.model_copy(update={
            "managers": [m.name or m.user for m in managers]}), goto="zeker")
    return chosen


def add_goal(turn: Turn, state: MyPlanState, result: Goal) -> Flow[MyPlanState]:
    return Flow(state=state.model_copy(update={"added": result}), done=True)


def goal_choices(turn: Turn, state: MyPlanState) -> list[Choice]:
    return [Choice(value=str(i), label=goal_title(turn, g))
            for i, g in enumerate(_plan(state).goals)]


def pick_goal(turn: Turn, state: MyPlanState, value: str) -> MyPlanState:
    return state.model_copy(update={"goal": int(value)})


def item_choices(turn: Turn, state: MyPlanState) -> list[Choice]:
    return [Choice(value=f"{g}.{a}", label=action_label(turn, action))
            for g, one in enumerate(_plan(state).goals)
            for a, action in enumerate(one.actions)]


def pick_item(turn: Turn, state: MyPlanState, value: str) -> MyPlanState:
    g, a = (int(part) for part in value.split("."))
    return state.model_copy(update={"item": (g, a)})


def date_field(turn: Turn, state: MyPlanState) -> list[FormField]:
    assert state.item is not None
    action = _plan(state).goals[state.item[0]].actions[state.item[1]]
    return [FormField(name="due", label=action_label(turn, action), kind="date",
                      placeholder=say(turn.lang, "development.date_example"))]


def set_date(turn: Turn, state: MyPlanState, values: dict[str, Any]) -> Flow[MyPlanState]:
    return Flow(state=state.model_copy(update={"due": values["due"]}), done=True)


def confirm_prompt(turn: Turn, state: MyPlanState) -> Rich:
    if state.action == "share":
        if state.managers:
            return say(turn.lang, "development.confirm_share", count=len(state.managers),
                       names=", ".join(state.managers))
        return say(turn.lang, "development.confirm_share_hr")
    if state.action == "remove" and state.goal is not None:
        return say(turn.lang, "development.confirm_remove",
                   goal=goal_title(turn, _plan(state).goals[state.goal]))
    return say(turn.lang, "development.confirm_delete")


def confirm(turn: Turn, state: MyPlanState, yes: bool) -> Flow[MyPlanState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


def _export(turn: Turn, plan: DevelopmentPlan, kind: str) -> list[Block]:
    extension, media_type = EXPORTS[kind]
    name = turn.member.name or turn.member.user
    data = (plan_markdown if kind == "markdown" else plan_html)(plan, name, turn.lang)
    return [FileBlock(name=f"pop.{extension}", media_type=media_type, data=data),
            TextBlock(text=say(turn.lang, "development.exported"))]


def _changed(state: MyPlanState) -> PlanDraft | None:
    """Her POP with the change she made; None when nothing changes."""
    plan = _plan(state)
    goals = [g.model_copy(deep=True) for g in plan.goals]
    if state.action == "add" and state.added is not None:
        goals.append(state.added)
    elif state.action == "remove" and state.confirmed and state.goal is not None:
        goals.pop(state.goal)
    elif state.action == "date" and state.item is not None and state.due is not None:
        goals[state.item[0]].actions[state.item[1]].due = state.due
    else:
        return None
    return PlanDraft(answers=plan.answers, goals=goals)


async def _share(turn: Turn, state: MyPlanState) -> list[Block]:
    me = turn.member.user
    if state.action == "unshare":
        await turn.development.set_shared(me, False)
        return [TextBlock(text=say(turn.lang, "development.unshared"))]
    if not state.confirmed:
        return [TextBlock(text=say(turn.lang, "development.not_shared"))]
    plan = await turn.development.set_shared(me, True)
    assert plan is not None
    managers = await tell_managers(turn, plan)
    if not managers:
        return [TextBlock(text=say(turn.lang, "development.shared_no_manager"))]
    return [TextBlock(text=say(turn.lang, "development.shared_with", count=len(managers),
                               names=", ".join(m.name or m.user for m in managers)))]


async def finish(turn: Turn, state: MyPlanState) -> list[Block]:
    me = turn.member.user
    if state.plan is None:
        return [TextBlock(text=say(turn.lang, "development.no_plan"))]
    if state.action in EXPORTS:
        return _export(turn, state.plan, state.action or "")
    if state.action in {"share", "unshare"}:
        return await _share(turn, state)
    if state.action == "delete":
        if not state.confirmed:
            return [TextBlock(text=say(turn.lang, "development.unchanged"))]
        await turn.development.delete_plan(me)
        return [TextBlock(text=say(turn.lang, "development.deleted"))]
    draft = _changed(state)
    if draft is None:
        return [TextBlock(text=say(turn.lang, "development.unchanged"))]
    if not draft.goals:
        await turn.development.delete_plan(me)
        return [TextBlock(text=say(turn.lang, "development.last_goal_removed"))]
    plan = await turn.development.save_plan(me, draft)
    return [*plan_cards(turn, plan), TextBlock(text=say(turn.lang, "development.changed"))]


def _doing(*actions: str) -> Any:
    return lambda turn, state: state.plan is None or state.action not in actions


DIALOG = Dialog(
    id="my_plan", title="development.my_plan_title", state=MyPlanState, start=start,
    finish=finish, help="development.help_my_plan", menu=57, aliases=["mijn_pop"],
    steps=[
        Choose("wat", prompt=overview, options=what_choices, handle=pick_what,
               skip=lambda turn, state: state.plan is None),
        Call("toevoegen", dialog=goal.DIALOG, handle=add_goal, skip=_doing("add")),
        Choose("welk_doel", prompt="development.ask_which_goal", options=goal_choices,
               handle=pick_goal, skip=_doing("remove")),
        Choose("welke_actie", prompt="development.ask_which_action", options=item_choices,
               handle=pick_item, skip=_doing("date")),
        Form("nieuwe_datum", prompt="development.ask_new_date",
             title=lambda turn, state: say(turn.lang, "development.dates_title"),
             fields=date_field, handle=set_date, skip=_doing("date")),
        Confirm("zeker", prompt=confirm_prompt, handle=confirm,
                skip=_doing("share", "remove", "delete")),
    ],
    phrases=["mijn pop", "pop", "ontwikkelplan", "mijn ontwikkelplan",
             "persoonlijk ontwikkelplan", "pop bekijken", "mijn pop aanpassen", "pop exporteren",
             "pop delen", "my development plan", "my pdp", "show my development plan"],
)
