"""The dialog layer itself, with a small test dialog: back, stop, help, stale buttons, forms
field by field, concurrency, restarts, roles."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.storage.db import create_engine, sessionmaker, upgrade
from bot.units import Units
from dialogs.kit import (
    Ask,
    Block,
    Choice,
    Choose,
    Conductor,
    Dialog,
    Flow,
    Form,
    FormField,
    InputError,
    TextBlock,
    plain,
    user,
)
from dialogs.registry import APP_TEXTS
from engine.parsing import parse_number
from tests.conversation import CONSOLE, WEB, User


class Order(BaseModel):
    dish: str = ""
    count: int = 0
    name: str = ""
    note: str = ""


SAVED: list[Order] = []


def dishes(turn, state):  # type: ignore[no-untyped-def]
    return [Choice(value="soup", label=plain("Soep")), Choice(value="pie", label=plain("Taart"))]


def pick(turn, state, value):  # type: ignore[no-untyped-def]
    return state.model_copy(update={"dish": value})


def count(turn, state, text):  # type: ignore[no-untyped-def]
    number = parse_number(text)
    if not 1 <= number <= 9:
        raise InputError("parsing.out_of_range", low=1, high=9)
    return state.model_copy(update={"count": number})


def details(turn, state, values):  # type: ignore[no-untyped-def]
    if values["name"].casefold() == "nobody":
        raise InputError("input.required", field="Naam")
    return Flow(state=state.model_copy(update={"name": values["name"],
                                               "note": values["note"] or ""}), done=True)


def finish(turn, state) -> list[Block]:  # type: ignore[no-untyped-def]
    SAVED.append(state)
    return [TextBlock(text=plain("Besteld: ") + user(f"{state.count} {state.dish}"))]


ORDER = Dialog(
    id="bestel", title="actions.title", state=Order, finish=finish, menu=1,
    phrases=["bestellen", "ik wil eten"],
    steps=[
        Choose("gerecht", prompt=lambda t, s: plain("Wat wil je?"), options=dishes, handle=pick),
        Ask("aantal", prompt=lambda t, s: plain("Hoeveel?"), handle=count),
        Form("gegevens", prompt=lambda t, s: plain("Je gegevens"),
             title=lambda t, s: plain("Gegevens"), handle=details,
             fields=lambda t, s: [FormField(name="name", label=plain("Naam"), max=20),
                                  FormField(name="note", label=plain("Opmerking"),
                                            required=False)]),
    ],
)
SECRET = Dialog(id="geheim", title="roles.title", state=Order, roles=frozenset({"admin"}),
                menu=2, phrases=["geheim"],
                steps=[Ask("x", prompt=lambda t, s: plain("Geheim?"))])


def make(units) -> Conductor:  # type: ignore[no-untyped-def]
    return Conductor([ORDER, SECRET], units, texts=APP_TEXTS)


@pytest.fixture
async def conductor(sessions) -> Conductor:  # type: ignore[no-untyped-def]
    SAVED.clear()
    return make(Units(sessions))


async def test_a_whole_order_field_by_field(conductor: Conductor) -> None:
    anna = User(conductor)
    assert "Wat wil je?" in await anna.say("ik wil eten")
    assert "Hoeveel?" in await anna.say("2")  # typed number picks the second choice
    assert "buiten wat hier kan" in await anna.say("12")  # re-asked with the reason
    out = await anna.say("3")
    assert "(1/2) Naam" in out
    assert "(2/2) Opmerking" in await anna.say("Anna")
    assert "Besteld: 3 pie" in await anna.say("-")
    assert [Order(dish="pie", count=3, name="Anna", note="")] == SAVED


async def test_form_in_one_go_on_a_form_channel(conductor: Conductor) -> None:
    anna = User(conductor, channel=WEB)
    await anna.say("bestellen")
    await anna.press("Soep")
    await anna.say("1")
    assert [f.name for f in anna.form().fields] == ["name", "note"]
    assert "Naam is verplicht" in await anna.submit(name="", note="x")
    assert "Besteld: 1 soup" in await anna.submit(name="Anna", note="")


async def test_typing_instead_of_filling_the_form(conductor: Conductor) -> None:
    anna = User(conductor, channel=WEB)
    await anna.say("bestellen")
    await anna.press("Soep")
    await anna.say("1")
    assert "(2/2)" in await anna.say("Anna")
    assert "Besteld" in await anna.say("geen opmerking")


async def test_back_restores_the_previous_answer(conductor: Conductor) -> None:
    anna = User(conductor)
    await anna.say("bestellen")
    await anna.say("soep")
    assert "Wat wil je?" in await anna.say("terug")
    await anna.say("taart")
    await anna.say("2")
    await anna.say("Anna")
    assert "Besteld: 2 pie" in await anna.say("-")


async def test_stop_saves_nothing(conductor: Conductor) -> None:
    anna = User(conductor)
    await anna.say("bestellen")
    await anna.say("soep")
    assert "niets bewaard" in await anna.say("stop")
    assert SAVED == []
    assert "Waarmee kan ik je helpen" in anna.text


async def test_help_keeps_the_question(conductor: Conductor) -> None:
    anna = User(conductor)
    await anna.say("bestellen")
    out = await anna.say("help")
    assert "terug" in out and "Wat wil je?" in out


async def test_a_button_from_an_old_question_changes_nothing(conductor: Conductor) -> None:
    anna = User(conductor, channel=WEB)
    await anna.say("bestellen")
    old = list(anna.last)
    await anna.press("Soep")
    anna.last = old
    assert "al beantwoord" in await anna.press("Taart")
    assert "Besteld: 4 soup" not in await anna.say("4")  # the real question is the count
    await anna.submit(name="Anna", note="")
    assert SAVED[-1].dish == "soup" and SAVED[-1].count == 4


async def test_unknown_input_gets_the_menu(conductor: Conductor) -> None:
    anna = User(conductor)
    out = await anna.say("qwertyuiop")
    assert "niet helemaal" in out and ("bestel", "Acties voor informeel leren") in anna.choices()


async def test_roles_are_enforced(conductor: Conductor) -> None:
    first = User(conductor, name="first")
    await first.say("hallo")  # the first member of a workspace is admin
    second = User(conductor, name="second")
    assert "alleen voor HR" in await second.say("geheim")  # an admin-only dialog
    assert "Geheim?" in await first.say("geheim")


async def test_concurrent_turns_of_one_user_do_not_corrupt_state(conductor: Conductor) -> None:
    anna = User(conductor)
    await anna.say("bestellen")
    await anna.say("soep")
    first, second = User(conductor), User(conductor)
    await asyncio.gather(first.say("2"), second.say("3"))
    # exactly one of them answered "Hoeveel?"; the other answered the next question
    outs = first.text + second.text
    assert outs.count("(1/2) Naam") == 1
    assert "(2/2) Opmerking" in outs


async def test_a_restart_resumes_the_conversation(database_url: str, tmp_path: Path) -> None:
    SAVED.clear()
    engine = create_engine(database_url)
    await upgrade(engine)
    anna = User(make(Units(sessionmaker(engine))))
    await anna.say("bestellen")
    await anna.say("soep")
    await engine.dispose()  # the process stops

    engine = create_engine(database_url)
    anna = User(make(Units(sessionmaker(engine))))
    assert "Hoeveel?" in await anna.say("verder")
    await anna.say("5")
    await anna.say("Anna")
    assert "Besteld: 5 soup" in await anna.say("-")
    await engine.dispose()


async def test_channels_and_conversations_are_separate(conductor: Conductor) -> None:
    console = User(conductor)
    web = User(conductor, channel=WEB, conversation="tab")
    await console.say("bestellen")
    assert "niet helemaal" in await web.say("soep")  # no dialog open in the web chat
    assert "Hoeveel?" in await console.say("soep")


async def test_user_text_is_never_markup(conductor: Conductor) -> None:
    anna = User(conductor)
    await anna.say("bestellen")
    await anna.say("soep")
    await anna.say("1")
    await anna.say("Anna")
    await anna.say("-")
    segments = [s for m in anna.last for b in m.blocks if isinstance(b, TextBlock)
                for s in b.text.segments]
    assert any(s.kind == "user" and s.text == "1 soup" for s in segments)
    assert CONSOLE.forms is False


async def test_the_menu_offers_team_management_to_managers_only(runtime) -> None:  # type: ignore[no-untyped-def]
    from tests.conversation import User

    admin = User(runtime.conductor, name="admin")
    await admin.say("menu")  # first member: admin
    assert "team" in [value for value, _ in admin.choices()]
    employee = User(runtime.conductor, name="emma")
    await employee.say("menu")
    offered = [value for value, _ in employee.choices()]
    assert "team" not in offered and "checkin_plan" not in offered and "ask_question" in offered
