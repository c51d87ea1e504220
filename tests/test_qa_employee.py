"""The employee's journeys played as a person (QA round): each test pins a defect that was
found by talking to Leerbot on the console or the web chat, and stays as its regression test."""

from __future__ import annotations

from tests.conversation import User, Workspace


async def test_a_profile_recognises_every_competency_joined_by_en(runtime) -> None:  # type: ignore[no-untyped-def]
    """'excel en plannen' named Excel only: the whole part matched Excel confidently, so the
    halves were never tried."""
    sam = User(runtime.conductor, name="sam")
    await sam.say("mijn profiel")
    await sam.say("excel en plannen")
    await sam.say("-")
    await sam.say("-")
    out = await sam.say("-")
    assert "Excel" in out and "Plannen en organiseren" in out
    await sam.press("yes")
    async with Workspace(runtime) as ws:
        saved = await ws.profiles.profile("sam")
    assert saved is not None
    assert saved.competencies == ["Excel", "Plannen en organiseren"]
