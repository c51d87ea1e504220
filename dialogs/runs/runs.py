"""Runs (admin): the recent scheduled and fan-out runs with how many messages were sent, are
waiting, failed or ended unknown; the problems of one run, and a retry of the failed ones."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from dialogs.kit import (
    TEXTS,
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
from dialogs.policy import ADMINS
from dialogs.runs.port import DeliveryProblem, RunSummary

LIMIT = 10
MAX_PROBLEMS = 25
MAX_REASON = 300
DONE = "done"


class RunLine(BaseModel):
    """A run as the view shows it."""

    id: int
    kind: str
    team: str
    day: date
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
    return RunLine(id=summary.id, kind=summary.kind, team=team, day=day,
                   sent=counts.get("sent", 0),
                   pending=counts.get("pending", 0) + counts.get("processing", 0),
                   failed=counts.get("failed", 0), unknown=counts.get("unknown", 0),
                   total=summary.total)


async def _team_names(turn: Turn) -> dict[int, str]:
    return {t.id: t.name for t in await turn.teams.teams()}


async def _load(turn: Turn) -> list[RunLine]:
    teams = await _team_names(turn)
    return [_line(r, teams) for r in await turn.runs.recent(limit=LIMIT)]


async def _reload(turn: Turn, state: RunsState, run_id: int) -> RunsState:
    """The state with one run's counts as they are now (gone from the list when deleted)."""
    summary = await turn.runs.run(run_id)
    fresh = None if summary is None else _line(summary, await _team_names(turn))
    lines = [fresh if line.id == run_id else line for line in state.runs]
    return state.model_copy(update={"runs": [line for line in lines if line is not None]})


async def start(turn: Turn, text: str) -> RunsState:
    return RunsState(runs=await _load(turn))


def kind_name(lang: str, kind: str) -> Rich:
    key = f"runs.kind.{kind}"
    return say(lang, key) if TEXTS.has(key) else user(kind)


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


def _problem_fact(turn: Turn, problem: DeliveryProblem, names: dict[str, str]) -> Fact:
    status = say(turn.lang, f"runs.status.{problem.status}")
    if problem.error:
        status = status + say(turn.lang, "runs.reason", reason=problem.error[:MAX_REASON])
    return Fact(label=user(names.get(problem.recipient, problem.recipient) or "-"), value=status)


async def details(turn: Turn, state: RunsState) -> list[Block]:
    line = _current(state)
    if line is None:
        return [TextBlock(text=say(turn.lang, "runs.gone"))]
    problems = await turn.runs.problems(line.id)
    names = {m.user: m.name or m.user for m in await turn.people.members()}
    facts = [_problem_fact(turn, p, names) for p in problems[:MAX_PROBLEMS]]
    text = counts_of(turn, line)
    if len(problems) > MAX_PROBLEMS:
        text = join([text, say(turn.lang, "runs.more_problems",
                               count=len(problems) - MAX_PROBLEMS)])
    return [CardBlock(title=title_of(turn, line), text=text, facts=facts),
            TextBlock(text=say(turn.lang, "runs.ask_retry" if problems
                               else "runs.no_problems"))]


def detail_options(turn: Turn, state: RunsState) -> list[Choice]:
    line = _current(state)
    choices = []
    if line is not None and line.failed + line.unknown:
        choices.append(Choice(value="retry", label=say(turn.lang, "runs.retry"),
                              style="primary"))
    return [*choices, Choice(value="other", label=say(turn.lang, "runs.other")),
            Choice(value=DONE, label=say(turn.lang, "runs.done"))]


async def retry(turn: Turn, state: RunsState, line: RunLine) -> Flow[RunsState]:
    problems = line.failed + line.unknown
    queued = await turn.runs.retry(line.id)
    parts = [say(turn.lang, "runs.retried", count=queued)]
    if problems > queued:
        parts.append(say(turn.lang, "runs.not_retried", count=problems - queued))
    return Flow(state=await _reload(turn, state, line.id), goto="run",
                say=[TextBlock(text=join(parts))])


async def on_detail(turn: Turn, state: RunsState, value: str) -> Flow[RunsState]:
    line = _current(state)
    if value == "retry" and line is not None:
        return await retry(turn, state, line)
    if value == "other":
        return Flow(state=state.model_copy(update={"run": None, "runs": await _load(turn)}),
                    goto="kies")
    return Flow(state=state, done=True)


def finish(turn: Turn, state: RunsState) -> list[Block]:
    if not state.runs:
        return [TextBlock(text=say(turn.lang, "runs.none"))]
    return [TextBlock(text=say(turn.lang, "runs.bye"))]


DIALOG = Dialog(
    id="runs", title="runs.title", state=RunsState, roles=ADMINS, menu=140,
    start=start, finish=finish, help="runs.help",
    steps=[
        Choose("kies", prompt=overview, options=run_options, handle=pick_run,
               skip=lambda turn, state: not state.runs or state.run is not None),
        Choose("run", prompt=details, options=detail_options, handle=on_detail,
               help="runs.help_run", skip=lambda turn, state: state.run is None),
    ],
    phrases=["runs", "verzendingen", "verzendstatus", "mislukte berichten",
             "geplande berichten", "berichten opnieuw versturen", "scheduled runs",
             "delivery status", "failed messages", "retry failed messages"],
)
