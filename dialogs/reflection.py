"""Team reflection (actions 1.1 and 2.2) and the team logbook.

* ``reflectie`` for a lead (without an invitation): plan the team's weekly reflection moment
  (day, time, questions such as "Wat liep er vorige week minder goed, en wat leren we
  daaruit?"); the prompt is posted in the team's channel. For a member (from the prompt's
  button, by typing while a round is open, or by asking for it without leading a team):
  answer, plus one concrete lesson or action (required). Reflection answers are for the team.
* ``logboek`` (team members): the rounds with their answers and lessons, search
  (``logboek excel``), recurring themes, and export as Markdown or CSV.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from typing import Any

from pydantic import BaseModel, Field

from dialogs.kit import (
    Ask,
    Block,
    CardBlock,
    Choice,
    Choose,
    Confirm,
    Dialog,
    Fact,
    FileBlock,
    Flow,
    InputError,
    Rich,
    TextBlock,
    Turn,
    join,
    say,
    user,
)
from dialogs.rounds import (
    RoundState,
    TeamRef,
    answer_facts,
    chosen_questions,
    describe,
    lead_skip,
    open_round,
    parse_time,
    question_options,
    question_prompt,
    round_start,
    take_answer,
    team_step,
    texts_of,
    weekday_choices,
)
from dialogs.services_together import StoredAnswer
from engine.text import fold, stem, tokens
from knowledge.messages import t

KIND = "reflection"
LESSON = "les"  # the question marker of a round's concrete lesson or action
DEFAULT_QUESTIONS = ["reflection-01", "reflection-03"]
THEMES = 5
#: words of "logboek zoeken ..." that are no search terms
COMMAND_WORDS = {"logboek", "logbook", "teamlogboek", "team", "zoek", "zoeken", "search",
                 "in", "het", "the", "my", "mijn", "ons", "our", "naar", "for"}


class ReflectionState(RoundState):
    lesson: str = ""


async def start(turn: Turn, text: str) -> ReflectionState:
    return await round_start(turn, text, KIND, ReflectionState)


async def claims(turn: Turn, text: str) -> str | None:
    return await open_round(turn, KIND)


def team_name(state: ReflectionState) -> str:
    return next((t.name for t in state.teams if t.id == state.team_id), "")


def questions(turn: Turn, state: ReflectionState) -> list[str]:
    return texts_of(KIND, turn.lang, state.question_ids or DEFAULT_QUESTIONS)


def review(turn: Turn, state: ReflectionState) -> list[Block]:
    facts = [Fact(label=say(turn.lang, "checkins.fact.team"), value=user(team_name(state))),
             Fact(label=say(turn.lang, "checkins.fact.when"), value=describe(turn, state.draft)),
             *[Fact(label=say(turn.lang, "checkins.fact.question", number=n + 1),
                    value=user(q)) for n, q in enumerate(questions(turn, state))]]
    return [CardBlock(title=say(turn.lang, "reflection.review_title"), facts=facts),
            TextBlock(text=say(turn.lang, "checkins.ask_save"))]


def done(turn: Turn, state: ReflectionState, yes: bool) -> Flow[ReflectionState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


def ask_question(turn: Turn, state: ReflectionState) -> Rich:
    assert state.answering is not None
    intro = [say(turn.lang, "reflection.answer_intro", team=state.answering.team)] \
        if not state.answering.answers else []
    return join([*intro, question_prompt(turn, state.answering),
                 say(turn.lang, "checkins.skip_hint")])


def on_answer(turn: Turn, state: ReflectionState,
              text: str) -> ReflectionState | Flow[ReflectionState]:
    assert state.answering is not None
    updated = state.model_copy(update={"answering": take_answer(state.answering, text)})
    assert updated.answering is not None
    return updated if updated.answering.done else Flow(state=updated, goto="antwoord")


def on_lesson(turn: Turn, state: ReflectionState, text: str) -> ReflectionState:
    if len(text) > 500:
        raise InputError("rounds.too_long", max=500)
    return state.model_copy(update={"lesson": text})


def review_answer(turn: Turn, state: ReflectionState) -> list[Block]:
    assert state.answering is not None
    facts = answer_facts(turn, state.answering)
    facts.append(Fact(label=say(turn.lang, "reflection.lesson"), value=user(state.lesson)))
    return [CardBlock(title=say(turn.lang, "checkins.your_answers"), facts=facts),
            TextBlock(text=say(turn.lang, "reflection.ask_save_answer"))]


async def finish(turn: Turn, state: ReflectionState) -> list[Block]:
    services = turn.services
    if state.none_open:
        return [TextBlock(text=say(turn.lang, "reflection.none_open"))]
    if state.unknown_run:
        return [TextBlock(text=say(turn.lang, "checkins.unknown_run"))]
    if state.answered_before:
        return [TextBlock(text=say(turn.lang, "reflection.answered"))]
    if state.answering is not None:
        if not state.confirmed:
            return [TextBlock(text=say(turn.lang, "checkins.not_saved_answer"))]
        run = state.answering
        for question, text in zip(run.questions, run.answers, strict=False):
            if text:
                await services.save_answer(turn.workspace, KIND, turn.member.user, question,
                                           text, run_id=run.run_id, team_id=run.team_id,
                                           shared=True)
        await services.save_answer(turn.workspace, KIND, turn.member.user, LESSON,
                                   state.lesson, run_id=run.run_id, team_id=run.team_id,
                                   shared=True)
        return [TextBlock(text=say(turn.lang, "reflection.thanks"))]
    if not state.teams:
        return [TextBlock(text=say(turn.lang, "checkins.no_teams"))]
    if not state.confirmed or state.team_id is None:
        return [TextBlock(text=say(turn.lang, "checkins.not_saved"))]
    await services.save_schedule(turn.workspace, state.team_id, KIND,
                                 state.draft.rule().model_dump(mode="json"),
                                 questions(turn, state), turn.member.user)
    return [TextBlock(text=say(turn.lang, "reflection.saved", when=describe(turn, state.draft),
                               team=team_name(state)))]


REFLECTION = Dialog(
    id="reflectie", title="reflection.title", state=ReflectionState, start=start,
    finish=finish, help="reflection.help", claims=claims,
    steps=[
        team_step(skip=lambda turn, state: lead_skip(turn, state) or state.team_id is not None),
        Choose("dag", prompt=lambda turn, state: say(turn.lang, "rounds.ask_weekday"),
               options=lambda turn, state: weekday_choices(turn),
               handle=lambda turn, state, value: state.model_copy(update={
                   "draft": state.draft.model_copy(update={"weekday": int(value)})}),
               skip=lead_skip),
        Ask("tijd", prompt=lambda turn, state: say(turn.lang, "rounds.ask_time"),
            handle=lambda turn, state, text: state.model_copy(update={
                "draft": state.draft.model_copy(
                    update={"at": parse_time(text).strftime("%H:%M")})}),
            skip=lead_skip),
        Choose("vragen", prompt=lambda turn, state: say(turn.lang, "reflection.ask_questions"),
               options=lambda turn, state: question_options(KIND, turn.lang,
                                                            DEFAULT_QUESTIONS),
               handle=lambda turn, state, values: state.model_copy(
                   update={"question_ids": chosen_questions(values, DEFAULT_QUESTIONS)}),
               multi=True, skip=lead_skip, help="rounds.help_questions"),
        Confirm("bewaren", prompt=review, handle=done, skip=lead_skip),
        Ask("antwoord", prompt=ask_question, handle=on_answer,
            skip=lambda turn, state: state.answering is None or state.answering.done),
        Ask("les", prompt=lambda turn, state: say(turn.lang, "reflection.ask_lesson"),
            handle=on_lesson, skip=lambda turn, state: state.answering is None,
            help="reflection.help_lesson"),
        Confirm("opslaan", prompt=review_answer, handle=done,
                skip=lambda turn, state: state.answering is None),
    ],
)

# ---------------------------------------------------------------------------- logbook


class Round(BaseModel):
    run_id: int
    day: str
    entries: list[tuple[str, str, str]]  # (who, question, text)
    lessons: list[tuple[str, str]]  # (who, lesson)


class LogbookState(BaseModel):
    teams: list[TeamRef] = Field(default_factory=list)
    team_id: int | None = None
    query: str = ""
    action: str | None = None  # recent | search | themes | markdown | csv
    empty: bool = False  # the chosen team's logbook has nothing yet: nothing to ask


async def log_start(turn: Turn, text: str) -> LogbookState:
    """Teams the person leads or belongs to (managers and HR: every team, as for planning);
    "logboek excel" searches at once."""
    everyone = turn.member.role in {"manager", "admin"}
    teams = [TeamRef(id=t.id, name=t.name, size=len(t.members)) for t in
             await turn.services.teams(turn.workspace, None if everyone else turn.member.user)]
    words = [w for w in text.split() if w.casefold().strip("?!.:") not in COMMAND_WORDS]
    query = " ".join(words)[:100]
    state = LogbookState(teams=teams, query=query, action="search" if query else None)
    return await with_team(turn, state, teams[0].id) if len(teams) == 1 else state


async def with_team(turn: Turn, state: LogbookState, team_id: int) -> LogbookState:
    answers = await turn.services.answers(turn.workspace, KIND, team_id=team_id)
    return state.model_copy(update={"team_id": team_id, "empty": not any(
        a.shared and a.status == "answered" for a in answers)})


def nothing_to_ask(state: LogbookState) -> bool:
    return not state.teams or state.empty


def log_actions(turn: Turn, state: LogbookState) -> list[Choice]:
    return [Choice(value=v, label=say(turn.lang, f"logbook.action.{v}"))
            for v in ("recent", "search", "themes", "markdown", "csv")]


def pick_log_action(turn: Turn, state: LogbookState,
                    value: str) -> LogbookState | Flow[LogbookState]:
    chosen = state.model_copy(update={"action": value})
    return chosen if value == "search" else Flow(state=chosen, done=True)


def set_query(turn: Turn, state: LogbookState, text: str) -> Flow[LogbookState]:
    return Flow(state=state.model_copy(update={"query": text}), done=True)


async def rounds_of(turn: Turn, team_id: int) -> list[Round]:
    answers = [a for a in await turn.services.answers(turn.workspace, KIND, team_id=team_id)
               if a.shared and a.status == "answered"]
    names = {m.user: m.name or m.user for m in await turn.services.members(turn.workspace)}
    grouped: dict[int, list[StoredAnswer]] = defaultdict(list)
    for answer in answers:
        grouped[answer.run_id or 0].append(answer)
    found = []
    for run_id, items in sorted(grouped.items(), reverse=True):
        day = min(a.created_at for a in items).date().isoformat()
        found.append(Round(
            run_id=run_id, day=day,
            entries=[(names.get(a.user, a.user), a.question, a.text) for a in items
                     if a.question != LESSON],
            lessons=[(names.get(a.user, a.user), a.text) for a in items if a.question == LESSON]))
    return found


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


def _md(text: str) -> str:
    """User text inside Markdown: no markup of its own, one line."""
    flat = " ".join(text.split())
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+!|" else c for c in flat)


def markdown(lang: str, team: str, rounds: list[Round]) -> str:
    lines = [f"# {t(lang, 'logbook.md_title', team=_md(team))}", ""]
    for item in rounds:
        lines += [f"## {t(lang, 'logbook.round_title', day=item.day)}", ""]
        lines += [f"- **{_md(who)}** ({_md(question)}): {_md(text)}"
                  for who, question, text in item.entries]
        lines += [f"- {t(lang, 'logbook.md_lesson', who=_md(who))}: {_md(text)}"
                  for who, text in item.lessons]
        lines.append("")
    return "\n".join(lines)


def as_csv(lang: str, rounds: list[Round]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t(lang, f"logbook.col.{c}") for c in ("day", "who", "question",
                                                            "answer")])
    lesson = t(lang, "reflection.lesson")
    for item in rounds:
        for who, question, text in item.entries:
            writer.writerow([item.day, _cell(who), _cell(question), _cell(text)])
        for who, text in item.lessons:
            writer.writerow([item.day, _cell(who), lesson, _cell(text)])
    return out.getvalue()


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:60] or "team"


def _cell(text: str) -> str:
    """No formula injection when the CSV is opened in a spreadsheet."""
    return "'" + text if text[:1] in {"=", "+", "-", "@"} else text


async def log_finish(turn: Turn, state: LogbookState) -> list[Block]:
    if state.team_id is None:
        return [TextBlock(text=say(turn.lang, "logbook.no_teams"))]
    team = next(t.name for t in state.teams if t.id == state.team_id)
    rounds = await rounds_of(turn, state.team_id)
    if not rounds:
        return [TextBlock(text=say(turn.lang, "logbook.empty", team=team))]
    if state.action == "search":
        wanted = {stem(w) for w in tokens(state.query)}
        hits = [r.model_copy(update={
            "entries": [e for e in r.entries if wanted & {stem(w) for w in tokens(e[2])}],
            "lessons": [e for e in r.lessons if wanted & {stem(w) for w in tokens(e[1])}]})
            for r in rounds]
        hits = [r for r in hits if r.entries or r.lessons]
        if not hits:
            return [TextBlock(text=say(turn.lang, "logbook.no_hits", query=state.query))]
        return [TextBlock(text=say(turn.lang, "logbook.hits", query=state.query,
                                   count=len(hits))), *[round_card(turn, r) for r in hits[:5]]]
    if state.action == "themes":
        found = themes(rounds)
        if not found:
            return [TextBlock(text=say(turn.lang, "logbook.no_themes"))]
        return [CardBlock(title=say(turn.lang, "logbook.themes_title"),
                          facts=[Fact(label=user(word), value=say(turn.lang, "logbook.rounds",
                                                                  count=n))
                                 for word, n in found])]
    if state.action == "markdown":
        return [FileBlock(name=f"logboek-{slug(team)}.md", media_type="text/markdown",
                          data=markdown(turn.lang, team, rounds).encode()),
                TextBlock(text=say(turn.lang, "logbook.exported"))]
    if state.action == "csv":
        return [FileBlock(name=f"logboek-{slug(team)}.csv", media_type="text/csv",
                          data=as_csv(turn.lang, rounds).encode("utf-8-sig")),
                TextBlock(text=say(turn.lang, "logbook.exported"))]
    return [round_card(turn, r) for r in rounds[:3]]


LOGBOOK = Dialog(
    id="logboek", title="logbook.title", state=LogbookState, start=log_start,
    finish=log_finish, help="logbook.help",
    steps=[
        team_step(handle=lambda turn, state, value: with_team(turn, state, int(value))),
        Choose("wat", prompt=lambda turn, state: say(turn.lang, "logbook.ask_action"),
               options=log_actions, handle=pick_log_action,
               skip=lambda turn, state: state.action is not None or nothing_to_ask(state)),
        Ask("zoeken", prompt=lambda turn, state: say(turn.lang, "logbook.ask_query"),
            handle=set_query,
            skip=lambda turn, state: state.action != "search" or bool(state.query)
            or nothing_to_ask(state)),
    ],
)

DIALOGS: list[Dialog[Any]] = [REFLECTION, LOGBOOK]
PHRASES: dict[str, list[str]] = {
    "reflectie": ["reflectiemoment plannen", "teamreflectie", "wekelijkse reflectie",
                  "team reflection"],
    "logboek": ["logboek", "teamlogboek", "logboek zoeken", "team logbook"],
}
