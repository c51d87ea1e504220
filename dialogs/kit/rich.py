"""Rich text that channels can render safely.

Texts are sequences of segments. Our own texts (message catalogue templates) may mark
``**bold**``; every value filled into a template is a ``user`` segment, which each channel
escapes completely: a user can never inject markup, links or mass mentions.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from pydantic import BaseModel, ConfigDict

from dialogs.kit.texts import TEXTS

Kind = Literal["plain", "bold", "user", "link"]
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)


class Segment(BaseModel):
    """A piece of text of one kind. Never changed once made (a changed copy is a new one), so
    texts may share them."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    text: str
    url: str | None = None
    #: a user's text shown in bold (it is still escaped like any user text)
    strong: bool = False


class Rich(BaseModel):
    segments: list[Segment]

    @property
    def plain(self) -> str:
        """The text without any markup (for consoles, logs and tests)."""
        return "".join(s.text for s in self.segments)

    def __add__(self, other: Rich | str) -> Rich:
        other_rich = other if isinstance(other, Rich) else plain(other)
        return Rich(segments=[*self.segments, *other_rich.segments])


def _ours(text: str) -> list[Segment]:
    segments: list[Segment] = []
    position = 0
    for match in _BOLD.finditer(text):
        if match.start() > position:
            segments.append(Segment(kind="plain", text=text[position:match.start()]))
        segments.append(Segment(kind="bold", text=match.group(1)))
        position = match.end()
    if position < len(text):
        segments.append(Segment(kind="plain", text=text[position:]))
    return segments


def is_bold(segment: Segment) -> bool:
    return segment.kind == "bold" or segment.strong


def bold_runs(rich: Rich) -> list[tuple[bool, list[Segment]]]:
    """The segments in runs of the same emphasis: "**Vraag {n} van {total}**" is one bold run
    of four segments, so a channel opens and closes its bold markup once (``*Vraag 1 van
    27*``), never around each piece (``*Vraag **1** van **27*`` would show the asterisks)."""
    runs: list[tuple[bool, list[Segment]]] = []
    for segment in rich.segments:
        bold = is_bold(segment)
        if runs and runs[-1][0] == bold:
            runs[-1][1].append(segment)
        else:
            runs.append((bold, [segment]))
    return runs


def wrap_bold(text: str, marker: str) -> str:
    """``text`` between bold markers, with its outer spaces outside them (markup with a space
    just inside the marker is not read as bold); nothing to mark stays as it is."""
    core = text.strip()
    if not core:
        return text
    start = text.index(core)
    return f"{text[:start]}{marker}{core}{marker}{text[start + len(core):]}"


def strong(rich: Rich) -> Rich:
    """The whole text emphasised (a card's title), user segments still escaped as such."""
    return Rich(segments=[_emphasised(s) for s in rich.segments])


def plain(text: str) -> Rich:
    """Our own text (trusted), with ``**bold**``."""
    return Rich(segments=_ours(text))


def user(text: str) -> Rich:
    """Text that came from a user or an imported file: always escaped when rendered."""
    return Rich(segments=[Segment(kind="user", text=text)])


def link(label: str, url: str) -> Rich:
    return Rich(segments=[Segment(kind="link", text=label, url=url)])


def join(parts: Iterable[Rich | str], separator: str = "\n") -> Rich:
    segments: list[Segment] = []
    for index, part in enumerate(parts):
        if index and separator:
            segments.append(Segment(kind="plain", text=separator))
        segments.extend((part if isinstance(part, Rich) else plain(part)).segments)
    return Rich(segments=segments)


def say(lang: str | None, key: str, **params: Any) -> Rich:
    """A catalogue message with its parameters as escaped user segments.

    A parameter that is already Rich is inserted as it is (our own composed text). ``**``
    around a placeholder makes the value bold, still as the kind of text it is. ``{name!s}``
    puts a title in the middle of a sentence: its first letter in lower case ("Gestopt met
    de teamscan"), unless it is an abbreviation ("POP")."""
    language = TEXTS.normalise(lang)
    parts = _parts(TEXTS.template(language, key, params.get("count")))
    if len(parts) == 1 and parts[0].field is None:
        return Rich(segments=list(parts[0].literal))  # our text alone: made once
    segments: list[Segment] = []
    for part in parts:
        segments.extend(part.literal)
        if part.field is None:
            continue
        value = params[part.field]
        if isinstance(value, Rich):
            inserted = mid_sentence(value).segments if part.conversion == "s" \
                else value.segments
        else:
            inserted = [Segment(kind="user", text=_formatted(value, part.spec, part.conversion,
                                                             language))]
        segments.extend(_emphasised(s) if part.bold else s for s in inserted)
    return Rich(segments=_merge(segments))


class _Part(NamedTuple):
    """Our own text up to a placeholder (its segments), and the placeholder: its field (None
    at the end), format spec and conversion, and whether it stands in bold."""

    literal: tuple[Segment, ...]
    field: str | None
    spec: str | None
    conversion: str | None
    bold: bool


@lru_cache(maxsize=4096)
def _parts(template: str) -> tuple[_Part, ...]:
    """A template read once: its texts as segments, its placeholders (see ``say``)."""
    parts = []
    bold = False
    for literal, field, spec, conversion in string.Formatter().parse(template):
        segments: list[Segment] = []
        bold = _literal(literal, bold, segments)
        parts.append(_Part(tuple(segments), field, spec, conversion, bold))
    if not parts:
        return (_Part((), None, None, None, False),)
    if len(parts) == 1 and parts[0].field is None:
        return (parts[0]._replace(literal=tuple(_merge(list(parts[0].literal)))),)
    return tuple(parts)


def mid_sentence(title: Rich) -> Rich:
    """A title as it reads inside a sentence: "De teamscan" -> "de teamscan"; an
    abbreviation or a name in capitals stays ("POP")."""
    if not title.segments:
        return title
    first = title.segments[0]
    text = first.text
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        first = first.model_copy(update={"text": text[0].lower() + text[1:]})
    return Rich(segments=[first, *title.segments[1:]])


def local_date(value: date, lang: str | None, *, year: bool = True) -> str:
    """A date as the language writes it: "31 mei 2027" / "May 31, 2027"; without the year
    "31 mei" / "May 31". Parsed back by the date fields (never a fixed "%d-%m-%Y")."""
    language = TEXTS.normalise(lang)
    if isinstance(value, datetime):
        value = value.date()
    if year:
        return format_date(value, format="long", locale=language)
    return format_skeleton("MMMMd", value, locale=language)


def _formatted(value: Any, spec: str | None, conversion: str | None, lang: str) -> str:
    """A value as the language writes it: dates ("31 mei 2027"), decimals ("1,5")."""
    if conversion == "r":
        return repr(value)
    if spec:
        return format(value, spec)
    if isinstance(value, datetime):
        return format_date(value.date(), format="long", locale=lang)
    if isinstance(value, date):
        return format_date(value, format="long", locale=lang)
    if isinstance(value, float):
        return format_decimal(value, locale=lang)
    return str(value)


def _literal(text: str, bold: bool, segments: list[Segment]) -> bool:
    """Our own text between placeholders; ``**`` switches bold on and off, also across a
    placeholder. Returns whether bold is on after it."""
    for index, piece in enumerate(text.split("**")):
        if index:
            bold = not bold
        if piece:
            segments.append(Segment(kind="bold" if bold else "plain", text=piece))
    return bold


def _emphasised(segment: Segment) -> Segment:
    if segment.kind == "plain":
        return segment.model_copy(update={"kind": "bold"})
    if segment.kind == "user":
        return segment.model_copy(update={"strong": True})
    return segment


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].kind == segment.kind == "plain":
            merged[-1] = Segment(kind="plain", text=merged[-1].text + segment.text)
        elif segment.text:
            merged.append(segment)
    return merged
