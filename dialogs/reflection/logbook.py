"""The team logbook (team members): the reflection rounds with their answers and lessons,
search (``logboek excel``), recurring themes, and export as Markdown or CSV."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date

from pydantic import BaseModel, Field

from dialogs.kit import (
    Ask,
    Block,
    CardBlock,
    Choice,
    Choose,
    Dialog,
    Fact,
    FileBlock,
    Flow,
    TextBlock,
    Turn,
    join,
    say,
    user,
)
from dialogs.policy import MANAGERS
from dialogs.reflection.reflection import KIND, LESSON
from dialogs.rounds.port import StoredAnswer
from dialogs.rounds.team_choice import TeamRef, team_ref, team_step
from dialogs.spreadsheets import Cell, csv_bytes
from engine.text import fold, stem, tokens

THEMES = 5
#: rounds shown at once (the latest, or those a search found)
RECENT_ROUNDS = 3
FOUND_ROUNDS = 5
#: words of "logboek zoeken ..." that are no search terms
COMMAND_WORDS = {"logboek", "logbook", "teamlogboek", "team", "zoek", "zoeken", "search",
                 "in", "het", "the", "my", "mijn", "ons", "our", "naar", "for"}
ACTIONS = ("recent", "search", "themes", "markdown", "csv")


class Round(BaseModel):
    run_id: int
    day: date
    entries: list[tuple[str, str, str]]  # (who, question, text)
    lessons: list[tuple[str, str]]  # (who, lesson)


class LogbookState(BaseModel):
    teams: list[TeamRef] = Field(default_factory=list)
    team_id: int | None = None
    query: str = ""
    action: str | None = None  # recent | search | themes | markdown | csv
    empty: bool = False  # the chosen team's logbook has nothing yet: nothing to ask


async def start(turn: Turn, text: str) -> LogbookState:
    """Teams the person leads or belongs to (managers and HR: every team, as for planning);
    "logboek excel" searches at once."""
    everyone = turn.member.role in MANAGERS
    teams = [team_ref(t) for t in await turn.teams.teams(None if everyone else turn.member.user)]
    words = [w for w in text.split() if w.casefold().strip("?!.:") not in COMMAND_WORDS]
    query = " ".join(words)[:100]
    state = LogbookState(teams=teams, query=query, action="search" if query else None)
    return await with_team(turn, state, teams[0].id) if len(teams) == 1 else state


async def with_team(turn: Turn, state: LogbookState, team_id: int) -> LogbookState:
    answers = await turn.rounds.answers(KIND, team_id=team_id)
    return state.model_copy(update={"team_id": team_id, "empty": not any(
        a.shared and a.status == "answered" for a in answers)})


async def pick_team(turn: Turn, state: LogbookState, value: str) -> LogbookState:
    return await with_team(turn, state, int(value))


def nothing_to_ask(state: LogbookState) -> bool:
    return not state.teams or state.empty


def actions(turn: Turn, state: LogbookState) -> list[Choice]:
    return [Choice(value=v, label=say(turn.lang, f"logbook.action.{v}")) for v in ACTIONS]


def pick_action(turn: Turn, state: LogbookState,
                value: str) -> LogbookState | Flow[LogbookState]:
    chosen = state.model_copy(update={"action": value})
    return chosen if value == "search" else Flow(state=chosen, done=True)


def set_query(turn: Turn, state: LogbookState, text: str) -> Flow[LogbookState]:
    return Flow(state=state.model_copy(update={"query": text}), done=True)


# ---------------------------------------------------------------------------- reading


async def rounds_of(turn: Turn, team_id: int) -> list[Round]:
    """The team's rounds, newest first, with what was said (by name) and the lessons."""
    answers = [a for a in await turn.rounds.answers(KIND, team_id=team_id)
               if a.shared and a.status == "answered"]
    names = {m.user: m.name or m.user for m in await turn.people.members()}
    grouped: dict[int, list[StoredAnswer]] = defaultdict(list)
    for answer in answers:
        grouped[answer.run_id or 0].append(answer)
    return [Round(run_id=run_id, day=min(a.created_at for a in items).date(),
                  entries=[(names.get(a.user, a.user), a.question, a.text) for a in items
                           if a.question != LESSON],
                  lessons=[(names.get(a.user, a.user), a.text) for a in items
                           if a.question == LESSON])
            for run_id, items in sorted(grouped.items(), reverse=True)]


def round_card(turn: Turn, item: Round) -> CardBlock:
    facts = [Fact(label=user(who), value=user(text)) for who, _, text in item.entries[:15]]
    facts += [Fact(label=join([say(turn.lang, "reflection.lesson"), " · ", user(who)], ""),
                   value=user(text)) for who, text in item.lessons[:10]]
    return CardBlock(title=say(turn.lang, "logbook.round_title", day=item.day), facts=facts)


def themes(rounds: list[Round]) -> list[tuple[str, int]]:
    """Words (by stem) that come back in at least two rounds: most rounds first, then most
    mentioned."""
    rounds_with: Counter[str] = Counter()
    mentions: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for item in rounds:
        stems = []
        for _, _, text in [*item.entries, *[(who, LESSON, said) for who, said in item.lessons]]:
            for word in tokens(text):
                if len(word) > 3 and not word.isdigit():
                    stems.append(stem(word))
                    shown.setdefault(stem(word), word)
        rounds_with.update(set(stems))
        mentions.update(stems)
    ranked = sorted((s for s, n in rounds_with.items() if n >= 2),
                    key=lambda s: (-rounds_with[s], -mentions[s], s))
    return [(shown[s], rounds_with[s]) for s in ranked[:THEMES]]


def matching(rounds: list[Round], query: str) -> list[Round]:
    """The rounds with what was said about the query's words (by stem)."""
    wanted = {stem(w) for w in tokens(query)}

    def says(text: str) -> bool:
        return bool(wanted & {stem(w) for w in tokens(text)})

    hits = [r.model_copy(update={"entries": [e for e in r.entries if says(e[2])],
                                 "lessons": [e for e in r.lessons if says(e[1])]})
            for r in rounds]
    return [r for r in hits if r.entries or r.lessons]


# ---------------------------------------------------------------------------- exports


def _md(text: str) -> str:
    """User text inside Markdown: no markup of its own, one line."""
    flat = " ".join(text.split())
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+!|" else c for c in flat)


def markdown(lang: str, team: str, rounds: list[Round]) -> str:
    lines = [f"# {say(lang, 'logbook.md_title', team=_md(team)).plain}", ""]
    for item in rounds:
        lines += [f"## {say(lang, 'logbook.round_title', day=item.day).plain}", ""]
        lines += [f"- **{_md(who)}** ({_md(question)}): {_md(text)}"
                  for who, question, text in item.entries]
        lines += [f"- {say(lang, 'logbook.md_lesson', who=_md(who)).plain}: {_md(text)}"
                  for who, text in item.lessons]
        lines.append("")
    return "\n".join(lines)


def as_csv(lang: str, rounds: list[Round]) -> bytes:
    """The logbook for a spreadsheet; names, questions and answers are neutralised so none
    runs as a formula (``dialogs.spreadsheets``)."""
    header = [say(lang, f"logbook.col.{c}").plain for c in ("day", "who", "question", "answer")]
    lesson = say(lang, "reflection.lesson").plain
    rows: list[list[Cell]] = []
    for item in rounds:
        rows += [[item.day, who, question, text] for who, question, text in item.entries]
        rows += [[item.day, who, lesson, text] for who, text in item.lessons]
    return csv_bytes(header, rows)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:60] or "team"


def export(turn: Turn, team: str, rounds: list[Round], form: str) -> list[Block]:
    if form == "markdown":
        file = FileBlock(name=f"logboek-{slug(team)}.md", media_type="text/markdown",
                         data=markdown(turn.lang, team, rounds).encode())
    else:
        file = FileBlock(name=f"logboek-{slug(team)}.csv", media_type="text/csv",
                         data=as_csv(turn.lang, rounds))
    return [file, TextBlock(text=say(turn.lang, "logbook.exported"))]


# ---------------------------------------------------------------------------- showing


def search(turn: Turn, rounds: list[Round], query: str) -> list[Block]:
    hits = matching(rounds, query)
    if not hits:
        return [TextBlock(text=say(turn.lang, "logbook.no_hits", query=query))]
    return [TextBlock(text=say(turn.lang, "logbook.hits", query=query, count=len(hits))),
            *[round_card(turn, r) for r in hits[:FOUND_ROUNDS]]]


def themes_card(turn: Turn, rounds: list[Round]) -> list[Block]:
    found = themes(rounds)
    if not found:
        return [TextBlock(text=say(turn.lang, "logbook.no_themes"))]
    return [CardBlock(title=say(turn.lang, "logbook.themes_title"),
                      facts=[Fact(label=user(word),
                                  value=say(turn.lang, "logbook.rounds", count=n))
                             for word, n in found])]


async def finish(turn: Turn, state: LogbookState) -> list[Block]:
    if state.team_id is None:
        return [TextBlock(text=say(turn.lang, "logbook.no_teams"))]
    team = next(t.name for t in state.teams if t.id == state.team_id)
    rounds = await rounds_of(turn, state.team_id)
    if not rounds:
        return [TextBlock(text=say(turn.lang, "logbook.empty", team=team))]
    if state.action == "search":
        return search(turn, rounds, state.query)
    if state.action == "themes":
        return themes_card(turn, rounds)
    if state.action in {"markdown", "csv"}:
        return export(turn, team, rounds, state.action)
    return [round_card(turn, r) for r in rounds[:RECENT_ROUNDS]]


DIALOG = Dialog(
    id="logbook", title="logbook.title", state=LogbookState, start=start, finish=finish,
    help="logbook.help", menu=120, aliases=["logboek"],
    steps=[
        team_step(handle=pick_team),
        Choose("wat", prompt="logbook.ask_action", options=actions, handle=pick_action,
               skip=lambda turn, state: state.action is not None or nothing_to_ask(state)),
        Ask("zoeken", prompt="logbook.ask_query", handle=set_query,
            skip=lambda turn, state: state.action != "search" or bool(state.query)
            or nothing_to_ask(state)),
    ],
    phrases=["logboek", "teamlogboek", "logboek zoeken", "team logbook"],
)
