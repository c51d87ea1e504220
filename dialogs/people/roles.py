"""Rollen: an HR admin gives people the employee, manager or admin role."""

from __future__ import annotations

from pydantic import BaseModel

from dialogs.kit import Block, Choice, Choose, Dialog, Flow, InputError, TextBlock, Turn, say, user
from dialogs.policy import ADMINS, ROLES


class RolesState(BaseModel):
    user: str | None = None
    name: str = ""
    role: str | None = None
    members: list[tuple[str, str, str]] = []  # (user, name, role) when the dialog started


async def start(turn: Turn, text: str) -> RolesState:
    members = await turn.people.members()
    return RolesState(members=[(m.user, m.name or m.user, m.role) for m in members])


def people(turn: Turn, state: RolesState) -> list[Choice]:
    return [Choice(value=uid, label=user(name) + say(turn.lang, f"roles.suffix.{role}"))
            for uid, name, role in state.members]


def pick_person(turn: Turn, state: RolesState, value: str) -> RolesState:
    name = next(n for uid, n, _ in state.members if uid == value)
    return state.model_copy(update={"user": value, "name": name})


def roles(turn: Turn, state: RolesState) -> list[Choice]:
    return [Choice(value=r, label=say(turn.lang, f"roles.name.{r}")) for r in ROLES]


def pick_role(turn: Turn, state: RolesState, value: str) -> Flow[RolesState]:
    admins = [uid for uid, _, role in state.members if role == "admin"]
    if value != "admin" and admins == [state.user]:
        raise InputError("roles.last_admin")
    return Flow(state=state.model_copy(update={"role": value}), done=True)


async def finish(turn: Turn, state: RolesState) -> list[Block]:
    assert state.user is not None and state.role is not None
    changed = await turn.people.set_role(state.user, state.role)
    if changed is None:
        return [TextBlock(text=say(turn.lang, "roles.gone", name=state.name))]
    return [TextBlock(text=say(turn.lang, "roles.done", name=state.name,
                               role=say(turn.lang, f"roles.role.{state.role}")))]


DIALOG = Dialog(
    id="roles", title="roles.title", state=RolesState, roles=ADMINS, menu=180,
    aliases=["rollen"], start=start, finish=finish, help="roles.help",
    steps=[
        Choose("wie", prompt=lambda turn, state: say(turn.lang, "roles.ask_person"),
               options=people, handle=pick_person),
        Choose("rol", prompt=lambda turn, state: say(turn.lang, "roles.ask_role",
                                                     name=state.name),
               options=roles, handle=pick_role),
    ],
    phrases=["rollen", "rol toekennen", "rollen beheren", "maak manager", "beheerder",
             "roles", "manage roles", "make admin"],
)
