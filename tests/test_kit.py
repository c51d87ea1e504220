"""The dialog kit on its own: an in-memory unit of work and dialogs made up here, so nothing of
Leerbot is involved. Sub-flows, typed form fields that keep what was typed, back within a form,
renamed dialogs, sessions that no longer fit, starting a dialog by name."""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from dialogs.kit import (
    Ask,
    Call,
    Channel,
    Choice,
    Conductor,
    Conflict,
    Dialog,
    Flow,
    Form,
    FormField,
    Incoming,
    InputError,
    Member,
    Message,
    Session,
    SessionKey,
    TextBlock,
    plain,
    user,
)

CONSOLE = Channel(name="console", forms=False)
WEB = Channel(name="web", forms=True)
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
KIT = Path(__file__).resolve().parent.parent / "dialogs" / "kit"


# ---------------------------------------------------------------------- an in-memory unit


class MemorySessions:
    def __init__(self) -> None:
        self.rows: dict[SessionKey, tuple[dict[str, Any], int]] = {}

    async def load(self, key: SessionKey) -> tuple[Session | None, int]:
        if key not in self.rows:
            return None, 0
        data, version = self.rows[key]
        return Session.model_validate(data), version

    async def save(self, key: SessionKey, session: Session | None, version: int) -> None:
        if self.rows.get(key, ({}, 0))[1] != version:
            raise Conflict
        if session is None:
            self.rows.pop(key, None)
        else:
            self.rows[key] = (session.model_dump(mode="json"), version + 1)


class Ports:
    def __init__(self, ports: dict[str, Any]) -> None:
        self.ports = ports

    def get(self, name: str) -> Any:
        return self.ports[name]


class MemoryUnit:
    def __init__(self, sessions: MemorySessions, ports: dict[str, Any]) -> None:
        self.sessions = sessions
        self._ports = ports

    async def identify(self, key: SessionKey, name: str, channel: str,
                       timezone: str | None) -> Member:
        return Member(workspace=key.workspace, user=key.user, name=name,
                      role="boss" if key.user == "boss" else "employee")

    def ports(self, member: Member) -> Ports:
        return Ports(self._ports)

    async def mailbox(self, member: Member, limit: int | None = None) -> tuple[list[Message], int]:
        return [], 0


class Person:
    """Someone talking to a conductor."""

    def __init__(self, conductor: Conductor, name: str = "anna",
                 channel: Channel = CONSOLE) -> None:
        self.conductor, self.channel = conductor, channel
        self.key = SessionKey(channel=channel.name, workspace="w", user=name,
                              conversation="c")
        self.last: list[Message] = []

    @property
    def text(self) -> str:
        return "\n".join(m.plain for m in self.last)

    async def send(self, **fields: Any) -> str:
        self.last = await self.conductor.handle(Incoming(key=self.key, **fields), self.channel)
        return self.text

    async def say(self, text: str) -> str:
        return await self.send(text=text)

    async def submit(self, **values: str) -> str:
        prompt = next(m.prompt for m in self.last if m.prompt is not None)
        return await self.send(form=values, prompt=prompt)

    def form_defaults(self) -> dict[str, str | None]:
        from dialogs.kit import FormBlock

        form = next(b for m in self.last for b in m.blocks if isinstance(b, FormBlock))
        return {f.name: f.default for f in form.fields}


# ---------------------------------------------------------------------- dialogs made up here

RESULTS: list[Any] = []


class Questions(BaseModel):
    questions: list[str] = []
    answers: list[str] = []


def answer_one(turn: Any, state: Questions, text: str) -> Any:
    moved = state.model_copy(update={"answers": [*state.answers, text]})
    return Flow(state=moved, goto="vraag") if len(moved.answers) < len(moved.questions) \
        else moved


ANSWER = Dialog(
    id="answer", title="common.menu", state=Questions,
    result=lambda turn, state: state.answers,
    steps=[Ask("vraag", prompt=lambda turn, state: plain(
        f"Vraag: {state.questions[len(state.answers)]}"), handle=answer_one)],
)


class Survey(BaseModel):
    team: str = ""
    answers: list[str] = []


def finish_survey(turn: Any, state: Survey) -> list[Any]:
    RESULTS.append(state)
    return [TextBlock(text=plain("Bewaard: ") + user(" / ".join(state.answers)))]


SURVEY = Dialog(
    id="survey", title="common.menu", state=Survey, finish=finish_survey,
    phrases=["enquete invullen"], aliases=["enquete"], menu=1,
    steps=[
        Ask("team", prompt=lambda turn, state: plain("Welk team?"),
            handle=lambda turn, state, text: state.model_copy(update={"team": text})),
        Call("vragen", dialog=ANSWER,
             begin=lambda turn, state: Questions(questions=["Hoe ging het?", "Wat leerde je?"]),
             handle=lambda turn, state, answers: state.model_copy(update={"answers": answers})),
        Ask("slot", prompt=lambda turn, state: plain("Nog iets?"),
            handle=lambda turn, state, text: Flow(state=state, done=True)),
    ],
)


class Plan(BaseModel):
    values: dict[str, Any] = {}


def plan_fields(turn: Any, state: Plan) -> list[FormField]:
    return [
        FormField(name="size", label=plain("Aantal"), kind="number", min=1, max=50),
        FormField(name="age", label=plain("Leeftijd"), kind="range", min=15, max=80),
        FormField(name="deadline", label=plain("Deadline"), kind="date"),
        FormField(name="levels", label=plain("Niveau"), kind="multichoice",
                  choices=[Choice(value=v, label=plain(v)) for v in ("mbo", "hbo", "wo")]),
        FormField(name="online", label=plain("Online"), kind="yesno", required=False),
    ]


def check_plan(turn: Any, state: Plan, values: dict[str, Any]) -> Any:
    if values["size"] > 10 and values["online"] is False:
        raise InputError("input.required", at="online", field="Online")
    RESULTS.append(values)
    return Flow(state=state.model_copy(update={"values": {"ok": True}}), done=True)


PLAN = Dialog(
    id="plan", title="common.menu", state=Plan, phrases=["plan maken"], menu=2,
    keep_on_stop=True,
    steps=[Form("form", prompt="common.menu", title=lambda turn, state: plain("Plan"),
                fields=plan_fields, handle=check_plan)],
)


class Secret(BaseModel):
    said: str = ""


def start_secret(turn: Any, text: str) -> Secret:
    return Secret(said=text)


SECRET = Dialog(id="secret", title="common.menu", state=Secret, roles=frozenset({"boss"}),
                start=start_secret, phrases=["geheim"],
                steps=[Ask("x", prompt=lambda turn, state: plain(f"Je zei: {state.said}"),
                           handle=lambda turn, state, text: Flow(state=state, done=True))])


@pytest.fixture(autouse=True)
def _parsing_texts() -> None:
    """The texts of engine.parsing, which an application registers (Leerbot: knowledge)."""
    from dialogs.kit import TEXTS
    from knowledge.messages import catalogue

    TEXTS.add("knowledge", catalogue)


@pytest.fixture
def sessions() -> MemorySessions:
    RESULTS.clear()
    return MemorySessions()


@pytest.fixture
def conductor(sessions: MemorySessions) -> Conductor:
    @asynccontextmanager
    async def units() -> AsyncIterator[MemoryUnit]:
        yield MemoryUnit(sessions, {})

    return Conductor([SURVEY, PLAN, SECRET], units, clock=lambda: NOW)


# ---------------------------------------------------------------------- sub-flows


async def test_a_sub_flow_gives_its_result_to_the_dialog_that_called_it(
        conductor: Conductor) -> None:
    anna = Person(conductor)
    assert "Welk team?" in await anna.say("enquete invullen")
    assert "Vraag: Hoe ging het?" in await anna.say("Finance")
    assert "Vraag: Wat leerde je?" in await anna.say("Goed")
    assert "Nog iets?" in await anna.say("Plannen")
    assert "Bewaard: Goed / Plannen" in await anna.say("nee")
    assert [Survey(team="Finance", answers=["Goed", "Plannen"])] == RESULTS


async def test_back_from_a_sub_flows_first_question_returns_to_the_caller(
        conductor: Conductor) -> None:
    anna = Person(conductor)
    await anna.say("enquete invullen")
    await anna.say("Finance")
    assert "Welk team?" in await anna.say("terug")
    assert "Vraag: Hoe ging het?" in await anna.say("Sales")
    await anna.say("Prima")
    assert "Vraag: Hoe ging het?" in await anna.say("terug")  # back inside the sub-flow
    await anna.say("Beter")
    await anna.say("Veel")
    await anna.say("klaar")
    assert [Survey(team="Sales", answers=["Beter", "Veel"])] == RESULTS


async def test_stop_inside_a_sub_flow_ends_everything_and_saves_nothing(
        conductor: Conductor, sessions: MemorySessions) -> None:
    anna = Person(conductor)
    await anna.say("enquete invullen")
    await anna.say("Finance")
    out = await anna.say("stop")
    assert "Er is niets bewaard" in out and RESULTS == [] and sessions.rows == {}


# ---------------------------------------------------------------------- typed forms


async def test_a_form_hands_typed_values_to_its_handler(conductor: Conductor) -> None:
    anna = Person(conductor, channel=WEB)
    await anna.say("plan maken")
    await anna.submit(size="3", age="40-55", deadline="31-05-2027", levels="mbo, hbo",
                      online="ja")
    assert [{"size": 3, "age": (40, 55), "deadline": date(2027, 5, 31),
                        "levels": ["mbo", "hbo"], "online": True}] == RESULTS


async def test_a_form_with_a_problem_keeps_what_was_typed_and_names_the_field(
        conductor: Conductor) -> None:
    anna = Person(conductor, channel=WEB)
    await anna.say("plan maken")
    out = await anna.submit(size="3", age="oud", deadline="31-05-2027", levels="mbo",
                            online="")
    assert "Leeftijd" in out and RESULTS == []
    assert anna.form_defaults() == {"size": "3", "age": "oud", "deadline": "31-05-2027",
                                    "levels": "mbo", "online": ""}
    await anna.submit(size="3", age="40-55", deadline="31-05-2027", levels="mbo", online="")
    assert RESULTS[-1]["online"] is None  # an empty optional field


async def test_field_by_field_back_goes_one_field_back_and_keeps_the_rest(
        conductor: Conductor) -> None:
    anna = Person(conductor)
    await anna.say("plan maken")
    assert "(2/5) Leeftijd" in await anna.say("3")
    assert "(3/5) Deadline" in await anna.say("40-55")
    assert "(2/5) Leeftijd" in await anna.say("terug")
    assert "(3/5) Deadline" in await anna.say("20-30")
    assert "niet in de toekomst" in await anna.say("01-01-2020")  # refused, asked again
    await anna.say("31-12-2027")
    await anna.say("1 en 3")
    await anna.say("-")
    assert [{"size": 3, "age": (20, 30), "deadline": date(2027, 12, 31),
                        "levels": ["mbo", "wo"], "online": None}] == RESULTS


async def test_a_problem_found_across_fields_asks_only_that_field_again(
        conductor: Conductor) -> None:
    anna = Person(conductor)
    await anna.say("plan maken")
    for answer in ("20", "30-40", "31-12-2027", "hbo"):
        await anna.say(answer)
    out = await anna.say("nee")  # more than 10 people and not online: the handler refuses
    assert "Online is verplicht" in out and "(5/5) Online" in out
    await anna.say("ja")
    assert RESULTS[-1]["size"] == 20 and RESULTS[-1]["online"] is True


# ---------------------------------------------------------------------- not an answer?


async def test_a_mistyped_command_is_asked_about_not_taken_as_the_answer(
        conductor: Conductor) -> None:
    anna = Person(conductor)
    await anna.say("enquete invullen")
    assert "Bedoel je stop?" in await anna.say("stpo")
    assert "Welk team?" in await anna.say("Het is mijn antwoord") or RESULTS == []
    anna2 = Person(conductor, name="bob")
    await anna2.say("enquete invullen")
    await anna2.say("stpo")
    assert "Er is niets bewaard" in await anna2.say("ja, stop")


async def test_a_request_for_another_dialog_pauses_this_one_until_verder(
        conductor: Conductor, sessions: MemorySessions) -> None:
    anna = Person(conductor)
    await anna.say("enquete invullen")
    await anna.say("Finance")
    out = await anna.say("eigenlijk liever plan maken")
    assert "Bedoel je dat je" in out and "Het is mijn antwoord" in out
    out = await anna.say("1")  # start the other dialog
    assert "opzij" in out and "(1/5) Aantal" in out
    out = await anna.say("stop")  # the plan keeps nothing yet: stopped at once
    assert "typ verder om daar verder te gaan" in out
    assert "Vraag: Hoe ging het?" in await anna.say("verder")
    await anna.say("Goed")
    await anna.say("Veel")
    assert "Bewaard: Goed / Veel" in await anna.say("klaar")


async def test_it_is_my_answer_takes_the_text_after_all(conductor: Conductor) -> None:
    anna = Person(conductor)
    await anna.say("enquete invullen")
    await anna.say("Finance")
    await anna.say("toch liever plan maken")
    assert "Vraag: Wat leerde je?" in await anna.say("Het is mijn antwoord")


async def test_stop_in_a_long_dialog_offers_to_keep_the_answers(
        conductor: Conductor) -> None:
    anna = Person(conductor)
    await anna.say("plan maken")
    await anna.say("12")
    await anna.say("30-40")
    assert "bewaren" in await anna.say("stop")
    assert "Bewaard. Typ verder" in await anna.say("Bewaar voor later")
    assert "(3/5) Deadline" in await anna.say("verder")  # the typed fields are still there
    await anna.say("31-12-2027")
    await anna.say("mbo")
    await anna.say("ja")
    assert RESULTS[-1]["size"] == 12 and RESULTS[-1]["age"] == (30, 40)


# ---------------------------------------------------------------------- sessions and starting


async def test_a_session_of_a_renamed_dialog_resumes_under_its_new_id(
        conductor: Conductor, sessions: MemorySessions) -> None:
    anna = Person(conductor)
    old = Session(dialog="enquete", step="team", state={})
    sessions.rows[anna.key] = (old.model_dump(mode="json"), 1)
    assert "Welk team?" in await anna.say("verder")
    await anna.say("Finance")
    assert sessions.rows[anna.key][0]["parents"][0]["dialog"] == "survey"


async def test_a_session_that_no_longer_fits_is_dropped_with_a_word(
        conductor: Conductor, sessions: MemorySessions) -> None:
    anna = Person(conductor)
    gone = Session(dialog="survey", step="a step that was removed", state={})
    sessions.rows[anna.key] = (gone.model_dump(mode="json"), 1)
    out = await anna.say("hallo")
    assert "kan ik na een update niet voortzetten" in out and anna.key not in sessions.rows


async def test_a_channel_starts_a_dialog_by_name_with_what_was_said(
        conductor: Conductor) -> None:
    boss = Person(conductor, name="boss")
    assert "Je zei: kijk hier" in await boss.send(start="secret", text="kijk hier")
    anna = Person(conductor)
    assert "niet voor jouw rol" in await anna.send(start="secret", text="x")


async def test_a_form_refuses_a_button_of_another_question(conductor: Conductor) -> None:
    anna = Person(conductor)
    await anna.say("plan maken")
    await anna.say("3")
    prompt = next(m.prompt for m in anna.last if m.prompt is not None)
    stale = prompt.model_copy(update={"turn": prompt.turn - 1})
    assert "al beantwoord" in await anna.send(value="x", prompt=stale)


# ---------------------------------------------------------------------- independence


def test_the_kit_imports_nothing_of_leerbot() -> None:
    allowed = ("dialogs.kit", "engine.text", "engine.parsing")
    for path in KIT.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [f"{node.module}.{a.name}" for a in node.names] \
                    if node.module in {"dialogs", "engine"} else [node.module]
                for module in modules:
                    if module.split(".")[0] in {"dialogs", "bot", "knowledge", "engine"}:
                        assert module.startswith(allowed), f"{path.name} imports {module}"


# ---------------------------------------------------------------------- language


def test_plural_forms_dates_and_decimals_follow_the_language() -> None:
    from dialogs.kit import TEXTS, say
    from dialogs.kit.texts import Texts

    texts = Texts()
    texts.add("test", lambda lang: {
        "t.members": {"one": "1 lid", "other": "{count} leden"} if lang == "nl"
        else {"one": "1 member", "other": "{count} members"},
        "t.when": "op {day}" if lang == "nl" else "on {day}",
        "t.hours": "{hours} uur" if lang == "nl" else "{hours} hours"})
    TEXTS.add("test-language", lambda lang: texts.catalogue(lang))
    try:
        assert say("nl", "t.members", count=1).plain == "1 lid"
        assert say("nl", "t.members", count=3).plain == "3 leden"
        assert say("en", "t.members", count=0).plain == "0 members"
        assert say("nl", "t.when", day=date(2027, 5, 31)).plain == "op 31 mei 2027"
        assert say("en", "t.when", day=date(2027, 5, 31)).plain == "on May 31, 2027"
        assert say("nl", "t.hours", hours=1.5).plain == "1,5 uur"
        assert say("en", "t.hours", hours=1.5).plain == "1.5 hours"
        assert texts.problems() == []
    finally:
        TEXTS.add("test-language", lambda lang: {})


# ---------------------------------------------------------------------- what "stop" says


class Tally(BaseModel):
    saved: int = 0


TALLY = Dialog(
    id="tally", title="common.menu", state=Tally, phrases=["turven"],
    stopped=lambda turn, state: "common.kept" if state.saved else "common.stopped",
    steps=[Ask("x", prompt=lambda turn, state: plain(f"Turf {state.saved}"),
               handle=lambda turn, state, text: Flow(
                   state=state.model_copy(update={"saved": state.saved + 1}), goto="x"))])


async def test_a_dialog_that_saves_on_the_way_says_so_on_stop(sessions: MemorySessions) -> None:
    @asynccontextmanager
    async def units() -> AsyncIterator[MemoryUnit]:
        yield MemoryUnit(sessions, {})

    anna = Person(Conductor([TALLY], units, clock=lambda: NOW))
    assert "Turf 0" in await anna.say("turven")
    assert "Er is niets bewaard" in await anna.say("stop")  # nothing yet: the kit's words
    await anna.say("turven")
    assert "Turf 1" in await anna.say("streepje")
    out = await anna.say("stop")
    assert "Bewaard." in out and "niets bewaard" not in out  # the dialog's own words


def test_a_title_inside_a_sentence_starts_in_lower_case_unless_an_abbreviation() -> None:
    from dialogs.kit.rich import mid_sentence

    assert mid_sentence(plain("De teamscan")).plain == "de teamscan"
    assert mid_sentence(plain("POP")).plain == "POP"
    assert mid_sentence(plain("Leerhulp")).plain == "leerhulp"
