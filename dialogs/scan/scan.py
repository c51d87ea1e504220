"""De scan (HR/manager): every statement with its progress, resumable; the priorities; then
the feedback report: barrier scores as a chart and as text, the dominant profile explained,
the top-3 actions with their practice points and HIGHLIGHT marks, and the full overview on
request. Results are stored per organisation/team with date; a later scan shows the change."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from dialogs.actions.cards import action_card
from dialogs.kit import (
    Ask,
    Block,
    CardBlock,
    Choice,
    Choose,
    Dialog,
    Fact,
    Flow,
    Form,
    FormField,
    ImageBlock,
    InputError,
    Rich,
    TextBlock,
    Turn,
    join,
    plain,
    say,
)
from dialogs.policy import MANAGERS
from dialogs.scan.chart import barrier_chart
from dialogs.scan.port import ScanOutcome
from engine.scan import MAX_PRIORITIES, barrier_scores, dominant_profile, rank_actions
from knowledge.actions import load_action_library
from knowledge.scan import load_scan


class ScanState(BaseModel):
    team: str = ""
    index: int = 0
    answers: dict[str, int] = {}
    priorities: list[int] = []
    scores: dict[int, int] = {}
    profile: int | None = None
    top: list[str] = []
    previous: dict[int, int] | None = None
    previous_date: str | None = None


async def start(turn: Turn, text: str) -> ScanState:
    return ScanState()


def set_team(turn: Turn, state: ScanState, text: str) -> ScanState:
    if len(text) > 100:
        raise InputError("input.too_long", field=say(turn.lang, "scan.team_field").plain,
                         max=100)
    return state.model_copy(update={"team": text})


def team_suggestions(turn: Turn, state: ScanState) -> list[Choice]:
    return [Choice(value=say(turn.lang, "scan.whole_organisation").plain,
                   label=say(turn.lang, "scan.whole_organisation"))]


def question_prompt(turn: Turn, state: ScanState) -> list[Block]:
    scan = load_scan()
    statement = scan.statements[state.index]
    blocks: list[Block] = []
    if state.index == 0:
        blocks.append(TextBlock(text=say(turn.lang, "scan.intro", count=len(scan.statements),
                                         team=state.team)))
    progress = say(turn.lang, "scan.progress", number=state.index + 1,
                   total=len(scan.statements))
    blocks.append(TextBlock(text=join([progress, plain(statement.text.get(turn.lang))])))
    return blocks


def scale(turn: Turn, state: ScanState) -> list[Choice]:
    labels = getattr(load_scan().scale, turn.lang)
    return [Choice(value=str(i), label=plain(f"{i} {label}")) for i, label in
            enumerate(labels, start=1)]


def answer(turn: Turn, state: ScanState, value: str) -> ScanState | Flow[ScanState]:
    scan = load_scan()
    statement = scan.statements[state.index]
    moved = state.model_copy(update={"answers": {**state.answers, statement.id: int(value)},
                                     "index": state.index + 1})
    if moved.index < len(scan.statements):
        return Flow(state=moved, goto="vraag")
    return moved


def priorities_prompt(turn: Turn, state: ScanState) -> Rich:
    return say(turn.lang, "scan.ask_priorities", maximum=MAX_PRIORITIES)


def priority_fields(turn: Turn, state: ScanState) -> list[FormField]:
    library = load_action_library()
    choices = [Choice(value=str(c.number), label=plain(f"{c.number}. {c.title.get(turn.lang)}"))
               for c in library.challenges]
    return [FormField(name="priorities", label=say(turn.lang, "scan.priorities_field"),
                      kind="multichoice", required=False, choices=choices)]


async def set_priorities(turn: Turn, state: ScanState, values: dict[str, Any]) -> ScanState:
    picked: list[str] | None = values["priorities"]  # an optional field: None when empty
    chosen = [int(v) for v in picked or []]
    if len(chosen) > MAX_PRIORITIES:
        raise InputError("scan.error.too_many_priorities", maximum=MAX_PRIORITIES)
    scan, library = load_scan(), load_action_library()
    scores = barrier_scores(scan, state.answers)
    profile = dominant_profile(scores, chosen)
    top = rank_actions(library, scan, scores, profile, chosen, lang=turn.lang,
                       limit=scan.top_actions)
    earlier = await turn.scans.scans(state.team)
    outcome = ScanOutcome(team=state.team, scores=scores, profile=profile, priorities=chosen,
                          top_actions=[a.id for a in top])
    await turn.scans.save_scan(outcome, taken_by=turn.member.user)
    previous = earlier[0] if earlier else None
    return state.model_copy(update={
        "priorities": chosen, "scores": scores, "profile": profile,
        "top": [a.id for a in top],
        "previous": previous.scores if previous else None,
        "previous_date": previous.taken_at.date().isoformat() if previous else None,
    })


def _change(turn: Turn, now: int, before: int | None) -> Rich:
    if before is None:
        return plain("")
    delta = now - before
    if delta == 0:
        return say(turn.lang, "scan.same")
    return say(turn.lang, "scan.change", delta=f"{delta:+d}")


def _chart(turn: Turn, state: ScanState, titles: dict[int, str]) -> ImageBlock:
    """The barrier scores as bars, next to the previous scan's when there is one."""
    assert state.profile is not None
    lang = turn.lang
    png = barrier_chart(titles, state.scores, state.previous, state.profile,
                        (say(lang, "scan.legend_now").plain,
                         say(lang, "scan.legend_before", date=state.previous_date or "").plain),
                        say(lang, "scan.chart_title", team=state.team).plain)
    return ImageBlock(png=png, alt=say(lang, "scan.chart_alt", team=state.team), name="scan.png")


def _scores_card(turn: Turn, state: ScanState, titles: dict[int, str]) -> CardBlock:
    facts = [Fact(label=plain(f"{n}. {titles[n]}"),
                  value=plain(f"{state.scores[n]}/100") + _change(
                      turn, state.scores[n], (state.previous or {}).get(n)))
             for n in sorted(state.scores)]
    since = (say(turn.lang, "scan.previous", date=state.previous_date)
             if state.previous_date else say(turn.lang, "scan.first"))
    return CardBlock(title=say(turn.lang, "scan.scores_title"), text=since, facts=facts)


def report(turn: Turn, state: ScanState) -> list[Block]:
    scan, library = load_scan(), load_action_library()
    assert state.profile is not None
    lang = turn.lang
    titles = {c.number: c.title.get(lang) for c in library.challenges}
    profile = scan.profile(state.profile)
    blocks: list[Block] = [
        TextBlock(text=say(lang, "scan.saved", team=state.team)),
        _chart(turn, state, titles),
        _scores_card(turn, state, titles),
        CardBlock(title=say(lang, "scan.profile_title", title=profile.title.get(lang)),
                  text=plain(profile.description.get(lang))),
        TextBlock(text=say(lang, "scan.top_intro")),
    ]
    for action_id in state.top:
        blocks.extend(action_card(turn, library.action(action_id)))
    blocks.append(TextBlock(text=say(lang, "scan.next")))
    return blocks


def report_choices(turn: Turn, state: ScanState) -> list[Choice]:
    return [Choice(value="all", label=say(turn.lang, "scan.show_all")),
            Choice(value="done", label=say(turn.lang, "scan.done"))]


def after_report(turn: Turn, state: ScanState, value: str) -> Flow[ScanState]:
    if value == "done":
        return Flow(state=state, done=True)
    return Flow(state=state, done=True, say=overview(turn, state))


def overview(turn: Turn, state: ScanState) -> list[Block]:
    """Every action, ranked for the profile, grouped by challenge."""
    scan, library = load_scan(), load_action_library()
    assert state.profile is not None
    ranked = rank_actions(library, scan, state.scores, state.profile, state.priorities,
                          lang=turn.lang)
    order = {r.id: i for i, r in enumerate(ranked)}
    blocks: list[Block] = [TextBlock(text=say(turn.lang, "scan.overview_intro"))]
    for challenge in sorted(library.challenges,
                            key=lambda c: (-state.scores.get(c.number, 0), c.number)):
        actions = sorted(library.actions_for(challenge.number),
                         key=lambda a: order.get(a.id, len(order)))
        lines = [plain(f"- {a.id} {a.title.get(turn.lang)}{' ★' if a.highlight else ''}")
                 for a in actions]
        heading = plain(f"**{challenge.number}. {challenge.title.get(turn.lang)}** "
                        f"({state.scores.get(challenge.number, 0)}/100)")
        blocks.append(TextBlock(text=join([heading, *lines])))
    blocks.append(TextBlock(text=say(turn.lang, "scan.overview_more")))
    return blocks


async def finish(turn: Turn, state: ScanState) -> list[Block]:
    return [TextBlock(text=say(turn.lang, "scan.bye"))]


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
        Choose("rapport", prompt=report, options=report_choices, handle=after_report),
    ],
    phrases=["scan", "de scan", "diagnostische scan", "scan starten", "scan invullen",
             "organisatiescan", "teamscan", "informeel leren scannen", "run the scan",
             "start the scan", "diagnostic scan"],
)
