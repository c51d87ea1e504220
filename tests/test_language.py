"""The language pass: plural forms instead of bracket plurals, dates through Babel, competency
names in the reader's language, no double numbering, and no Markdown shown as text on any
channel (console, web chat, Slack, Teams)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import dialogs.registry  # noqa: F401  (every feature's texts, as the bot has them)
from bot.channels import console, msteams_render
from bot.channels.slack import render as slack_render
from bot.channels.webchat import message_json
from dialogs.kit import TEXTS, ChoicesBlock, Incoming, Message, local_date, say
from engine.competencies import label, labels
from knowledge.taxonomy import load_taxonomy
from tests.conversation import CONSOLE, WEB, User
from tests.test_dialogs import use_catalogue

#: "team(s)", "bericht(en)", "groepje(s)", "teamlid/teamleden": a plural left to the reader
BRACKET_PLURAL = re.compile(r"\w\((s|en|n|es|'s)\)|\bteamlid/teamleden\b", re.I)
#: a choice label that numbers itself, while every channel numbers its lists already
NUMBERED = re.compile(r"^\s*\d+[.)]\s")


class Recorder(User):
    """A user who keeps every message they were shown."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen: list[Message] = []

    async def send(self, incoming: Incoming) -> str:
        text = await super().send(incoming)
        self.seen.extend(self.last)
        return text


def _forms(template: object) -> list[str]:
    return list(template.values()) if isinstance(template, dict) else [str(template)]


#: texts whose language pass belongs to the features being rebuilt at the same time (the
#: scan, the path builder, my path, the development conversation)
OTHERS = ("scan.", "path_builder.", "saved_paths.", "my_path.", "development.")


@pytest.mark.parametrize("lang", TEXTS.languages)
def test_no_bracket_plurals_in_the_catalogues(lang: str) -> None:
    found = [f"{key}: {form}" for key, template in TEXTS.catalogue(lang).items()
             for form in _forms(template)
             if BRACKET_PLURAL.search(form) and not key.startswith(OTHERS)]
    assert found == []


@pytest.mark.parametrize("lang", TEXTS.languages)
def test_sentences_start_with_a_capital(lang: str) -> None:
    """A whole sentence (it ends in . ? or !) starts with a capital; fragments said inside
    another sentence ("vandaag om {at}") do not end in a full stop. Catalogue import problems
    follow "regel 3: " and so start in lower case."""
    found = [f"{key}: {form}" for key, template in TEXTS.catalogue(lang).items()
             for form in _forms(template)
             if re.search(r"[.?!]$", form.strip()) and re.match(r"[a-z]", form.strip())
             and not key.startswith((*OTHERS, "import."))]
    assert found == []


@pytest.mark.parametrize(("key", "params", "one", "many"), [
    ("team.ask_action", {}, "Je beheert 1 team.", "Je beheert 3 teams."),
    ("runs.retried", {}, "1 bericht staat weer", "3 berichten staan weer"),
    ("open_questions.intro", {}, "Er staat 1 open vraag", "Er staan 3 open vragen"),
    ("buddies.proposal_note", {"people": 7}, "1 groepje voor 7", "3 groepjes voor 7"),
    ("knowledge_round.started", {"team": "Zorg"}, "1 persoon krijgt", "3 mensen krijgen"),
    ("logbook.rounds", {}, "in 1 ronde", "in 3 rondes"),
])
def test_texts_with_a_number_choose_their_plural_form(key: str, params: dict[str, object],
                                                      one: str, many: str) -> None:
    assert one in say("nl", key, count=1, **params).plain
    assert many in say("nl", key, count=3, **params).plain
    assert "(s)" not in say("en", key, count=1, **params).plain


def test_dates_follow_the_language() -> None:
    day = date(2027, 5, 31)
    assert local_date(day, "nl") == "31 mei 2027"
    assert local_date(day, "en") == "May 31, 2027"
    assert local_date(day, "nl-BE", year=False) == "31 mei"
    assert local_date(day, "en", year=False) == "May 31"


def test_competency_labels_in_the_readers_language() -> None:
    assert label("Agendabeheer", "en") == "Calendar management"
    assert label("agendabeheer", "en-GB") == "Calendar management"
    assert label("Agendabeheer", "nl") == "Agendabeheer"
    assert label("Eigen competentie van de catalogus", "en") == \
        "Eigen competentie van de catalogus"
    assert labels(["Assertiviteit", "Agendabeheer"], "en") == \
        "Assertiveness, Calendar management"
    missing = [c.id for c in load_taxonomy().competencies if not c.label.en.strip()]
    assert missing == [], "every bundled competency has an English label"


# ------------------------------------------------------------------ what the channels show


def _segment_texts(message: Message) -> list[str]:
    """Every text segment of a message, as the web chat receives them."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if "kind" in value and "text" in value:
                found.append(value["text"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(message_json(message))
    return found


def markdown_shown(messages: list[Message]) -> dict[str, list[str]]:
    """Where Markdown would show as text, per channel (empty lists when none does)."""
    shown: dict[str, list[str]] = {}
    lines = [line for line in console.render(messages).lines if isinstance(line, str)]
    shown["console"] = [line for line in lines if "**" in line or "__" in line]
    shown["web"] = [text for m in messages for text in _segment_texts(m)
                    if "**" in text or "__" in text]
    slack = json.dumps([m.blocks for m in slack_render.render(messages).messages],
                       ensure_ascii=False)
    shown["slack"] = re.findall(r".{0,30}(?:\*\*|__).{0,30}", slack)
    teams = json.dumps(msteams_render.render(messages), ensure_ascii=False)
    # bold is "**x**" on Teams; escaped asterisks or an empty bold pair would show as text
    shown["teams"] = re.findall(r".{0,30}(?:\\\\\*\\\\\*|\\\\_\\\\_|\*\*\*\*).{0,30}", teams)
    return {channel: found for channel, found in shown.items() if found}


def numbered_labels(messages: list[Message]) -> list[str]:
    return [c.label.plain for m in messages for b in m.blocks if isinstance(b, ChoicesBlock)
            for c in b.choices if NUMBERED.match(c.label.plain)]


async def _tour(person: Recorder) -> None:
    """Several dialogs, as a curious employee or manager tries them."""
    english = person.locale == "en"
    await person.say("menu")
    await person.say("help")
    await person.say("actions" if english else "acties")
    await person.press("6")
    await person.press("6.2")
    await person.press("done")
    await person.say("scan")
    await person.say("Team Zorg")
    for answer in ("3", "4", "2"):
        await person.say(answer)
    await person.say("stop")
    await person.say("ja")
    await person.say("my profile" if english else "mijn profiel")
    if person.channel.forms:
        await person.submit(good_at="Excel, agenda beheren", can_help_with="draaitabellen",
                            wants_to_grow="presenteren", learns_best="online")
    else:
        for answer in ("Excel, agenda beheren", "draaitabellen", "presenteren", "1"):
            await person.say(answer)
    await person.press("yes")
    await person.say("ik wil beter worden in excel")
    if person.channel.forms:
        await person.submit(level="mbo", formats="online")
    else:
        await person.say("mbo")
        await person.say("online")
    await person.press("done")
    for command in ("wie kan helpen met excel", "faq", "open vragen", "logboek", "voorkeuren"):
        await person.say(command)
        await person.say("stop")


@pytest.mark.parametrize(("channel", "locale"), [(CONSOLE, "nl"), (WEB, "nl"), (CONSOLE, "en")])
async def test_no_markdown_shown_as_text_on_any_channel(runtime, reference_catalogue: Path,  # type: ignore[no-untyped-def]
                                                       channel, locale: str) -> None:
    await use_catalogue(runtime, reference_catalogue)
    manager = Recorder(runtime.conductor, name="hr", channel=channel, locale=locale)
    await _tour(manager)
    assert len(manager.seen) > 30
    assert markdown_shown(manager.seen) == {}
    assert numbered_labels(manager.seen) == []


def test_a_bold_sentence_with_values_is_marked_once() -> None:
    from dialogs.kit import Rich, Segment, user

    text = Rich(segments=[Segment(kind="bold", text="Vraag "),
                          Segment(kind="user", text="1", strong=True),
                          Segment(kind="bold", text=" van 27 ")]) + user(" *x*")
    assert slack_render.mrkdwn(text) == "*Vraag 1 van 27*  *x*"
    assert msteams_render.markdown(text) == "**Vraag 1 van 27**  \\*x\\*"


async def test_english_mode_names_competencies_and_dates_in_english(runtime) -> None:  # type: ignore[no-untyped-def]
    anna = User(runtime.conductor, name="anna", channel=CONSOLE, locale="en")
    await anna.say("my profile")
    await anna.say("agenda beheren, assertief zijn")
    for answer in ("-", "-", "-"):
        out = await anna.say(answer)
    assert "Calendar management" in out and "Assertiveness" in out
    assert "Agendabeheer" not in out
    await anna.press("yes")
    bob = User(runtime.conductor, name="bob", channel=CONSOLE, locale="en")
    out = await bob.say("who can help with calendar management")
    assert "Calendar management" in out and "Agendabeheer" not in out
    assert "helped once" not in out  # nobody has helped yet: no count at all


def test_a_deadline_reminder_says_the_date_as_the_language_writes_it() -> None:
    from dialogs.invitations import deadline

    details = {"path": "Excel", "deadline": "2027-05-31"}
    assert "(31 mei 2027)" in deadline("nl", details)[0].plain
    assert "(May 31, 2027)" in deadline("en", details)[0].plain
    assert "2027-05-31" not in deadline("nl", details)[0].plain
