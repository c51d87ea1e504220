"""Native charts: one ChartBlock, drawn by Slack (data visualization block) and Teams (Adaptive
Card chart elements) within the rules we can check offline, with the PNG or the figures as text
where a channel or client cannot draw it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels import console, msteams_render, webchat
from bot.channels.slack import render as slack
from bot.channels.slack.sending import SlackSender
from bot.channels.slack.web import SlackWeb
from bot.settings import Settings
from dialogs.kit import ChartBlock, DataSeries, Message, TextBlock, plain
from tests.fakes import FakeSlack
from tests.platform_rules import slack_message_errors, teams_chart_errors

PNG = b"\x89PNG\r\n\x1a\n fake chart"
LABELS = ["1. Geen tijd om te leren naast het werk", "2. Geen tijd om te leren naast het werk",
          "3. Leren wordt niet gewaardeerd <!channel>"]


def chart(*, series: int = 1, png: bytes | None = PNG, kind: str = "bar") -> ChartBlock:
    rows = [DataSeries(name=name, values=[75, 50, 12.5][: len(LABELS)])
            for name in ["Nu", "Vorige keer", "Daarvoor"][:series]]
    return ChartBlock(kind=kind, title="Drempels van @channel team <https://evil.example|klik>",
                      categories=LABELS, series=rows, axis="Drempel (0-100)", maximum=100,
                      alt=plain("Drempel 1: 75; 2: 50; 3: 12,5"), png=png)  # type: ignore[arg-type]


def test_slack_draws_a_chart_natively_within_its_rules() -> None:
    output = slack.render([Message(blocks=[TextBlock(text=plain("Je uitslag")),
                                           chart(series=2)])])
    [message] = output.messages
    [native] = [b for b in message.blocks if b["type"] == "data_visualization"]
    assert slack_message_errors(message.blocks) == []
    assert native["chart"]["type"] == "bar"
    categories = native["chart"]["axis_config"]["categories"]
    assert len(set(categories)) == 3 and all(len(c) <= 20 for c in categories)
    assert "<" not in native["title"] and "@channel" not in native["title"]
    assert [s["name"] for s in native["chart"]["series"]] == ["Nu", "Vorige keer"]
    assert "Drempel 1: 75" in message.text  # the alt text is the notification's text
    assert message.chart_images and not output.uploads  # the image waits as a fallback


def test_slack_takes_two_charts_per_message_and_the_rest_as_images_or_text() -> None:
    output = slack.render([Message(blocks=[chart(), chart(kind="line"), chart(),
                                           chart(png=None)])])
    [message] = output.messages
    assert len([b for b in message.blocks if b["type"] == "data_visualization"]) == 2
    assert slack_message_errors(message.blocks) == []
    assert [u.png for u in output.uploads] == [PNG]
    assert any("```" in b.get("text", {}).get("text", "") for b in message.blocks)


def test_teams_draws_bars_grouped_bars_and_lines_with_a_fallback() -> None:
    single = msteams_render.native_chart(chart(), "https://leerbot.example/files/abc")
    grouped = msteams_render.native_chart(chart(series=2))
    line = msteams_render.native_chart(chart(series=3, kind="line"))
    assert [single["type"], grouped["type"], line["type"]] == [
        "Chart.VerticalBar", "Chart.VerticalBar.Grouped", "Chart.Line"]
    for element in (single, grouped, line):
        assert teams_chart_errors(element) == []
    assert single["fallback"] == {"type": "Image", "url": "https://leerbot.example/files/abc",
                                  "altText": "Drempel 1: 75; 2: 50; 3: 12,5"}
    assert grouped["fallback"]["type"] == "TextBlock"  # no public file address: the figures
    assert [s["legend"] for s in line["data"]] == ["Nu", "Vorige keer", "Daarvoor"]


def test_a_card_with_a_chart_keeps_its_image_out_of_the_card() -> None:
    [card] = msteams_render.render([Message(blocks=[chart()])])
    assert "data:image" not in str(card)  # a chart's image is linked, never inlined


def test_console_and_web_chat_show_the_figures_or_the_image() -> None:
    screen = console.render([Message(blocks=[chart(png=None)])])
    text = "\n".join(str(line) for line in screen.lines)
    assert "75" in text and "12,5" in text and "█" in text
    assert webchat.block_json(chart())["type"] == "image"
    assert "12,5" in str(webchat.block_json(chart(png=None)))


def test_a_chart_needs_one_value_per_category() -> None:
    with pytest.raises(ValueError, match="one value per category"):
        ChartBlock(title="x", categories=["a", "b"], series=[DataSeries(name="n", values=[1])],
                   alt=plain("x"))


@pytest.fixture
async def fake_slack():  # type: ignore[no-untyped-def]
    async with FakeSlack() as fake:
        yield fake


def sender(fake: FakeSlack, tmp_path: Path) -> SlackSender:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
                        data_dir=tmp_path, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=fake.url)
    return SlackSender(settings, SlackWeb(settings, None), None)  # type: ignore[arg-type]


@pytest.mark.parametrize("refused", [False, True])
async def test_slack_posts_the_image_when_a_workspace_refuses_native_charts(
        fake_slack: FakeSlack, tmp_path: Path, refused: bool) -> None:
    fake_slack.refuse_charts = refused
    [post] = slack.reply_payloads("DU1", [Message(blocks=[chart()])])
    result = await sender(fake_slack, tmp_path).send("T1", post, key="k1")
    assert result and result["channel"] == "DU1"
    [posted] = fake_slack.posts()
    charts = [b for b in posted.get("blocks") or [] if b["type"] == "data_visualization"]
    uploads = fake_slack.named("upload")
    if refused:
        assert not charts and len(uploads) == 1  # the same message, with the chart as a PNG
    else:
        assert len(charts) == 1 and not uploads
