"""Every warning the leerlijn wizard shows in chat is true: one conversation per warning where
its cause holds, on the e-book's case catalogue; and where nothing is wrong, nothing is said
(the mbo->hbo swap no longer claims the catalogue has no mbo training, in chat or export)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.paths.path_exports import path_markdown
from tests.conversation import User, Workspace
from tests.test_dialogs import use_catalogue
from tests.test_path_builder_chat import LIMITS, goals, start_level

MBO_GROUP = "3 mensen van 40 tot 55, mbo, 5 tot 30 jaar ervaring"


async def one_level(hr: User, goal: str, *, group: str = MBO_GROUP, limits: str = LIMITS,
                    name: str = "Secretaresses") -> str:
    if "Stap 1" not in hr.text:
        await hr.say("leerlijn maken")
    await start_level(hr, "functie", name)
    await hr.say(group)
    await goals(hr, goal)
    if "Dezelfde randvoorwaarden" in hr.text:
        await hr.say("nee")
    out = await hr.say(limits)
    assert "Stap 5" in out, out
    return out


async def test_swapping_mbo_for_hbo_says_what_was_chosen_and_nothing_false(  # type: ignore[no-untyped-def]
        runtime, case_catalogue: Path) -> None:
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    out = await one_level(hr, "Presentatievaardigheden")
    assert hr.card_labels() == ["Presentatievaardigheden"] and "⚠" not in out
    await hr.press("swap")
    await hr.press("Presentatievaardigheden")
    out = await hr.press("Presenteren met impact")
    assert hr.card_labels() == ["Presenteren met impact"]
    assert ("Je koos zelf 'Presenteren met impact' voor Presentatievaardigheden; op het niveau "
            "van de doelgroep is er ook: 'Presentatievaardigheden'") in out
    assert "geen training op mbo-niveau" not in out
    await hr.press("accept")
    await hr.press("ok")
    await hr.press("save")
    async with Workspace(runtime) as ws:
        (saved,) = await ws.paths.paths()
    markdown = path_markdown(saved, "nl").decode()
    assert "Je koos zelf" in markdown and "geen training op mbo-niveau" not in markdown


CASES = [
    # (goal, group, constraints, words of the warning that must be shown)
    ("Presentatievaardigheden", "3 mensen van 40 tot 55, wo, 5 tot 30 jaar ervaring", LIMITS,
     ["past niet bij het opleidingsniveau van de doelgroep (wo)",
      "De catalogus heeft voor Presentatievaardigheden geen training op wo-niveau"]),
    ("Feedback geven en ontvangen", MBO_GROUP,
     "max 4 trainingen, hooguit 5 uur, binnen 6 maanden, alleen klassikaal",
     ["Niet gedekt: Feedback geven en ontvangen",
      "valt af: 'Feedback geven en ontvangen', 'Feedback die landt' (online); deze leerlijn "
      "staat alleen klassikaal toe"]),
    ("Creatief denken", MBO_GROUP, "max 4 trainingen, hooguit 1 uur, binnen 6 maanden, online",
     ["Voor Creatief denken valt af: 'Creative thinking', langer dan de 60 minuten"]),
    ("Feedback geven en ontvangen, Presentatievaardigheden", MBO_GROUP,
     "max 1 training, hooguit 5 uur, binnen 6 maanden, online",
     ["daarvoor is geen plaats meer binnen het maximum"]),
]


@pytest.mark.parametrize("goal, group, limits, shown", CASES,
                         ids=["level", "format", "too_long", "no_room"])
async def test_each_warning_is_shown_when_it_holds(  # type: ignore[no-untyped-def]
        runtime, case_catalogue: Path, goal: str, group: str, limits: str,
        shown: list[str]) -> None:
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    out = await one_level(hr, goal, group=group, limits=limits)
    for words in shown:
        assert words in out
    if not hr.card_labels():
        assert "nog geen trainingen" in await hr.press("accept")


async def test_a_training_of_another_level_is_named_with_that_level(  # type: ignore[no-untyped-def]
        runtime, case_catalogue: Path) -> None:
    await use_catalogue(runtime, case_catalogue)
    hr = User(runtime.conductor, name="hr")
    out = await one_level(hr, "Plannen en organiseren", name="Team")
    assert hr.card_labels() == ["Prioriteiten stellen"] and "⚠" not in out
    await hr.press("accept")
    await hr.press("ok")
    await hr.press("another")
    out = await one_level(hr, "Plannen en organiseren, Feedback geven en ontvangen",
                          name="Secretaresses")
    assert ("ook 'Team' aangepast; die heeft nu geen trainingen meer. Niet gedekt: Plannen en "
            "organiseren."
            in out), "the engine gave the training to the later level, and says so"
    assert hr.card_labels() == ["Prioriteiten stellen", "Feedback geven en ontvangen"]
    await hr.press("accept")
    await hr.press("ok")
    out = await hr.press("save")
    assert "'Team' heeft geen trainingen meer" in out, "nothing empty is saved"
    await hr.press("Een leerlijn aanpassen")
    out = await hr.press("Team")
    assert ("Voor Plannen en organiseren valt af: 'Prioriteiten stellen' (al in leerlijn "
            "'Secretaresses'; leerlijnen overlappen niet)") in out
    assert "nog geen trainingen" in await hr.press("accept")
    await hr.press("goals")
    out = await hr.say("Feedback geven en ontvangen")  # composed again at once
    assert "Stap 5" in out and hr.card_labels()
    await hr.press("accept")
    await hr.press("ok")
    assert "Bewaard" in await hr.press("save")
