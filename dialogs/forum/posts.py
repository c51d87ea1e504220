"""What the forum sends on its own initiative, in the recipient's language: the question in the
team's channel and to the colleagues asked directly, an answer in the question's thread and to
the asker, and the thanks to the helper. Their buttons start the dialog that takes it further
("go:<dialog>:<argument>")."""

from __future__ import annotations

from dialogs.forum.port import ForumQuestion
from dialogs.invitations import go
from dialogs.kit import Choice, ChoicesBlock, Message, Rich, TextBlock, join, say, user
from engine.competencies import labels

ANSWER_DIALOG = "answer_question"
ACCEPT_DIALOG = "accept_answer"


def question_key(question_id: int) -> str:
    """The delivery key of a question's post (answers are threaded under it)."""
    return f"forum:q:{question_id}"


def answer_key(answer_id: int) -> str:
    return f"forum:a:{answer_id}"


def question_post(lang: str, question: ForumQuestion) -> Message:
    """The question, its topics and an "I can help" button."""
    lines: list[Rich] = [say(lang, "forum.post_intro"), user(question.text)]
    if question.competencies:
        lines.append(say(lang, "forum.post_topics", topics=labels(question.competencies, lang)))
    return Message(blocks=[TextBlock(text=join(lines)), ChoicesBlock(choices=[
        Choice(value=go(ANSWER_DIALOG, str(question.id)), label=say(lang, "forum.i_can_help"),
               style="primary")])])


def expert_request(lang: str, question: ForumQuestion) -> Message:
    """The question to a colleague who knows about it."""
    post = question_post(lang, question)
    return Message(blocks=[TextBlock(text=say(lang, "forum.expert_intro")), *post.blocks])


def thread_answer(lang: str, name: str, text: str) -> Message:
    return Message(blocks=[TextBlock(text=join([say(lang, "forum.thread_answer", name=name),
                                                user(text)]))])


def answer_for_asker(lang: str, name: str, question: ForumQuestion, answer_id: int,
                     text: str) -> Message:
    """An answer to the asker's question, with the button that marks it as the solution."""
    return Message(blocks=[
        TextBlock(text=join([say(lang, "forum.answer_for_you", name=name), user(question.text),
                             user(text)])),
        ChoicesBlock(choices=[Choice(value=go(ACCEPT_DIALOG, str(answer_id)),
                                     label=say(lang, "forum.this_helped"), style="primary")])])


def thanks_to_helper(lang: str, question: ForumQuestion, times_helped: int) -> Message:
    return Message(blocks=[TextBlock(text=join([
        say(lang, "forum.thanks_helper", count=times_helped), user(question.text)]))])
