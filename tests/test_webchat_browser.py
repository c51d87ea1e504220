"""The web chat in a real headless Chromium: the leerlijn wizard (the e-book case) and the scan,
clicking buttons and filling forms, plus a check that nothing overflows the page; the page in
Dutch and English (html lang, placeholder, button, also after "switch to english"), and a form
that keeps what was typed after a problem. Without Chromium these skip, saying why (and fail
under LEERBOT_REQUIRE_SERVICES=1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot.server import build_app
from knowledge.scan import load_scan
from tests.browser import browser_page
from tests.test_dialogs import FUNCTION_PATH, use_catalogue

OVERFLOW_CHECK = """() => {
  const page = document.documentElement.scrollWidth <= window.innerWidth + 1;
  const boxes = Array.from(document.querySelectorAll('.msg, .card, img, form'));
  const wide = boxes.filter((b) => b.scrollWidth > b.clientWidth + 1 ||
                                   b.getBoundingClientRect().right > window.innerWidth + 1);
  return {page, wide: wide.map((b) => b.className + ':' + b.textContent.slice(0, 40))};
}"""


@pytest.fixture
async def server(runtime):  # type: ignore[no-untyped-def]
    server = TestServer(build_app(runtime, webchat_enabled=True), host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


async def idle(page) -> None:  # type: ignore[no-untyped-def]
    await page.wait_for_selector('body[data-idle="1"]', timeout=20_000)


async def type_message(page, text: str) -> None:  # type: ignore[no-untyped-def]
    await page.fill("#input", text)
    await page.press("#input", "Enter")
    await idle(page)


async def click(page, label: str) -> None:  # type: ignore[no-untyped-def]
    buttons = page.locator(".msg.bot").last.locator("button:not([disabled])", has_text=label)
    await buttons.first.click()
    await idle(page)


async def submit_form(page, values: dict[str, str], checks: dict[str, list[str]]) -> None:  # type: ignore[no-untyped-def]
    last = page.locator(".msg.bot").last
    if not await last.locator("form.card-form").count():
        raise AssertionError("no form in: " + (await last.text_content() or ""))
    form = last.locator("form.card-form")
    for name, value in values.items():
        await form.locator(f'[name="{name}"]').fill(value)
    for name, wanted in checks.items():
        for box in await form.locator(f'input[name="{name}"]').all():
            value = await box.get_attribute("value")
            await box.set_checked(value in wanted)
    await form.locator('button[type="submit"]').click()
    await idle(page)


async def no_overflow(page) -> None:  # type: ignore[no-untyped-def]
    result = await page.evaluate(OVERFLOW_CHECK)
    assert result["page"] and result["wide"] == [], result


async def test_wizard_in_the_browser(server, runtime, case_catalogue: Path,  # type: ignore[no-untyped-def]
                                     tmp_path: Path) -> None:
    await use_catalogue(runtime, case_catalogue, workspace="local")
    async with browser_page() as page:
        await page.goto(str(server.make_url("/chat")))
        await idle(page)
        await type_message(page, "leerlijn maken")
        await click(page, "Functie")
        await type_message(page, "Secretaresses")
        await submit_form(page, {"size": "3", "age": "40 tot 55", "experience": "5-30"},
                          {"education": ["mbo"]})
        await click(page, "Competenties ontwikkelen")
        await type_message(page, "Informatie verwerken, Directie ondersteunen, "
                                 "Overlegvormen organiseren en voorbereiden")
        await submit_form(page, {"max_interventions": "4", "max_hours": "5",
                                 "deadline_months": "6"}, {"formats": ["online"]})
        card = page.locator(".card").last
        titles = await card.locator("dt").all_text_contents()
        assert titles == FUNCTION_PATH
        await no_overflow(page)
        await page.screenshot(path=str(tmp_path / "wizard.png"), full_page=True)
        assert (tmp_path / "wizard.png").read_bytes().startswith(b"\x89PNG")
        await click(page, "Akkoord")
        await click(page, "Ja, het klopt")
        await click(page, "Bewaren")
        assert "Bewaard" in await page.locator(".msg.bot").last.text_content()
        await page.set_viewport_size({"width": 375, "height": 700})
        await no_overflow(page)


async def test_scan_in_the_browser(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    total = len(load_scan().statements)
    async with browser_page(width=420, height=800) as page:
        await page.goto(str(server.make_url("/chat")))
        await idle(page)
        await type_message(page, "scan")
        await click(page, "Hele organisatie")
        for number in range(1, total + 1):
            text = await page.locator(".msg.bot").last.text_content()
            assert f"Vraag {number} van {total}" in text
            await click(page, "Helemaal eens" if number % 2 else "Neutraal")
        await submit_form(page, {}, {"priorities": ["3", "6"]})
        image = page.locator("img.chart").last
        assert await image.evaluate("(img) => img.complete && img.naturalWidth > 0")
        # challenges 1 and 9 share the highest score: no single profile, and it says so
        assert "Geen duidelijk dominant profiel" in \
            await page.locator(".msg.bot").last.text_content()
        await no_overflow(page)
        await page.screenshot(path=str(tmp_path / "scan.png"), full_page=True)
        await click(page, "Meer details")
        assert "Alle acties" in await page.locator("#log").text_content()
        await no_overflow(page)


FRAME = """() => ({lang: document.documentElement.lang,
                 send: document.getElementById('send').textContent,
                 placeholder: document.getElementById('input').placeholder,
                 name: document.getElementById('name-label').textContent})"""


async def form_values(page) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What the last form on the page holds: texts by name, and the ticked boxes."""
    form = page.locator(".msg.bot").last.locator("form.card-form")
    return await form.evaluate("""(form) => {
      const values = {};
      for (const box of form.querySelectorAll('textarea, input[type=text], select'))
        values[box.name] = box.value;
      values.ticked = Array.from(form.querySelectorAll('input[type=checkbox]:checked'),
                                 (box) => box.value);
      return values;
    }""")


@pytest.mark.parametrize(("locale", "words"), [
    ("nl-NL", {"lang": "nl", "send": "Stuur", "command": "mijn profiel",
               "field": "Hier ben ik goed in is verplicht", "saved": "bewaard"}),
    ("en-GB", {"lang": "en", "send": "Send", "command": "my profile",
               "field": "I am good at is required", "saved": "saved"}),
])
async def test_frame_language_and_a_form_that_keeps_its_values(server, locale: str,  # type: ignore[no-untyped-def]
                                                               words: dict[str, str]) -> None:
    """The page speaks the visitor's language (html lang, placeholder, button), and a form
    sent with a problem comes back with everything that was typed, naming the field."""
    async with browser_page(locale=locale) as page:
        await page.goto(str(server.make_url("/chat")))
        await idle(page)
        frame = await page.evaluate(FRAME)
        assert frame["lang"] == words["lang"] and frame["send"] == words["send"]
        assert ("Type a message" if words["lang"] == "en" else "Typ een bericht") in \
            frame["placeholder"]
        await type_message(page, words["command"])
        # "weet ik niet" fills the box (the browser lets it through) but answers nothing
        await submit_form(page, {"good_at": "weet ik niet", "can_help_with": "draaitabellen",
                                 "wants_to_grow": "presenteren voor een groep"},
                          {"learns_best": ["online", "coaching"]})
        said = await page.locator(".msg.bot").all_text_contents()
        assert words["field"] in said[-2]  # the problem, then the form again
        kept = await form_values(page)
        assert kept["good_at"] == "weet ik niet"
        assert kept["can_help_with"] == "draaitabellen"
        assert kept["wants_to_grow"] == "presenteren voor een groep"
        assert sorted(kept["ticked"]) == ["coaching", "online"]  # type: ignore[arg-type]
        await submit_form(page, {"good_at": "Excel"}, {})
        await click(page, "Ja" if words["lang"] == "nl" else "Yes")
        assert words["saved"] in (await page.locator(".msg.bot").last.text_content()).lower()


async def test_the_frame_follows_a_language_switch(server) -> None:  # type: ignore[no-untyped-def]
    async with browser_page(locale="nl-NL") as page:
        await page.goto(str(server.make_url("/chat")))
        await idle(page)
        assert (await page.evaluate(FRAME))["send"] == "Stuur"
        await type_message(page, "switch to english")
        frame = await page.evaluate(FRAME)
        assert frame == {"lang": "en", "send": "Send", "name": "Name",
                         "placeholder": frame["placeholder"]}
        assert frame["placeholder"].startswith("Type a message")
        await page.reload()
        await idle(page)
        assert (await page.evaluate(FRAME))["lang"] == "en"  # the choice is the member's


async def test_a_number_field_takes_words_in_the_browser(server, runtime,  # type: ignore[no-untyped-def]
                                                         case_catalogue: Path) -> None:
    """The wizard's group size takes "drie" in the web chat too (was an <input type=number>
    that refused every word the server reads)."""
    await use_catalogue(runtime, case_catalogue, workspace="local")
    async with browser_page() as page:
        await page.goto(str(server.make_url("/chat")))
        await idle(page)
        await type_message(page, "leerlijn maken")
        await click(page, "Functie")
        await type_message(page, "Secretaresses")
        await submit_form(page, {"size": "drie", "age": "40 tot 55",
                                 "experience": "meer dan 5 jaar"}, {"education": ["mbo"]})
        await click(page, "Competenties ontwikkelen")
        await type_message(page, "Informatie verwerken")
        await submit_form(page, {"max_interventions": "max 4", "max_hours": "hooguit 5 uur",
                                 "deadline_months": "een half jaar"}, {"formats": ["online"]})
        text = await page.locator(".msg.bot").last.text_content() or ""
        assert "Voor: 3 medewerkers, 40-55 jaar oud" in text and "van max 4" in text, text


async def test_several_options_after_a_typed_answer_in_the_browser(server) -> None:  # type: ignore[no-untyped-def]
    """Someone types the first answer of a form instead of filling it in: the form is asked
    field by field, and a field of several options is then a small form of its own (checkboxes),
    not buttons that each answer with one option."""
    async with browser_page() as page:
        await page.goto(str(server.make_url("/chat")))
        await idle(page)
        await type_message(page, "ik wil beter leren presentren")
        await type_message(page, "hbo")  # typed, not the form
        last = page.locator(".msg.bot").last
        assert "(2/2)" in (await last.text_content() or "")
        assert await last.locator("form.card-form input[type=checkbox]").count() == 5
        assert not await last.locator("button:not([type=submit])").count()
        await submit_form(page, {}, {"formats": ["online", "webinar"]})
        text = await page.locator(".msg.bot").last.text_content() or ""
        assert "Trainingen voor Presentatievaardigheden" in text, text
        assert "niveau hbo" in text and "klassikaal" not in text, text
