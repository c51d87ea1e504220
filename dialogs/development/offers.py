"""What a goal can be worked on with: trainings of the workspace's catalogue that cover its
competency, and informal ways to learn at work from the action library (naming colleagues
whose profile has the competency)."""

from __future__ import annotations

from dialogs.development.port import PlanAction
from dialogs.kit import Turn, say
from engine.paths import TargetGroup, fit_score
from knowledge.actions import load_action_library

MAX_TRAININGS = 3
MAX_COLLEAGUES = 2
#: informal ways to learn on one's own initiative, each with the action of the library it
#: comes from: ask a colleague with expertise, a buddy, a day of shadowing, intervision
INFORMAL = (("colleague", "6.4"), ("buddy", "8.1"), ("shadowing", "4.5"),
            ("intervision", "8.4"))


async def training_offers(turn: Turn, competency: str | None) -> list[PlanAction]:
    """The catalogue's trainings for the competency, the shortest best fits first."""
    if competency is None:
        return []
    matcher = await turn.catalogue.matcher()
    if competency not in matcher.labels:
        return []
    group = TargetGroup()
    trainings = sorted(matcher.trainings(competency),
                       key=lambda t: (-fit_score(t, group), t.minutes, t.title))
    return [PlanAction(kind="training", ref=t.id, title=t.title[:300], minutes=t.minutes,
                       format=t.format)
            for t in trainings[:MAX_TRAININGS]]


async def informal_offers(turn: Turn, competency: str | None) -> list[PlanAction]:
    """Ways to learn it at work; the colleague action names who could help."""
    library = load_action_library()
    names = ""
    if competency is not None:
        colleagues = await turn.profiles.colleagues_for([competency], exclude=turn.member.user)
        names = ", ".join(c.name or c.user for c in colleagues[:MAX_COLLEAGUES])
    offers = []
    for key, action_id in INFORMAL:
        if key == "colleague" and names:
            title = say(turn.lang, "development.informal.colleague_named", names=names)
        else:
            title = say(turn.lang, f"development.informal.{key}")
        offers.append(PlanAction(kind="informal", ref=library.action(action_id).id,
                                 title=title.plain[:300]))
    return offers


async def offers_for(turn: Turn, competency: str | None) -> list[PlanAction]:
    return [*await training_offers(turn, competency), *await informal_offers(turn, competency)]
