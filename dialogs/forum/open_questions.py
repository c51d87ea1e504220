"""Open vragen (action 1.2): the open questions of my teams, those asked without a team (they
went to colleagues who know, and an anonymous asker can only find theirs here) and my own, with
the answers so far; a button to answer each, and for the asker (or a manager or HR, for an
anonymous question) buttons to mark the answer that solved it."""

from __future__ import annotations

from pydantic import BaseModel

from dialogs.forum.accept_answer import may_accept
from dialogs.forum.port import ForumQuestion
from dialogs.forum.posts import ACCEPT_DIALOG, ANSWER_DIALOG
from dialogs.invitations import go
from dialogs.kit import (
    Block,
    CardBlock,
    Choice,
    ChoicesBlock,
    Dialog,
    Fact,
    TextBlock,
    Turn,
    say,
    user,
)

SHOWN_QUESTIONS = 10
SHOWN_ANSWERS = 3


class OpenState(BaseModel):
    pass


def question_blocks(turn: Turn, question: ForumQuestion) -> list[Block]:
    """The question with its first answers, and its buttons."""
    answers = question.answers[:SHOWN_ANSWERS]
    choices = [Choice(value=go(ANSWER_DIALOG, str(question.id)),
                      label=say(turn.lang, "forum.i_can_help"))]
    if may_accept(turn.member, question):
        choices += [Choice(value=go(ACCEPT_DIALOG, str(a.id)),
                           label=say(turn.lang, "open_questions.accept_answer", number=n))
                    for n, a in enumerate(answers, start=1)]
    facts = [Fact(label=say(turn.lang, "open_questions.answer_number", number=n),
                  value=user(a.text)) for n, a in enumerate(answers, start=1)]
    return [CardBlock(title=user(question.text), facts=facts), ChoicesBlock(choices=choices)]


async def finish(turn: Turn, state: OpenState) -> list[Block]:
    me = turn.member
    mine = {t.id for t in await turn.teams.teams(me.user)}
    questions = [q for q in await turn.forum.questions(status="open")
                 if q.team_id in mine or q.team_id is None or q.asker == me.user]
    if not questions:
        return [TextBlock(text=say(turn.lang, "open_questions.none"))]
    blocks: list[Block] = [TextBlock(text=say(turn.lang, "open_questions.intro",
                                              count=len(questions)))]
    for question in questions[:SHOWN_QUESTIONS]:
        blocks += question_blocks(turn, question)
    return blocks


DIALOG = Dialog(
    id="open_questions", title="open_questions.title", state=OpenState, finish=finish,
    help="open_questions.help", aliases=["openvragen"], steps=[],
    phrases=["openvragen", "open vragen", "open hulpvragen", "open questions"],
)
