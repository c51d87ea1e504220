"""Buddies (actions 4.2 and 8.1): a team lead, manager or HR starts a buddy round for a team;
Leerbot proposes pairs (one trio when the number is odd) matched on what people want to learn
and what they can do, avoiding earlier pairs and the team's exclusions; after confirmation
everyone hears who their buddy is, what to talk about and a tip. Everyone can stop or rejoin.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import cache
from itertools import combinations
from typing import TYPE_CHECKING

from pydantic import BaseModel

from dialogs.invitations import go
from dialogs.kit import (
    Block,
    CardBlock,
    Choice,
    ChoicesBlock,
    Choose,
    Confirm,
    Dialog,
    Fact,
    Flow,
    Form,
    FormField,
    InputError,
    Message,
    Rich,
    TextBlock,
    Turn,
    join,
    plain,
    say,
    user,
)
from dialogs.services_together import Team
from dialogs.shared import competencies_in
from engine.text import tokens
from knowledge.actions import PracticePoint, load_action_library
from knowledge.messages import catalogue, normalise_lang
from knowledge.taxonomy import load_taxonomy

if TYPE_CHECKING:
    from engine.buddies import Pair, Participant

#: the practice points of these actions give the tips sent with a round
TIP_ACTIONS = ("8.1", "4.2")
SETTING = "buddy_exclusions"
OPT_OUT = "buddies"
OUT_WORDS = {"afmelden", "uitschrijven", "optout"}
IN_WORDS = {"aanmelden", "optin", "weer"}


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
    reset: bool = False
    opted_out: int = 0


class BuddiesState(BaseModel):
    opted_out: bool = False
    opt_out: list[str] = []  # my whole opt-out set
    teams: list[tuple[int, str]] = []  # teams I may start rounds for
    action: str | None = None  # round | exclusions | opt_out | opt_in | done
    team_id: int | None = None
    team_name: str = ""
    names: dict[str, str] = {}
    members: list[str] = []  # the team's members (for exclusions)
    exclusions: list[list[str]] = []
    proposal: Proposal | None = None
    change: str | None = None  # add | remove
    pair: list[str] = []  # the exclusion being added or removed
    confirmed: bool = False


# ---------------------------------------------------------------------- start


async def start(turn: Turn, text: str) -> BuddiesState:
    services, me = turn.services, turn.member
    details = await services.member_details(turn.workspace, me.user)
    every_team = await services.teams(turn.workspace)
    mine = every_team if me.role in {"manager", "admin"} else \
        [t for t in every_team if t.lead == me.user]
    state = BuddiesState(opted_out=OPT_OUT in details.opt_out, opt_out=sorted(details.opt_out),
                         teams=[(t.id, t.name) for t in mine])
    words = set(tokens(text.replace("opt-out", "optout").replace("opt out", "optout")
                       .replace("opt in", "optin").replace("opt-in", "optin"),
                       keep_stopwords=True))
    stop = bool(words & OUT_WORDS) or {"niet", "meer"} <= words or {"stop"} <= words
    if turn.argument == "optout" or (stop and not state.opted_out):
        return state.model_copy(update={"action": "opt_out"})
    if (words & IN_WORDS or "meedoen" in words) and state.opted_out:
        return state.model_copy(update={"action": "opt_in"})
    return state


# ---------------------------------------------------------------------- what to do


def ask_action(turn: Turn, state: BuddiesState) -> Rich:
    status = say(turn.lang, "buddies.status_out" if state.opted_out else "buddies.status_in")
    return join([status, say(turn.lang, "buddies.ask_action")])


def actions(turn: Turn, state: BuddiesState) -> list[Choice]:
    choices = []
    if state.teams:
        choices += [Choice(value="round", label=say(turn.lang, "buddies.action.round"),
                           style="primary"),
                    Choice(value="exclusions", label=say(turn.lang, "buddies.action.exclusions"))]
    toggle = "opt_in" if state.opted_out else "opt_out"
    choices.append(Choice(value=toggle, label=say(turn.lang, f"buddies.action.{toggle}")))
    return [*choices, Choice(value="done", label=say(turn.lang, "buddies.action.done"))]


async def on_action(turn: Turn, state: BuddiesState,
                    value: str) -> BuddiesState | Flow[BuddiesState]:
    chosen = state.model_copy(update={"action": value, "team_id": None, "proposal": None,
                                      "change": None, "pair": []})
    if value == "done":
        return Flow(state=chosen, done=True)
    if value in {"round", "exclusions"} and len(state.teams) == 1:
        return await prepare(turn, chosen, state.teams[0][0])
    return chosen


def team_options(turn: Turn, state: BuddiesState) -> list[Choice]:
    return [Choice(value=str(ident), label=user(name)) for ident, name in state.teams]


async def pick_team(turn: Turn, state: BuddiesState, value: str) -> BuddiesState:
    return await prepare(turn, state, int(value))


# ---------------------------------------------------------------------- the proposal


def exclusions_of(team: Team) -> list[list[str]]:
    pairs = team.settings.get(SETTING) or []
    return [sorted(str(u) for u in pair) for pair in pairs if len(set(pair)) == 2]


async def participant(turn: Turn, user_id: str) -> Participant:
    from engine.buddies import Participant  # the solver behind it is heavy: load when used

    services = turn.services
    wants: set[str] = set()
    for wish in await services.wishes(turn.workspace, user_id):
        wants.update(wish.competencies)
    profile = await services.profile(turn.workspace, user_id)
    offers: set[str] = set()
    if profile is not None:
        if profile.wants_to_grow:
            wants.update(competencies_in(profile.wants_to_grow))
        offers.update(profile.competencies)
    return Participant(user=user_id, wants=frozenset(wants), offers=frozenset(offers))


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


def met_before(groups: list[list[str]]) -> list[frozenset[str]]:
    """Every two people who shared a group in an earlier round (a trio is three pairs)."""
    return [frozenset(two) for group in groups for two in combinations(sorted(set(group)), 2)]


async def prepare(turn: Turn, state: BuddiesState, team_id: int) -> BuddiesState:
    """Load the team; for a round, also the participants and the proposal."""
    services = turn.services
    team = await services.team(turn.workspace, team_id)
    if team is None:
        raise InputError("buddies.gone")
    known = {m.user: m.name or m.user for m in await services.members(turn.workspace)}
    members = [u for u in team.members if u in known]
    names = {u: known[u] for u in {*members, team.lead} if u in known}
    exclusions = exclusions_of(team)
    loaded = state.model_copy(update={"team_id": team.id, "team_name": team.name,
                                      "names": names, "members": members,
                                      "exclusions": exclusions})
    if state.action != "round":
        return loaded
    people = []
    opted_out = 0
    for member in members:
        if OPT_OUT in (await services.member_details(turn.workspace, member)).opt_out:
            opted_out += 1
        else:
            people.append(await participant(turn, member))
    if len(people) < 2:
        raise InputError("buddies.too_few", team=team.name, count=len(people))
    earlier = await services.buddy_history(turn.workspace, team.id)
    from engine.buddies import pair_buddies  # loads the solver: only when a round is made

    # the solver may take seconds for a large team: off the event loop, so other people's
    # turns go on meanwhile
    pairing = await asyncio.to_thread(
        pair_buddies, people, history=met_before(earlier),
        exclusions=[frozenset(pair) for pair in exclusions], seed=len(earlier))
    if not pairing.pairs:
        raise InputError("buddies.no_pairs", team=team.name)
    wants = {p.user: p.wants for p in people}
    groups = [Group(members=list(pair.members), helps=_helps(pair, wants))
              for pair in pairing.pairs]
    proposal = Proposal(groups=groups,
                        unmatched=[(u.user, u.reason) for u in pairing.unmatched],
                        reset=pairing.reset_history, opted_out=opted_out)
    return loaded.model_copy(update={"proposal": proposal})


@cache
def _labels(lang: str) -> dict[str, str]:
    return {c.label.nl: c.label.get(lang) for c in load_taxonomy().competencies}


def topics_in(lang: str, topics: Iterable[str]) -> str:
    """Competencies (stored by their Dutch label) in the reader's language."""
    labels = _labels(normalise_lang(lang))
    return ", ".join(labels.get(t, t) for t in topics)


def name_of(state: BuddiesState, uid: str) -> str:
    return state.names.get(uid) or uid


def together(state: BuddiesState, users: Iterable[str], lang: str) -> str:
    names = [name_of(state, u) for u in users]
    word = " and " if lang == "en" else " en "
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + word + names[-1]


def reason(lang: str, code: str) -> Rich:
    key = f"buddies.reason.{code}"
    return say(lang, key if key in catalogue(normalise_lang(lang)) else "buddies.reason.other")


def show_proposal(turn: Turn, state: BuddiesState) -> list[Block]:
    assert state.proposal is not None
    proposal, lang = state.proposal, turn.lang
    facts = []
    for number, group in enumerate(proposal.groups, start=1):
        lines = [say(lang, "buddies.helps", helper=name_of(state, h.helper),
                     learner=name_of(state, h.learner), topics=topics_in(lang, h.topics))
                 for h in group.helps]
        facts.append(Fact(label=say(lang, "buddies.group", number=number)
                          + user(": " + together(state, group.members, lang)),
                          value=join(lines) if lines else say(lang, "buddies.no_topic")))
    for uid, code in proposal.unmatched:
        facts.append(Fact(label=say(lang, "buddies.unmatched") + user(": " + name_of(state, uid)),
                          value=reason(lang, code)))
    people = sum(len(g.members) for g in proposal.groups) + len(proposal.unmatched)
    notes = [say(lang, "buddies.proposal_note", pairs=len(proposal.groups), people=people)]
    if proposal.opted_out:
        notes.append(say(lang, "buddies.opted_out_count", count=proposal.opted_out))
    if proposal.reset:
        notes.append(say(lang, "buddies.reset"))
    return [CardBlock(title=say(lang, "buddies.proposal_title", team=state.team_name),
                      text=join(notes), facts=facts),
            TextBlock(text=say(lang, "buddies.ask_confirm"))]


def confirm(turn: Turn, state: BuddiesState, yes: bool) -> Flow[BuddiesState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


# ---------------------------------------------------------------------- exclusions


def ask_exclusion(turn: Turn, state: BuddiesState) -> Rich:
    if not state.exclusions:
        return join([say(turn.lang, "buddies.no_exclusions", team=state.team_name),
                     say(turn.lang, "buddies.exclusion_intro")])
    return say(turn.lang, "buddies.ask_exclusion")


def exclusion_options(turn: Turn, state: BuddiesState) -> list[Choice]:
    choices = [Choice(value=f"remove:{index}", label=say(
                   turn.lang, "buddies.exclusion.remove", first=name_of(state, first),
                   second=name_of(state, second)))
               for index, (first, second) in enumerate(state.exclusions)]
    return [Choice(value="add", label=say(turn.lang, "buddies.exclusion.add"), style="primary"),
            *choices]


def on_exclusion(turn: Turn, state: BuddiesState,
                 value: str) -> BuddiesState | Flow[BuddiesState]:
    if value == "add":
        return state.model_copy(update={"change": "add"})
    pair = state.exclusions[int(value.partition(":")[2])]
    return Flow(state=state.model_copy(update={"change": "remove", "pair": pair,
                                               "confirmed": True}), done=True)


def pair_fields(turn: Turn, state: BuddiesState) -> list[FormField]:
    people = [Choice(value=u, label=user(name_of(state, u)))
              for u in dict.fromkeys([*state.members, *state.names])]
    return [FormField(name="first", label=say(turn.lang, "buddies.field.first"), kind="choice",
                      choices=people),
            FormField(name="second", label=say(turn.lang, "buddies.field.second"),
                      kind="choice", choices=people)]


def pick_pair(turn: Turn, state: BuddiesState, values: dict[str, str]) -> Flow[BuddiesState]:
    first, second = values["first"], values["second"]
    if first == second:
        raise InputError("buddies.same_person")
    pair = sorted([first, second])
    if pair in state.exclusions:
        raise InputError("buddies.exclusion_exists")
    return Flow(state=state.model_copy(update={"pair": pair, "confirmed": True}), done=True)


# ---------------------------------------------------------------------- notifications


def tip(lang: str, round_number: int) -> PracticePoint:
    library = load_action_library()
    points = [p for action in TIP_ACTIONS for p in library.action(action).practice_points]
    return points[(round_number - 1) % len(points)]


def notice(lang: str, state: BuddiesState, me: str, group: Group,
           round_number: int) -> list[Message]:
    others = [u for u in group.members if u != me]
    parts = [say(lang, "buddies.notice", team=state.team_name,
                 buddies=together(state, others, lang))]
    topics = []
    for item in group.helps:
        if item.helper == me:
            topics.append(say(lang, "buddies.notice_you_help",
                              topics=topics_in(lang, item.topics)))
        elif item.learner == me:
            topics.append(say(lang, "buddies.notice_they_help", name=name_of(state, item.helper),
                              topics=topics_in(lang, item.topics)))
    if topics:
        parts.append(say(lang, "buddies.notice_topic", topic=join(topics, "; ")))
    else:
        parts.append(say(lang, "buddies.notice_no_topic"))
    point = tip(lang, round_number)
    parts.append(say(lang, "buddies.notice_tip", title=plain(point.title.get(lang)),
                     text=plain(point.text.get(lang))))
    parts.append(say(lang, "buddies.notice_plan"))
    return [Message(blocks=[
        TextBlock(text=join(parts, "\n\n")),
        ChoicesBlock(choices=[Choice(value=go("buddies", "optout"),
                                     label=say(lang, "buddies.action.opt_out"))])])]


async def start_round(turn: Turn, state: BuddiesState) -> list[Block]:
    assert state.proposal is not None and state.team_id is not None
    services = turn.services
    groups = [g.members for g in state.proposal.groups]
    round_number = await services.save_buddy_round(turn.workspace, state.team_id, groups)
    langs = {m.user: m.lang for m in await services.members(turn.workspace)}
    for group in state.proposal.groups:
        for member in group.members:
            lang = normalise_lang(langs.get(member) or turn.lang)
            await services.notify(turn.workspace, member,
                                  notice(lang, state, member, group, round_number),
                                  key=f"buddies:{state.team_id}:{round_number}:{member}")
    return [TextBlock(text=say(turn.lang, "buddies.sent", round=round_number,
                               team=state.team_name, groups=len(groups)))]


# ---------------------------------------------------------------------- finish


async def save_exclusion(turn: Turn, state: BuddiesState) -> list[Block]:
    assert state.team_id is not None
    team = await turn.services.team(turn.workspace, state.team_id)
    if team is None:
        return [TextBlock(text=say(turn.lang, "buddies.gone"))]
    current = exclusions_of(team)
    pair = sorted(state.pair)
    if state.change == "add":
        updated = [*current, pair] if pair not in current else current
        key = "buddies.exclusion_added"
    else:
        updated = [p for p in current if p != pair]
        key = "buddies.exclusion_removed"
    await turn.services.update_team_settings(turn.workspace, team.id,
                                             {**team.settings, SETTING: updated})
    return [TextBlock(text=say(turn.lang, key, first=name_of(state, pair[0]),
                               second=name_of(state, pair[1])))]


async def finish(turn: Turn, state: BuddiesState) -> list[Block]:
    def text(key: str) -> list[Block]:
        return [TextBlock(text=say(turn.lang, key))]

    if state.action == "round":
        return await start_round(turn, state) if state.confirmed else text("buddies.not_sent")
    if state.action == "exclusions":
        return await save_exclusion(turn, state) if state.confirmed and state.pair \
            else text("buddies.unchanged")
    if state.action in {"opt_out", "opt_in"}:
        if not state.confirmed:
            return text("buddies.unchanged")
        opt_out = set(state.opt_out)
        if state.action == "opt_out":
            opt_out.add(OPT_OUT)
        else:
            opt_out.discard(OPT_OUT)
        await turn.services.set_member_details(turn.workspace, turn.member.user,
                                               opt_out=opt_out)
        return text("buddies.opted_out" if state.action == "opt_out" else "buddies.opted_in")
    return text("buddies.bye")


def organising(state: BuddiesState) -> bool:
    return state.action in {"round", "exclusions"}


DIALOG = Dialog(
    id="buddies", title="buddies.title", state=BuddiesState, start=start, finish=finish,
    help="buddies.help",
    steps=[
        Choose("wat", prompt=ask_action, options=actions, handle=on_action,
               skip=lambda turn, state: state.action is not None),
        Choose("team", prompt=lambda turn, state: say(turn.lang, "buddies.ask_team"),
               options=team_options, handle=pick_team,
               skip=lambda turn, state: not organising(state) or state.team_id is not None),
        Confirm("voorstel", prompt=show_proposal, handle=confirm,
                skip=lambda turn, state: state.action != "round"),
        Choose("uitzonderingen", prompt=ask_exclusion, options=exclusion_options,
               handle=on_exclusion, help="buddies.help_exclusions",
               skip=lambda turn, state: state.action != "exclusions"),
        Form("uitzondering", prompt=lambda turn, state: say(turn.lang,
                                                            "buddies.exclusion_intro"),
             title=lambda turn, state: say(turn.lang, "buddies.exclusion_title"),
             fields=pair_fields, handle=pick_pair, help="buddies.help_exclusions",
             skip=lambda turn, state: state.action != "exclusions" or state.change != "add"),
        Confirm("afmelden", prompt=lambda turn, state: say(turn.lang, "buddies.ask_opt_out"),
                handle=confirm, skip=lambda turn, state: state.action != "opt_out"),
        Confirm("aanmelden", prompt=lambda turn, state: say(turn.lang, "buddies.ask_opt_in"),
                handle=confirm, skip=lambda turn, state: state.action != "opt_in"),
    ],
)
PHRASES = ["buddy", "buddyronde", "buddyronde starten", "nieuwe buddyronde", "buddies koppelen",
           "leermaatje", "leermaatjes", "niet meer meedoen met buddies", "weer meedoen buddies",
           "buddy round", "start a buddy round", "pair buddies", "learning buddy"]

