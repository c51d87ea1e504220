"""Slack Block Kit and Microsoft Teams Adaptive Card rendering: limits, escaping, schema
validity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.channels import msteams_render
from bot.channels.slack import render as slack_render
from dialogs.kit import (
    CardBlock,
    Choice,
    ChoicesBlock,
    Fact,
    FileBlock,
    FormBlock,
    FormField,
    ImageBlock,
    Message,
    Prompt,
    TextBlock,
    plain,
    say,
    user,
)

PROMPT = Prompt(dialog="leerlijn", step="niveau", turn=3)
EVIL = "<!channel> @here <https://evil.example|klik> *vet* [x](javascript:alert(1)) & co"


def sample_messages() -> list[Message]:
    many = [Choice(value=f"v{i}", label=plain(f"Keuze {i} " + "lang " * 20)) for i in range(60)]
    return [
        Message(blocks=[TextBlock(text=say("nl", "common.help")),
                        TextBlock(text=plain("Je schreef: ") + user(EVIL))]),
        Message(prompt=PROMPT, blocks=[
            TextBlock(text=plain("Kies")),
            ChoicesBlock(choices=[Choice(value="a", label=plain("A"), style="primary"),
                                  Choice(value="b", label=user(EVIL), style="danger")])]),
        Message(prompt=PROMPT, blocks=[ChoicesBlock(choices=many)]),
        Message(prompt=PROMPT, blocks=[FormBlock(title=plain("Doelgroep"), submit=plain("OK"),
                                                 fields=[
            FormField(name="size", label=plain("Aantal"), kind="number", min=1, max=99,
                      default="3"),
            FormField(name="edu", label=plain("Niveau"), kind="multichoice", default="mbo",
                      choices=[Choice(value="mbo", label=plain("mbo")),
                               Choice(value="hbo", label=plain("hbo"))]),
            FormField(name="lvl", label=plain("Eén"), kind="choice",
                      choices=[Choice(value="x", label=plain("x"))]),
            FormField(name="note", label=plain("Notitie"), kind="textarea", required=False,
                      max=500, placeholder=plain("...")),
        ])]),
        Message(blocks=[CardBlock(title=user("Leerlijn <b>"), text=plain("Tekst " * 800),
                                  facts=[Fact(label=user(f"Training {i}"), value=user(EVIL))
                                         for i in range(23)])]),
        Message(blocks=[TextBlock(text=plain("x" * 9000))] * 60),
        Message(blocks=[ImageBlock(png=b"\x89PNG fake", alt=plain("grafiek")),
                        FileBlock(name="a.csv", media_type="text/csv", data=b"a;b")]),
    ]


def test_slack_limits_and_nothing_lost() -> None:
    output = slack_render.render(sample_messages())
    for message in output.messages:
        assert len(message.blocks) <= slack_render.MAX_BLOCKS
        for block in message.blocks:
            if block["type"] == "section" and "text" in block:
                assert len(block["text"]["text"]) <= slack_render.MAX_TEXT
            for element in block.get("elements", []):
                assert len(element["action_id"]) <= 255
                assert len(element.get("options", [])) <= slack_render.MAX_OPTIONS
    everything = json.dumps([m.blocks for m in output.messages])
    assert everything.count("x" * 100) >= 60 * 9000 // 100 - 60  # long text split, not cut
    assert "Keuze 59" in everything  # every option of a long list is offered
    assert len(output.uploads) == 2 and len(output.forms) == 1


def _mrkdwn(value: object) -> list[str]:
    """Every mrkdwn text in a Block Kit structure (plain_text is never parsed by Slack)."""
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn":
            return [value["text"]]
        return [t for v in value.values() for t in _mrkdwn(v)]
    if isinstance(value, list):
        return [t for v in value for t in _mrkdwn(v)]
    return []


def test_slack_escapes_user_text() -> None:
    output = slack_render.render(sample_messages()[:2])
    text = "\n".join(_mrkdwn([m.blocks for m in output.messages]))
    assert "<!channel>" not in text and "<https://evil" not in text and "<" not in text
    assert "&lt;!channel&gt;" in text and "@\u200bhere" in text


def test_slack_action_ids_round_trip() -> None:
    output = slack_render.render([sample_messages()[1]])
    action = output.messages[0].blocks[-1]["elements"][1]
    prompt, kind = slack_render.parse_action_id(action["action_id"])
    assert prompt == PROMPT and kind == "choice" and action["value"] == "b"
    with pytest.raises(ValueError):
        slack_render.parse_action_id("something:else")


def test_slack_modal_and_values() -> None:
    form = sample_messages()[3].blocks[0]
    assert isinstance(form, FormBlock)
    view = slack_render.modal(PROMPT, form, "meta")
    assert [b["block_id"] for b in view["blocks"]] == ["size", "edu", "lvl", "note"]
    state = {"values": {
        "size": {"size": {"type": "number_input", "value": "4"}},
        "edu": {"edu": {"type": "multi_static_select",
                        "selected_options": [{"value": "mbo"}, {"value": "hbo"}]}},
        "lvl": {"lvl": {"type": "static_select", "selected_option": {"value": "x"}}},
        "note": {"note": {"type": "plain_text_input", "value": None}},
    }}
    assert slack_render.modal_values(state) == {"size": "4", "edu": "mbo,hbo", "lvl": "x",
                                                 "note": ""}


@pytest.fixture(scope="module")
def card_schema(shared: Path) -> object:
    import jsonschema

    schema = json.loads((shared / "reference" / "schemas" / "adaptive-card-1.5.schema.json")
                        .read_text(encoding="utf-8"))
    return jsonschema.Draft6Validator(schema)


def test_msteams_cards_are_valid_adaptive_cards(card_schema) -> None:  # type: ignore[no-untyped-def]
    cards = msteams_render.render(sample_messages())
    assert cards
    for card in cards:
        errors = sorted(card_schema.iter_errors(card), key=str)
        assert not errors, errors[0]
        assert len(json.dumps(card)) < 28_000
        assert len(card.get("actions", [])) <= msteams_render.MAX_BUTTONS + 1


def test_msteams_buttons_name_the_step_and_escape_text() -> None:
    (card,) = msteams_render.render([sample_messages()[1]])
    data = card["actions"][1]["data"]
    assert data == {"leerbot": PROMPT.model_dump(), "kind": "choice", "value": "b"}
    (first,) = msteams_render.render([sample_messages()[0]])
    text = json.dumps(first)
    assert "[x](javascript" not in text and "\\\\[x\\\\]" in text
