"""Competentiematrix (actions 6.1 and 6.5, managers and HR): a team's competency matrix as an
XLSX file, with the levels basis / gebruiker / expert and the contact points."""

from __future__ import annotations

from pydantic import BaseModel, Field

from dialogs.experts.matrix_workbook import Evidence, workbook
from dialogs.experts.port import MemberKnowledge
from dialogs.kit import Block, Choice, Choose, Dialog, FileBlock, TextBlock, Turn, say, user
from dialogs.policy import MANAGERS
from engine.competencies import competencies_in, label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TEXTS = ("title", "name", "contact")


class TeamChoice(BaseModel):
    id: int
    name: str


class MatrixState(BaseModel):
    teams: list[TeamChoice] = Field(default_factory=list)
    team_id: int | None = None


async def start(turn: Turn, text: str) -> MatrixState:
    teams = [TeamChoice(id=t.id, name=t.name) for t in await turn.teams.teams()]
    return MatrixState(teams=teams, team_id=teams[0].id if len(teams) == 1 else None)


def team_options(turn: Turn, state: MatrixState) -> list[Choice]:
    return [Choice(value=str(t.id), label=user(t.name)) for t in state.teams]


def pick_team(turn: Turn, state: MatrixState, value: str) -> MatrixState:
    return state.model_copy(update={"team_id": int(value)})


def evidence(known: MemberKnowledge) -> Evidence:
    """What the matrix reads from what is known about a member."""
    return Evidence(name=known.name, profile=set(known.profile),
                    kennisrondje=set(known.kennisrondje), accepted=known.accepted,
                    wants=set(competencies_in(known.wants_to_grow)),
                    contact=not known.opted_out)


async def finish(turn: Turn, state: MatrixState) -> list[Block]:
    if state.team_id is None:
        return [TextBlock(text=say(turn.lang, "competency_matrix.no_teams"))]
    team = await turn.teams.team(state.team_id)
    if team is None:  # deleted since the dialog started
        return [TextBlock(text=say(turn.lang, "competency_matrix.team_gone"))]
    people = [evidence(known) for known in await turn.experts.knowledge(team.members)]
    headers = {key: say(turn.lang, f"competency_matrix.sheet.{key}").plain
               for key in SHEET_TEXTS}
    data = workbook(team.name, people, headers, lambda c: label(c, turn.lang))
    return [FileBlock(name=f"competentiematrix-{team.name}.xlsx", media_type=XLSX, data=data),
            TextBlock(text=say(turn.lang, "competency_matrix.ready", count=len(people)))]


DIALOG = Dialog(
    id="competency_matrix", title="competency_matrix.title", state=MatrixState, start=start,
    finish=finish, help="competency_matrix.help", roles=MANAGERS, aliases=["matrix"],
    steps=[Choose("team", prompt="competency_matrix.which_team", options=team_options,
                  handle=pick_team,
                  skip=lambda turn, state: state.team_id is not None or not state.teams)],
    phrases=["matrix", "competentiematrix", "competentie matrix", "skills matrix",
             "competency matrix"],
)
