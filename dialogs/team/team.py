"""Team (manager/HR; a lead for their own team): create a team of colleagues with its lead,
members and channel, list my teams, change members, lead, name or channel, or delete a team.

Teams are what check-ins, kennisrondjes, reflections and buddy rounds are sent to. Members
are colleagues Leerbot already knows (they talked to it once); in a small workspace they are
picked from a list, in a big one their names are typed and matched with typos allowed."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from rapidfuzz import fuzz

from dialogs.kit import (
    Ask,
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
    say,
    user,
)
from dialogs.kit.choices import pick_choice
from dialogs.policy import MANAGERS
from dialogs.team.port import Team
from engine.text import fold, tokens

#: above this many members, names are typed instead of picked from a list
BIG_WORKSPACE = 30
NAME_CUTOFF = 80
#: two candidates this close to each other: the typed name is ambiguous
AMBIGUITY_MARGIN = 3
NAME_LENGTH = (2, 80)
DONE_WORDS = {"klaar", "done", "ready", "gereed"}
CREATE_WORDS = {"nieuw", "nieuwe", "aanmaken", "maken", "create", "new", "oprichten"}
ME = "__me__"
SELF_WORDS = {"ik", "ikzelf", "mij", "mezelf", "me", "myself", "zelf"}


class TeamInfo(BaseModel):
    id: int
    name: str
    lead: str
    room: str | None = None
    members: list[str] = []


class TeamState(BaseModel):
    allowed: bool = False
    can_create: bool = False
    can_delete: bool = False
    teams: list[TeamInfo] = []  # the teams I may manage
    taken: list[tuple[int, str]] = []  # every team of the workspace (id, name)
    big: bool = False
    people: list[tuple[str, str]] = []  # (user, name) of the workspace, when it is small
    names: dict[str, str] = {}  # user -> name for everyone shown in this dialog
    rooms: list[tuple[str, str]] = []
    action: str | None = None  # create | edit | delete | done
    team_id: int | None = None
    change: str | None = None  # name | lead | members | channel
    name: str = ""
    lead: str = ""
    members: list[str] = []
    room: str | None = None
    partial: bool = False  # typed names: some were not found, the rest is being added
    confirmed: bool = False


# ---------------------------------------------------------------------- finding people


def split_names(text: str) -> list[str]:
    """'Anna, Bob en Carla' -> ['Anna', 'Bob', 'Carla']."""
    parts = re.split(r"\s*(?:[,;\n&+]|\ben\b|\band\b)\s*", text.strip())
    return [p.strip(" .") for p in parts if p.strip(" .")]


def name_score(part: str, name: str) -> float:
    """How well a typed (folded) part fits a (folded) name: the whole name, or one of its
    words ('bob' fits 'bob bakker'); plain similarity, so 'ja' does not fit 'jansen'."""
    scores = [fuzz.ratio(part, name), fuzz.token_sort_ratio(part, name)]
    if " " not in part:
        scores += [fuzz.ratio(part, word) for word in name.split()]
    return max(scores)


def numbered(part: str, choices: list[Choice]) -> str | None:
    """The member a typed number picks among the numbered buttons, if it is one."""
    if not part.isdigit() or not choices:
        return None
    try:
        return pick_choice(part, choices).value
    except InputError:
        return None


def match_name(key: str, people: list[tuple[str, str]],
               labels: list[str]) -> tuple[str | None, bool]:
    """The member a typed (folded) name means, typos allowed: (user id or None, ambiguous)."""
    exact = [uid for (uid, _), label in zip(people, labels, strict=True) if label == key]
    if len(exact) == 1:
        return exact[0], False
    if len(exact) > 1:
        return None, True
    scored = sorted(((name_score(key, label), index) for index, label in enumerate(labels)),
                    reverse=True)[:2]
    cutoff = NAME_CUTOFF if len(key) > 3 else 100  # short: only an exact (first) name
    if not scored or scored[0][0] < cutoff:
        return None, False
    if len(scored) > 1 and scored[0][0] - scored[1][0] < AMBIGUITY_MARGIN:
        return None, True
    return people[scored[0][1]][0], False


def match_people(text: str, people: list[tuple[str, str]],
                 buttons: list[Choice] | None = None) -> tuple[list[str], list[str], list[str]]:
    """The members that typed names mean (typos allowed), or the numbers of the numbered
    ``buttons``: (found user ids, names not found, names that fit several members)."""
    ids = {uid for uid, _ in people}
    labels = [fold(name or uid) for uid, name in people]
    found: dict[str, None] = {}
    missing: list[str] = []
    ambiguous: list[str] = []
    for part in split_names(text):
        picked = numbered(part, buttons or []) or (part if part in ids else None)
        if picked is not None:
            found.setdefault(picked, None)
            continue
        uid, unclear = match_name(fold(part), people, labels)
        if uid is not None:
            found.setdefault(uid, None)
        else:
            (ambiguous if unclear else missing).append(part)
    return list(found), missing, ambiguous


async def everyone(turn: Turn) -> list[tuple[str, str]]:
    return [(m.user, m.name or m.user) for m in await turn.people.members()]


def name_of(state: TeamState, uid: str) -> str:
    return state.names.get(uid) or uid


def people_list(state: TeamState, users: list[str]) -> str:
    return ", ".join(name_of(state, u) for u in users)


# ---------------------------------------------------------------------- start


def _info(team: Team) -> TeamInfo:
    return TeamInfo(id=team.id, name=team.name, lead=team.lead, room=team.room,
                    members=team.members)


async def start(turn: Turn, text: str) -> TeamState:
    me = turn.member
    people = await everyone(turn)
    known = dict(people)
    every_team = await turn.teams.teams()
    manager = me.role in MANAGERS
    mine = every_team if manager else [t for t in every_team if t.lead == me.user]
    involved = {me.user} | {t.lead for t in mine} | {u for t in mine for u in t.members}
    big = len(people) > BIG_WORKSPACE
    state = TeamState(
        allowed=manager or bool(mine), can_create=manager, can_delete=manager,
        teams=[_info(t) for t in mine], taken=[(t.id, t.name) for t in every_team],
        big=big, people=[] if big else people,
        names={u: known.get(u, u) for u in involved},
        rooms=await turn.teams.rooms())
    wants_new = bool(set(tokens(text, keep_stopwords=True)) & CREATE_WORDS)
    if state.can_create and (wants_new or not state.teams):
        state = new_draft(turn, state)
    return state


def new_draft(turn: Turn, state: TeamState) -> TeamState:
    return state.model_copy(update={"action": "create", "team_id": None, "change": None,
                                    "name": "", "lead": turn.member.user, "members": [],
                                    "room": None, "partial": False})


def load_team(state: TeamState, team_id: int) -> TeamState:
    team = next(t for t in state.teams if t.id == team_id)
    return state.model_copy(update={"team_id": team.id, "name": team.name, "lead": team.lead,
                                    "members": list(team.members), "room": team.room})


# ---------------------------------------------------------------------- what to do


def room_label(turn: Turn, state: TeamState, room: str | None) -> Rich:
    if room is None:
        return say(turn.lang, "team.no_room")
    return user(dict(state.rooms).get(room, room))


def team_card(turn: Turn, state: TeamState, team: TeamInfo | None = None) -> CardBlock:
    name, lead, members, room = ((team.name, team.lead, team.members, team.room) if team else
                                 (state.name, state.lead, state.members, state.room))
    facts = [Fact(label=say(turn.lang, "team.field.lead"), value=user(name_of(state, lead))),
             Fact(label=say(turn.lang, "team.field.members", count=len(members)),
                  value=user(people_list(state, members) or "-")),
             Fact(label=say(turn.lang, "team.field.room"),
                  value=room_label(turn, state, room))]
    return CardBlock(title=user(name or "-"), facts=facts)


def ask_action(turn: Turn, state: TeamState) -> Rich:
    if state.teams:
        return say(turn.lang, "team.ask_action", count=len(state.teams))
    return say(turn.lang, "team.ask_action_none")


def actions(turn: Turn, state: TeamState) -> list[Choice]:
    choices = []
    if state.can_create:
        choices.append(Choice(value="create", label=say(turn.lang, "team.action.create"),
                              style="primary"))
    if state.teams:
        choices += [Choice(value="list", label=say(turn.lang, "team.action.list")),
                    Choice(value="edit", label=say(turn.lang, "team.action.edit"))]
        if state.can_delete:
            choices.append(Choice(value="delete", label=say(turn.lang, "team.action.delete"),
                                  style="danger"))
    return [*choices, Choice(value="done", label=say(turn.lang, "team.action.done"))]


def on_action(turn: Turn, state: TeamState, value: str) -> TeamState | Flow[Any]:
    if value == "done":
        return Flow(state=state.model_copy(update={"action": "done"}), done=True)
    if value == "list":
        cards: list[Block] = [team_card(turn, state, team) for team in state.teams]
        return Flow(state=state, goto="wat", say=cards)
    if value == "create":
        return new_draft(turn, state)
    chosen = state.model_copy(update={"action": value, "team_id": None, "change": None})
    if len(state.teams) == 1:
        return load_team(chosen, state.teams[0].id)
    return chosen


def team_options(turn: Turn, state: TeamState) -> list[Choice]:
    return [Choice(value=str(t.id), label=user(t.name)) for t in state.teams]


def pick_team(turn: Turn, state: TeamState, value: str) -> TeamState:
    return load_team(state, int(value))


def changes(turn: Turn, state: TeamState) -> list[Choice]:
    choices = [Choice(value=c, label=say(turn.lang, f"team.change.{c}"))
               for c in ("members", "lead", "name")]
    if state.rooms or state.room:
        choices.insert(1, Choice(value="channel", label=say(turn.lang, "team.change.channel")))
    return choices


def ask_change(turn: Turn, state: TeamState) -> list[Block]:
    return [team_card(turn, state), TextBlock(text=say(turn.lang, "team.ask_change"))]


def pick_change(turn: Turn, state: TeamState, value: str) -> TeamState:
    return state.model_copy(update={"change": value, "partial": False})


# ---------------------------------------------------------------------- the fields


def asks(state: TeamState, what: str) -> bool:
    return state.action == "create" or (state.action == "edit" and state.change == what)


def ask_name(turn: Turn, state: TeamState) -> Rich:
    if state.action == "edit":
        return say(turn.lang, "team.ask_rename", name=state.name)
    return say(turn.lang, "team.ask_name")


def name_clash(state: TeamState, name: str, taken: list[tuple[int, str]]) -> bool:
    return any(fold(other).strip() == fold(name).strip() and ident != state.team_id
               for ident, other in taken)


def pick_name(turn: Turn, state: TeamState, text: str) -> TeamState:
    name = " ".join(text.split())
    low, high = NAME_LENGTH
    if not low <= len(name) <= high:
        raise InputError("team.bad_name", low=low, high=high)
    if name_clash(state, name, state.taken):
        raise InputError("team.name_taken", name=name)
    return state.model_copy(update={"name": name})


def ask_lead(turn: Turn, state: TeamState) -> Rich:
    key = "team.ask_lead_big" if state.big else "team.ask_lead"
    return say(turn.lang, key, name=name_of(state, state.lead or turn.member.user))


def lead_suggestions(turn: Turn, state: TeamState) -> list[Choice]:
    me = Choice(value=ME, label=say(turn.lang, "team.me",
                                    name=turn.member.name or turn.member.user), style="primary")
    return [me, *(Choice(value=uid, label=user(name)) for uid, name in state.people
                  if uid != turn.member.user)]


async def pick_lead(turn: Turn, state: TeamState, text: str) -> TeamState:
    text = numbered(text, lead_suggestions(turn, state)) or text  # a numbered button, typed
    if text == ME or fold(text).strip(" .!") in SELF_WORDS:
        lead, name = turn.member.user, turn.member.name or turn.member.user
    else:
        people = state.people or await everyone(turn)
        found, missing, ambiguous = match_people(text, people)
        if ambiguous:
            raise InputError("team.ambiguous", names=", ".join(ambiguous))
        if missing or len(found) != 1:
            raise InputError("team.lead_not_found" if missing else "team.one_lead",
                             names=", ".join(missing))
        lead, name = found[0], dict(people)[found[0]]
    return state.model_copy(update={"lead": lead, "names": {**state.names, lead: name}})


def ask_members(turn: Turn, state: TeamState) -> Rich:
    if state.action == "edit":
        return say(turn.lang, "team.ask_members_edit",
                   members=people_list(state, state.members) or "-")
    return say(turn.lang, "team.ask_members")


def member_fields(turn: Turn, state: TeamState) -> list[FormField]:
    return [FormField(name="members", label=say(turn.lang, "team.field.members_pick"),
                      kind="multichoice",
                      choices=[Choice(value=uid, label=user(name)) for uid, name in state.people],
                      default=",".join(state.members) or None)]


def pick_members(turn: Turn, state: TeamState, values: dict[str, Any]) -> TeamState:
    chosen: list[str] = values["members"]
    names = {**state.names, **{u: n for u, n in state.people if u in chosen}}
    return state.model_copy(update={"members": chosen, "names": names})


def ask_typed(turn: Turn, state: TeamState) -> Rich:
    if state.partial:
        return say(turn.lang, "team.ask_more", members=people_list(state, state.members))
    if state.action == "edit":
        return say(turn.lang, "team.ask_typed_edit",
                   members=people_list(state, state.members) or "-")
    return say(turn.lang, "team.ask_typed_big" if state.big else "team.ask_typed")


def member_suggestions(turn: Turn, state: TeamState) -> list[Choice]:
    return [Choice(value=uid, label=user(name)) for uid, name in state.people]


def typing(turn: Turn, state: TeamState) -> bool:
    """Members are typed in big workspaces, and where the channel has no forms."""
    return state.big or not turn.forms


async def pick_typed(turn: Turn, state: TeamState,
                     text: str) -> TeamState | Flow[TeamState]:
    if fold(text).strip(" .!") in DONE_WORDS:
        if not state.members:
            raise InputError("team.no_members")
        return state.model_copy(update={"partial": False})
    people = state.people or await everyone(turn)
    found, missing, ambiguous = match_people(text, people, member_suggestions(turn, state))
    known = dict(people)
    members = list(dict.fromkeys([*state.members, *found])) if state.partial else found
    names = {**state.names, **{u: known[u] for u in found}}
    updated = state.model_copy(update={"members": members, "names": names})
    if not missing and not ambiguous:
        return updated.model_copy(update={"partial": False})
    problems: list[Rich] = []
    if missing:
        problems.append(say(turn.lang, "team.not_found", names=", ".join(missing)))
    if ambiguous:
        problems.append(say(turn.lang, "team.ambiguous", names=", ".join(ambiguous)))
    if found:
        problems.append(say(turn.lang, "team.found",
                            names=", ".join(known[u] for u in found)))
    return Flow(state=updated.model_copy(update={"partial": bool(members)}), goto="leden_typen",
                say=[TextBlock(text=join(problems))])


def room_options(turn: Turn, state: TeamState) -> list[Choice]:
    rooms = [Choice(value=room, label=user(label)) for room, label in state.rooms]
    return [*rooms, Choice(value="none", label=say(turn.lang, "team.no_room"))]


def pick_room(turn: Turn, state: TeamState, value: str) -> TeamState:
    return state.model_copy(update={"room": None if value == "none" else value})


# ---------------------------------------------------------------------- confirm and save


def review(turn: Turn, state: TeamState) -> list[Block]:
    key = "team.ask_save_new" if state.action == "create" else "team.ask_save"
    return [team_card(turn, state), TextBlock(text=say(turn.lang, key))]


def confirm(turn: Turn, state: TeamState, yes: bool) -> Flow[TeamState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


def ask_delete(turn: Turn, state: TeamState) -> list[Block]:
    return [team_card(turn, state),
            TextBlock(text=say(turn.lang, "team.ask_delete", name=state.name))]


async def finish(turn: Turn, state: TeamState) -> list[Block]:
    def text(key: str, **params: Any) -> list[Block]:
        return [TextBlock(text=say(turn.lang, key, **params))]

    if not state.allowed:
        return text("team.not_allowed")
    if state.action in {None, "done"}:
        return text("team.bye")
    if state.action == "delete":
        if not state.confirmed or state.team_id is None:
            return text("team.kept", name=state.name)
        await turn.teams.delete_team(state.team_id)
        return text("team.deleted", name=state.name)
    if not state.confirmed:
        return text("team.not_saved")
    # another manager may have taken the name in the meantime
    taken = [(t.id, t.name) for t in await turn.teams.teams()]
    if name_clash(state, state.name, taken):
        return text("team.name_taken_late", name=state.name)
    team = await turn.teams.save_team(state.name, state.lead, state.members, state.room,
                                      team_id=state.team_id)
    key = "team.created" if state.action == "create" else "team.saved"
    return [team_card(turn, state, _info(team)), *text(key, name=team.name)]


DIALOG = Dialog(
    id="team", title="team.title", state=TeamState, start=start, finish=finish,
    help="team.help", menu=90, menu_roles=MANAGERS,
    steps=[
        Choose("wat", prompt=ask_action, options=actions, handle=on_action,
               skip=lambda turn, state: not state.allowed or state.action is not None),
        Choose("welk", prompt=lambda turn, state: say(turn.lang, "team.ask_team"),
               options=team_options, handle=pick_team,
               skip=lambda turn, state: state.action not in {"edit", "delete"}
               or state.team_id is not None),
        Choose("wijzig", prompt=ask_change, options=changes, handle=pick_change,
               skip=lambda turn, state: state.action != "edit"),
        Ask("naam", prompt=ask_name, handle=pick_name, help="team.help_name",
            skip=lambda turn, state: not asks(state, "name")),
        Ask("leider", prompt=ask_lead, handle=pick_lead, suggestions=lead_suggestions,
            help="team.help_lead", skip=lambda turn, state: not asks(state, "lead")),
        Form("leden", prompt=ask_members, fields=member_fields, handle=pick_members,
             title=lambda turn, state: say(turn.lang, "team.members_title"),
             help="team.help_members",
             skip=lambda turn, state: typing(turn, state) or not asks(state, "members")),
        Ask("leden_typen", prompt=ask_typed, handle=pick_typed, help="team.help_typed",
            suggestions=member_suggestions,
            skip=lambda turn, state: not typing(turn, state) or not asks(state, "members")),
        Choose("kanaal", prompt=lambda turn, state: say(turn.lang, "team.ask_room"),
               options=room_options, handle=pick_room, help="team.help_room",
               skip=lambda turn, state: not asks(state, "channel")
               or not (state.rooms or state.room)),
        Confirm("bewaren", prompt=review, handle=confirm,
                skip=lambda turn, state: state.action not in {"create", "edit"}),
        Confirm("verwijderen", prompt=ask_delete, handle=confirm,
                skip=lambda turn, state: state.action != "delete"),
    ],
    phrases=["teams", "team aanmaken", "nieuw team", "teams beheren", "mijn teams",
             "teamleden", "team bewerken", "team verwijderen", "teamkanaal",
             "create a team", "new team", "manage teams", "my teams", "team members"],
)
