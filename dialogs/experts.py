"""The expertise directory (actions 6.1, 6.4 and 6.5).

* ``experts`` (everyone): "wie kan helpen met excel": colleagues whose profile, kennisrondje
  answers or accepted forum answers show the topic, with why; people who opted out never.
* ``matrix`` (managers, HR): a team's competency matrix as an XLSX file, with levels
  basis / gebruiker / expert and the contact points.
"""

from __future__ import annotations

import re
from typing import Any

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
    InputError,
    Rich,
    TextBlock,
    Turn,
    join,
    say,
    user,
)
from dialogs.matrix_export import Evidence, workbook
from dialogs.rounds import TeamRef, organisable, team_step
from dialogs.shared import competencies_in

SHOWN = 5
TRIGGERS = ("wie kan helpen met", "wie kan me helpen met", "wie weet iets over", "wie kan helpen",
            "expert zoeken", "experts zoeken", "who can help with", "who knows about",
            "who can help", "find an expert", "experts", "expert")
EXPERTS_OPT_OUT = "experts"  # MemberDetails.opt_out: not to be suggested as an expert
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExpertsState(BaseModel):
    text: str = ""
    unknown: str = ""  # a topic typed with the command that I did not recognise
    options: list[str] = Field(default_factory=list)  # "bedoel je ...?" candidates
    competencies: list[str] = Field(default_factory=list)


def topic_of(text: str) -> str:
    """The topic after the command ("wie kan helpen met excel" -> "excel")."""
    typed = text.strip()
    for trigger in sorted(TRIGGERS, key=len, reverse=True):
        found = re.match(rf"{re.escape(trigger)}(?!\w)", typed, re.IGNORECASE)
        if found:
            return typed[found.end():].strip(" ?:")
    return typed


async def start(turn: Turn, text: str) -> ExpertsState:
    topic = topic_of(text)
    if not topic:
        return ExpertsState()
    try:
        return await with_topic(turn, ExpertsState(), topic)
    except InputError:  # not a topic I know: say so and ask for it
        return ExpertsState(unknown=topic)


def ask_topic(turn: Turn, state: ExpertsState) -> Rich:
    question = say(turn.lang, "experts.ask_topic")
    if state.unknown:
        return join([say(turn.lang, "experts.no_topic", text=state.unknown), question])
    return question


async def with_topic(turn: Turn, state: ExpertsState, text: str) -> ExpertsState:
    matcher = await turn.services.matcher(turn.workspace)
    result = await matcher.match_async(text, k=3)
    found = list(dict.fromkeys(competencies_in(text)))
    if result.confident:
        return state.model_copy(update={"text": text, "competencies": list(dict.fromkeys(
            [result.matches[0].competency, *found]))[:3]})
    if found:
        return state.model_copy(update={"text": text, "competencies": found[:3]})
    options = [m.competency for m in result.matches][:3]
    if not options:
        raise InputError("experts.no_topic", text=text)
    return state.model_copy(update={"text": text, "options": options})


async def take_topic(turn: Turn, state: ExpertsState, text: str) -> ExpertsState:
    return await with_topic(turn, state, text)


def pick_option(turn: Turn, state: ExpertsState,
                value: str) -> ExpertsState | Flow[ExpertsState]:
    if value == "none":  # back to the topic question, to type it in other words
        return Flow(state=ExpertsState(), goto="onderwerp",
                    say=[TextBlock(text=say(turn.lang, "experts.try_other_words"))])
    return state.model_copy(update={"competencies": [value]})


async def finish(turn: Turn, state: ExpertsState) -> list[Block]:
    experts = await turn.services.experts(turn.workspace, state.competencies,
                                          exclude={turn.member.user})
    topics = ", ".join(state.competencies)
    if not experts:
        return [TextBlock(text=join([say(turn.lang, "experts.none", topics=topics),
                                     say(turn.lang, "experts.ask_forum")]))]
    facts = []
    for expert in experts[:SHOWN]:
        sources = ", ".join(say(turn.lang, f"experts.source.{s}").plain for s in expert.sources)
        why = say(turn.lang, "experts.why", competencies=", ".join(expert.competencies),
                  sources=sources)
        if expert.helped:
            why = join([why, say(turn.lang, "experts.helped", count=expert.helped)], " ")
        facts.append(Fact(label=user(expert.member.name or expert.member.user), value=why))
    return [CardBlock(title=say(turn.lang, "experts.found", topics=topics), facts=facts),
            TextBlock(text=say(turn.lang, "experts.tip"))]


EXPERTS = Dialog(
    id="experts", title="experts.title", state=ExpertsState, start=start, finish=finish,
    help="experts.help",
    steps=[
        Ask("onderwerp", prompt=ask_topic, handle=take_topic,
            skip=lambda turn, state: bool(state.competencies or state.options)),
        Choose("bedoel", prompt=lambda turn, state: say(turn.lang, "experts.did_you_mean"),
               options=lambda turn, state: [
                   *[Choice(value=o, label=user(o)) for o in state.options],
                   Choice(value="none", label=say(turn.lang, "experts.none_of_these"))],
               handle=pick_option, skip=lambda turn, state: bool(state.competencies)),
    ],
)

# ---------------------------------------------------------------------------- matrix


class MatrixState(BaseModel):
    teams: list[TeamRef] = Field(default_factory=list)
    team_id: int | None = None


async def matrix_start(turn: Turn, text: str) -> MatrixState:
    teams = organisable(await turn.services.teams(turn.workspace), turn)
    return MatrixState(teams=teams, team_id=teams[0].id if len(teams) == 1 else None)


async def evidence_of(turn: Turn, team_id: int) -> tuple[str, list[Evidence]]:
    services = turn.services
    team = await services.team(turn.workspace, team_id)
    assert team is not None
    names = {m.user: m.name or m.user for m in await services.members(turn.workspace)}
    solved = await services.questions(turn.workspace, status="solved")
    people = []
    for member in team.members:
        details = await services.member_details(turn.workspace, member)
        profile = await services.profile(turn.workspace, member)
        answers = await services.answers(turn.workspace, "kennisrondje", user=member)
        accepted: dict[str, int] = {}
        for question in solved:
            if any(a.accepted and a.author == member for a in question.answers):
                for competency in question.competencies:
                    accepted[competency] = accepted.get(competency, 0) + 1
        people.append(Evidence(
            name=names.get(member, member),
            profile=set(profile.competencies) if profile else set(),
            kennisrondje={c for a in answers for c in competencies_in(a.text)},
            accepted=accepted,
            wants=set(competencies_in(profile.wants_to_grow)) if profile else set(),
            contact=EXPERTS_OPT_OUT not in details.opt_out))
    return team.name, people


async def matrix_finish(turn: Turn, state: MatrixState) -> list[Block]:
    if state.team_id is None:
        return [TextBlock(text=say(turn.lang, "experts.matrix_no_teams"))]
    name, people = await evidence_of(turn, state.team_id)
    headers = {key: say(turn.lang, f"experts.matrix.{key}").plain
               for key in ("title", "name", "contact")}
    data = workbook(name, people, headers)
    return [FileBlock(name=f"competentiematrix-{name}.xlsx", media_type=XLSX, data=data),
            TextBlock(text=say(turn.lang, "experts.matrix_ready", count=len(people)))]


MATRIX = Dialog(
    id="matrix", title="experts.matrix_title", state=MatrixState, start=matrix_start,
    finish=matrix_finish, help="experts.help_matrix", roles=frozenset({"manager", "admin"}),
    steps=[team_step()],
)

DIALOGS: list[Dialog[Any]] = [EXPERTS, MATRIX]
PHRASES: dict[str, list[str]] = {
    "experts": ["wie kan helpen met", "wie weet iets over", "expert zoeken",
                "who can help with", "find an expert"],
    "matrix": ["competentiematrix", "competentie matrix", "skills matrix", "competency matrix"],
}
