"""Who sees a POP besides its owner: nobody, until she shares it; then her manager(s) (the
leads of her teams) and HR (admins). Sharing sends her managers a message."""

from __future__ import annotations

from dialogs.development.port import DevelopmentPlan
from dialogs.invitations import go
from dialogs.kit import Choice, ChoicesBlock, Member, Message, TextBlock, Turn, say
from dialogs.policy import ADMINS


async def managers_of(turn: Turn, user: str) -> list[Member]:
    """The leads of the teams she belongs to (not herself), by name."""
    leads = {t.lead for t in await turn.teams.teams(user) if user in t.members} - {user}
    found = [m for lead in sorted(leads) if (m := await turn.people.member(lead)) is not None]
    return sorted(found, key=lambda m: (m.name or m.user).casefold())


async def may_see(turn: Turn, plan: DevelopmentPlan) -> bool:
    """The owner always; others only a shared POP, and only as her manager or HR."""
    viewer = turn.member
    if plan.user == viewer.user:
        return True
    if not plan.shared:
        return False
    if viewer.role in ADMINS:
        return True
    return any(t.lead == viewer.user and plan.user in t.members
               for t in await turn.teams.teams(viewer.user))


async def tell_managers(turn: Turn, plan: DevelopmentPlan) -> list[Member]:
    """A message to each of her managers that her POP is shared, with a button to open it."""
    managers = await managers_of(turn, plan.user)
    name = turn.member.name or turn.member.user
    for manager in managers:
        lang = manager.lang or turn.lang
        message = Message(blocks=[
            TextBlock(text=say(lang, "development.shared_note", name=name,
                               count=len(plan.goals))),
            ChoicesBlock(choices=[Choice(value=go("shared_plans", plan.user),
                                         label=say(lang, "development.open_shared"),
                                         style="primary")])])
        stamp = f"{turn.now:%Y%m%d%H%M%S}"
        await turn.outbox.notify(manager.user, [message],
                                 key=f"pop-shared:{plan.user}:{manager.user}:{stamp}")
    return managers
