"""The team scan, the member's side: the invitation's button (or "teamscan invullen") starts
the statements of the round the person was invited to; at the end their barrier scores are
stored without their name and their invitation is marked answered. Nobody sees one person's
answers: only the group's result, and only from ``MIN_GROUP`` respondents. "stop" offers to
keep the answers for later; nothing is stored before the last statement."""

from __future__ import annotations

from dialogs.kit import Block, Choose, Dialog, Flow, TextBlock, Turn, say
from dialogs.policy import MIN_GROUP
from dialogs.scan.statements import Statements, complete, scale, statement_blocks, take_answer
from dialogs.scan.team_result import target_label_in
from engine.scan import barrier_scores
from knowledge.scan import load_scan


class TeamAnswerState(Statements):
    round_id: int | None = None
    team: str = ""
    problem: str | None = None  # none_open | answered | closed


async def latest_invitation(turn: Turn) -> int | None:
    """The open invitation, else the newest round the person was invited to at all."""
    found = await turn.team_scans.open_invitation(turn.member.user)
    if found is not None:
        return int(found)
    for round_ in await turn.team_scans.rounds():
        if await turn.team_scans.invited(round_.id, turn.member.user):
            return round_.id
    return None


async def start(turn: Turn, text: str) -> TeamAnswerState:
    argument = turn.argument or ""
    round_id = int(argument) if argument.isdigit() else await latest_invitation(turn)
    found = await turn.team_scans.round(round_id) if round_id is not None else None
    if found is None or not await turn.team_scans.invited(found.id, turn.member.user):
        return TeamAnswerState(problem="none_open")
    if await turn.team_scans.answered(found.id, turn.member.user):
        return TeamAnswerState(problem="answered")
    if found.closed:
        return TeamAnswerState(problem="closed")
    return TeamAnswerState(round_id=found.id, team=found.team)


def question_prompt(turn: Turn, state: TeamAnswerState) -> list[Block]:
    intro = say(turn.lang, "scan.round.answer_intro", count=len(load_scan().statements),
                team=target_label_in(turn.lang, state.team), minimum=MIN_GROUP)
    return statement_blocks(turn, state, intro)


def answer(turn: Turn, state: TeamAnswerState,
           value: str) -> TeamAnswerState | Flow[TeamAnswerState]:
    return take_answer(turn, state, value)  # type: ignore[return-value]


async def finish(turn: Turn, state: TeamAnswerState) -> list[Block]:
    if state.problem is not None or state.round_id is None or not complete(state):
        return [TextBlock(text=say(turn.lang, f"scan.round.answer_{state.problem or 'none_open'}"))]
    found = await turn.team_scans.round(state.round_id)
    if found is None or found.closed:
        return [TextBlock(text=say(turn.lang, "scan.round.answer_closed_meanwhile"))]
    if await turn.team_scans.answered(found.id, turn.member.user):
        return [TextBlock(text=say(turn.lang, "scan.round.answer_answered"))]
    scores = barrier_scores(load_scan(), state.answers)
    await turn.team_scans.save_response(found.id, turn.member.user, scores)
    return [TextBlock(text=say(turn.lang, "scan.round.answer_saved", minimum=MIN_GROUP))]


DIALOG = Dialog(
    id="team_scan_answer", title="scan.round.answer_title", state=TeamAnswerState,
    start=start, finish=finish, help="scan.round.answer_help", keep_on_stop=True,
    steps=[
        Choose("vraag", prompt=question_prompt, options=scale, handle=answer,
               help="scan.help_question", skip=lambda turn, state: state.problem is not None),
    ],
    phrases=["teamscan invullen", "de teamscan invullen", "scan voor mijn team invullen",
             "answer the team scan", "fill in the team scan"],
)
