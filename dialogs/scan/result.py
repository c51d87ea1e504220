"""How a scan result reads in chat.

* ``summary``: one screen: the verdict (the profile named by its challenge, or "geen duidelijk
  dominant profiel" with the tied challenges), the top 3 with their HIGHLIGHT and OVERLAP
  labels, what the priorities changed, and the chart.
* ``details``: on request: the scores (with the change since the previous scan), the profile's
  story, every note, the top 3 in full and the overview of all actions.
"""

from __future__ import annotations

from collections.abc import Mapping

from dialogs.actions.cards import action_card
from dialogs.kit import Block, CardBlock, ChartBlock, Fact, Rich, TextBlock, Turn, join, plain, say
from dialogs.scan.chart import chart_block, draw
from engine.scan import RankedAction, ScanResult, rank_actions, result_for_scores
from engine.scan_chart import result_chart
from knowledge.actions import load_action_library
from knowledge.scan import load_scan

#: the notes that say what decided the verdict: the summary says that in its own words
VERDICT_NOTES = frozenset({"scan.why.profile", "scan.why.tied", "scan.why.flat",
                           "scan.why.flat_equal"})


def score(scores: Mapping[int, int], priorities: list[int], lang: str) -> ScanResult:
    return result_for_scores(load_action_library(), load_scan(), scores, priorities, lang=lang)


def _title(number: int, lang: str) -> str:
    return load_action_library().challenge(number).title.get(lang)


def verdict(turn: Turn, result: ScanResult) -> Rich:
    """The profile by its challenge's name, or why there is none."""
    lang = turn.lang
    highest, lowest = max(result.scores.values()), min(result.scores.values())
    if result.flat:  # all equal reads as such; the priorities are named only when given
        flat = (say(lang, "scan.verdict.flat_equal", score=highest) if highest == lowest
                else say(lang, "scan.verdict.flat", low=lowest, high=highest))
        leans = "scan.verdict.flat_leans" if result.priorities else "scan.verdict.flat_labels"
        return join([flat, say(lang, leans)], separator=" ")
    if result.tied:
        lines = [say(lang, "scan.verdict.tied_line", challenge=n, title=_title(n, lang))
                 for n in result.tied]
        return join([say(lang, "scan.verdict.tied", count=len(result.tied), score=highest),
                     *lines, say(lang, "scan.verdict.tied_top")])
    assert result.profile is not None
    return say(lang, "scan.verdict.profile", title=_title(result.profile, lang),
               challenge=result.profile, score=highest)


def action_line(turn: Turn, action: RankedAction) -> Rich:
    """One action of the top: its id, its title and its labels, on one line."""
    labels: list[Rich] = []
    if action.highlight:
        labels.append(say(turn.lang, "scan.label_highlight"))
    if action.overlap:
        labels.append(say(turn.lang, "scan.label_overlap",
                          challenges=", ".join(map(str, action.challenges))))
    line = say(turn.lang, "scan.top_line", action=action.id, title=action.title)
    return join([line, *labels], separator=" · ")


def top_block(turn: Turn, result: ScanResult) -> TextBlock:
    lines = [action_line(turn, a) for a in result.top_actions]
    return TextBlock(text=join([say(turn.lang, "scan.top_intro",
                                    count=len(result.top_actions)), *lines]))


def why_lines(turn: Turn, result: ScanResult) -> list[Rich]:
    """What the labels and the priorities did to the top; without priorities, the top it
    would have been."""
    lines = [plain(n.text(turn.lang)) for n in result.notes if n.code not in VERDICT_NOTES]
    if result.priorities:
        plain_top = score(result.scores, [], turn.lang).top_actions
        if [a.id for a in plain_top] != [a.id for a in result.top_actions]:
            lines.append(say(turn.lang, "scan.without_priorities",
                             actions=", ".join(a.id for a in plain_top)))
        else:
            lines.append(say(turn.lang, "scan.priorities_same"))
    return lines


def chart(turn: Turn, result: ScanResult, team: str,
          previous: Mapping[int, int] | None) -> ChartBlock:
    data = result_chart(result, load_action_library(), team=team, previous=previous)
    return chart_block(data, turn.lang, draw(data, turn.lang))


def summary(turn: Turn, result: ScanResult, team: str,
            previous: Mapping[int, int] | None) -> list[Block]:
    """The result on one screen (without the line that says it was saved)."""
    blocks: list[Block] = [TextBlock(text=verdict(turn, result)), top_block(turn, result)]
    why = why_lines(turn, result)
    if why:
        blocks.append(TextBlock(text=join(why)))
    blocks.append(chart(turn, result, team, previous))
    return blocks


def _change(turn: Turn, now: int, before: int | None) -> Rich:
    if before is None:
        return plain("")
    if now == before:
        return say(turn.lang, "scan.same")
    return say(turn.lang, "scan.change", delta=f"{now - before:+d}")


def scores_card(turn: Turn, result: ScanResult, previous: Mapping[int, int] | None,
                previous_date: object | None) -> CardBlock:
    facts = [Fact(label=say(turn.lang, "scan.challenge_label", challenge=n,
                            title=_title(n, turn.lang)),
                  value=say(turn.lang, "scan.score_value", score=result.scores[n])
                  + _change(turn, result.scores[n], (previous or {}).get(n)))
             for n in sorted(result.scores)]
    since = (say(turn.lang, "scan.previous", date=previous_date)
             if previous_date is not None else say(turn.lang, "scan.first"))
    return CardBlock(title=say(turn.lang, "scan.scores_title"), text=since, facts=facts)


def stories(turn: Turn, result: ScanResult) -> list[Block]:
    """The profile's story; on a tie, the story of each tied challenge; none when flat."""
    scan = load_scan()
    numbers = [result.profile] if result.profile is not None else (
        [] if result.flat else result.tied)
    return [CardBlock(title=say(turn.lang, "scan.story_title", challenge=n,
                                title=_title(n, turn.lang)),
                      text=plain(scan.profile(n).description.get(turn.lang)))
            for n in numbers]


def overview(turn: Turn, result: ScanResult) -> list[Block]:
    """Every action, ranked for this result, grouped by challenge (highest barrier first)."""
    library, lang = load_action_library(), turn.lang
    ranked = rank_actions(library, load_scan(), result.scores, None, result.priorities,
                          lang=lang)
    order = {a.id: i for i, a in enumerate(ranked)}
    blocks: list[Block] = [TextBlock(text=say(lang, "scan.overview_intro"))]
    for challenge in sorted(library.challenges,
                            key=lambda c: (-result.scores.get(c.number, 0), c.number)):
        actions = sorted(library.actions_for(challenge.number),
                         key=lambda a: (order.get(a.id, len(order)), a.id))
        heading = say(lang, "scan.overview_heading", challenge=challenge.number,
                      title=challenge.title.get(lang), score=result.scores[challenge.number])
        lines = [plain(f"• {a.id} {a.title.get(lang)}{' ★' if a.highlight else ''}")
                 for a in actions]
        blocks.append(TextBlock(text=join([heading, *lines])))
    blocks.append(TextBlock(text=say(lang, "scan.overview_more")))
    return blocks


def details(turn: Turn, result: ScanResult, previous: Mapping[int, int] | None,
            previous_date: object | None) -> list[Block]:
    library = load_action_library()
    notes = [plain(n.text(turn.lang)) for n in result.notes]
    blocks: list[Block] = [scores_card(turn, result, previous, previous_date),
                           *stories(turn, result), TextBlock(text=join(notes))]
    for action in result.top_actions:
        blocks.extend(action_card(turn, library.action(action.id)))
    return [*blocks, *overview(turn, result)]
