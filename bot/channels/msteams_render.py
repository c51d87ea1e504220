"""Messages to Adaptive Cards 1.5 (what Microsoft Teams renders).

Buttons are Action.Submit whose data names the dialog step (so a click on an old card is
recognised as stale); more choices than Teams shows as buttons become a ChoiceSet; forms use
Input.Text/Number/ChoiceSet with validation; facts a FactSet. User text is escaped for the
card's markdown. Cards are split so each stays well under Teams' message size limit.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from bot.channels.contract import Unreachable
from dialogs.kit import (
    CardBlock,
    ChartBlock,
    ChoicesBlock,
    FileBlock,
    FormBlock,
    FormField,
    ImageBlock,
    Message,
    Prompt,
    Rich,
    Segment,
    TextBlock,
    bold_runs,
    wrap_bold,
)

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
MAX_BUTTONS = 5  # Teams shows at most 6 actions; keep one free
MAX_CARD_BYTES = 20_000  # Teams refuses messages over ~28 KB
_MARKDOWN = set("\\`*_{}[]()#+-.!<>|~")

#: the address of an image, a file or a chart's image ("" when a chart's image has none)
FileUrl = Callable[[ImageBlock | FileBlock | ChartBlock], str]


def escape(text: str) -> str:
    return "".join("\\" + c if c in _MARKDOWN else c for c in text)


def _piece(segment: Segment) -> str:
    if segment.kind == "link" and segment.url and segment.url.startswith("https://"):
        return f"[{escape(segment.text)}]({segment.url})"
    return escape(segment.text)


def markdown(rich: Rich) -> str:
    """Bold runs are marked once (``**Vraag 1 van 27**``), never piece by piece."""
    parts = []
    for bold, segments in bold_runs(rich):
        text = "".join(_piece(s) for s in segments)
        parts.append(wrap_bold(text, "**") if bold else text)
    return "".join(parts)


def _data(prompt: Prompt | None, kind: str, value: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"leerbot": prompt.model_dump() if prompt else None, "kind": kind}
    if value is not None:
        data["value"] = value
    return data


def _text(rich: Rich, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": markdown(rich) or " ", "wrap": True, **extra}


def _input(field: FormField) -> dict[str, Any]:
    base: dict[str, Any] = {"id": field.name, "label": field.label.plain,
                            "isRequired": field.required}
    if field.required:
        base["errorMessage"] = field.label.plain
    if field.kind in {"choice", "multichoice"}:
        item = {"type": "Input.ChoiceSet", **base,
                "isMultiSelect": field.kind == "multichoice",
                "style": "expanded" if len(field.choices) <= 6 else "compact",
                "choices": [{"title": c.label.plain, "value": c.value} for c in field.choices]}
        if field.default:
            item["value"] = field.default
        return item
    if field.kind == "number":
        item = {"type": "Input.Number", **base}
        if field.min is not None:
            item["min"] = field.min
        if field.max is not None:
            item["max"] = field.max
        if field.default:
            item["value"] = int(field.default)
        return item
    item = {"type": "Input.Text", **base, "isMultiline": field.kind == "textarea"}
    if field.max is not None:
        item["maxLength"] = field.max
    if field.placeholder is not None:
        item["placeholder"] = field.placeholder.plain
    if field.default:
        item["value"] = field.default
    return item


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION,
                            "body": body or [{"type": "TextBlock", "text": " "}]}
    if actions:
        card["actions"] = actions
    return card


def data_url(block: ImageBlock | FileBlock | ChartBlock) -> str:
    if isinstance(block, ChartBlock):
        return ""  # a chart's image inline would make the card too large: its text instead
    data = block.png if isinstance(block, ImageBlock) else block.data
    kind = "image/png" if isinstance(block, ImageBlock) else block.media_type
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def render(messages: list[Message], file_url: FileUrl = data_url) -> list[dict[str, Any]]:
    """Adaptive Cards, one or more per message (split by size; actions on the last one)."""
    cards: list[dict[str, Any]] = []
    for message in messages:
        groups: list[list[dict[str, Any]]] = []
        actions: list[dict[str, Any]] = []
        for block in message.blocks:
            items, more_actions = _block(block, message.prompt, file_url)
            groups.append(items)
            actions.extend(more_actions)
        body: list[dict[str, Any]] = []
        for items in groups:
            if body and len(json.dumps(body + items)) > MAX_CARD_BYTES:
                cards.append(_card(body, []))
                body = []
            body.extend(items)
        if body or actions:
            cards.append(_card(body, actions))
    return cards


def _block(block: object, prompt: Prompt | None,
           file_url: FileUrl) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Card elements and actions for one block."""
    if isinstance(block, TextBlock):
        return [_text(block.text)], []
    if isinstance(block, CardBlock):
        container: list[dict[str, Any]] = [_text(block.title, weight="Bolder", size="Medium")]
        if block.text:
            container.append(_text(block.text))
        if block.facts:
            container.append({"type": "FactSet", "facts": [
                {"title": markdown(f.label), "value": markdown(f.value)} for f in block.facts]})
        return [{"type": "Container", "style": "emphasis", "items": container}], []
    if isinstance(block, ChoicesBlock):
        if len(block.choices) <= MAX_BUTTONS:
            actions = []
            for choice in block.choices:
                action = {"type": "Action.Submit", "title": choice.label.plain,
                          "data": _data(prompt, "choice", choice.value)}
                if choice.style == "primary":
                    action["style"] = "positive"
                elif choice.style == "danger":
                    action["style"] = "destructive"
                actions.append(action)
            return [], actions
        choice_set = {"type": "Input.ChoiceSet", "id": "choice", "style": "compact",
                      "isRequired": True, "errorMessage": "Kies / choose",
                      "choices": [{"title": c.label.plain, "value": c.value}
                                  for c in block.choices]}
        return [choice_set], [{"type": "Action.Submit", "title": "OK",
                               "data": _data(prompt, "select")}]
    if isinstance(block, FormBlock):
        items = [_text(block.title, weight="Bolder"), *(_input(f) for f in block.fields)]
        return items, [{"type": "Action.Submit", "title": block.submit.plain,
                        "data": _data(prompt, "form")}]
    if isinstance(block, ImageBlock):
        return [{"type": "Image", "url": file_url(block), "altText": block.alt.plain}], []
    if isinstance(block, ChartBlock):
        return [native_chart(block, file_url(block) if block.png else "")], []
    if isinstance(block, FileBlock):
        return [{"type": "TextBlock", "wrap": True,
                 "text": f"[{escape(block.name)}]({file_url(block)})"}], []
    raise TypeError(type(block))


def native_chart(block: ChartBlock, image_url: str = "") -> dict[str, Any]:
    """An Adaptive Card chart (bars, grouped bars for several series, or lines); a client that
    cannot draw it shows the chart's image (at ``image_url``), or its figures as text."""
    fallback: dict[str, Any] = (
        {"type": "Image", "url": image_url, "altText": block.alt.plain} if image_url
        else {"type": "TextBlock", "wrap": True, "fontType": "Monospace",
              "text": escape("\n".join(block.text_lines()))})
    chart: dict[str, Any] = {"title": block.title, "fallback": fallback}
    if block.axis:
        chart["yAxisTitle"] = block.axis
    if block.maximum is not None:
        chart["max"] = block.maximum
    points = [[{"x": c, "y": v} for c, v in zip(block.categories, s.values, strict=True)]
              for s in block.series]
    if block.kind == "line":
        return {"type": "Chart.Line", **chart,
                "data": [{"legend": s.name, "values": p}
                         for s, p in zip(block.series, points, strict=True)]}
    if len(block.series) == 1:
        return {"type": "Chart.VerticalBar", **chart, "showBarValues": True, "data": points[0]}
    return {"type": "Chart.VerticalBar.Grouped", **chart, "showBarValues": True,
            "data": [{"legend": s.name, "values": p}
                     for s, p in zip(block.series, points, strict=True)]}


def card_attachment(card: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}


def payloads(address: str, messages: list[Message], reference: dict[str, Any] | None,
             thread_of: str | None = None) -> list[dict[str, Any]]:
    """One delivery with the cards of proactive messages, sent through the stored
    conversation reference (Teams cannot start a chat with someone who never wrote)."""
    if reference is None:
        raise Unreachable("no Microsoft Teams conversation with this person or channel yet")
    return [{"reference": reference, "cards": render(messages),
             **({"thread_of": thread_of} if thread_of else {})}]
