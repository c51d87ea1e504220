"""A proposed buddy round: who takes part (what they want to learn and can offer), and the
groups the pairing makes of them, avoiding earlier groups and the team's exclusions. The
pairing (a CP-SAT model, seconds for a large team) runs off the event loop."""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING

from pydantic import BaseModel

from dialogs.kit import InputError, Turn
from dialogs.team.port import Team
from engine.competencies import competencies_in
from engine.solving import run_solver

if TYPE_CHECKING:
    from engine.buddies import Pair, Pairing, Participant

#: the team setting that holds the pairs who never meet
SETTING = "buddy_exclusions"
#: what a member opts out of (``MemberDetails.opt_out``)
OPT_OUT = "buddies"


class Help(BaseModel):
    helper: str
    learner: str
    topics: list[str]


class Group(BaseModel):
    members: list[str]
    helps: list[Help] = []


class Proposal(BaseModel):
    groups: list[Group]
    unmatched: list[tuple[str, str]] = []  # (user, reason code)
    reset: bool = False  # earlier buddies meet again: every grouping without repeats is used
    opted_out: int = 0  # team members who opted out


def exclusions_of(team: Team) -> list[list[str]]:
    pairs = team.settings.get(SETTING) or []
    return [sorted(str(u) for u in pair) for pair in pairs if len(set(pair)) == 2]


def met_before(groups: list[list[str]]) -> list[frozenset[str]]:
    """Every two people who shared a group in an earlier round (a trio is three pairs)."""
    return [frozenset(two) for group in groups for two in combinations(sorted(set(group)), 2)]


async def participant(turn: Turn, user_id: str) -> Participant:
    """What someone wants (learning wishes, 'wants to grow' in the profile) and offers (the
    profile's competencies)."""
    from engine.buddies import Participant  # the solver behind it is heavy: load when used

    wants: set[str] = set()
    for wish in await turn.learning_wishes.wishes(user_id):
        wants.update(wish.competencies)
    profile = await turn.profiles.profile(user_id)
    offers: set[str] = set()
    if profile is not None:
        if profile.wants_to_grow:
            wants.update(competencies_in(profile.wants_to_grow))
        offers.update(profile.competencies)
    return Participant(user=user_id, wants=frozenset(wants), offers=frozenset(offers))


async def _participants(turn: Turn, members: list[str]) -> tuple[list[Participant], int]:
    """Who takes part, and how many opted out."""
    people = []
    opted_out = 0
    for member in members:
        if OPT_OUT in (await turn.people.details(member)).opt_out:
            opted_out += 1
        else:
            people.append(await participant(turn, member))
    return people, opted_out


def _helps(pair: Pair, wants: dict[str, frozenset[str]]) -> list[Help]:
    """Who helps whom with what inside one group (the pairing says what each helper brings;
    a trio's learner is whoever wants it)."""
    found: list[Help] = []
    for helper, topics in pair.helps.items():
        for learner in pair.members:
            wanted = [t for t in topics if learner != helper and t in wants.get(learner, ())]
            if wanted:
                found.append(Help(helper=helper, learner=learner, topics=wanted))
    return found


async def _pair(people: list[Participant], earlier: list[list[str]],
                exclusions: list[list[str]]) -> Pairing:
    """The pairing, in a worker thread: other people's turns go on meanwhile."""
    from engine.buddies import pair_buddies  # loads the solver: only when a round is made

    return await run_solver(
        pair_buddies, people, history=met_before(earlier),
        exclusions=[frozenset(pair) for pair in exclusions], seed=len(earlier))


async def propose(turn: Turn, team: Team, members: list[str]) -> Proposal:
    """The groups of a new round of the team's members; InputError when none can be made."""
    people, opted_out = await _participants(turn, members)
    if len(people) < 2:
        raise InputError("buddies.too_few", team=team.name, count=len(people))
    pairing = await _pair(people, await turn.buddies.history(team.id), exclusions_of(team))
    if not pairing.pairs:
        raise InputError("buddies.no_pairs", team=team.name)
    wants = {p.user: p.wants for p in people}
    return Proposal(groups=[Group(members=list(pair.members), helps=_helps(pair, wants))
                            for pair in pairing.pairs],
                    unmatched=[(u.user, u.reason) for u in pairing.unmatched],
                    reset=pairing.reset_history, opted_out=opted_out)
