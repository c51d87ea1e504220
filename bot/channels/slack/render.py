"""Messages to Slack Block Kit, within Slack's limits (50 blocks per message, 3,000 characters
per text, 255-character action ids, 25 options per select, 75 characters per button): long
content is split over several blocks or messages, never cut off silently.

User text is escaped for mrkdwn: ``&``, ``<`` and ``>`` become entities (no ``<!channel>``, no
``<@U..>``, no ``<url|disguised link>``) and ``@channel``/``@here``/``@everyone`` get a
zero-width space so they can never notify anyone. This holds for the blocks and for a post's
plain-text fallback (``fallback``: notifications show it, and Slack parses it too); every post
gets its text from ``post``, so no other path builds one.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any

from dialogs.kit import (
    CardBlock,
    ChartBlock,
    Choice,
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
    strong,
    wrap_bold,
)

MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_BUTTON_TEXT = 75
MAX_OPTIONS = 25
MAX_BUTTONS = 5
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_OPTION_TEXT = 75
#: Slack's data visualization block: two per message, six series, twenty categories
MAX_CHARTS = 2
MAX_SERIES = 6
MAX_CATEGORIES = 20
MAX_CHART_TITLE = 50
MAX_CHART_LABEL = 20
ACTION_PREFIX = "lb"
#: the label of the button that opens a form in a modal (the language is not known here)
FORM_BUTTON = "Formulier invullen / Fill in"
_MENTION = re.compile(r"@(channel|here|everyone)\b", re.I)


def escape(text: str) -> str:
    """Make text from a user inert in mrkdwn."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub(lambda m: "@\u200b" + m.group(1), text)


def _piece(segment: Segment) -> str:
    if segment.kind == "link" and segment.url and segment.url.startswith("https://"):
        return f"<{escape(segment.url)}|{escape(segment.text).replace('|', '¦')}>"
    return escape(segment.text)


def fallback(plain: str, limit: int = MAX_TEXT) -> str:
    """A post's plain-text ``text`` (notifications, screen readers): escaped like the blocks,
    cut to Slack's limit without breaking an entity in two."""
    text = escape(plain.strip()) or "Leerbot"
    if len(text) > limit:
        text = text[:limit - 1]
        amp = text.rfind("&")
        if amp > limit - 8 and ";" not in text[amp:]:
            text = text[:amp]
        text += "…"
    return text


def post(channel: str, blocks: list[dict[str, Any]], plain: str,
         **extra: Any) -> dict[str, Any]:
    """A chat.postMessage payload: the blocks and their escaped fallback text."""
    return {"op": "post", "channel": channel, "text": fallback(plain), "blocks": blocks,
            **extra}


def mrkdwn(rich: Rich) -> str:
    """Bold runs are marked once (``*Vraag 1 van 27*``), never piece by piece."""
    parts = []
    for bold, segments in bold_runs(rich):
        text = "".join(_piece(s) for s in segments)
        parts.append(wrap_bold(text, "*") if bold else text)
    return "".join(parts)


def plain_text(rich: Rich, limit: int) -> dict[str, Any]:
    text = rich.plain.strip() or "-"
    if len(text) > limit:
        text = text[: limit - 1] + "…"  # button and option labels only; the full text is shown
    return {"type": "plain_text", "text": text, "emoji": True}


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at paragraph, line or word boundaries so each part fits."""
    parts: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit),
                  text.rfind(" ", 0, limit))
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


def action_id(prompt: Prompt | None, kind: str, index: int) -> str:
    """lb:<dialog>:<step>:<turn>:<kind>:<index>; names the question so old clicks are stale."""
    if prompt is None:
        return f"{ACTION_PREFIX}:-:-:0:{kind}:{index}"
    return f"{ACTION_PREFIX}:{prompt.dialog}:{prompt.step}:{prompt.turn}:{kind}:{index}"[:255]


def parse_action_id(value: str) -> tuple[Prompt | None, str]:
    parts = value.split(":")
    if len(parts) != 6 or parts[0] != ACTION_PREFIX:
        raise ValueError(value)
    _, dialog, step, turn, kind, _ = parts
    if dialog == "-":
        return None, kind
    return Prompt(dialog=dialog, step=step, turn=int(turn)), kind


@dataclass
class SlackMessage:
    """One chat.postMessage: blocks plus the plain text they say (``fallback`` escapes it),
    and the images of its native charts (posted instead if Slack refuses the chart blocks)."""

    blocks: list[dict[str, Any]]
    text: str
    chart_images: list[ImageBlock] = field(default_factory=list)


@dataclass
class SlackOutput:
    messages: list[SlackMessage] = field(default_factory=list)
    uploads: list[ImageBlock | FileBlock] = field(default_factory=list)
    forms: list[tuple[Prompt | None, FormBlock]] = field(default_factory=list)


def _choices(prompt: Prompt | None, block: ChoicesBlock) -> list[dict[str, Any]]:
    if len(block.choices) <= MAX_BUTTONS:
        elements = []
        for index, choice in enumerate(block.choices):
            button: dict[str, Any] = {"type": "button", "text": plain_text(choice.label,
                                                                            MAX_BUTTON_TEXT),
                                      "value": choice.value, "action_id": action_id(
                                          prompt, "choice", index)}
            if choice.style in {"primary", "danger"}:
                button["style"] = choice.style
            elements.append(button)
        long_labels = any(len(c.label.plain) > MAX_BUTTON_TEXT for c in block.choices)
        listing = "\n".join(f"{i}. {mrkdwn(c.label)}"
                             for i, c in enumerate(block.choices, start=1))
        return [*(_sections(listing) if long_labels else []),
                {"type": "actions", "elements": elements}]
    blocks = []
    for start in range(0, len(block.choices), MAX_OPTIONS):
        chunk = block.choices[start:start + MAX_OPTIONS]
        blocks.append({"type": "actions", "elements": [{
            "type": "static_select", "action_id": action_id(prompt, "select", start),
            "placeholder": {"type": "plain_text", "text": "Kies… / Choose…"},
            "options": [_option(c) for c in chunk]}]})
    # a long list also as text, so every option stays readable in full
    listing = "\n".join(f"{i}. {mrkdwn(c.label)}" for i, c in enumerate(block.choices, start=1))
    return [*_sections(listing), *blocks]


def _option(choice: Choice) -> dict[str, Any]:
    return {"text": plain_text(choice.label, MAX_OPTION_TEXT), "value": choice.value}


def _sections(text: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": part}}
            for part in split_text(text)]


def _card(block: CardBlock) -> list[dict[str, Any]]:
    blocks = _sections(mrkdwn(strong(block.title)))
    if block.text:
        blocks += _sections(mrkdwn(block.text))
    fields = [f"{mrkdwn(strong(f.label))}\n{mrkdwn(f.value)}" for f in block.facts]
    for start in range(0, len(fields), MAX_FIELDS):
        chunk = fields[start:start + MAX_FIELDS]
        if all(len(f) <= MAX_FIELD_TEXT for f in chunk):
            blocks.append({"type": "section",
                           "fields": [{"type": "mrkdwn", "text": f} for f in chunk]})
        else:
            for item in chunk:
                blocks += _sections(item)
    return blocks


def _chart_label(text: str, limit: int, taken: set[str]) -> str:
    """A chart label within Slack's limit, unique, never a mention or markup."""
    text = _MENTION.sub(lambda m: "@\u200b" + m.group(1), text.replace("<", "").replace(">", ""))
    text = text.strip() or "-"
    label = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    number = 2
    while label in taken:
        suffix = f" {number}"
        label = label[: limit - len(suffix)] + suffix
        number += 1
    taken.add(label)
    return label


def native_chart(block: ChartBlock) -> dict[str, Any] | None:
    """A data visualization block, or None when the chart is beyond Slack's limits."""
    if len(block.series) > MAX_SERIES or len(block.categories) > MAX_CATEGORIES:
        return None
    categories: set[str] = set()
    labels = [_chart_label(c, MAX_CHART_LABEL, categories) for c in block.categories]
    names: set[str] = set()
    series = [{"name": _chart_label(s.name, MAX_CHART_LABEL, names),
               "data": [{"label": label, "value": value}
                        for label, value in zip(labels, s.values, strict=True)]}
              for s in block.series]
    axis: dict[str, Any] = {"categories": labels}
    if block.axis:
        axis["y_label"] = _chart_label(block.axis, MAX_CHART_TITLE, set())
    return {"type": "data_visualization",
            "title": _chart_label(block.title, MAX_CHART_TITLE, set()),
            "chart": {"type": block.kind, "series": series, "axis_config": axis}}


def render(messages: list[Message], form_button: str = "Formulier invullen") -> SlackOutput:
    output = SlackOutput()
    for message in messages:
        blocks: list[dict[str, Any]] = []
        texts: list[str] = []
        charts: list[tuple[dict[str, Any], ImageBlock | None]] = []
        for block in message.blocks:
            if isinstance(block, TextBlock):
                blocks += _sections(mrkdwn(block.text))
                texts.append(block.text.plain)
            elif isinstance(block, ChoicesBlock):
                blocks += _choices(message.prompt, block)
            elif isinstance(block, CardBlock):
                blocks += _card(block)
                texts.append(block.title.plain)
            elif isinstance(block, FormBlock):
                output.forms.append((message.prompt, block))
                blocks += _sections(mrkdwn(strong(block.title)))
                blocks.append({"type": "actions", "elements": [{
                    "type": "button", "style": "primary",
                    "text": {"type": "plain_text", "text": form_button},
                    "action_id": action_id(message.prompt, "form", 0), "value": "open"}]})
            elif isinstance(block, ChartBlock):
                texts.append(block.alt.plain)
                _chart(block, blocks, output, charts)
            elif isinstance(block, ImageBlock | FileBlock):
                output.uploads.append(block)
        for start in range(0, len(blocks), MAX_BLOCKS):
            part = blocks[start:start + MAX_BLOCKS]
            output.messages.append(SlackMessage(blocks=part, text=" ".join(texts), chart_images=[
                image for chart, image in charts
                if image is not None and any(b is chart for b in part)]))
    return output


def _chart(block: ChartBlock, blocks: list[dict[str, Any]], output: SlackOutput,
           charts: list[tuple[dict[str, Any], ImageBlock | None]]) -> None:
    """A native chart (at most two per message), else its image, else its figures as text."""
    native = native_chart(block) if len(charts) < MAX_CHARTS else None
    image = block.image()
    if native is not None:
        blocks.append(native)
        charts.append((native, image))
    elif image is not None:
        output.uploads.append(image)
    else:
        blocks += _sections("```" + escape("\n".join(block.text_lines())) + "```")


def modal(prompt: Prompt | None, form: FormBlock, private_metadata: str) -> dict[str, Any]:
    """A form as a modal view (opened from the button's trigger_id)."""
    return {
        "type": "modal",
        "callback_id": action_id(prompt, "modal", 0),
        "private_metadata": private_metadata,
        "title": plain_text(form.title, 24),
        "submit": plain_text(form.submit, 24),
        "close": {"type": "plain_text", "text": "Annuleer / Cancel"},
        "blocks": [_input(f) for f in form.fields],
    }


def loading_modal(title: str) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": title[:24]},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "…"}}]}


def _input(form_field: FormField) -> dict[str, Any]:
    element: dict[str, Any]
    if form_field.kind in {"choice", "multichoice"}:
        element = {"type": "multi_static_select" if form_field.kind == "multichoice"
                   else "static_select",
                   "options": [_option(c) for c in form_field.choices[:100]]}
        if form_field.default:
            chosen = [c for c in form_field.choices
                      if c.value in form_field.default.split(",")]
            if chosen and form_field.kind == "multichoice":
                element["initial_options"] = [_option(c) for c in chosen]
            elif chosen:
                element["initial_option"] = _option(chosen[0])
    elif form_field.kind == "number":
        element = {"type": "number_input", "is_decimal_allowed": False}
        if form_field.min is not None:
            element["min_value"] = str(form_field.min)
        if form_field.max is not None:
            element["max_value"] = str(form_field.max)
        if form_field.default:
            element["initial_value"] = form_field.default
    else:
        element = {"type": "plain_text_input", "multiline": form_field.kind == "textarea"}
        if form_field.max is not None:
            element["max_length"] = min(form_field.max, 3000)
        if form_field.default:
            element["initial_value"] = form_field.default
    element["action_id"] = form_field.name
    block: dict[str, Any] = {"type": "input", "block_id": form_field.name,
                             "label": plain_text(form_field.label, 2000), "element": element,
                             "optional": not form_field.required}
    return block


def modal_values(state: dict[str, Any]) -> dict[str, str]:
    """The submitted values of a modal (view.state.values) as our form's strings."""
    values: dict[str, str] = {}
    for block_id, actions in state.get("values", {}).items():
        for _action, value in actions.items():
            kind = value.get("type")
            if kind == "multi_static_select":
                values[block_id] = ",".join(o["value"] for o in value.get("selected_options") or [])
            elif kind == "static_select":
                option = value.get("selected_option")
                values[block_id] = option["value"] if option else ""
            else:
                values[block_id] = value.get("value") or ""
    return values


def payloads(address: str, messages: list[Message], reference: dict[str, Any] | None = None,
             thread_of: str | None = None) -> list[dict[str, Any]]:
    """Proactive messages as chat.postMessage payloads to a user (their DM) or a channel,
    optionally in the thread of an earlier post (its delivery key)."""
    return [post(address, m.blocks, m.text, **({"thread_of": thread_of} if thread_of else {}),
                 **_chart_images(m))
            for m in render(messages).messages]


def _chart_images(message: SlackMessage) -> dict[str, Any]:
    """What the sender posts instead of the native charts if Slack refuses them."""
    if not message.chart_images:
        return {}
    return {"chart_images": [{"filename": image.name,
                              "content": base64.b64encode(image.png).decode()}
                             for image in message.chart_images]}


def reply_payloads(channel: str, messages: list[Message],
                   thread_ts: str | None = None) -> list[dict[str, Any]]:
    """A turn's reply as delivery payloads: the posts, then the files to upload."""
    output = render(messages, form_button=FORM_BUTTON)
    posts = [post(channel, m.blocks, m.text, thread_ts=thread_ts, **_chart_images(m))
             for m in output.messages]
    uploads: list[dict[str, Any]] = [
        {"op": "upload", "channel": channel, "filename": upload.name,
         "content": base64.b64encode(upload.png if isinstance(upload, ImageBlock)
                                     else upload.data).decode()}
        for upload in output.uploads]
    return posts + uploads


def text_payload(channel: str, text: str) -> dict[str, Any]:
    """One plain message (our own text, escaped all the same)."""
    return post(channel, [{"type": "section", "text": {"type": "mrkdwn", "text": escape(text)}}],
                text)
