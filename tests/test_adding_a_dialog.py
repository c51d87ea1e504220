"""The README's "Adding a dialog" example, built from the README's own code blocks: new files
plus one registry line give a dialog that starts by its phrase, asks, and delivers."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

from dialogs.registry import FEATURES, build_conductor
from tests.conversation import User, Workspace, deliver

README = Path(__file__).resolve().parent.parent / "README.md"
ENGLISH = {"thanks.title": "Thank a colleague", "thanks.ask_who": "Whom do you want to thank?",
           "thanks.ask_why": "What do you want to thank {name} for? One sentence is enough.",
           "thanks.note": "{name} thanks you: {why}",
           "thanks.sent": "Sent: {name} gets your thanks in their chat."}


def readme_files() -> dict[str, str]:
    """The files the README's section shows: a `path`: line, then its code block."""
    section = README.read_text(encoding="utf-8").split("## Adding a dialog", 1)[1]
    section = section.split("\n## ", 1)[0]
    found = re.findall(r"`(dialogs/thanks/[\w.]+)`[^\n]*:\n\n```\w+\n(.*?)```", section, re.S)
    return dict(found)


@pytest.fixture
def thanks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    files = readme_files()
    assert set(files) == {"dialogs/thanks/__init__.py", "dialogs/thanks/thanks.py",
                          "dialogs/thanks/messages.nl.yaml"}
    package = tmp_path / "dialogs" / "thanks"
    package.mkdir(parents=True)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    english = "".join(f'{key}: "{text}"\n' for key, text in ENGLISH.items())
    (package / "messages.en.yaml").write_text(english, encoding="utf-8")
    import dialogs

    monkeypatch.setattr(dialogs, "__path__", [*dialogs.__path__, str(tmp_path / "dialogs")])
    module = importlib.import_module("dialogs.thanks")
    yield module
    for name in [n for n in sys.modules if n.startswith("dialogs.thanks")]:
        del sys.modules[name]


async def test_the_readme_example_is_one_registry_line_away(runtime, thanks) -> None:  # type: ignore[no-untyped-def]
    conductor = build_conductor(runtime.conductor.units, features=(*FEATURES, thanks))
    async with Workspace(runtime) as ws:
        await ws.join("anna", "Anna")
        await ws.join("bob", "Bob")
    anna = User(conductor, name="anna")
    assert "Wie wil je bedanken?" in await anna.say("colega bedanken")  # a typo is fine
    assert "Waarvoor wil je Bob bedanken?" in await anna.press("Bob")
    assert "Verstuurd: Bob krijgt" in await anna.say("het meedenken over mijn presentatie")
    await deliver(runtime)
    bob = User(conductor, name="bob")
    assert "anna bedankt je: het meedenken over mijn presentatie" in await bob.say("hallo")
