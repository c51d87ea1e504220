"""Voortgang leerlijnen (managers, HR): how far people are in the leerlijnen. The manager who
assigned a leerlijn sees each of those people; HR sees per leerlijn only totals, and only
when at least MIN_GROUP people have it (otherwise says why not)."""

from __future__ import annotations

from pydantic import BaseModel

from dialogs.kit import (
    Block,
    CardBlock,
    ChartBlock,
    DataSeries,
    Dialog,
    Fact,
    Rich,
    TextBlock,
    Turn,
    join,
    plain,
    say,
    user,
)
from dialogs.my_path.port import PersonProgress
from dialogs.policy import ADMINS, MANAGERS, MIN_GROUP

MAX_PATHS = 25
#: people in one progress chart (more: the card's lines only)
MAX_CHARTED = 20


class PathProgressState(BaseModel):
    pass


def _person(turn: Turn, person: PersonProgress) -> Fact:
    return Fact(label=user(person.name),
                value=say(turn.lang, "path_progress.person", done=person.done,
                          count=person.total, started=person.started,
                          deadline=person.deadline))


def _totals(turn: Turn, people: list[PersonProgress]) -> Rich:
    if len(people) < MIN_GROUP:
        return say(turn.lang, "path_progress.too_few", count=len(people), least=MIN_GROUP)
    trainings = sum(p.total for p in people) or 1
    done = sum(p.done for p in people)
    return say(turn.lang, "path_progress.totals", count=len(people),
               finished=sum(1 for p in people if p.total and p.done == p.total),
               started=sum(1 for p in people if p.started or 0 < p.done < p.total),
               percent=round(100 * done / trainings))


def progress_chart(turn: Turn, path: str, people: list[PersonProgress]) -> ChartBlock:
    """Each person's trainings done and in progress, drawn natively on Slack and Teams."""
    lang = turn.lang
    alt = say(lang, "path_progress.chart_alt", path=path, people="; ".join(
        say(lang, "path_progress.chart_person", name=p.name, done=p.done, count=p.total,
            started=p.started).plain for p in people))
    return ChartBlock(
        title=say(lang, "path_progress.chart_title", path=path).plain,
        categories=[p.name or p.user for p in people],
        series=[DataSeries(name=say(lang, "path_progress.chart_done").plain,
                           values=[float(p.done) for p in people]),
                DataSeries(name=say(lang, "path_progress.chart_started").plain,
                           values=[float(p.started) for p in people])],
        axis=say(lang, "path_progress.chart_axis").plain,
        maximum=float(max(p.total for p in people) or 1), alt=plain(alt.plain),
        name="voortgang.png", lang=lang)


async def finish(turn: Turn, state: PathProgressState) -> list[Block]:
    me, hr = turn.member.user, turn.member.role in ADMINS
    cards: list[Block] = []
    for path in (await turn.paths.paths())[:MAX_PATHS]:
        people = await turn.my_path.progress(path.id)
        mine = [p for p in people if p.assigned_by == me]
        if not people or not (mine or hr):
            continue
        parts: list[Rich] = []
        if hr:
            parts.append(_totals(turn, people))
        if mine:
            parts.append(say(turn.lang, "path_progress.yours", count=len(mine)))
        cards.append(CardBlock(title=user(path.name), text=join(parts),
                               facts=[_person(turn, p) for p in mine]))
        if 1 < len(mine) <= MAX_CHARTED:
            cards.append(progress_chart(turn, path.name, mine))
    if not cards:
        return [TextBlock(text=say(turn.lang, "path_progress.none"))]
    return [TextBlock(text=say(turn.lang, "path_progress.intro")), *cards]


DIALOG = Dialog(
    id="path_progress", title="path_progress.title", state=PathProgressState, roles=MANAGERS,
    menu=95, help="path_progress.help", finish=finish, steps=[],
    phrases=["voortgang leerlijnen", "voortgang van mijn team", "hoe ver zijn mijn mensen",
             "voortgang leerlijn", "learning path progress", "progress of my team"],
)
