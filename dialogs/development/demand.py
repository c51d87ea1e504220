"""Vraag naar competenties (HR): how many people want to grow in each competency (their
learning wishes and POP goals), next to how many trainings of the catalogue cover it. Only
competencies that at least MIN_GROUP people want are named."""

from __future__ import annotations

from pydantic import BaseModel

from dialogs.kit import Block, CardBlock, Dialog, Fact, TextBlock, Turn, join, say, user
from dialogs.policy import ADMINS, MIN_GROUP
from engine.competencies import label


class DemandState(BaseModel):
    pass


async def finish(turn: Turn, state: DemandState) -> list[Block]:
    demand = await turn.development.demand()
    shown = sorted(((c, n) for c, n in demand.items() if n >= MIN_GROUP),
                   key=lambda item: (-item[1], item[0].casefold()))
    hidden = len(demand) - len(shown)
    matcher = await turn.catalogue.matcher()
    facts = []
    for competency, people in shown:
        supply = len(matcher.trainings(competency)) if competency in matcher.labels else 0
        offered = say(turn.lang, "development.demand_supply", count=supply) if supply \
            else say(turn.lang, "development.demand_no_supply")
        facts.append(Fact(label=user(label(competency, turn.lang)), value=join(
            [say(turn.lang, "development.demand_people", count=people), offered], " · ")))
    blocks: list[Block] = []
    if facts:
        blocks.append(CardBlock(title=say(turn.lang, "development.demand_title"),
                                text=say(turn.lang, "development.demand_intro", min=MIN_GROUP),
                                facts=facts))
    else:
        blocks.append(TextBlock(text=say(turn.lang, "development.demand_none", min=MIN_GROUP)))
    if hidden:
        blocks.append(TextBlock(text=say(turn.lang, "development.demand_hidden", count=hidden,
                                         min=MIN_GROUP)))
    return blocks


DIALOG = Dialog(
    id="competency_demand", title="development.demand_title", state=DemandState,
    finish=finish, roles=ADMINS, menu=185, help="development.help_demand", steps=[],
    phrases=["vraag naar competenties", "leervraag per competentie",
             "welke competenties willen mensen leren", "welke competenties zijn gevraagd",
             "vraag en aanbod", "competency demand", "learning demand"],
)
