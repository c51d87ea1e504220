"""Mijn profiel (action 6.1): what I am good at, what I can help with, where I want to grow,
and how I like to learn; competencies recognised from the taxonomy."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from dialogs.kit import (
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
    TextBlock,
    Turn,
    join,
    say,
    user,
)
from dialogs.profile.port import Profile
from engine.competencies import competencies_in, labels

STYLES = ("doing", "colleagues", "online", "classroom", "reading", "video", "coaching")
TEXTS = ("good_at", "can_help_with", "wants_to_grow")
MAX_TEXT = 500


class ProfileState(BaseModel):
    existing: Profile | None = None
    wishes: list[str] = []  # her learning wishes and POP goals, as she reads them
    mode: str | None = None  # edit | keep | delete
    draft: Profile | None = None
    confirmed: bool = False


async def learning_wishes(turn: Turn) -> list[str]:
    """What she wants to learn: her saved learning wishes and the goals of her POP."""
    me = turn.member.user
    wishes = [f"{w.text} ({', '.join(w.competencies)})" if w.competencies else w.text
              for w in await turn.learning_wishes.wishes(me)]
    plan = await turn.development.plan(me)
    for goal in plan.goals if plan is not None else []:
        wishes.append(f"{goal.text} ({goal.competency})" if goal.competency else goal.text)
    return list(dict.fromkeys(wishes))


async def start(turn: Turn, text: str) -> ProfileState:
    return ProfileState(existing=await turn.profiles.profile(turn.member.user),
                        wishes=await learning_wishes(turn))


def styles(turn: Turn) -> list[Choice]:
    return [Choice(value=s, label=say(turn.lang, f"profile.style.{s}")) for s in STYLES]


def style_names(turn: Turn, values: str) -> str:
    return ", ".join(say(turn.lang, f"profile.style.{v}").plain for v in values.split(",") if v)


def card(turn: Turn, profile: Profile, wishes: list[str] | None = None) -> CardBlock:
    facts = [Fact(label=say(turn.lang, f"profile.field.{name}"), value=user(value))
             for name in TEXTS if (value := getattr(profile, name))]
    if profile.learns_best:
        facts.append(Fact(label=say(turn.lang, "profile.field.learns_best"),
                          value=user(style_names(turn, profile.learns_best))))
    if profile.competencies:
        facts.append(Fact(label=say(turn.lang, "profile.field.competencies"),
                          value=user(labels(profile.competencies, turn.lang))))
    if wishes:
        facts.append(Fact(label=say(turn.lang, "profile.field.wishes"),
                          value=user("; ".join(wishes))))
    return CardBlock(title=say(turn.lang, "profile.card_title", name=turn.member.name or ""),
                     facts=facts)


def intro(turn: Turn, state: ProfileState) -> list[Block]:
    assert state.existing is not None
    return [card(turn, state.existing, state.wishes),
            TextBlock(text=say(turn.lang, "profile.ask_mode"))]


def form_intro(turn: Turn, state: ProfileState) -> list[Block]:
    """A new profile starts here; her learning wishes are shown first when she has any."""
    intro = TextBlock(text=say(turn.lang, "profile.intro"))
    if not state.wishes or (state.existing is not None and state.existing.good_at):
        return [intro]
    return [CardBlock(title=say(turn.lang, "profile.field.wishes"),
                      text=user("; ".join(state.wishes))), intro]


def modes(turn: Turn, state: ProfileState) -> list[Choice]:
    return [Choice(value="edit", label=say(turn.lang, "profile.mode.edit"), style="primary"),
            Choice(value="keep", label=say(turn.lang, "profile.mode.keep")),
            Choice(value="delete", label=say(turn.lang, "profile.mode.delete"), style="danger")]


def pick_mode(turn: Turn, state: ProfileState, value: str) -> ProfileState | Flow[ProfileState]:
    chosen = state.model_copy(update={"mode": value})
    if value == "keep":
        return Flow(state=chosen, done=True)
    if value == "delete":
        return Flow(state=chosen, goto="wissen")
    return chosen


def fields(turn: Turn, state: ProfileState) -> list[FormField]:
    old = state.existing or Profile()

    def text(name: str, required: bool) -> FormField:
        return FormField(name=name, label=say(turn.lang, f"profile.field.{name}"),
                         kind="textarea", required=required, max=MAX_TEXT,
                         placeholder=say(turn.lang, f"profile.example.{name}"),
                         default=getattr(old, name) or None)

    return [text("good_at", True), text("can_help_with", False), text("wants_to_grow", False),
            FormField(name="learns_best", label=say(turn.lang, "profile.field.learns_best"),
                      kind="multichoice", required=False, choices=styles(turn),
                      default=old.learns_best or None)]


def submit(turn: Turn, state: ProfileState, values: dict[str, Any]) -> ProfileState:
    texts = {name: values[name] or "" for name in TEXTS}
    found = competencies_in(f"{texts['good_at']}\n{texts['can_help_with']}")
    draft = Profile(**texts, learns_best=",".join(values["learns_best"] or []),
                    competencies=found)
    return state.model_copy(update={"draft": draft})


def review(turn: Turn, state: ProfileState) -> list[Block]:
    assert state.draft is not None
    if state.draft.competencies:
        note = say(turn.lang, "profile.recognised",
                   competencies=labels(state.draft.competencies, turn.lang))
    else:
        note = say(turn.lang, "profile.none_recognised")
    return [card(turn, state.draft, state.wishes),
            TextBlock(text=join([note, say(turn.lang, "profile.ask_save")]))]


def confirm(turn: Turn, state: ProfileState, yes: bool) -> Flow[ProfileState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


async def finish(turn: Turn, state: ProfileState) -> list[Block]:
    if state.mode == "keep" or (state.mode == "delete" and not state.confirmed):
        return [TextBlock(text=say(turn.lang, "profile.kept"))]
    if state.mode == "delete":  # the texts go; the profile stays, empty
        await turn.profiles.save_profile(turn.member.user, Profile())
        return [TextBlock(text=say(turn.lang, "profile.deleted"))]
    if not state.confirmed or state.draft is None:
        return [TextBlock(text=say(turn.lang, "profile.not_saved"))]
    await turn.profiles.save_profile(turn.member.user, state.draft)
    return [TextBlock(text=say(turn.lang, "profile.saved"))]


DIALOG = Dialog(
    id="profile", title="profile.title", state=ProfileState, start=start, finish=finish,
    help="profile.help", menu=40, aliases=["profiel"],
    steps=[
        Choose("bestaand", prompt=intro, options=modes, handle=pick_mode,
               skip=lambda turn, state: state.existing is None
               or not state.existing.good_at),
        Form("invullen", prompt=form_intro,
             title=lambda turn, state: say(turn.lang, "profile.form_title"),
             fields=fields, handle=submit, help="profile.help_form"),
        Confirm("bewaren", prompt=review, handle=confirm),
        Confirm("wissen", prompt="profile.confirm_delete", handle=confirm),
    ],
    phrases=["mijn profiel", "profiel", "profiel invullen", "profiel bewerken",
             "waar ben ik goed in", "hiermee kan ik helpen", "my profile", "edit my profile"],
)
