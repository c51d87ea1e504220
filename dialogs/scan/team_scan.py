"""The team scan, the manager's side (managers and HR): send the scan to a team or to the
whole organisation, and read the result of a round.

* Each person invited gets the scan in their own chat (a proactive message with a button,
  :mod:`dialogs.scan.team_answer`) and answers privately; answers are stored without names.
* A round's result is shown only from ``MIN_GROUP`` (5) respondents, as the mean and the spread
  per challenge, with the team's profile and top 3 read from the means, and compared with the
  previous round of the same team (a trend chart). Showing the result closes the round, so a
  later answer can never be worked out from the difference between two views.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from dialogs.invitations import go
from dialogs.kit import (
    Block,
    Choice,
    ChoicesBlock,
    Choose,
    Confirm,
    Dialog,
    Flow,
    InputError,
    Message,
    Rich,
    TextBlock,
    Turn,
    say,
)
from dialogs.policy import ADMINS, MANAGERS, MIN_GROUP
from dialogs.scan.port import TeamScanRound
from dialogs.scan.team_result import round_result, target_label_in
from knowledge.scan import load_scan

ORGANISATION = "org"
#: rounds offered when choosing which result to see
ROUNDS_SHOWN = 10


class Target(BaseModel):
    value: str  # "team:<id>" or "org"
    name: str  # the team's name; "" = the whole organisation
    team_id: int | None
    people: list[str]


class TeamScanState(BaseModel):
    action: str | None = None  # send | results
    targets: list[Target] = Field(default_factory=list)
    target: str | None = None
    confirmed: bool = False
    rounds: list[TeamScanRound] = Field(default_factory=list)
    round_id: int | None = None
    show: bool = True


def target_label(turn: Turn, name: str) -> Rich:
    return target_label_in(turn.lang, name)


async def targets(turn: Turn) -> list[Target]:
    found = [Target(value=f"team:{t.id}", name=t.name, team_id=t.id, people=list(t.members))
             for t in await turn.teams.teams()]
    everyone = [m.user for m in await turn.people.members()]
    return [*found, Target(value=ORGANISATION, name="", team_id=None, people=everyone)]


async def visible_rounds(turn: Turn) -> list[TeamScanRound]:
    """The rounds this person may read (least privilege): HR admins all of them; a manager
    the rounds she sent and those sent to a team she leads."""
    rounds = await turn.team_scans.rounds()
    if turn.member.role in ADMINS:
        return rounds
    led = {t.id for t in await turn.teams.teams(turn.member.user) if t.lead == turn.member.user}
    return [r for r in rounds if r.sent_by == turn.member.user or r.team_id in led]


async def start(turn: Turn, text: str) -> TeamScanState:
    rounds = await visible_rounds(turn)
    wants_result = any(word in text.casefold() for word in ("uitslag", "resultaat", "result"))
    action = "results" if wants_result else None if rounds else "send"
    return TeamScanState(action=action, targets=await targets(turn),
                         rounds=rounds[:ROUNDS_SHOWN])


def action_choices(turn: Turn, state: TeamScanState) -> list[Choice]:
    return [Choice(value="send", label=say(turn.lang, "scan.round.send"), style="primary"),
            Choice(value="results", label=say(turn.lang, "scan.round.results"))]


def set_action(turn: Turn, state: TeamScanState, value: str) -> TeamScanState:
    return state.model_copy(update={"action": value})


def target_choices(turn: Turn, state: TeamScanState) -> list[Choice]:
    return [Choice(value=t.value, label=target_label(turn, t.name) if t.name
                   else say(turn.lang, "scan.round.organisation_choice"))
            for t in state.targets]


def chosen(state: TeamScanState) -> Target:
    return next(t for t in state.targets if t.value == state.target)


def set_target(turn: Turn, state: TeamScanState, value: str) -> TeamScanState:
    target = next(t for t in state.targets if t.value == value)
    if len(target.people) < MIN_GROUP:
        raise InputError("scan.round.error.too_small", team=target_label(turn, target.name),
                         count=len(target.people), minimum=MIN_GROUP)
    return state.model_copy(update={"target": value})


def confirm_prompt(turn: Turn, state: TeamScanState) -> Rich:
    target = chosen(state)
    return say(turn.lang, "scan.round.confirm", count=len(target.people),
               team=target_label(turn, target.name), statements=len(load_scan().statements),
               minimum=MIN_GROUP)


def confirm(turn: Turn, state: TeamScanState, yes: bool) -> Flow[TeamScanState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


def round_label(turn: Turn, found: TeamScanRound) -> Rich:
    return say(turn.lang, "scan.round.round_label", team=target_label(turn, found.team),
               date=found.sent_at)


def round_choices(turn: Turn, state: TeamScanState) -> list[Choice]:
    """The rounds by audience and date; rounds sent to the same group on one day also by
    their number."""
    labels = [round_label(turn, r) for r in state.rounds]
    plain_labels = [label.plain for label in labels]
    return [Choice(value=str(r.id),
                   label=label if plain_labels.count(label.plain) == 1
                   else label + say(turn.lang, "scan.round.round_number", number=r.id))
            for r, label in zip(state.rounds, labels, strict=True)]


async def set_round(turn: Turn, state: TeamScanState,
                    value: str) -> TeamScanState | Flow[TeamScanState]:
    found = await turn.team_scans.round(int(value))
    if found is None or found.id not in {r.id for r in await visible_rounds(turn)}:
        raise InputError("input.stale_choice")
    updated = state.model_copy(update={"round_id": found.id})
    if found.closed or found.respondents < MIN_GROUP or found.respondents >= found.invited:
        return Flow(state=updated, done=True)  # nothing to close first
    return updated


def close_prompt(turn: Turn, state: TeamScanState) -> Rich:
    return say(turn.lang, "scan.round.close_first", minimum=MIN_GROUP)


def set_show(turn: Turn, state: TeamScanState, yes: bool) -> TeamScanState:
    return state.model_copy(update={"show": yes})


def invitation(lang: str, team: Rich, round_id: int, sender: str) -> list[Message]:
    text = say(lang, "scan.round.invite", sender=sender, team=team,
               count=len(load_scan().statements), minimum=MIN_GROUP)
    return [Message(blocks=[
        TextBlock(text=text),
        ChoicesBlock(choices=[Choice(value=go("team_scan_answer", str(round_id)),
                                     label=say(lang, "scan.round.answer_button"),
                                     style="primary")])])]


async def send(turn: Turn, state: TeamScanState) -> list[Block]:
    """One round, and an invitation in each person's own chat (in their language)."""
    target = chosen(state)
    found = await turn.team_scans.start_round(target.team_id, target.name, target.people,
                                              turn.member.user)
    languages = {m.user: m.lang for m in await turn.people.members()}
    sender = turn.member.name or turn.member.user
    for person in dict.fromkeys(target.people):
        lang = languages.get(person) or turn.lang
        messages = invitation(lang, target_label_in(lang, target.name), found.id, sender)
        await turn.outbox.notify(person, messages, key=f"team_scan:{found.id}:{person}")
    return [TextBlock(text=say(turn.lang, "scan.round.sent", count=found.invited,
                               team=target_label(turn, target.name), minimum=MIN_GROUP))]


async def finish(turn: Turn, state: TeamScanState) -> list[Block]:
    if state.action == "send":
        if state.confirmed and state.target is not None:
            return await send(turn, state)
        return [TextBlock(text=say(turn.lang, "scan.round.not_sent"))]
    if state.round_id is None:
        return [TextBlock(text=say(turn.lang, "scan.round.no_rounds"))]
    if not state.show:
        return [TextBlock(text=say(turn.lang, "scan.round.kept_open"))]
    return await round_result(turn, state.round_id)


DIALOG = Dialog(
    id="team_scan", title="scan.round.title", state=TeamScanState, roles=MANAGERS, menu=95,
    start=start, finish=finish, help="scan.round.help",
    steps=[
        Choose("wat", prompt="scan.round.ask_action", options=action_choices,
               handle=set_action, skip=lambda turn, state: state.action is not None),
        Choose("naar", prompt="scan.round.ask_target", options=target_choices,
               handle=set_target, skip=lambda turn, state: state.action != "send"),
        Confirm("versturen", prompt=confirm_prompt, handle=confirm,
                skip=lambda turn, state: state.action != "send"),
        Choose("ronde", prompt="scan.round.ask_round", options=round_choices, handle=set_round,
               skip=lambda turn, state: state.action != "results" or not state.rounds),
        Confirm("sluiten", prompt=close_prompt, handle=set_show,
                skip=lambda turn, state: state.action != "results" or state.round_id is None),
    ],
    phrases=["teamscan", "scan naar het team sturen", "scan uitsturen", "scan versturen",
             "teamscan versturen", "uitslag teamscan", "resultaat teamscan",
             "send the scan to the team", "team scan", "team scan results"],
)
