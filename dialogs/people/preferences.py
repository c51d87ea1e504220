"""Voorkeuren: my timezone (when scheduled messages reach me) and whether I take part in being
suggested as an expert and in buddy rounds; one step at a time, a summary, then saved."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import available_timezones

from pydantic import BaseModel

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
    InputError,
    Rich,
    TextBlock,
    Turn,
    join,
    plain,
    say,
    user,
)
from engine.recurrence import valid_zone
from engine.text import fold

DEFAULT_ZONE = "Europe/Amsterdam"
COMMON_ZONES = ("Europe/Amsterdam", "Europe/Brussels", "Europe/London", "America/New_York",
                "Asia/Jakarta", "Australia/Sydney")
#: what a member can switch off (MemberDetails.opt_out)
TOPICS = ("experts", "buddies")
KEEP = "keep"


class PreferencesState(BaseModel):
    old_zone: str | None = None
    zone: str = DEFAULT_ZONE
    old_opt_out: list[str] = []
    experts: bool = True  # may be suggested as expert
    buddies: bool = True  # takes part in buddy rounds
    confirmed: bool = False


@cache
def _zone_index() -> tuple[dict[str, str], dict[str, str | None]]:
    """Folded full names, and folded city parts (None when a city is in several regions)."""
    full: dict[str, str] = {}
    cities: dict[str, str | None] = {}
    for name in available_timezones():
        full[fold(name)] = name
        if "/" in name and not name.startswith(("Etc/", "SystemV/")):
            city = fold(name.rsplit("/", 1)[1].replace("_", " "))
            cities[city] = name if city not in cities else None
    return full, cities


def find_zone(text: str) -> str | None:
    """The IANA zone a typed answer means: 'Europe/Brussels', 'europe/brussels',
    'America/New York', or just a unique city such as 'Jakarta'; None when unknown."""
    cleaned = text.strip().strip(".")
    if valid_zone(cleaned):
        return cleaned
    full, cities = _zone_index()
    key = fold(cleaned.replace(" ", "_"))
    if key in full:
        return full[key]
    return cities.get(fold(cleaned.replace("_", " ")))


async def start(turn: Turn, text: str) -> PreferencesState:
    details = await turn.people.details(turn.member.user)
    zone = details.timezone if details.timezone and valid_zone(details.timezone) else None
    return PreferencesState(old_zone=details.timezone, zone=zone or DEFAULT_ZONE,
                            old_opt_out=sorted(details.opt_out),
                            experts="experts" not in details.opt_out,
                            buddies="buddies" not in details.opt_out)


def ask_zone(turn: Turn, state: PreferencesState) -> Rich:
    known = "preferences.zone_now" if state.old_zone else "preferences.zone_default"
    return join([say(turn.lang, "preferences.intro"), say(turn.lang, known, zone=state.zone),
                 say(turn.lang, "preferences.ask_zone")], "\n\n")


def zone_suggestions(turn: Turn, state: PreferencesState) -> list[Choice]:
    keep = Choice(value=KEEP, label=say(turn.lang, "preferences.keep_zone", zone=state.zone),
                  style="primary")
    return [keep, *(Choice(value=z, label=plain(z)) for z in COMMON_ZONES if z != state.zone)]


def pick_zone(turn: Turn, state: PreferencesState, text: str) -> PreferencesState:
    if text == KEEP:
        return state
    found = find_zone(text)
    if found is None:
        raise InputError("preferences.bad_zone", value=text[:80])
    return state.model_copy(update={"zone": found})


def yes_no_options(topic: str) -> Any:
    def options(turn: Turn, state: PreferencesState) -> list[Choice]:
        return [Choice(value="in", label=say(turn.lang, f"preferences.{topic}_in"),
                       style="primary"),
                Choice(value="out", label=say(turn.lang, f"preferences.{topic}_out"))]
    return options


def ask_topic(topic: str) -> Any:
    def prompt(turn: Turn, state: PreferencesState) -> Rich:
        now = say(turn.lang, f"preferences.now_{'in' if getattr(state, topic) else 'out'}")
        return join([say(turn.lang, f"preferences.ask_{topic}"), now])
    return prompt


def pick_topic(topic: str) -> Any:
    def handle(turn: Turn, state: PreferencesState, value: str) -> PreferencesState:
        return state.model_copy(update={topic: value == "in"})
    return handle


def summary(turn: Turn, state: PreferencesState) -> list[Block]:
    def yes(flag: bool) -> Rich:
        return say(turn.lang, "preferences.yes" if flag else "preferences.no")

    facts = [Fact(label=say(turn.lang, "preferences.label.zone"), value=user(state.zone)),
             Fact(label=say(turn.lang, "preferences.label.experts"), value=yes(state.experts)),
             Fact(label=say(turn.lang, "preferences.label.buddies"), value=yes(state.buddies))]
    return [CardBlock(title=say(turn.lang, "preferences.summary_title"), facts=facts),
            TextBlock(text=say(turn.lang, "preferences.ask_save"))]


def confirm(turn: Turn, state: PreferencesState, yes: bool) -> Flow[PreferencesState]:
    return Flow(state=state.model_copy(update={"confirmed": yes}), done=True)


async def finish(turn: Turn, state: PreferencesState) -> list[Block]:
    if not state.confirmed:
        return [TextBlock(text=say(turn.lang, "preferences.not_saved"))]
    opt_out = set(state.old_opt_out) - set(TOPICS)
    opt_out |= {topic for topic in TOPICS if not getattr(state, topic)}
    await turn.people.set_details(turn.member.user, timezone=state.zone, opt_out=opt_out)
    return [TextBlock(text=say(turn.lang, "preferences.saved", zone=state.zone))]


DIALOG = Dialog(
    id="preferences", title="preferences.title", state=PreferencesState, start=start,
    finish=finish, help="preferences.help", menu=160, aliases=["voorkeuren"],
    steps=[
        Ask("tijdzone", prompt=ask_zone, handle=pick_zone, suggestions=zone_suggestions,
            help="preferences.help_zone"),
        Choose("experts", prompt=ask_topic("experts"), options=yes_no_options("experts"),
               handle=pick_topic("experts")),
        Choose("buddies", prompt=ask_topic("buddies"), options=yes_no_options("buddies"),
               handle=pick_topic("buddies")),
        Confirm("bewaren", prompt=summary, handle=confirm),
    ],
    phrases=["voorkeuren", "mijn voorkeuren", "instellingen", "tijdzone", "mijn tijdzone",
             "tijdzone instellen", "tijdzone wijzigen", "preferences", "my preferences",
             "settings", "timezone", "time zone", "my timezone", "set my timezone",
             "change time zone"],
)
