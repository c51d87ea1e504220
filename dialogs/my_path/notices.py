"""Messages about a person's leerlijn sent on others' initiative: the message when a leerlijn
is assigned to them (what, why, deadline, the first step, buttons "Begonnen" and "Bekijk mijn
leerlijn"), and the progress lines of the deadline reminder and the evaluations."""

from __future__ import annotations

from typing import Any

from dialogs.kit import Choice, ChoicesBlock, Message, Rich, TextBlock, Turn, join, say, user
from dialogs.my_path.port import training_key
from dialogs.paths.port import Assignment
from engine.competencies import labels
from engine.notes import Note
from knowledge.messages import normalise_lang


def go(argument: str) -> str:
    return f"go:my_path:{argument}"


#: the builder's reasons that speak to the employee: what a training covers. How it fits the
#: target group, or that the manager chose it, were written to the manager.
FOR_HER = ("paths.reason.covers", "paths.reason.extra")


def _reason(lang: str, item: dict[str, Any]) -> str:
    notes = []
    for raw in item.get("reason") or []:
        try:
            found = Note.model_validate(raw)
            if found.code in FOR_HER:
                named = str(found.params.get("competencies", "")).split(", ")
                notes.append(found.model_copy(update={"params": {
                    **found.params, "competencies": labels(named, lang)}}).text(lang))
        except (ValueError, KeyError):
            continue  # an older leerlijn may hold reasons in a form we no longer read
    return " ".join(notes)


def assigned_message(lang: str, assignment: Assignment, by: str, goals: list[str],
                     first: dict[str, Any] | None, key: str | None, count: int) -> Message:
    lines: list[Rich] = [say(lang, "my_path.notice.assigned", path=assignment.path_name,
                             by=by, deadline=assignment.deadline, count=count)]
    if goals:
        lines.append(say(lang, "my_path.notice.why", goals=labels(goals, lang)))
    choices = []
    if first is not None and key is not None:
        lines.append(say(lang, "my_path.notice.first", training=str(first.get("title") or key)))
        reason = _reason(lang, first)
        if reason:
            lines.append(user(reason))
        choices.append(Choice(value=go(f"started:{assignment.id}:{key}"),
                              label=say(lang, "my_path.notice.started"), style="primary"))
    choices.append(Choice(value=go(f"view:{assignment.id}"),
                          label=say(lang, "my_path.notice.view")))
    return Message(blocks=[TextBlock(text=join(lines)), ChoicesBlock(choices=choices)])


async def notify_assigned(turn: Turn, assignment: Assignment) -> None:
    """Tell the person, in their own chat and language, that a leerlijn was assigned to
    them (once per assignment and deadline)."""
    path = await turn.paths.path(assignment.path_id)
    if path is None:
        return
    member = await turn.people.member(assignment.user)
    lang = normalise_lang(member.lang if member is not None else None)  # as the scheduler does
    first = path.trainings[0] if path.trainings else None
    key = training_key(first, 1) if first is not None else None
    message = assigned_message(lang, assignment, turn.member.name or turn.member.user,
                               list(path.spec.get("competencies") or []), first, key,
                               len(path.trainings))
    await turn.outbox.notify(assignment.user, [message], key=assigned_key(assignment))


def assigned_key(assignment: Assignment) -> str:
    """The outbox key of the message that announces an assignment (one per deadline)."""
    return f"assigned:{assignment.id}:{assignment.deadline:%Y%m%d}"


async def withdraw_notices(turn: Turn, assignments: list[Assignment]) -> None:
    """A leerlijn taken away (or deleted) before its announcement went out: the announcement
    is not sent, so nobody is told about a leerlijn they no longer have."""
    for assignment in assignments:
        await turn.outbox.cancel(assigned_key(assignment))
