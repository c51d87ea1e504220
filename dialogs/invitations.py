"""The proactive messages of scheduled and fan-out runs (check-ins, kennisrondje, reflection,
the forum digest, path follow-ups), channel-neutral. Their buttons ("go:<dialog>:<argument>")
start the dialog that takes the answer; typing an answer works too (the dialog claims it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from dialogs.kit import Choice, ChoicesBlock, Message, Rich, TextBlock, join, say, user

#: kinds posted once to the team's channel (or, without one, to every member)
TO_ROOM = frozenset({"reflection", "digest"})


def go(dialog: str, argument: str) -> str:
    return f"go:{dialog}:{argument}"


def _questions(details: dict[str, Any]) -> Rich:
    return join([user(f"• {q}") for q in details.get("questions") or []])


def checkin(lang: str, details: dict[str, Any]) -> list[Message]:
    run = details["run"]
    return [Message(blocks=[
        TextBlock(text=join([say(lang, "together.checkin.invite", team=details["team"]),
                             _questions(details), say(lang, "together.checkin.private")])),
        ChoicesBlock(choices=[
            Choice(value=go("checkin", f"{run}"), label=say(lang, "together.answer"),
                   style="primary"),
            Choice(value=go("checkin", f"{run}:skip"), label=say(lang, "together.skip")),
            Choice(value=go("checkin", f"{run}:snooze"), label=say(lang, "together.snooze")),
        ])])]


def checkin_reminder(lang: str, details: dict[str, Any]) -> list[Message]:
    run = details["run"]
    return [Message(blocks=[
        TextBlock(text=say(lang, "together.checkin.reminder", team=details["team"])),
        ChoicesBlock(choices=[
            Choice(value=go("checkin", f"{run}"), label=say(lang, "together.answer"),
                   style="primary"),
            Choice(value=go("checkin", f"{run}:skip"), label=say(lang, "together.skip")),
        ])])]


def kennisrondje(lang: str, details: dict[str, Any]) -> list[Message]:
    return [Message(blocks=[
        TextBlock(text=join([say(lang, "together.kennisrondje.invite", team=details["team"]),
                             _questions(details)])),
        ChoicesBlock(choices=[
            Choice(value=go("knowledge_round", str(details["run"])),
                   label=say(lang, "together.answer"), style="primary")])])]


def reflection(lang: str, details: dict[str, Any]) -> list[Message]:
    return [Message(blocks=[
        TextBlock(text=join([say(lang, "together.reflection.invite", team=details["team"]),
                             _questions(details)])),
        ChoicesBlock(choices=[
            Choice(value=go("reflection", str(details["run"])),
                   label=say(lang, "together.answer"), style="primary")])])]


def digest(lang: str, details: dict[str, Any]) -> list[Message]:
    open_questions = details.get("open") or []
    if not open_questions:
        return [Message(blocks=[TextBlock(text=say(lang, "together.digest.none",
                                                   team=details["team"]))])]
    lines = [user(f"• {q['text'][:200]}") for q in open_questions[:10]]
    choices = [Choice(value=go("answer_question", str(q["id"])),
                      label=say(lang, "together.digest.help_with", number=q["id"]))
               for q in open_questions[:5]]
    return [Message(blocks=[
        TextBlock(text=join([say(lang, "together.digest.intro", team=details["team"],
                                 count=len(open_questions)), *lines])),
        ChoicesBlock(choices=choices)])]


def deadline(lang: str, details: dict[str, Any]) -> list[Message]:
    """A week before the deadline, with what is still open (sent only while something is)."""
    if "open" not in details:  # planned by an earlier version
        return [Message(blocks=[TextBlock(text=say(lang, "together.followup.deadline",
                                                   path=details["path"],
                                                   deadline=date.fromisoformat(details["deadline"][:10])))])]
    lines = [say(lang, "my_path.reminder.deadline", path=details["path"],
                 deadline=date.fromisoformat(details["deadline"]))]
    if details["open"]:
        lines.append(say(lang, "my_path.reminder.open", count=len(details["open"]),
                         trainings=", ".join(details["open"])))
    if details.get("done"):
        lines.append(say(lang, "my_path.reminder.done", count=details["done"]))
    lines.append(say(lang, "my_path.reminder.view"))
    return [Message(blocks=[TextBlock(text=join(lines)), ChoicesBlock(choices=[
        Choice(value=go("my_path", "view"), label=say(lang, "my_path.notice.view"),
               style="primary")])])]


def _evaluation_text(lang: str, details: dict[str, Any]) -> Rich:
    text = say(lang, "together.followup.evaluation", path=details["path"],
               months=details["months"])
    if details.get("done"):
        return join([text, say(lang, "my_path.evaluation.done", count=len(details["done"]),
                               trainings=", ".join(details["done"]))])
    if details.get("total"):
        return join([text, say(lang, "my_path.evaluation.none_done")])
    return text


def evaluation(lang: str, details: dict[str, Any]) -> list[Message]:
    argument = f"{details['assignment']}:{details['months']}"
    return [Message(blocks=[
        TextBlock(text=_evaluation_text(lang, details)),
        ChoicesBlock(choices=[Choice(value=go("evaluation", argument),
                                     label=say(lang, "together.answer"), style="primary")])])]


BUILDERS: dict[str, Callable[[str, dict[str, Any]], list[Message]]] = {
    "checkin": checkin, "checkin_reminder": checkin_reminder, "kennisrondje": kennisrondje,
    "reflection": reflection, "digest": digest, "deadline": deadline, "evaluation": evaluation,
}


def build(kind: str, lang: str, details: dict[str, Any]) -> list[Message]:
    return BUILDERS[kind](lang, details)
