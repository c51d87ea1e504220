"""Kennisrondje overview (leads, managers, HR): who can be called about what. The answers are
named and shared on purpose, so they are listed; the participation of the latest round is only
shown from MIN_GROUP recipients on."""

from __future__ import annotations

from pydantic import BaseModel, Field

from dialogs.kit import Block, CardBlock, Dialog, Fact, TextBlock, Turn, say, user
from dialogs.knowledge_round.knowledge_round import KIND
from dialogs.rounds.answering import participation
from dialogs.rounds.port import StoredAnswer
from dialogs.rounds.team_choice import TeamRef, organised_by, team_step

#: people listed, and the length of what one person said
PEOPLE_SHOWN = 40
SAID_LONGEST = 600


class OverviewState(BaseModel):
    teams: list[TeamRef] = Field(default_factory=list)
    team_id: int | None = None


async def start(turn: Turn, text: str) -> OverviewState:
    teams = await organised_by(turn)
    return OverviewState(teams=teams, team_id=teams[0].id if len(teams) == 1 else None)


def by_person(turn: Turn, answers: list[StoredAnswer], names: dict[str, str]) -> list[Fact]:
    """What each person said, people by name."""
    said: dict[str, list[str]] = {}
    for answer in answers:
        said.setdefault(answer.user, []).append(answer.text)
    people = sorted(said, key=lambda person: names.get(person, person))
    return [Fact(label=user(names.get(person, person)),
                 value=user(" · ".join(said[person])[:SAID_LONGEST]))
            for person in people[:PEOPLE_SHOWN]]


async def finish(turn: Turn, state: OverviewState) -> list[Block]:
    if state.team_id is None:
        return [TextBlock(text=say(turn.lang, "rounds.no_teams"))]
    runs = await turn.rounds.team_runs(state.team_id, KIND, limit=1)
    if not runs:
        return [TextBlock(text=say(turn.lang, "knowledge_overview.no_rounds"))]
    latest = runs[0]
    answers = [a for a in await turn.rounds.answers(KIND, team_id=state.team_id)
               if a.shared and a.status == "answered"]
    names = {m.user: m.name or m.user for m in await turn.people.members()}
    in_latest = len({a.user for a in answers if a.run_id == latest.id})
    return [CardBlock(title=say(turn.lang, "knowledge_overview.card_title"),
                      text=participation(turn, latest, in_latest),
                      facts=by_person(turn, answers, names)),
            TextBlock(text=say(turn.lang, "knowledge_overview.hint"))]


DIALOG = Dialog(
    id="knowledge_overview", title="knowledge_overview.title", state=OverviewState,
    start=start, finish=finish, help="knowledge_overview.help", aliases=["kennisoverzicht"],
    steps=[team_step()],
    phrases=["kennisoverzicht", "kennisrondje overzicht", "antwoorden kennisrondje",
             "knowledge round summary"],
)
