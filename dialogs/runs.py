"""Runs (admin): the recent scheduled and fan-out runs with how many messages were sent, are
waiting, failed or ended unknown; the problems of one run, and a retry of the failed ones."""

from __future__ import annotations

from pydantic import BaseModel

from dialogs.kit import (
    Block,
    CardBlock,
    Choice,
    Choose,
    Dialog,
    Fact,
    Flow,
    Rich,
    TextBlock,
    Turn,
    join,
    say,
    user,
)
from dialogs.services_together import RunSummary
from knowledge.messages import catalogue

LIMIT = 10
MAX_PROBLEMS = 25
DONE = "done"


class RunLine(BaseModel):
    id: int
    kind: str
    team: str
    day: str
    sent: int
    pending: int
    failed: int
    unknown: int
    total: int


class RunsState(BaseModel):
    runs: list[RunLine] = []
    run: int | None = None


def _line(summary: RunSummary, teams: dict[int, str]) -> RunLine:
    counts = summary.counts
    day = summary.occurrence or summary.created_at.date()
    team = teams.get(summary.team_id or 0) or str(summary.details.get("team") or "")
    return RunLine(id=summary.id, kind=summary.kind, team=team, day=day.isoformat(),
                   sent=counts.get("sent", 0),
                   pending=counts.get("pending", 0) + counts.get("processing", 0),
                   failed=counts.get("failed", 0), unknown=counts.get("unknown", 0),
                   total=summary.total)


async def _load(turn: Turn) -> list[RunLine]:
    teams = {t.id: t.name for t in await turn.services.teams(turn.workspace)}
    return [_line(r, teams) for r in await turn.services.runs(turn.workspace, limit=LIMIT)]


async def start(turn: Turn, text: str) -> RunsState:
    return RunsState(runs=await _load(turn))


def kind_name(lang: str, kind: str) -> Rich:
    key = f"runs.kind.{kind}"
    return say(lang, key) if key in catalogue(lang) else user(kind)


def title_of(turn: Turn, line: RunLine) -> Rich:
    return say(turn.lang, "runs.run_title", id=line.id, kind=kind_name(turn.lang, line.kind),
               team=line.team or "-", day=line.day)


def counts_of(turn: Turn, line: RunLine) -> Rich:
    return say(turn.lang, "runs.counts", sent=line.sent, pending=line.pending,
               failed=line.failed, unknown=line.unknown)


def overview(turn: Turn, state: RunsState) -> list[Block]:
    facts = [Fact(label=title_of(turn, line), value=counts_of(turn, line)) for line in state.runs]
    return [CardBlock(title=say(turn.lang, "runs.overview_title", count=len(state.runs)),
                      text=say(turn.lang, "runs.overview_note"), facts=facts),
            TextBlock(text=say(turn.lang, "runs.ask_run"))]


def run_options(turn: Turn, state: RunsState) -> list[Choice]:
    choices = [Choice(value=str(line.id), label=say(turn.lang, "runs.option", id=line.id,
                                                   kind=kind_name(turn.lang, line.kind),
                                                   team=line.team or "-"))
               for line in state.runs]
    return [*choices, Choice(value=DONE, label=say(turn.lang, "runs.done"))]


def pick_run(turn: Turn, state: RunsState, value: str) -> RunsState | Flow[RunsState]:
    if value == DONE:
        return Flow(state=state, done=True)
    return state.model_copy(update={"run": int(value)})


def _current(state: RunsState) -> RunLine | None:
    return next((line for line in state.runs if line.id == state.run), None)


async def details(turn: Turn, state: RunsState) -> list[Block]:
    line = _current(state)
    if line is None:
        return [TextBlock(text=say(turn.lang, "runs.gone"))]
    problems = await turn.services.run_problems(turn.workspace, line.id)
    names = {m.user: m.name or m.user for m in await turn.services.members(turn.workspace)}
    facts = [Fact(label=user(names.get(p.recipient, p.recipient) or "-"),
                  value=say(turn.lang, f"runs.status.{p.status}")
                  + (say(turn.lang, "runs.reason", reason=p.error[:300]) if p.error else ""))
             for p in problems[:MAX_PROBLEMS]]
    text = counts_of(turn, line)
    if len(problems) > MAX_PROBLEMS:
        text = join([text, say(turn.lang, "runs.more_problems",
                               count=len(problems) - MAX_PROBLEMS)])
    blocks: list[Block] = [CardBlock(title=title_of(turn, line), text=text, facts=facts)]
    blocks.append(TextBlock(text=say(turn.lang, "runs.ask_retry" if problems
                                     else "runs.no_problems")))
    return blocks


def detail_options(turn: Turn, state: RunsState) -> list[Choice]:
    line = _current(state)
    choices = []
    if line is not None and line.failed + line.unknown:
        choices.append(Choice(value="retry", label=say(turn.lang, "runs.retry"),
                              style="primary"))
    return [*choices, Choice(value="other", label=say(turn.lang, "runs.other")),
            Choice(value=DONE, label=say(turn.lang, "runs.done"))]


async def on_detail(turn: Turn, state: RunsState, value: str) -> Flow[RunsState]:
    if value == DONE:
        return Flow(state=state, done=True)
    if value == "other":
        return Flow(state=state.model_copy(update={"run": None,
                                                   "runs": await _load(turn)}), goto="kies")
    line = _current(state)
    assert line is not None
    problems = line.failed + line.unknown
    queued = await turn.services.retry_run(turn.workspace, line.id)
    parts = [say(turn.lang, "runs.retried", count=queued)]
    if problems > queued:
        parts.append(say(turn.lang, "runs.not_retried", count=problems - queued))
    fresh = state.model_copy(update={"runs": await _load(turn)})
    return Flow(state=fresh, goto="run", say=[TextBlock(text=join(parts))])


def finish(turn: Turn, state: RunsState) -> list[Block]:
    if not state.runs:
        return [TextBlock(text=say(turn.lang, "runs.none"))]
    return [TextBlock(text=say(turn.lang, "runs.bye"))]


DIALOG = Dialog(
    id="runs", title="runs.title", state=RunsState, roles=frozenset({"admin"}),
    start=start, finish=finish, help="runs.help",
    steps=[
        Choose("kies", prompt=overview, options=run_options, handle=pick_run,
               skip=lambda turn, state: not state.runs or state.run is not None),
        Choose("run", prompt=details, options=detail_options, handle=on_detail,
               help="runs.help_run", skip=lambda turn, state: state.run is None),
    ],
)
PHRASES = ["runs", "verzendingen", "verzendstatus", "mislukte berichten", "geplande berichten",
           "berichten opnieuw versturen", "scheduled runs", "delivery status",
           "failed messages", "retry failed messages"]
