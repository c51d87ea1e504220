"""Profiles and learning wishes: their ports, what "mijn gegevens" exports and erases of them,
and the profile, learning help and actions dialogs under their former ids. On SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest

from dialogs.profile.port import Profile
from tests.conversation import User, Workspace

EXCEL = "Excel"
FEEDBACK = "Feedback geven en ontvangen"


async def test_colleagues_are_found_by_the_competencies_in_their_profile(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        for uid, name in (("anna", "Anna"), ("bram", "Bram"), ("cor", "Cor"), ("dewi", "Dewi")):
            await ws.join(uid, name)
        await ws.profiles.save_profile("cor", Profile(good_at="excel", competencies=[EXCEL]))
        await ws.profiles.save_profile("bram", Profile(competencies=[FEEDBACK, EXCEL]))
        await ws.profiles.save_profile("anna", Profile(competencies=[EXCEL]))
        await ws.profiles.save_profile("dewi", Profile(competencies=[FEEDBACK]))
    async with Workspace(runtime, "other") as ws:
        await ws.join("eli", "Eli")
        await ws.profiles.save_profile("eli", Profile(competencies=[EXCEL]))
    async with Workspace(runtime) as ws:
        found = await ws.profiles.colleagues_for([EXCEL], exclude="anna")
        assert [m.user for m in found] == ["bram", "cor"]  # by name; not anna, not eli
        found = await ws.profiles.colleagues_for([EXCEL, FEEDBACK], exclude="nobody")
        assert [m.user for m in found] == ["anna", "bram", "cor", "dewi"]
        assert await ws.profiles.colleagues_for(["Plannen"], exclude="anna") == []


async def test_a_profile_is_saved_and_replaced(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        assert await ws.profiles.profile("anna") is None
        await ws.profiles.save_profile("anna", Profile(good_at="Excel", learns_best="doing"))
        await ws.profiles.save_profile("anna", Profile(good_at="plannen"))
        saved = await ws.profiles.profile("anna")
    assert saved is not None and saved.updated_at is not None
    assert (saved.good_at, saved.learns_best) == ("plannen", "")
    async with Workspace(runtime, "other") as ws:
        assert await ws.profiles.profile("anna") is None


async def test_wishes_are_kept_per_person_oldest_first(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        first = await ws.learning_wishes.save_wish("anna", "excel", [EXCEL], {})
        await ws.learning_wishes.save_wish("bram", "feedback", [FEEDBACK], {})
        long = await ws.learning_wishes.save_wish("anna", "x" * 1500, [], {"q1": "ja"})
        assert len(long.text) == 1000
        assert [w.id for w in await ws.learning_wishes.wishes("anna")] == [first.id, long.id]
        assert (await ws.learning_wishes.wishes("anna"))[1].reflection == {"q1": "ja"}
    async with Workspace(runtime, "other") as ws:
        assert await ws.learning_wishes.wishes("anna") == []


async def test_my_data_exports_and_erases_profile_and_wishes(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        await ws.join("anna", "Anna")
        await ws.join("bram", "Bram")
        await ws.profiles.save_profile("anna", Profile(good_at="Excel", competencies=[EXCEL]))
        await ws.profiles.save_profile("bram", Profile(good_at="feedback"))
        await ws.learning_wishes.save_wish("anna", "excel", [EXCEL], {"q1": "formules"})
        await ws.learning_wishes.save_wish("anna", "plannen", [], {})
        exported = await ws.my_data.export("anna")
        assert exported["profile"]["good_at"] == "Excel"
        assert [w["text"] for w in exported["learning_wishes"]] == ["excel", "plannen"]
        assert exported["learning_wishes"][0]["reflection"] == {"q1": "formules"}
        counts = await ws.my_data.erase("anna", None)
        assert (counts["profile"], counts["learning_wishes"]) == (1, 2)
        after = await ws.my_data.export("anna")
        assert after["profile"] is None and after["learning_wishes"] == []
        assert await ws.profiles.profile("bram") is not None  # only anna's data went


async def test_deleting_the_profile_in_the_dialog_empties_it(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        await ws.join("anna", "Anna")
        await ws.profiles.save_profile("anna", Profile(good_at="Excel", competencies=[EXCEL]))
    anna = User(runtime.conductor, name="anna")
    out = await anna.say("mijn profiel")
    assert "Excel" in out
    await anna.press("delete")
    assert "gewist" in await anna.press("yes")
    async with Workspace(runtime) as ws:
        emptied = await ws.profiles.profile("anna")
    assert emptied is not None and (emptied.good_at, emptied.competencies) == ("", [])
    assert "(1/4)" in await anna.say("profiel")  # nothing to show: straight to the form


@pytest.mark.parametrize(("old", "new"), [("leerhulp", "learning_help"), ("acties", "actions"),
                                          ("profiel", "profile")])
async def test_buttons_with_a_former_id_start_the_dialog(runtime, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    anna = User(runtime.conductor, name="anna")
    await anna.send_value(old)  # a menu button sent before the dialog was renamed
    prompts = [m.prompt for m in anna.last if m.prompt is not None]
    assert prompts and prompts[-1].dialog == new
