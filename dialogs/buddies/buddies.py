"""Buddies (actions 4.2 and 8.1): a team lead, manager or HR starts a buddy round for a team;
Leerbot proposes pairs (one trio when the number is odd) matched on what people want to learn
and what they can do, avoiding earlier pairs and the team's exclusions; after confirmation
everyone hears who their buddy is, what to talk about and a tip. Everyone can stop or rejoin.
"""

from __future__ import annotations

from pydantic import BaseModel

from dialogs.buddies.notices import name_of, notice, together, topics_in
from dialogs.buddies.proposal import OPT_OUT, SETTING, Proposal, exclusions_of, propose
from dialogs.kit import (
    TEXTS,
    Block,
    CardBlock,
    Choice,
    Choose,
    Confirm,
    Dialog,
    Fact,
    Flow,
    Form,
    FormField,
    InputError,
    Rich,
    TextBlock,
    Turn,
    join,
    plain,
    say,
    user,
)
from dialogs.policy import MANAGERS
from engine.text import tokens

OUT_WORDS = {"afmelden", "uitschrijven", "optout"}
IN_WORDS = {"aanmelden", "optin", "weer", "meedoen"}
#: what the button of a round's message says (``go:buddies:optout``)
OPT_OUT_ARGUMENT = "optout"


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


def _words(text: str) -> set[str]:
    text = text.replace("opt-out", "optout").replace("opt out", "optout")
    return set(tokens(text.replace("opt in", "optin").replace("opt-in", "optin"),
                      keep_stopwords=True))


def _asked_for(turn: Turn, text: str, opted_out: bool) -> str | None:
    """Opting out or back in, when the sentence that started the dialog says so."""
    words = _words(text)
    stop = bool(words & OUT_WORDS) or {"niet", "meer"} <= words or "stop" in words
    if turn.argument == OPT_OUT_ARGUMENT or (stop and not opted_out):
        return "opt_out"
    if words & IN_WORDS and opted_out and not stop:
        return "opt_in"
    return None


async def start(turn: Turn, text: str) -> BuddiesState:
    me = turn.member
    details = await turn.people.details(me.user)
    every_team = await turn.teams.teams()
    mine = every_team if me.role in MANAGERS else [t for t in every_team if t.lead == me.user]
    opted_out = OPT_OUT in details.opt_out
    return BuddiesState(opted_out=opted_out, opt_out=sorted(details.opt_out),
                        teams=[(t.id, t.name) for t in mine],
                        action=_asked_for(turn, text, opted_out))


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


async def prepare(turn: Turn, state: BuddiesState, team_id: int) -> BuddiesState:
    """Load the team; for a round, also the proposal."""
    team = await turn.teams.team(team_id)
    if team is None:
        raise InputError("buddies.gone")
    known = {m.user: m.name or m.user for m in await turn.people.members()}
    members = [u for u in team.members if u in known]
    loaded = state.model_copy(update={
        "team_id": team.id, "team_name": team.name, "members": members,
        "names": {u: known[u] for u in {*members, team.lead} if u in known},
        "exclusions": exclusions_of(team)})
    if state.action != "round":
        return loaded
    return loaded.model_copy(update={"proposal": await propose(turn, team, members)})


# ---------------------------------------------------------------------- the proposal


def reason(lang: str, code: str) -> Rich:
    key = f"buddies.reason.{code}"
    return say(lang, key if TEXTS.has(key) else "buddies.reason.other")


def _proposal_facts(lang: str, state: BuddiesState, proposal: Proposal) -> list[Fact]:
    facts = []
    for number, group in enumerate(proposal.groups, start=1):
        lines = [say(lang, "buddies.helps", helper=name_of(state.names, h.helper),
                     learner=name_of(state.names, h.learner), topics=topics_in(lang, h.topics))
                 for h in group.helps]
        facts.append(Fact(label=say(lang, "buddies.group", number=number) + plain(": ")
                          + together(state.names, group.members, lang),
                          value=join(lines) if lines else say(lang, "buddies.no_topic")))
    for uid, code in proposal.unmatched:
        facts.append(Fact(label=say(lang, "buddies.unmatched")
                          + user(": " + name_of(state.names, uid)),
                          value=reason(lang, code)))
    return facts


def show_proposal(turn: Turn, state: BuddiesState) -> list[Block]:
    assert state.proposal is not None
    proposal, lang = state.proposal, turn.lang
    people = sum(len(g.members) for g in proposal.groups) + len(proposal.unmatched)
    notes = [say(lang, "buddies.proposal_note", count=len(proposal.groups), people=people)]
    if proposal.opted_out:
        notes.append(say(lang, "buddies.opted_out_count", count=proposal.opted_out))
    if proposal.reset:
        notes.append(say(lang, "buddies.reset"))
    return [CardBlock(title=say(lang, "buddies.proposal_title", team=state.team_name),
                      text=join(notes), facts=_proposal_facts(lang, state, proposal)),
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
                   turn.lang, "buddies.exclusion.remove", first=name_of(state.names, first),
                   second=name_of(state.names, second)))
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
    people = [Choice(value=u, label=user(name_of(state.names, u)))
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


# ---------------------------------------------------------------------- finish


async def start_round(turn: Turn, state: BuddiesState) -> list[Block]:
    """Save the round and tell everyone in it, each in their own language."""
    assert state.proposal is not None and state.team_id is not None
    groups = [g.members for g in state.proposal.groups]
    round_number = await turn.buddies.save_round(state.team_id, groups)
    langs = {m.user: m.lang for m in await turn.people.members()}
    for group in state.proposal.groups:
        for member in group.members:
            lang = TEXTS.normalise(langs.get(member) or turn.lang)
            await turn.outbox.notify(
                member, notice(lang, state.team_name, state.names, member, group, round_number),
                key=f"buddies:{state.team_id}:{round_number}:{member}")
    return [TextBlock(text=say(turn.lang, "buddies.sent", round=round_number,
                               team=state.team_name, count=len(groups)))]


async def save_exclusion(turn: Turn, state: BuddiesState) -> list[Block]:
    assert state.team_id is not None
    team = await turn.teams.team(state.team_id)
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
    await turn.teams.update_settings(team.id, {**team.settings, SETTING: updated})
    return [TextBlock(text=say(turn.lang, key, first=name_of(state.names, pair[0]),
                               second=name_of(state.names, pair[1])))]


async def save_opt_out(turn: Turn, state: BuddiesState) -> list[Block]:
    opt_out = set(state.opt_out)
    if state.action == "opt_out":
        opt_out.add(OPT_OUT)
    else:
        opt_out.discard(OPT_OUT)
    await turn.people.set_details(turn.member.user, opt_out=opt_out)
    done = "buddies.opted_out" if state.action == "opt_out" else "buddies.opted_in"
    return [TextBlock(text=say(turn.lang, done))]


async def finish(turn: Turn, state: BuddiesState) -> list[Block]:
    def text(key: str) -> list[Block]:
        return [TextBlock(text=say(turn.lang, key))]

    if state.action == "round":
        return await start_round(turn, state) if state.confirmed else text("buddies.not_sent")
    if state.action == "exclusions":
        return await save_exclusion(turn, state) if state.confirmed and state.pair \
            else text("buddies.unchanged")
    if state.action in {"opt_out", "opt_in"}:
        return await save_opt_out(turn, state) if state.confirmed \
            else text("buddies.unchanged")
    return text("buddies.bye")


def organising(state: BuddiesState) -> bool:
    return state.action in {"round", "exclusions"}


DIALOG = Dialog(
    id="buddies", title="buddies.title", state=BuddiesState, start=start, finish=finish,
    help="buddies.help", menu=130,
    steps=[
        Choose("wat", prompt=ask_action, options=actions, handle=on_action,
               skip=lambda turn, state: state.action is not None),
        Choose("team", prompt="buddies.ask_team", options=team_options, handle=pick_team,
               skip=lambda turn, state: not organising(state) or state.team_id is not None),
        Confirm("voorstel", prompt=show_proposal, handle=confirm,
                skip=lambda turn, state: state.action != "round"),
        Choose("uitzonderingen", prompt=ask_exclusion, options=exclusion_options,
               handle=on_exclusion, help="buddies.help_exclusions",
               skip=lambda turn, state: state.action != "exclusions"),
        Form("uitzondering", prompt="buddies.exclusion_intro",
             title=lambda turn, state: say(turn.lang, "buddies.exclusion_title"),
             fields=pair_fields, handle=pick_pair, help="buddies.help_exclusions",
             skip=lambda turn, state: state.action != "exclusions" or state.change != "add"),
        Confirm("afmelden", prompt="buddies.ask_opt_out", handle=confirm,
                skip=lambda turn, state: state.action != "opt_out"),
        Confirm("aanmelden", prompt="buddies.ask_opt_in", handle=confirm,
                skip=lambda turn, state: state.action != "opt_in"),
    ],
    phrases=["buddy", "buddyronde", "buddyronde starten", "nieuwe buddyronde",
             "buddies koppelen", "leermaatje", "leermaatjes", "niet meer meedoen met buddies",
             "weer meedoen buddies", "buddy round", "start a buddy round", "pair buddies",
             "learning buddy"],
)
