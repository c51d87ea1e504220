"""Which team a round is for: the teams a person may organise rounds for, and the step that
asks for one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from dialogs.kit import Choice, Choose, Turn, user
from dialogs.kit.steps import Handler
from dialogs.policy import MANAGERS
from dialogs.team.port import Team


class TeamRef(BaseModel):
    id: int
    name: str
    size: int


def team_ref(team: Team) -> TeamRef:
    return TeamRef(id=team.id, name=team.name, size=len(team.members))


def organisable(teams: list[Team], turn: Turn) -> list[TeamRef]:
    """Teams this person may organise rounds for: all for managers and HR, else the ones
    they lead."""
    return [team_ref(t) for t in teams
            if turn.member.role in MANAGERS or t.lead == turn.member.user]


async def organised_by(turn: Turn) -> list[TeamRef]:
    """The workspace's teams the person talking may organise rounds for."""
    return organisable(await turn.teams.teams(), turn)


def team_choices(teams: list[TeamRef]) -> list[Choice]:
    return [Choice(value=str(t.id), label=user(t.name)) for t in teams]


def team_name(teams: list[TeamRef], team_id: int | None) -> str:
    return next((t.name for t in teams if t.id == team_id), "")


M = TypeVar("M", bound=BaseModel)


def set_team_id(turn: Turn, state: M, value: str) -> M:
    return state.model_copy(update={"team_id": int(value)})


def team_known(turn: Turn, state: Any) -> bool:
    return state.team_id is not None or not state.teams


def team_step(handle: Handler = set_team_id,
              skip: Callable[[Turn, Any], bool] = team_known) -> Choose:
    """The step "which team?" over ``state.teams`` (a list of TeamRef) into ``state.team_id``;
    by default skipped when the team is known (or there is only one, set at the start) or there
    is none to choose."""
    return Choose("team", prompt="rounds.which_team",
                  options=lambda turn, state: team_choices(state.teams), handle=handle,
                  skip=skip)
