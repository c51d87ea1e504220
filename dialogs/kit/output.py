"""The channel-neutral message model: what a dialog says. Each channel renders it its own way
(numbered choices on the console, buttons and forms in the web chat, Block Kit in Slack,
Adaptive Cards in Teams)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from dialogs.kit.rich import Rich


class Choice(BaseModel):
    value: str = Field(max_length=200)
    label: Rich
    style: Literal["default", "primary", "danger"] = "default"


FieldKind = Literal["text", "textarea", "number", "range", "duration", "date", "months",
                   "time", "choice", "multichoice", "yesno"]


class FormField(BaseModel):
    """One field of a form. Its ``kind`` says what the answer is, and so what the handler gets
    (see ``dialogs.kit.fields``): text, a whole number, a range of two numbers, a duration in
    minutes, a date, a time of day, a choice (its value), several choices, or yes/no."""

    name: str
    label: Rich
    kind: FieldKind = "text"
    required: bool = True
    min: int | None = Field(None, description="numbers and ranges: smallest; text: shortest")
    max: int | None = Field(None, description="numbers and ranges: largest; text: longest")
    choices: list[Choice] = Field(default_factory=list)
    placeholder: Rich | None = None
    default: str | None = Field(None, description="the value shown (as typed) in a new form")
    measure: Literal["years", "months", "hours", "minutes", "people", "items"] | None = Field(
        None, description="what the number counts: '40 jaar' is fine for years, and a bare "
                          "duration counts in hours unless the measure is minutes")
    bound: Literal["min", "max"] | None = Field(
        None, description="a limit is welcome: 'max 4' for a maximum, 'minstens 2' for a minimum")


class TextBlock(BaseModel):
    type: Literal["text"] = "text"
    text: Rich


class ChoicesBlock(BaseModel):
    """Buttons (few) or a select list (many); pressing one answers the step."""

    type: Literal["choices"] = "choices"
    choices: list[Choice]


class FormBlock(BaseModel):
    """A multi-field form: one card or modal where the channel can, else field by field."""

    type: Literal["form"] = "form"
    title: Rich
    fields: list[FormField]
    submit: Rich


class Fact(BaseModel):
    label: Rich
    value: Rich


class CardBlock(BaseModel):
    type: Literal["card"] = "card"
    title: Rich
    text: Rich | None = None
    facts: list[Fact] = Field(default_factory=list)


class ImageBlock(BaseModel):
    type: Literal["image"] = "image"
    png: bytes = Field(repr=False)
    alt: Rich
    name: str = "image.png"


class FileBlock(BaseModel):
    """A downloadable file (exports)."""

    type: Literal["file"] = "file"
    name: str
    media_type: str
    data: bytes = Field(repr=False)


Block = Annotated[TextBlock | ChoicesBlock | FormBlock | CardBlock | ImageBlock | FileBlock,
                  Field(discriminator="type")]


class Prompt(BaseModel):
    """Identifies the question a message asks, so an answer to an old message is recognised."""

    dialog: str
    step: str
    turn: int


class Message(BaseModel):
    blocks: list[Block]
    prompt: Prompt | None = None
    private: bool = True

    @property
    def plain(self) -> str:
        parts: list[str] = []
        for block in self.blocks:
            if isinstance(block, TextBlock):
                parts.append(block.text.plain)
            elif isinstance(block, ChoicesBlock):
                parts.append(" | ".join(c.label.plain for c in block.choices))
            elif isinstance(block, FormBlock):
                parts.append(block.title.plain + ": "
                             + ", ".join(f.label.plain for f in block.fields))
            elif isinstance(block, CardBlock):
                parts.append(block.title.plain)
                if block.text:
                    parts.append(block.text.plain)
                parts.extend(f"{f.label.plain}: {f.value.plain}" for f in block.facts)
            elif isinstance(block, ImageBlock):
                parts.append(f"[{block.alt.plain}]")
            elif isinstance(block, FileBlock):
                parts.append(f"[{block.name}]")
        return "\n".join(parts)
