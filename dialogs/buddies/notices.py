"""What a buddy round says: names and topics in the reader's language, and the message each
participant gets (their buddies, what to talk about, a tip from actions 8.1 and 4.2)."""

from __future__ import annotations

from collections.abc import Iterable

from dialogs.buddies.proposal import Group
from dialogs.invitations import go
from dialogs.kit import (
    TEXTS,
    Choice,
    ChoicesBlock,
    Message,
    Rich,
    TextBlock,
    join,
    plain,
    say,
    user,
)
from engine.competencies import labels
from knowledge.actions import PracticePoint, load_action_library

#: the practice points of these actions give the tips sent with a round
TIP_ACTIONS = ("8.1", "4.2")


def topics_in(lang: str, topics: Iterable[str]) -> str:
    """Competencies (stored by their Dutch label) in the reader's language."""
    return labels(topics, TEXTS.normalise(lang))


def name_of(names: dict[str, str], uid: str) -> str:
    return names.get(uid) or uid


def together(names: dict[str, str], users: Iterable[str], lang: str) -> Rich:
    """'Anna', 'Anna en Bram', 'Anna, Bram en Cor'."""
    shown = [name_of(names, u) for u in users]
    if len(shown) == 1:
        return user(shown[0])
    return say(lang, "buddies.and", names=", ".join(shown[:-1]), last=shown[-1])


def tip(round_number: int) -> PracticePoint:
    library = load_action_library()
    points = [p for action in TIP_ACTIONS for p in library.action(action).practice_points]
    return points[(round_number - 1) % len(points)]


def _topics(lang: str, names: dict[str, str], me: str, group: Group) -> Rich:
    topics = []
    for item in group.helps:
        if item.helper == me:
            topics.append(say(lang, "buddies.notice_you_help",
                              topics=topics_in(lang, item.topics)))
        elif item.learner == me:
            topics.append(say(lang, "buddies.notice_they_help", name=name_of(names, item.helper),
                              topics=topics_in(lang, item.topics)))
    if topics:
        return say(lang, "buddies.notice_topic", topic=join(topics, "; "))
    return say(lang, "buddies.notice_no_topic")


def notice(lang: str, team: str, names: dict[str, str], me: str, group: Group,
           round_number: int) -> list[Message]:
    """The message ``me`` gets about their group in the round."""
    others = [u for u in group.members if u != me]
    point = tip(round_number)
    parts = [say(lang, "buddies.notice", team=team, buddies=together(names, others, lang)),
             _topics(lang, names, me, group),
             say(lang, "buddies.notice_tip", title=plain(point.title.get(lang)),
                 text=plain(point.text.get(lang))),
             say(lang, "buddies.notice_plan")]
    return [Message(blocks=[
        TextBlock(text=join(parts, "\n\n")),
        ChoicesBlock(choices=[Choice(value=go("buddies", "optout"),
                                     label=say(lang, "buddies.action.opt_out"))])])]
