"""The member's side of a round: which run they answer (from an invitation's button, a typed
answer while one is open, or their open invitation), whether they may, and what may be said
about a team's participation."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, Field

from dialogs.kit import Rich, Turn, say
from dialogs.policy import MIN_GROUP
from dialogs.rounds.answer_round import AnswerRoundState, LastQuestion, typed_answer
from dialogs.rounds.port import Run
from dialogs.rounds.questions import Choosing
from dialogs.rounds.schedule import Scheduling
from dialogs.rounds.team_choice import TeamRef, organised_by


class Answering(BaseModel):
    """A run a member answers (or a path evaluation, without a run), with the answers given so
    far ("" = skipped)."""

    run_id: int | None = None
    team_id: int | None = None
    team: str = ""
    questions: list[str] = Field(default_factory=list)
    answers: list[str] = Field(default_factory=list)

    def answered(self, answers: list[str]) -> Answering:
        return self.model_copy(update={"answers": answers})

    def answer_round(self, intro: Rich, review: Rich, last: LastQuestion | None = None,
              review_skipped: bool = True) -> AnswerRoundState:
        """The sub-flow that asks what is not answered yet."""
        return AnswerRoundState(questions=self.questions, answers=self.answers, intro=intro,
                                review=review, last=last, review_skipped=review_skipped)


def participation(turn: Turn, run: Run, answered: int) -> Rich:
    """How many answered, never for a group smaller than MIN_GROUP (privacy)."""
    if run.total < MIN_GROUP:
        return say(turn.lang, "rounds.participation_hidden", minimum=MIN_GROUP)
    return say(turn.lang, "rounds.participation", answered=answered, total=run.total)


async def load_round(turn: Turn, argument: str | None, kind: str) -> Answering | None:
    """The run named by a button's argument ("<run id>[:...]"), when it is a run of this kind
    in this workspace, for a team the person belongs to (or leads)."""
    head = (argument or "").split(":", 1)[0]
    if not head.isdigit():
        return None
    run = await turn.rounds.run(int(head))
    if run is None or run.kind != kind or run.team_id is None:
        return None
    team = await turn.teams.team(run.team_id)
    if team is None or turn.member.user not in {*team.members, team.lead}:
        return None
    return Answering(run_id=run.id, team_id=run.team_id, team=run.team or team.name,
                     questions=run.questions)


async def open_round(turn: Turn, kind: str) -> str | None:
    """The argument of the person's open invitation of that kind, if any."""
    run = await turn.rounds.open_invitation(turn.member.user, kind)
    return str(run) if run is not None else None


async def answered_before(turn: Turn, kind: str, run_id: int) -> bool:
    return bool(await turn.rounds.answers(kind, run_id=run_id, user=turn.member.user))


class RoundState(Scheduling, Choosing):
    """What the lead's side (plan a round) and the member's side (answer it) of a round
    dialog share; kennisrondje and reflection add their own fields."""

    teams: list[TeamRef] = Field(default_factory=list)
    team_id: int | None = None
    answering: Answering | None = None
    answered_before: bool = False
    unknown_run: bool = False
    none_open: bool = False
    confirmed: bool = False

    @property
    def member_mode(self) -> bool:
        return self.answering is not None or self.answered_before or self.unknown_run \
            or self.none_open


R = TypeVar("R", bound=RoundState)


async def answer_state(turn: Turn, argument: str, typed: str, kind: str,
                       state: type[R]) -> R:
    """The member's side: the run of the argument, unless unknown or answered already; a
    typed (claimed) text is the answer to the first question."""
    answering = await load_round(turn, argument, kind)
    if answering is None or answering.run_id is None:
        return state(unknown_run=True)
    if await answered_before(turn, kind, answering.run_id):
        return state(answered_before=True)
    if typed and answering.questions:
        answering = answering.answered([typed_answer(typed, allow_skip=False)])
    return state(answering=answering)


async def round_start(turn: Turn, text: str, kind: str, state: type[R]) -> R:
    """Start a round dialog: from an invitation (button or claimed text) the member answers;
    a lead plans; anyone else answers their open round, if there is one."""
    if turn.argument:
        return await answer_state(turn, turn.argument, text.strip(), kind, state)
    teams = await organised_by(turn)
    if teams:
        return state(teams=teams, team_id=teams[0].id if len(teams) == 1 else None)
    argument = await open_round(turn, kind)
    if argument is None:
        return state(none_open=True)
    return await answer_state(turn, argument, "", kind, state)


def lead_skip(turn: Turn, state: RoundState) -> bool:
    """Lead-only steps are skipped for members (and when there is no team to plan for)."""
    return state.member_mode or not state.teams


def answer_skip(turn: Turn, state: RoundState) -> bool:
    """The member's steps are skipped for a lead."""
    return state.answering is None
