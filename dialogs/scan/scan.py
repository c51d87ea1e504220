"""De scan (HR/manager) for one organisation or team: every statement with its progress,
resumable ("stop" offers to keep the answers for later); the priorities; then the result is
saved and shown on one screen (see :mod:`dialogs.scan.result`), with the details on request
("meer details"). A later scan of the same team shows the change."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from dialogs.invitations import go
from dialogs.kit import (
    Ask,
    Block,
    Choice,
    ChoicesBlock,
    Choose,
    Dialog,
    Flow,
    Form,
    FormField,
    InputError,
    Rich,
    TextBlock,
    Turn,
    plain,
    say,
    user,
)
from dialogs.policy import MANAGERS
from dialogs.scan import result as shown
from dialogs.scan.port import ScanOutcome, ScanRecord
from dialogs.scan.statements import Statements, scale, statement_blocks, take_answer
from engine.scan import MAX_PRIORITIES, barrier_scores
from knowledge.actions import load_action_library
from knowledge.scan import load_scan

LONGEST_TEAM = 100


#: team names offered as buttons when asking which team the scan is for
TEAMS_OFFERED = 5


class ScanState(Statements):
    team: str = ""
    priorities: list[int] = Field(default_factory=list)
    known_teams: list[str] = Field(default_factory=list)


async def start(turn: Turn, text: str) -> ScanState:
    teams = [t.name for t in await turn.teams.teams()]
    return ScanState(known_teams=teams[:TEAMS_OFFERED])


def set_team(turn: Turn, state: ScanState, text: str) -> ScanState:
    if len(text) > LONGEST_TEAM:
        raise InputError("input.too_long", field=say(turn.lang, "scan.team_field").plain,
                         max=LONGEST_TEAM)
    return state.model_copy(update={"team": text})


def team_suggestions(turn: Turn, state: ScanState) -> list[Choice]:
    """The whole organisation, and the workspace's first few teams (any name may be typed)."""
    return [Choice(value=say(turn.lang, "scan.whole_organisation").plain,
                   label=say(turn.lang, "scan.whole_organisation")),
            *(Choice(value=name[:200], label=user(name)) for name in state.known_teams)]


def question_prompt(turn: Turn, state: ScanState) -> list[Block]:
    intro = say(turn.lang, "scan.intro", count=len(load_scan().statements), team=state.team)
    return statement_blocks(turn, state, intro)


def answer(turn: Turn, state: ScanState, value: str) -> ScanState | Flow[ScanState]:
    return take_answer(turn, state, value)  # type: ignore[return-value]


def priorities_prompt(turn: Turn, state: ScanState) -> Rich:
    return say(turn.lang, "scan.ask_priorities", maximum=MAX_PRIORITIES)


def priority_fields(turn: Turn, state: ScanState) -> list[FormField]:
    library = load_action_library()
    # the titles only: the console numbers the choices 1..9 itself, in the challenges' order
    choices = [Choice(value=str(c.number), label=plain(c.title.get(turn.lang)))
               for c in library.challenges]
    return [FormField(name="priorities", label=say(turn.lang, "scan.priorities_field",
                                                   maximum=MAX_PRIORITIES),
                      kind="multichoice", required=False, choices=choices)]


def set_priorities(turn: Turn, state: ScanState, values: dict[str, Any]) -> ScanState:
    picked: list[str] | None = values["priorities"]  # an optional field: None when empty
    chosen = list(dict.fromkeys(int(v) for v in picked or []))
    if len(chosen) > MAX_PRIORITIES:
        raise InputError("scan.error.too_many_priorities", maximum=MAX_PRIORITIES)
    return state.model_copy(update={"priorities": chosen})


def details_button(turn: Turn, record: ScanRecord) -> ChoicesBlock:
    return ChoicesBlock(choices=[Choice(value=go("scan_details", str(record.id)),
                                        label=say(turn.lang, "scan.more_details"))])


async def finish(turn: Turn, state: ScanState) -> list[Block]:
    """Save the scan, then show the result on one screen."""
    scores = barrier_scores(load_scan(), state.answers)
    result = shown.score(scores, state.priorities, turn.lang)
    earlier = await turn.scans.scans(state.team)
    record = await turn.scans.save_scan(ScanOutcome(
        team=state.team, scores=scores, profile=result.profile, priorities=state.priorities,
        top_actions=[a.id for a in result.top_actions]), taken_by=turn.member.user)
    previous = earlier[0] if earlier else None
    saved = say(turn.lang, "scan.saved", team=state.team)
    if previous is not None:
        saved = saved + plain(" ") + say(turn.lang, "scan.compared", date=previous.taken_at)
    return [TextBlock(text=saved),
            *shown.summary(turn, result, state.team, previous.scores if previous else None),
            details_button(turn, record)]


DIALOG = Dialog(
    id="scan", title="scan.title", state=ScanState, roles=MANAGERS, menu=80,
    start=start, finish=finish, help="scan.help", keep_on_stop=True,
    steps=[
        Ask("team", prompt="scan.ask_team", handle=set_team, suggestions=team_suggestions),
        Choose("vraag", prompt=question_prompt, options=scale, handle=answer,
               help="scan.help_question"),
        Form("prioriteiten", prompt=priorities_prompt,
             title=lambda turn, state: say(turn.lang, "scan.priorities_title"),
             fields=priority_fields, handle=set_priorities, help="scan.help_priorities"),
    ],
    phrases=["scan", "de scan", "diagnostische scan", "scan starten", "scan invullen",
             "organisatiescan", "informeel leren scannen", "run the scan",
             "start the scan", "diagnostic scan"],
)


# ------------------------------------------------------------------ details on request


class DetailsState(BaseModel):
    scan_id: int | None = None


async def details_start(turn: Turn, text: str) -> DetailsState:
    argument = turn.argument or ""
    if argument.isdigit():
        return DetailsState(scan_id=int(argument))
    latest = await turn.scans.latest_taken_by(turn.member.user)
    return DetailsState(scan_id=latest.id if latest else None)


async def details_finish(turn: Turn, state: DetailsState) -> list[Block]:
    record = await turn.scans.scan(state.scan_id) if state.scan_id is not None else None
    if record is None:
        return [TextBlock(text=say(turn.lang, "scan.no_scan_yet"))]
    older = [s for s in await turn.scans.scans(record.team) if s.taken_at < record.taken_at
             or (s.taken_at == record.taken_at and s.id < record.id)]
    previous = older[0] if older else None
    result = shown.score(record.scores, record.priorities, turn.lang)
    intro = say(turn.lang, "scan.details_intro", team=record.team, date=record.taken_at)
    return [TextBlock(text=intro),
            *shown.details(turn, result, previous.scores if previous else None,
                           previous.taken_at if previous else None)]


DETAILS = Dialog(
    id="scan_details", title="scan.details_title", state=DetailsState, roles=MANAGERS,
    start=details_start, finish=details_finish, steps=[],
    phrases=["meer details", "details van de scan", "scan details", "scanrapport",
             "uitgebreid scanrapport", "more details", "scan report"],
)
