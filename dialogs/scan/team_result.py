"""The result of a team-scan round, as the manager sees it: nothing but the head count below
``MIN_GROUP`` respondents; from there the mean and the spread per challenge, the team's
profile and top 3 read from the means, the change since the previous round of the same team
and a trend chart over the rounds. Showing a result closes its round."""

from __future__ import annotations

from dialogs.kit import (
    Block,
    CardBlock,
    ChartBlock,
    Fact,
    Rich,
    TextBlock,
    Turn,
    join,
    say,
    user,
)
from dialogs.policy import MIN_GROUP
from dialogs.scan import result as shown
from dialogs.scan.chart import chart_block, draw
from dialogs.scan.port import TeamScanRound
from engine.scan_chart import number_text, trend_chart, values_text
from engine.scan_team import TeamRound, aggregate_round, compare_rounds
from knowledge.actions import load_action_library
from knowledge.base import LANGS, Text

#: rounds drawn in the trend chart (the newest, this one included)
TREND_ROUNDS = 4


def target_label_in(lang: str, name: str) -> Rich:
    """A round's audience: the team's name, or "the whole organisation"."""
    return user(name) if name else say(lang, "scan.round.organisation")


def same_audience(one: TeamScanRound, other: TeamScanRound) -> bool:
    return one.team_id == other.team_id and (one.team_id is not None or one.team == other.team)


def signed(value: float, lang: str) -> str:
    return ("+" if value > 0 else "-" if value < 0 else "±") + number_text(abs(value), lang)


def hidden_blocks(turn: Turn, found: TeamScanRound) -> list[Block]:
    lines = [say(turn.lang, "scan.round.hidden", team=target_label_in(turn.lang, found.team),
                 date=found.sent_at, minimum=MIN_GROUP)]
    if found.invited >= MIN_GROUP:
        lines.append(say(turn.lang, "scan.round.answered_so_far", count=found.respondents,
                         invited=found.invited))
    return [TextBlock(text=join(lines))]


def summary_card(turn: Turn, found: TeamScanRound, current: TeamRound,
                 before: tuple[TeamScanRound, TeamRound] | None) -> CardBlock:
    library, lang = load_action_library(), turn.lang
    trend = compare_rounds(before[1], current) if before is not None else None
    deltas = {c.challenge: c.delta for c in trend.changes} if trend is not None else {}
    facts = []
    for item in current.challenges:
        value = say(lang, "scan.round.fact", mean=number_text(item.mean, lang), low=item.low,
                    high=item.high, stdev=number_text(item.stdev, lang))
        if item.challenge in deltas:
            value = value + say(lang, "scan.round.fact_change",
                                delta=signed(deltas[item.challenge], lang))
        facts.append(Fact(label=say(lang, "scan.challenge_label", challenge=item.challenge,
                                    title=library.challenge(item.challenge).title.get(lang)),
                          value=value))
    if before is None:
        since = say(lang, "scan.round.first_round")
    elif trend is not None and trend.hidden:
        since = say(lang, "scan.round.previous_hidden", date=before[0].sent_at,
                    minimum=MIN_GROUP)
    else:
        since = say(lang, "scan.round.previous", date=before[0].sent_at)
    title = say(lang, "scan.round.result_title", team=target_label_in(lang, found.team),
                date=found.sent_at, count=current.respondents)
    return CardBlock(title=title, text=join([say(lang, "scan.round.legend"), since]),
                     facts=facts)


def round_name(found: TeamScanRound) -> Text:
    return Text(**{lang: say(lang, "scan.round.round_date", date=found.sent_at).plain
                   for lang in LANGS})


def trend_block(turn: Turn, found: TeamScanRound,
                rounds: list[tuple[TeamScanRound, TeamRound]]) -> ChartBlock:
    """The shown rounds (oldest first) as grouped bars of their means."""
    library = load_action_library()
    chart = trend_chart([(round_name(r), summary) for r, summary in rounds], library,
                        team=found.team)
    shown_rounds = [summary for _, summary in rounds if not summary.hidden]
    means = shown_rounds[-1].means()
    numbers = sorted(means)
    alt = say(turn.lang, "scan.round.trend_alt", count=len(shown_rounds),
              team=target_label_in(turn.lang, found.team),
              values=values_text(numbers, [means[n] for n in numbers], turn.lang))
    newest = rounds[-1][1]
    spread = (Text(**{lang: say(lang, "scan.round.spread_legend").plain for lang in LANGS}),
              [(float(c.low), float(c.high)) for c in newest.challenges])
    return chart_block(chart, turn.lang, draw(chart, turn.lang, spread), alt=alt,
                       name="teamscan.png")


async def history(turn: Turn, found: TeamScanRound) -> list[tuple[TeamScanRound, TeamRound]]:
    """The earlier rounds for the same team (newest first, at most TREND_ROUNDS - 1)."""
    earlier = [r for r in await turn.team_scans.rounds()
               if same_audience(r, found) and r.id != found.id
               and (r.sent_at, r.id) < (found.sent_at, found.id)]
    return [(r, aggregate_round(await turn.team_scans.responses(r.id)))
            for r in earlier[:TREND_ROUNDS - 1]]


async def round_result(turn: Turn, round_id: int) -> list[Block]:
    found = await turn.team_scans.round(round_id)
    if found is None:
        return [TextBlock(text=say(turn.lang, "scan.round.no_rounds"))]
    current = aggregate_round(await turn.team_scans.responses(round_id))
    if current.hidden:
        return hidden_blocks(turn, found)
    blocks: list[Block] = []
    if not found.closed:
        await turn.team_scans.close_round(round_id)
        blocks.append(TextBlock(text=say(turn.lang, "scan.round.closed_now")))
    earlier = await history(turn, found)
    means = {c.challenge: round(c.mean) for c in current.challenges}
    result = shown.score(means, [], turn.lang)
    blocks += [summary_card(turn, found, current, earlier[0] if earlier else None),
               TextBlock(text=join([say(turn.lang, "scan.round.from_means"),
                                    shown.verdict(turn, result)])),
               shown.top_block(turn, result),
               trend_block(turn, found, [*reversed(earlier), (found, current)])]
    return blocks



