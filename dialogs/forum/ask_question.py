"""Hulpvraag stellen (actions 1.2, 1.3 and 6.4): ask colleagues a question.

Answered questions that resemble it are offered first (the FAQ); otherwise it is posted to the
team's channel (or to the members), and about half of the colleagues who know about it (at
most three) are asked directly, so the load is spread. A question may be anonymous: then
nothing links it to the asker, not even for admins (and the asker cannot be notified).
"""

from __future__ import annotations

import re
from contextlib import suppress

from pydantic import BaseModel, Field

from dialogs.experts.port import Expertise
from dialogs.forum.answered import faq_card, similar
from dialogs.forum.port import ForumQuestion
from dialogs.forum.posts import expert_request, question_key, question_post
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
    InputError,
    Member,
    Rich,
    TextBlock,
    Turn,
    join,
    say,
    user,
)
from engine.competencies import competencies_in
from engine.matching import CONFIDENT_SCORE

MAX_EXPERTS = 3
#: a question's competencies: the confident matches at most this far below the best one
TOPIC_MARGIN = 5.0
MAX_TOPICS = 5
MIN_LENGTH, MAX_LENGTH = 10, 2000
NO_TEAM = "none"
TRIGGERS = ("hulpvraag stellen", "vraag stellen", "vraag", "hulpvraag", "stel een vraag",
            "ask a question", "question", "ask")


class AskState(BaseModel):
    text: str = ""
    similar: list[ForumQuestion] = Field(default_factory=list)
    teams: list[tuple[int, str]] = Field(default_factory=list)
    team_id: int | None = None
    anonymous: bool = False
    resolved: bool = False  # an answered question helped: nothing is posted
    confirmed: bool = False


def how_many_to_ask(candidates: int) -> int:
    """Ask about half of the colleagues who know (at most MAX_EXPERTS), never all of them
    when there are two or more: the next question then starts with the ones not asked now
    (the experts port puts the least recently asked first), so the load is spread."""
    return min(MAX_EXPERTS, (candidates + 1) // 2)


def question_from(text: str) -> str:
    """The question typed along with the command ("vraag hoe maak ik ..."), or "" when the
    text only asked for the dialog ("ik heb een vraag")."""
    words = text.strip()
    for trigger in sorted(TRIGGERS, key=len, reverse=True):
        found = re.match(rf"{re.escape(trigger)}(?!\w)", words, re.IGNORECASE)
        if found:
            words = words[found.end():].strip(" :,-")
            break
    if "?" in words or len(words.split()) >= 5:
        return words
    return ""


async def start(turn: Turn, text: str) -> AskState:
    teams = [(t.id, t.name) for t in await turn.teams.teams(turn.member.user)]
    state = AskState(teams=teams, team_id=teams[0][0] if len(teams) == 1 else None)
    question = question_from(text)
    if len(question) >= MIN_LENGTH:
        with suppress(InputError):  # e.g. far too long: then the question is asked for
            state = await take_question(turn, state, question)
    return state


async def take_question(turn: Turn, state: AskState, text: str) -> AskState:
    if len(text) < MIN_LENGTH:
        raise InputError("ask_question.too_short")
    if len(text) > MAX_LENGTH:
        raise InputError("forum.too_long", max=MAX_LENGTH)
    solved = await turn.forum.questions(status="solved")
    return state.model_copy(update={"text": text, "similar": similar(solved, text)})


def show_similar(turn: Turn, state: AskState) -> list[Block]:
    return [TextBlock(text=say(turn.lang, "ask_question.similar_found")),
            *[faq_card(turn, q) for q in state.similar],
            TextBlock(text=say(turn.lang, "ask_question.did_it_help"))]


def similar_options(turn: Turn, state: AskState) -> list[Choice]:
    return [Choice(value="helped", label=say(turn.lang, "ask_question.helped"),
                   style="primary"),
            Choice(value="ask", label=say(turn.lang, "ask_question.ask_anyway"))]


def on_similar(turn: Turn, state: AskState, value: str) -> AskState | Flow[AskState]:
    if value == "helped":
        return Flow(state=state.model_copy(update={"resolved": True}), done=True)
    return state


def team_options(turn: Turn, state: AskState) -> list[Choice]:
    return [*[Choice(value=str(tid), label=user(name)) for tid, name in state.teams],
            Choice(value=NO_TEAM, label=say(turn.lang, "ask_question.no_team"))]


def pick_team(turn: Turn, state: AskState, value: str) -> AskState:
    return state.model_copy(update={"team_id": None if value == NO_TEAM else int(value)})


def set_anonymous(turn: Turn, state: AskState, yes: bool) -> AskState:
    return state.model_copy(update={"anonymous": yes})


def review(turn: Turn, state: AskState) -> list[Block]:
    team = next((name for tid, name in state.teams if tid == state.team_id), None)
    facts = [Fact(label=say(turn.lang, "ask_question.fact.question"), value=user(state.text)),
             Fact(label=say(turn.lang, "ask_question.fact.where"),
                  value=user(team) if team else say(turn.lang, "ask_question.no_team")),
             Fact(label=say(turn.lang, "ask_question.fact.asker"),
                  value=say(turn.lang, "ask_question.anonymous" if state.anonymous
                            else "ask_question.named"))]
    return [CardBlock(title=say(turn.lang, "ask_question.review_title"), facts=facts),
            TextBlock(text=say(turn.lang, "ask_question.ask_post"))]


def post(turn: Turn, state: AskState, yes: bool) -> Flow[AskState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


# ---------------------------------------------------------------------------- posting


async def competencies_of(turn: Turn, text: str) -> list[str]:
    """The question's topics: the catalogue's confident matches close to the best one, and
    the taxonomy competencies it names."""
    matcher = await turn.catalogue.matcher()
    result = await matcher.match_async(text, k=3)
    found: list[str] = []
    if result.confident and result.best is not None:
        floor = max(CONFIDENT_SCORE, result.best.score - TOPIC_MARGIN)
        found = [m.competency for m in result.matches if m.score >= floor]
    return list(dict.fromkeys([*found, *competencies_in(text)]))[:MAX_TOPICS]


async def experts_to_ask(turn: Turn, topics: list[str]) -> list[Member]:
    """About half of the colleagues who know about the topics, the asker never."""
    if not topics:
        return []
    found: list[Expertise] = await turn.experts.experts(topics, exclude={turn.member.user})
    return [e.member for e in found][:how_many_to_ask(len(found))]


async def send_question(turn: Turn, state: AskState, question: ForumQuestion,
                        experts: list[Member]) -> None:
    """To the team (when asked in one) and to the colleagues asked directly."""
    if state.team_id is not None:
        # an anonymous question reaches the asker too: leaving out the one team member who
        # asked would name them (the deliveries show who got the post)
        await turn.outbox.post_to_team(state.team_id, [question_post(turn.lang, question)],
                                       question_key(question.id),
                                       exclude=None if state.anonymous else turn.member.user)
    for expert in experts:
        request = expert_request(expert.lang or turn.lang, question)
        await turn.outbox.notify(expert.user, [request],
                                 f"{question_key(question.id)}:ask:{expert.user}")


def posted(turn: Turn, state: AskState, experts: list[Member]) -> list[Block]:
    """Where the question went, who was asked, and whether the asker hears of answers."""
    lines: list[Rich] = [say(turn.lang, "ask_question.posted_team" if state.team_id is not None
                             else "ask_question.posted_people")]
    names = ", ".join(m.name or m.user for m in experts)
    lines.append(say(turn.lang, "ask_question.asked_experts", names=names) if experts
                 else say(turn.lang, "ask_question.no_experts"))
    lines.append(say(turn.lang, "ask_question.anonymous_after" if state.anonymous
                     else "ask_question.named_after"))
    return [TextBlock(text=join(lines))]


async def finish(turn: Turn, state: AskState) -> list[Block]:
    if state.resolved:
        return [TextBlock(text=say(turn.lang, "ask_question.glad"))]
    if not state.confirmed:
        return [TextBlock(text=say(turn.lang, "forum.not_posted"))]
    topics = await competencies_of(turn, state.text)
    experts = await experts_to_ask(turn, topics)
    question = await turn.forum.save_question(
        state.text, topics, team_id=state.team_id,
        asker=None if state.anonymous else turn.member.user,
        suggested=[m.user for m in experts])
    await send_question(turn, state, question, experts)
    return posted(turn, state, experts)


DIALOG = Dialog(
    id="ask_question", title="ask_question.title", state=AskState, start=start, finish=finish,
    help="ask_question.help", menu=20, aliases=["vraag"],
    steps=[
        Ask("vraag", prompt="ask_question.ask", handle=take_question,
            skip=lambda turn, state: bool(state.text)),
        Choose("faq", prompt=show_similar, options=similar_options, handle=on_similar,
               skip=lambda turn, state: not state.similar),
        Choose("team", prompt="ask_question.which_team", options=team_options,
               handle=pick_team, skip=lambda turn, state: len(state.teams) < 2),
        Confirm("anoniem", prompt="ask_question.ask_anonymous", handle=set_anonymous,
                help="ask_question.help_anonymous"),
        Confirm("plaatsen", prompt=review, handle=post),
    ],
    phrases=["vraag", "hulpvraag", "hulpvraag stellen", "vraag stellen", "vraag aan collega's",
             "ask a question", "help question"],
)
