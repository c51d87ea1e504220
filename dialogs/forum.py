"""The help-question forum and its FAQ (actions 1.2, 4.3, 8.3, 1.3 and 6.4).

* ``vraag``: ask a question. Answered questions that resemble it are offered first (the FAQ);
  otherwise it is posted to the team's channel (or to the members), and about half of the
  colleagues who know about it (at most three) are asked directly, so the load is spread. A
  question may be anonymous: then nothing links it to the asker, not even for admins (and the
  asker cannot be notified).
* ``antwoord``: answer a question (from the "Ik kan helpen" button); the answer goes to the
  question's thread and the asker hears about it.
* ``opgelost``: mark the answer that helped (the asker, or a manager/HR for anonymous
  questions); the question becomes an FAQ entry and the helper is thanked.
* ``faq``: search answered questions. ``openvragen``: the open questions of my teams, those
  asked without a team, and my own.
"""

from __future__ import annotations

import re
from contextlib import suppress
from typing import Any

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from dialogs.invitations import go
from dialogs.kit import (
    Ask,
    Block,
    CardBlock,
    Choice,
    ChoicesBlock,
    Choose,
    Confirm,
    Dialog,
    Fact,
    Flow,
    InputError,
    Message,
    Rich,
    TextBlock,
    Turn,
    join,
    say,
    user,
)
from dialogs.services_together import ForumQuestion
from dialogs.shared import competencies_in
from engine.matching import CONFIDENT_SCORE
from engine.text import stem, tokens

MAX_EXPERTS = 3
#: similarity (0-100, +10 for a shared competency) from which an answered question is offered;
#: calibrated on related and unrelated question pairs in tests/test_forum.py
FAQ_SIMILAR = 70
#: a question's competencies: the confident matches at most this far below the best one
TOPIC_MARGIN = 5.0
MODERATORS = {"manager", "admin"}
TRIGGERS = ("hulpvraag stellen", "vraag stellen", "vraag", "hulpvraag", "stel een vraag",
            "ask a question", "question", "ask")


def _words(text: str) -> str:
    """Normalised, stemmed words ("draaitabellen" and "draaitabel" are the same word)."""
    return " ".join(stem(word) for word in tokens(text))


def similarity(a: str, b: str) -> float:
    return fuzz.token_set_ratio(_words(a), _words(b))


def accepted(question: ForumQuestion) -> str:
    return next((a.text for a in question.answers if a.accepted), "")


def similar(solved: list[ForumQuestion], text: str, limit: int = 3) -> list[ForumQuestion]:
    found = competencies_in(text)
    scored = []
    for question in solved:
        score = similarity(text, question.text)
        if set(found) & set(question.competencies):
            score += 10
        if score >= FAQ_SIMILAR:
            scored.append((score, question.id, question))
    return [q for _, _, q in sorted(scored, key=lambda item: (-item[0], -item[1]))[:limit]]


def faq_card(turn: Turn, question: ForumQuestion) -> CardBlock:
    return CardBlock(title=user(question.text),
                     facts=[Fact(label=say(turn.lang, "forum.answer_label"),
                                 value=user(accepted(question)))])


async def competencies_of(turn: Turn, text: str) -> list[str]:
    matcher = await turn.services.matcher(turn.workspace)
    result = await matcher.match_async(text, k=3)
    found: list[str] = []
    if result.confident and result.best is not None:
        floor = max(CONFIDENT_SCORE, result.best.score - TOPIC_MARGIN)
        found = [m.competency for m in result.matches if m.score >= floor]
    return list(dict.fromkeys([*found, *competencies_in(text)]))[:5]


def how_many_to_ask(candidates: int) -> int:
    """Ask about half of the colleagues who know (at most MAX_EXPERTS), never all of them
    when there are two or more: the next question then starts with the ones not asked now
    (the service puts the least recently asked first), so the load is spread."""
    return min(MAX_EXPERTS, (candidates + 1) // 2)


# ---------------------------------------------------------------------------- ask


class AskState(BaseModel):
    text: str = ""
    similar: list[ForumQuestion] = Field(default_factory=list)
    teams: list[tuple[int, str]] = Field(default_factory=list)
    team_id: int | None = None
    anonymous: bool = False
    resolved: bool = False
    confirmed: bool = False


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


async def ask_start(turn: Turn, text: str) -> AskState:
    teams = [(t.id, t.name) for t in await turn.services.teams(turn.workspace, turn.member.user)]
    state = AskState(teams=teams, team_id=teams[0][0] if len(teams) == 1 else None)
    question = question_from(text)
    if len(question) >= 10:
        with suppress(InputError):  # e.g. far too long: then the question is asked for
            state = await take_question(turn, state, question)
    return state


async def take_question(turn: Turn, state: AskState, text: str) -> AskState:
    if len(text) < 10:
        raise InputError("forum.too_short")
    if len(text) > 2000:
        raise InputError("rounds.too_long", max=2000)
    solved = await turn.services.questions(turn.workspace, status="solved")
    return state.model_copy(update={"text": text, "similar": similar(solved, text)})


def show_similar(turn: Turn, state: AskState) -> list[Block]:
    return [TextBlock(text=say(turn.lang, "forum.similar_found")),
            *[faq_card(turn, q) for q in state.similar],
            TextBlock(text=say(turn.lang, "forum.did_it_help"))]


def similar_options(turn: Turn, state: AskState) -> list[Choice]:
    return [Choice(value="helped", label=say(turn.lang, "forum.helped"), style="primary"),
            Choice(value="ask", label=say(turn.lang, "forum.ask_anyway"))]


def on_similar(turn: Turn, state: AskState, value: str) -> AskState | Flow[AskState]:
    if value == "helped":
        return Flow(state=state.model_copy(update={"resolved": True}), done=True)
    return state


def set_anonymous(turn: Turn, state: AskState, yes: bool) -> AskState:
    return state.model_copy(update={"anonymous": yes})


def review(turn: Turn, state: AskState) -> list[Block]:
    team = next((name for tid, name in state.teams if tid == state.team_id), None)
    facts = [Fact(label=say(turn.lang, "forum.fact.question"), value=user(state.text)),
             Fact(label=say(turn.lang, "forum.fact.where"),
                  value=user(team) if team else say(turn.lang, "forum.no_team")),
             Fact(label=say(turn.lang, "forum.fact.asker"),
                  value=say(turn.lang, "forum.anonymous" if state.anonymous
                            else "forum.named"))]
    return [CardBlock(title=say(turn.lang, "forum.review_title"), facts=facts),
            TextBlock(text=say(turn.lang, "forum.ask_post"))]


def post(turn: Turn, state: AskState, yes: bool) -> Flow[AskState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


def forum_post(lang: str, question: ForumQuestion) -> list[Message]:
    lines: list[Rich] = [say(lang, "forum.post_intro"), user(question.text)]
    if question.competencies:
        lines.append(say(lang, "forum.post_topics", topics=", ".join(question.competencies)))
    return [Message(blocks=[TextBlock(text=join(lines)), ChoicesBlock(choices=[
        Choice(value=go("antwoord", str(question.id)), label=say(lang, "forum.i_can_help"),
               style="primary")])])]


async def ask_finish(turn: Turn, state: AskState) -> list[Block]:
    services, me = turn.services, turn.member
    if state.resolved:
        return [TextBlock(text=say(turn.lang, "forum.glad"))]
    if not state.confirmed:
        return [TextBlock(text=say(turn.lang, "forum.not_posted"))]
    topics = await competencies_of(turn, state.text)
    found = await services.experts(turn.workspace, topics, exclude={me.user}) if topics else []
    experts = [e.member for e in found][:how_many_to_ask(len(found))]
    question = await services.save_question(
        turn.workspace, state.team_id, None if state.anonymous else me.user, state.text,
        topics, [m.user for m in experts])
    if state.team_id is not None:
        # an anonymous question reaches the asker too: leaving out the one team member who
        # asked would name them (the deliveries show who got the post)
        await services.post_to_team(turn.workspace, state.team_id,
                                    forum_post(turn.lang, question), f"forum:q:{question.id}",
                                    exclude=None if state.anonymous else me.user)
    for expert in experts:
        lang = expert.lang or turn.lang
        ask = [Message(blocks=[TextBlock(text=say(lang, "forum.expert_intro")),
                               *forum_post(lang, question)[0].blocks])]
        await services.notify(turn.workspace, expert.user, ask,
                              f"forum:q:{question.id}:ask:{expert.user}")
    where = say(turn.lang, "forum.posted_team") if state.team_id is not None \
        else say(turn.lang, "forum.posted_people")
    names = ", ".join(m.name or m.user for m in experts)
    lines = [where, say(turn.lang, "forum.asked_experts", names=names) if experts
             else say(turn.lang, "forum.no_experts")]
    lines.append(say(turn.lang, "forum.anonymous_after" if state.anonymous
                     else "forum.named_after"))
    return [TextBlock(text=join(lines))]


ASK = Dialog(
    id="vraag", title="forum.title", state=AskState, start=ask_start, finish=ask_finish,
    help="forum.help",
    steps=[
        Ask("vraag", prompt=lambda turn, state: say(turn.lang, "forum.ask_question"),
            handle=take_question, skip=lambda turn, state: bool(state.text)),
        Choose("faq", prompt=show_similar, options=similar_options, handle=on_similar,
               skip=lambda turn, state: not state.similar),
        Choose("team", prompt=lambda turn, state: say(turn.lang, "forum.which_team"),
               options=lambda turn, state: [
                   *[Choice(value=str(tid), label=user(name)) for tid, name in state.teams],
                   Choice(value="none", label=say(turn.lang, "forum.no_team"))],
               handle=lambda turn, state, value: state.model_copy(
                   update={"team_id": None if value == "none" else int(value)}),
               skip=lambda turn, state: len(state.teams) < 2),
        Confirm("anoniem", prompt=lambda turn, state: say(turn.lang, "forum.ask_anonymous"),
                handle=set_anonymous, help="forum.help_anonymous"),
        Confirm("plaatsen", prompt=review, handle=post),
    ],
)

# ---------------------------------------------------------------------------- answer


class AnswerState(BaseModel):
    question: ForumQuestion | None = None
    text: str = ""
    problem: str | None = None  # unknown | solved
    confirmed: bool = False


def number_in(text: str | None) -> int | None:
    digits = "".join(c for c in (text or "") if c.isdigit())
    return int(digits) if digits else None


async def answer_start(turn: Turn, text: str) -> AnswerState:
    number = number_in(turn.argument) or number_in(text)
    question = await turn.services.question(turn.workspace, number) if number else None
    if question is None:
        return AnswerState(problem="unknown")
    if question.status != "open":
        return AnswerState(question=question, problem="solved")
    return AnswerState(question=question)


def ask_answer(turn: Turn, state: AnswerState) -> list[Block]:
    assert state.question is not None
    return [CardBlock(title=say(turn.lang, "forum.the_question"), text=user(state.question.text)),
            TextBlock(text=say(turn.lang, "forum.ask_answer"))]


def take_answer(turn: Turn, state: AnswerState, text: str) -> AnswerState:
    if len(text) < 2:
        raise InputError("input.empty")
    if len(text) > 3000:
        raise InputError("rounds.too_long", max=3000)
    return state.model_copy(update={"text": text})


def answer_review(turn: Turn, state: AnswerState) -> list[Block]:
    return [CardBlock(title=say(turn.lang, "forum.your_answer"), text=user(state.text)),
            TextBlock(text=say(turn.lang, "forum.ask_send_answer"))]


async def answer_finish(turn: Turn, state: AnswerState) -> list[Block]:
    services, me = turn.services, turn.member
    if state.problem is not None:
        return [TextBlock(text=say(turn.lang, f"forum.question_{state.problem}"))]
    if not state.confirmed or state.question is None:
        return [TextBlock(text=say(turn.lang, "forum.not_posted"))]
    question = state.question
    answer = await services.save_forum_answer(turn.workspace, question.id, me.user, state.text)
    name = me.name or me.user
    if question.team_id is not None:
        thread = [Message(blocks=[TextBlock(text=join([
            say(turn.lang, "forum.thread_answer", name=name), user(state.text)]))])]
        await services.post_to_team(turn.workspace, question.team_id, thread,
                                    f"forum:a:{answer.id}", thread_of=f"forum:q:{question.id}",
                                    exclude=me.user)
    if question.asker is not None and question.asker != me.user:
        asker = await services.member(turn.workspace, question.asker, "")
        lang = asker.lang or turn.lang
        await services.notify(turn.workspace, question.asker, [Message(blocks=[
            TextBlock(text=join([say(lang, "forum.answer_for_you", name=name),
                                 user(question.text), user(state.text)])),
            ChoicesBlock(choices=[Choice(value=go("opgelost", str(answer.id)),
                                         label=say(lang, "forum.this_helped"),
                                         style="primary")])])],
            f"forum:a:{answer.id}:asker")
    return [TextBlock(text=say(turn.lang, "forum.answer_sent"))]


ANSWER = Dialog(
    id="antwoord", title="forum.answer_title", state=AnswerState, start=answer_start,
    finish=answer_finish, help="forum.help_answer",
    steps=[
        Ask("antwoord", prompt=ask_answer, handle=take_answer,
            skip=lambda turn, state: state.problem is not None),
        Confirm("versturen", prompt=answer_review,
                handle=lambda turn, state, yes: Flow(
                    state=state.model_copy(update={"confirmed": yes}), done=True),
                skip=lambda turn, state: state.problem is not None),
    ],
)

# ---------------------------------------------------------------------------- accept


class AcceptState(BaseModel):
    question: ForumQuestion | None = None
    answer_id: int | None = None
    problem: str | None = None  # unknown | not_yours | solved
    confirmed: bool = False


async def accept_start(turn: Turn, text: str) -> AcceptState:
    answer_id = number_in(turn.argument) or number_in(text)
    if answer_id is None:
        return AcceptState(problem="unknown")
    found = None
    for question in await turn.services.questions(turn.workspace):
        if any(a.id == answer_id for a in question.answers):
            found = question
    if found is None:
        return AcceptState(problem="unknown")
    moderator = turn.member.role in MODERATORS
    mine = found.asker == turn.member.user
    if not (mine or (found.asker is None and moderator)):
        return AcceptState(problem="not_yours")
    if found.status == "solved":
        return AcceptState(problem="solved")
    return AcceptState(question=found, answer_id=answer_id)


def accept_prompt(turn: Turn, state: AcceptState) -> list[Block]:
    assert state.question is not None
    answer = next(a for a in state.question.answers if a.id == state.answer_id)
    return [CardBlock(title=user(state.question.text),
                      facts=[Fact(label=say(turn.lang, "forum.answer_label"),
                                  value=user(answer.text))]),
            TextBlock(text=say(turn.lang, "forum.ask_accept"))]


async def accept_finish(turn: Turn, state: AcceptState) -> list[Block]:
    services = turn.services
    if state.problem is not None:
        return [TextBlock(text=say(turn.lang, f"forum.accept_{state.problem}"))]
    if not state.confirmed or state.answer_id is None:
        return [TextBlock(text=say(turn.lang, "forum.not_accepted"))]
    question = await services.accept_answer(turn.workspace, state.answer_id)
    assert question is not None
    helper = next(a.author for a in question.answers if a.id == state.answer_id)
    helped = sum(1 for q in await services.questions(turn.workspace, status="solved")
                 for a in q.answers if a.accepted and a.author == helper)
    member = await services.member(turn.workspace, helper, "")
    lang = member.lang or turn.lang
    await services.notify(turn.workspace, helper, [Message(blocks=[TextBlock(text=join([
        say(lang, "forum.thanks_helper", count=helped), user(question.text)]))])],
        f"forum:accepted:{state.answer_id}")
    return [TextBlock(text=say(turn.lang, "forum.accepted"))]


ACCEPT = Dialog(
    id="opgelost", title="forum.accept_title", state=AcceptState, start=accept_start,
    finish=accept_finish, help="forum.help_accept",
    steps=[Confirm("bevestigen", prompt=accept_prompt,
                   handle=lambda turn, state, yes: Flow(
                       state=state.model_copy(update={"confirmed": yes}), done=True),
                   skip=lambda turn, state: state.problem is not None)],
)

# ---------------------------------------------------------------------------- faq, open


class FaqState(BaseModel):
    query: str = ""


async def faq_start(turn: Turn, text: str) -> FaqState:
    words = [w for w in text.split() if w.casefold() not in {"faq", "veelgestelde", "vragen"}]
    return FaqState(query=" ".join(words))


async def faq_finish(turn: Turn, state: FaqState) -> list[Block]:
    solved = await turn.services.questions(turn.workspace, status="solved")
    if not solved:
        return [TextBlock(text=say(turn.lang, "forum.faq_empty"))]
    hits = similar(solved, state.query, limit=5) if state.query else solved[:5]
    if not hits:
        return [TextBlock(text=say(turn.lang, "forum.faq_none", query=state.query)),
                ChoicesBlock(choices=[Choice(value="vraag",
                                             label=say(turn.lang, "forum.ask_it"))])]
    return [TextBlock(text=say(turn.lang, "forum.faq_found")),
            *[faq_card(turn, q) for q in hits]]


FAQ = Dialog(
    id="faq", title="forum.faq_title", state=FaqState, start=faq_start, finish=faq_finish,
    help="forum.help_faq",
    steps=[Ask("zoeken", prompt=lambda turn, state: say(turn.lang, "forum.ask_faq"),
               handle=lambda turn, state, text: state.model_copy(update={"query": text}),
               skip=lambda turn, state: bool(state.query))],
)


class OpenState(BaseModel):
    pass


async def open_finish(turn: Turn, state: OpenState) -> list[Block]:
    services, me = turn.services, turn.member
    mine = {t.id for t in await services.teams(turn.workspace, me.user)}
    moderator = me.role in MODERATORS
    # my teams' questions, questions asked without a team (they went to colleagues who know,
    # and an anonymous asker can only find theirs here), and my own
    questions = [q for q in await services.questions(turn.workspace, "open")
                 if q.team_id in mine or q.team_id is None or q.asker == me.user]
    if not questions:
        return [TextBlock(text=say(turn.lang, "forum.open_none"))]
    blocks: list[Block] = [TextBlock(text=say(turn.lang, "forum.open_intro",
                                              count=len(questions)))]
    for question in questions[:10]:
        choices = [Choice(value=go("antwoord", str(question.id)),
                          label=say(turn.lang, "forum.i_can_help"))]
        # the asker marks the answer that helped; moderators do it for anonymous questions
        if question.asker == me.user or (question.asker is None and moderator):
            choices += [Choice(value=go("opgelost", str(a.id)),
                               label=say(turn.lang, "forum.accept_answer", number=n + 1))
                        for n, a in enumerate(question.answers[:3])]
        facts = [Fact(label=say(turn.lang, "forum.answer_number", number=n + 1),
                      value=user(a.text)) for n, a in enumerate(question.answers[:3])]
        blocks += [CardBlock(title=user(question.text), facts=facts),
                   ChoicesBlock(choices=choices)]
    return blocks


OPEN = Dialog(id="openvragen", title="forum.open_title", state=OpenState,
              finish=open_finish, help="forum.help_open", steps=[])

DIALOGS: list[Dialog[Any]] = [ASK, ANSWER, ACCEPT, FAQ, OPEN]
PHRASES: dict[str, list[str]] = {
    "vraag": ["hulpvraag", "hulpvraag stellen", "vraag stellen", "vraag aan collega's",
              "ask a question", "help question"],
    "antwoord": ["vraag beantwoorden", "answer a question"],
    "opgelost": ["antwoord hielp", "mark as solved"],
    "faq": ["faq", "veelgestelde vragen", "frequently asked questions"],
    "openvragen": ["open vragen", "open hulpvragen", "open questions"],
}
