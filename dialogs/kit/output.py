"""The channel-neutral message model: what a dialog says. Each channel renders it its own way
(numbered choices on the console, buttons and forms in the web chat, Block Kit in Slack,
Adaptive Cards in Teams)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

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


class DataSeries(BaseModel):
    """One named row of a chart's figures, one value per category."""

    name: str
    values: list[float]


class ChartBlock(BaseModel):
    """A chart as data: channels that can draw charts (Slack, Teams) draw it natively, the others
    show ``png`` (the same chart as an image) or, without one, the figures as text. ``alt``
    describes the chart and its figures in words, for screen readers and notifications."""

    type: Literal["chart"] = "chart"
    kind: Literal["bar", "line"] = "bar"
    title: str
    categories: list[str] = Field(min_length=1)
    series: list[DataSeries] = Field(min_length=1)
    axis: str = Field("", description="what the values measure (the value axis)")
    maximum: float | None = Field(None, description="the top of the value axis, if fixed")
    alt: Rich
    png: bytes | None = Field(None, repr=False)
    name: str = "chart.png"
    lang: str = Field("nl", description="for the numbers in the text version")

    @model_validator(mode="after")
    def _one_value_per_category(self) -> ChartBlock:
        for series in self.series:
            if len(series.values) != len(self.categories):
                raise ValueError(f"series {series.name!r}: one value per category")
        return self

    def image(self) -> ImageBlock | None:
        """The fallback image, for channels that cannot draw the chart."""
        return None if self.png is None else ImageBlock(png=self.png, alt=self.alt, name=self.name)

    def number(self, value: float) -> str:
        shown = str(int(value)) if float(value).is_integer() else f"{value:.1f}"
        return shown.replace(".", ",") if self.lang == "nl" else shown

    def text_lines(self, width: int = 20) -> list[str]:
        """The chart as text: a bar per category for the first series, the other series'
        values after it."""
        top = self.maximum or max((v for s in self.series for v in s.values), default=0) or 1
        label_width = max(len(c) for c in self.categories)
        lines = [self.title]
        for index, category in enumerate(self.categories):
            first = self.series[0].values[index]
            filled = round(width * max(0.0, min(first, top)) / top)
            bar = "█" * filled + "░" * (width - filled)
            others = ", ".join(f"{s.name} {self.number(s.values[index])}"
                               for s in self.series[1:])
            line = f"  {category.ljust(label_width)}  {bar} {self.number(first)}"
            lines.append(f"{line}  ({others})" if others else line)
        return lines


class FileBlock(BaseModel):
    """A downloadable file (exports)."""

    type: Literal["file"] = "file"
    name: str
    media_type: str
    data: bytes = Field(repr=False)


Block = Annotated[TextBlock | ChoicesBlock | FormBlock | CardBlock | ImageBlock | ChartBlock
                  | FileBlock, Field(discriminator="type")]


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
            elif isinstance(block, ImageBlock | ChartBlock):
                parts.append(f"[{block.alt.plain}]")
            elif isinstance(block, FileBlock):
                parts.append(f"[{block.name}]")
        return "\n".join(parts)
