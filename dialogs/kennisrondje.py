"""Kennisrondje (action 6.2): every team member answers a few questions such as "Waarvoor mag
men jou bellen?", so colleagues know whom to ask. The answers are named and shared with the
team by design, and feed the expertise directory ("wie kan helpen met ...").

* ``kennisrondje`` for a lead (without an invitation): pick the team and the questions, then
  start it now or plan it; for a member (from the invitation, by typing an answer while one
  is open, or by asking for it without leading a team): answer the questions.
* ``kennisoverzicht`` (leads, managers, HR): who can be called about what. The answers are
  named and shared on purpose, so they are listed; the participation of the latest round is
  only shown from MIN_GROUP recipients on.
"""

from __future__ import annotations

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
    Flow,
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
    organisable,
    parse_time,
    participation,
    question_options,
    question_prompt,
    round_start,
    take_answer,
    team_step,
    texts_of,
    weekday_choices,
)

KIND = "kennisrondje"
DEFAULT_QUESTIONS = ["kennisrondje-01", "kennisrondje-02", "kennisrondje-06"]


class RondjeState(RoundState):
    when: str | None = None  # now | weekly | biweekly | monthly


async def start(turn: Turn, text: str) -> RondjeState:
    return await round_start(turn, text, KIND, RondjeState)


async def claims(turn: Turn, text: str) -> str | None:
    return await open_round(turn, KIND)


def set_team(turn: Turn, state: RondjeState, value: str) -> RondjeState:
    return state.model_copy(update={"team_id": int(value)})


def set_questions(turn: Turn, state: RondjeState, values: list[str]) -> RondjeState:
    return state.model_copy(update={"question_ids": chosen_questions(values,
                                                                     DEFAULT_QUESTIONS)})


def when_options(turn: Turn, state: RondjeState) -> list[Choice]:
    return [Choice(value="now", label=say(turn.lang, "kennisrondje.when.now"), style="primary"),
            *[Choice(value=f, label=say(turn.lang, f"rounds.frequency.{f}"))
              for f in ("weekly", "biweekly", "monthly")]]


def set_when(turn: Turn, state: RondjeState, value: str) -> RondjeState:
    draft = state.draft.model_copy(update={"frequency": value if value != "now" else "weekly"})
    return state.model_copy(update={"when": value, "draft": draft})


def planned(turn: Turn, state: RondjeState) -> bool:
    return not lead_skip(turn, state) and state.when not in (None, "now")


def set_weekday(turn: Turn, state: RondjeState, value: str) -> RondjeState:
    return state.model_copy(update={"draft": state.draft.model_copy(
        update={"weekday": int(value)})})


def planned_skip(turn: Turn, state: RondjeState) -> bool:
    return not planned(turn, state)


def set_time(turn: Turn, state: RondjeState, text: str) -> RondjeState:
    return state.model_copy(update={"draft": state.draft.model_copy(
        update={"at": parse_time(text).strftime("%H:%M")})})


def team_name(state: RondjeState) -> str:
    return next((t.name for t in state.teams if t.id == state.team_id), "")


def questions(turn: Turn, state: RondjeState) -> list[str]:
    return texts_of(KIND, turn.lang, state.question_ids or DEFAULT_QUESTIONS)


def review(turn: Turn, state: RondjeState) -> list[Block]:
    when: Rich = say(turn.lang, "kennisrondje.when.now") if state.when == "now" \
        else describe(turn, state.draft)
    facts = [Fact(label=say(turn.lang, "checkins.fact.team"), value=user(team_name(state))),
             Fact(label=say(turn.lang, "checkins.fact.when"), value=when),
             *[Fact(label=say(turn.lang, "checkins.fact.question", number=n + 1),
                    value=user(q)) for n, q in enumerate(questions(turn, state))]]
    return [CardBlock(title=say(turn.lang, "kennisrondje.review_title"), facts=facts),
            TextBlock(text=say(turn.lang, "kennisrondje.ask_start"))]


def confirm(turn: Turn, state: RondjeState, yes: bool) -> Flow[RondjeState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


def ask_question(turn: Turn, state: RondjeState) -> Rich:
    assert state.answering is not None
    intro = [say(turn.lang, "kennisrondje.answer_intro", team=state.answering.team)] \
        if not state.answering.answers else []
    return join([*intro, question_prompt(turn, state.answering),
                 say(turn.lang, "checkins.skip_hint")])


def on_answer(turn: Turn, state: RondjeState, text: str) -> RondjeState | Flow[RondjeState]:
    assert state.answering is not None
    updated = state.model_copy(update={"answering": take_answer(state.answering, text)})
    assert updated.answering is not None
    if not updated.answering.done:
        return Flow(state=updated, goto="antwoord")
    return updated


def answering_skip(turn: Turn, state: RondjeState) -> bool:
    return state.answering is None or state.answering.done


def review_answers(turn: Turn, state: RondjeState) -> list[Block]:
    assert state.answering is not None
    facts = answer_facts(turn, state.answering)
    return [CardBlock(title=say(turn.lang, "checkins.your_answers"), facts=facts),
            TextBlock(text=say(turn.lang, "kennisrondje.ask_save_answers"))]


async def finish(turn: Turn, state: RondjeState) -> list[Block]:
    services = turn.services
    if state.none_open:
        return [TextBlock(text=say(turn.lang, "kennisrondje.none_open"))]
    if state.unknown_run:
        return [TextBlock(text=say(turn.lang, "checkins.unknown_run"))]
    if state.answered_before:
        return [TextBlock(text=say(turn.lang, "checkins.already_answered"))]
    if state.answering is not None:
        if not state.confirmed:
            return [TextBlock(text=say(turn.lang, "checkins.not_saved_answer"))]
        run = state.answering
        if not any(run.answers):  # all skipped: close the invitation, keep nothing
            await services.save_answer(turn.workspace, KIND, turn.member.user, "", "",
                                       run_id=run.run_id, team_id=run.team_id,
                                       status="skipped")
            return [TextBlock(text=say(turn.lang, "kennisrondje.all_skipped"))]
        for question, text in zip(run.questions, run.answers, strict=False):
            if text:
                await services.save_answer(turn.workspace, KIND, turn.member.user, question,
                                           text, run_id=run.run_id, team_id=run.team_id,
                                           shared=True)
        return [TextBlock(text=say(turn.lang, "kennisrondje.thanks"))]
    if not state.teams:
        return [TextBlock(text=say(turn.lang, "checkins.no_teams"))]
    if not state.confirmed or state.team_id is None:
        return [TextBlock(text=say(turn.lang, "checkins.not_saved"))]
    if state.when == "now":
        run = await services.start_run(turn.workspace, KIND, state.team_id,
                                       {"questions": questions(turn, state)}, turn.member.user)
        return [TextBlock(text=say(turn.lang, "kennisrondje.started", count=run.total,
                                   team=team_name(state)))]
    await services.save_schedule(turn.workspace, state.team_id, KIND,
                                 state.draft.rule().model_dump(mode="json"),
                                 questions(turn, state), turn.member.user)
    return [TextBlock(text=say(turn.lang, "checkins.saved", when=describe(turn, state.draft),
                               team=team_name(state)))]


RONDJE = Dialog(
    id="kennisrondje", title="kennisrondje.title", state=RondjeState, start=start,
    finish=finish, help="kennisrondje.help", claims=claims,
    steps=[
        team_step(handle=set_team, skip=lambda turn, state: lead_skip(turn, state)
                  or state.team_id is not None),
        Choose("vragen", prompt=lambda turn, state: say(turn.lang, "kennisrondje.ask_questions"),
               options=lambda turn, state: question_options(KIND, turn.lang,
                                                            DEFAULT_QUESTIONS),
               handle=set_questions, multi=True, skip=lead_skip,
               help="rounds.help_questions"),
        Choose("wanneer", prompt=lambda turn, state: say(turn.lang, "kennisrondje.ask_when"),
               options=when_options, handle=set_when, skip=lead_skip),
        Choose("dag", prompt=lambda turn, state: say(turn.lang, "rounds.ask_weekday"),
               options=lambda turn, state: weekday_choices(turn), handle=set_weekday,
               skip=planned_skip),
        Ask("tijd", prompt=lambda turn, state: say(turn.lang, "rounds.ask_time"),
            handle=set_time, skip=planned_skip),
        Confirm("starten", prompt=review, handle=confirm, skip=lead_skip),
        Ask("antwoord", prompt=ask_question, handle=on_answer, skip=answering_skip,
            help="kennisrondje.help_answer"),
        Confirm("bewaren", prompt=review_answers, handle=confirm,
                skip=lambda turn, state: state.answering is None),
    ],
)

# ---------------------------------------------------------------------------- summary


class SummaryState(BaseModel):
    teams: list[TeamRef] = Field(default_factory=list)
    team_id: int | None = None


async def summary_start(turn: Turn, text: str) -> SummaryState:
    teams = organisable(await turn.services.teams(turn.workspace), turn)
    return SummaryState(teams=teams, team_id=teams[0].id if len(teams) == 1 else None)


async def summary_finish(turn: Turn, state: SummaryState) -> list[Block]:
    services = turn.services
    if state.team_id is None:
        return [TextBlock(text=say(turn.lang, "checkins.no_teams"))]
    runs = [r for r in await services.runs(turn.workspace, limit=200)
            if r.kind == KIND and r.team_id == state.team_id]
    if not runs:
        return [TextBlock(text=say(turn.lang, "kennisrondje.no_rounds"))]
    latest = runs[0]
    answers = await services.answers(turn.workspace, KIND, team_id=state.team_id)
    names = {m.user: m.name or m.user for m in await services.members(turn.workspace)}
    answers = [a for a in answers if a.shared and a.status == "answered"]
    by_person: dict[str, list[str]] = {}
    for answer in answers:
        by_person.setdefault(answer.user, []).append(answer.text)
    facts = [Fact(label=user(names.get(person, person)), value=user(" · ".join(texts)[:600]))
             for person, texts in sorted(by_person.items(),
                                         key=lambda item: names.get(item[0], item[0]))]
    in_latest = len({a.user for a in answers if a.run_id == latest.id})
    return [CardBlock(title=say(turn.lang, "kennisrondje.summary_title"),
                      text=participation(turn, latest, in_latest), facts=facts[:40]),
            TextBlock(text=say(turn.lang, "kennisrondje.summary_hint"))]


SUMMARY = Dialog(
    id="kennisoverzicht", title="kennisrondje.summary_dialog", state=SummaryState,
    start=summary_start, finish=summary_finish, help="kennisrondje.help_summary",
    steps=[
        team_step(),
    ],
)

DIALOGS: list[Dialog[Any]] = [RONDJE, SUMMARY]
PHRASES: dict[str, list[str]] = {
    "kennisrondje": ["kennisrondje starten", "kennisronde", "waarvoor mag men jou bellen",
                     "knowledge round"],
    "kennisoverzicht": ["kennisrondje overzicht", "antwoorden kennisrondje",
                        "knowledge round summary"],
}
