"""Read training catalogues as LMS systems export them: CSV (any delimiter, BOM, CRLF, Dutch or
English headers) and XLSX.

Every problem is reported with its line number and the remaining rows are imported; a bad file
never raises, it yields a report whose ``fatal`` problem says why nothing could be read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from knowledge.base import data_path
from knowledge.catalogue import Catalogue, Training, normalise_format
from knowledge.messages import t

Severity = Literal["error", "warning"]

#: Header words per field; matched after lower-casing, removing accents and any "(unit)".
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "code", "nummer", "nr", "trainingid", "cursuscode", "courseid", "coursecode"),
    "title": ("title", "titel", "naam", "name", "training", "cursus", "course", "trainingnaam",
              "cursusnaam", "coursetitle", "coursename", "trainingstitel"),
    "category": ("category", "categorie", "thema", "rubriek", "theme"),
    "level": ("level", "niveau", "opleidingsniveau", "educationlevel", "denkniveau"),
    "experience": ("experience", "ervaring", "ervaringsniveau", "experiencelevel"),
    "duration": ("duration", "duur", "tijdsduur", "studiebelasting", "lengte", "length",
                 "studyload", "tijdsinvestering"),
    "format": ("format", "leervorm", "vorm", "werkvorm", "type", "delivery", "learningformat",
               "modality"),
    "language": ("language", "taal"),
    "competencies": ("competencies", "competenties", "competentie", "competency", "skills"),
    "keywords": ("keywords", "trefwoorden", "tags", "zoekwoorden", "keyword", "trefwoord"),
    "provider": ("provider", "aanbieder", "leverancier", "vendor", "supplier"),
}
REQUIRED = ("title", "duration")
DELIMITERS = (";", ",", "\t", "|")

LEVELS = {"mbo": "mbo", "hbo": "hbo", "wo": "wo", "universitair": "wo", "university": "wo",
          "master": "wo", "bachelor": "hbo", "vocational": "mbo"}
EXPERIENCE = {"beginner": "beginner", "basis": "beginner", "starter": "beginner",
              "instap": "beginner", "basic": "beginner", "introductie": "beginner",
              "introductory": "beginner", "gevorderd": "gevorderd", "advanced": "gevorderd",
              "expert": "gevorderd", "ervaren": "gevorderd", "intermediate": "gevorderd",
              "senior": "gevorderd"}
LANGUAGES = {"nl": "nl", "nederlands": "nl", "dutch": "nl", "vlaams": "nl", "en": "en",
             "engels": "en", "english": "en", "de": "de", "duits": "de", "german": "de",
             "deutsch": "de", "fr": "fr", "frans": "fr", "french": "fr", "francais": "fr"}


class ImportProblem(BaseModel):
    line: int | None = Field(description="1-based line (CSV) or row (XLSX); None: whole file")
    severity: Severity
    code: str
    params: dict[str, Any] = Field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        text = t(lang, f"import.{self.code}", **self.params)
        if self.line is None:
            return text
        return t(lang, "import.at_line", line=self.line, text=text)


class ImportReport(BaseModel):
    source: str
    catalogue: Catalogue
    problems: list[ImportProblem]
    rows: int = Field(description="data rows read, blank ones included")

    @property
    def fatal(self) -> bool:
        return any(p.line is None and p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "error"]


class CatalogueFileError(ValueError):
    """Raised by ``read_catalogue(..., strict=True)`` when a file has any problem."""


# ---------------------------------------------------------------- durations

_DURATION_UNITS = {
    "m": 1, "min": 1, "mins": 1, "minuut": 1, "minuten": 1, "minute": 1, "minutes": 1, "mn": 1,
    "u": 60, "uur": 60, "uren": 60, "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60,
    "dagdeel": 240, "dagdelen": 240, "dag": 480, "dagen": 480, "day": 480, "days": 480,
}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)?")
_DURATION_FILLER = re.compile(r"^(?:\s|\+|en|and|,)*$")


def parse_duration(value: str, default_unit: int = 1) -> int:
    """Minutes in ``value``: "90", "90 min", "1u30", "1,5 uur", "1:30", "1 uur 30 min",
    "2 dagen" (8 hours a day). ``default_unit`` is what a bare number means (1 = minutes,
    60 = hours). Raises ValueError when the text is not a duration."""
    text = value.strip().casefold()
    clock = re.fullmatch(r"(\d{1,3}):([0-5]\d)(?::00)?", text)
    if clock:
        minutes = int(clock.group(1)) * 60 + int(clock.group(2))
    else:
        text = re.sub(r"(\d),(\d)", r"\1.\2", text)
        total = 0.0
        position = 0
        previous_unit: int | None = None
        found = False
        for match in _DURATION_PART.finditer(text):
            if not _DURATION_FILLER.match(text[position:match.start()]):
                raise ValueError(value)
            number, word = float(match.group(1)), match.group(2)
            if word is None:
                # "1u30": a bare number right after hours counts as minutes
                unit = 1 if previous_unit == 60 else default_unit
            elif word in _DURATION_UNITS:
                unit = _DURATION_UNITS[word]
            else:
                raise ValueError(value)
            total += number * unit
            previous_unit = unit
            position = match.end()
            found = True
        if not found or not _DURATION_FILLER.match(text[position:]):
            raise ValueError(value)
        minutes = round(total)
    if minutes <= 0:
        raise ValueError(value)
    return minutes


# ---------------------------------------------------------------- headers


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _header_field(header: str) -> tuple[str | None, int]:
    """The field a header names, and the unit (minutes per number) it announces."""
    folded = _fold(header)
    unit = 1
    if re.search(r"\b(uur|uren|hours?|hrs?|u|h)\b", folded):
        unit = 60
    bare = re.sub(r"\(.*?\)|\[.*?\]", " ", folded)
    key = re.sub(r"[^a-z0-9]", "", bare)
    for field, aliases in HEADER_ALIASES.items():
        if key in aliases:
            return field, unit
    return None, unit


def _map_headers(cells: list[str]) -> tuple[dict[str, int], int]:
    mapping: dict[str, int] = {}
    duration_unit = 1
    for index, cell in enumerate(cells):
        field, unit = _header_field(cell)
        if field and field not in mapping:
            mapping[field] = index
            if field == "duration":
                duration_unit = unit
    return mapping, duration_unit


# ---------------------------------------------------------------- rows


def _split_list(value: str) -> tuple[str, ...]:
    parts = re.split(r"\s*[|;,]\s*", value.strip())
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))


def _cell(row: list[str], mapping: dict[str, int], field: str) -> str:
    index = mapping.get(field)
    if index is None or index >= len(row):
        return ""
    return " ".join(row[index].split())


class _Builder:
    """Turns raw rows into trainings, collecting problems along the way."""

    def __init__(self, mapping: dict[str, int], duration_unit: int, width: int) -> None:
        self.mapping = mapping
        self.duration_unit = duration_unit
        self.width = width
        self.problems: list[ImportProblem] = []
        self.trainings: list[Training] = []
        self.seen_keys: dict[tuple[str, str | None, str | None], int] = {}
        self.seen_ids: dict[str, int] = {}
        self.rows = 0
        self.has_competencies = False

    def problem(self, line: int | None, severity: Severity, code: str, **params: Any) -> None:
        self.problems.append(ImportProblem(line=line, severity=severity, code=code, params=params))

    def add(self, line: int, row: list[str]) -> None:
        self.rows += 1
        if not any(cell.strip() for cell in row):
            self.problem(line, "warning", "empty_row")
            return
        if len(row) != self.width:
            self.problem(line, "warning", "field_count", found=len(row), expected=self.width)
        get = lambda field: _cell(row, self.mapping, field)  # noqa: E731
        title = get("title")
        if not title:
            self.problem(line, "error", "missing_title")
            return
        raw_duration = get("duration")
        if not raw_duration:
            self.problem(line, "error", "missing_duration", title=title)
            return
        try:
            minutes = parse_duration(raw_duration, self.duration_unit)
        except ValueError:
            self.problem(line, "error", "bad_duration", title=title, value=raw_duration)
            return
        if re.search(r"\b(dag|dagen|day|days|dagdeel|dagdelen)\b", raw_duration.casefold()):
            self.problem(line, "warning", "days_converted", title=title, value=raw_duration,
                         minutes=minutes)
        level = self._lookup(line, title, get("level"), LEVELS, "unknown_level")
        experience = self._lookup(line, title, get("experience"), EXPERIENCE,
                                  "unknown_experience")
        language = self._lookup(line, title, get("language"), LANGUAGES, "unknown_language")
        raw_format = get("format")
        learning_format = normalise_format(raw_format) if raw_format else None
        if learning_format is None:
            self.problem(line, "error", "unknown_format", title=title, value=raw_format or "-")
            return
        training_id = get("id") or f"row-{line}"
        key = (_fold(title), level, learning_format)
        if key in self.seen_keys:
            self.problem(line, "warning", "duplicate", title=title, first=self.seen_keys[key])
            return
        if training_id in self.seen_ids:
            self.problem(line, "error", "duplicate_id", id=training_id,
                         first=self.seen_ids[training_id])
            return
        competencies = _split_list(get("competencies"))
        self.has_competencies = self.has_competencies or bool(competencies)
        try:
            training = Training(
                id=training_id, title=title, category=get("category"), level=level,
                experience=experience, minutes=minutes, format=learning_format,
                language=language or "nl", competencies=competencies,
                keywords=_split_list(get("keywords")), provider=get("provider"),
            )
        except ValidationError as exc:
            reason = "; ".join(e["msg"] for e in exc.errors())
            self.problem(line, "error", "invalid_row", title=title, reason=reason)
            return
        self.seen_keys[key] = line
        self.seen_ids[training_id] = line
        self.trainings.append(training)

    def _lookup(self, line: int, title: str, value: str, table: dict[str, str],
                code: str) -> Any:
        if not value:
            return None
        folded = _fold(value)
        if folded in table:
            return table[folded]
        for word in re.findall(r"[a-z]+", folded):
            if word in table:
                return table[word]
        self.problem(line, "warning", code, title=title, value=value)
        return None


# ---------------------------------------------------------------- readers


def _decode(data: bytes, problems: list[ImportProblem]) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(ImportProblem(line=None, severity="warning", code="decoded_cp1252"))
        return data.decode("cp1252", errors="replace")


def _pick_delimiter(header_line: str) -> str:
    def quality(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        mapping, _ = _map_headers(cells)
        return len(mapping), len(cells)

    return max(DELIMITERS, key=quality)


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_pick_delimiter(first_line))
    line = 1
    for row in reader:
        yield line, row
        line = reader.line_num + 1


def _xlsx_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.time):
        return f"{value.hour}:{value.minute:02d}"
    if isinstance(value, dt.timedelta):
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    return str(value)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_xlsx_value(v) for v in row]
            while cells and not cells[-1].strip():
                cells.pop()
            yield number, cells
    finally:
        workbook.close()


def _build(source: str, rows: Iterable[tuple[int, list[str]]],
           problems: list[ImportProblem]) -> ImportReport:
    iterator = iter(rows)
    header: list[str] | None = None
    for _line, cells in iterator:
        if any(c.strip() for c in cells):
            header = cells
            break
    empty = Catalogue(name=source, trainings=(), own_competencies=False)
    if header is None:
        problems.append(ImportProblem(line=None, severity="error", code="no_rows"))
        return ImportReport(source=source, catalogue=empty, problems=problems, rows=0)
    mapping, unit = _map_headers(header)
    missing = [field for field in REQUIRED if field not in mapping]
    if missing:
        for field in missing:
            problems.append(ImportProblem(line=None, severity="error", code=f"no_{field}_column",
                                    params={"headers": ", ".join(h for h in header if h)}))
        return ImportReport(source=source, catalogue=empty, problems=problems, rows=0)
    if "format" not in mapping:
        problems.append(ImportProblem(line=None, severity="error", code="no_format_column",
                                params={"headers": ", ".join(h for h in header if h)}))
        return ImportReport(source=source, catalogue=empty, problems=problems, rows=0)
    builder = _Builder(mapping, unit, len(header))
    for line, cells in iterator:
        builder.add(line, cells)
    problems.extend(builder.problems)
    if not builder.trainings:
        problems.append(ImportProblem(line=None, severity="error", code="nothing_imported"))
    catalogue = Catalogue(name=source, trainings=tuple(builder.trainings),
                          own_competencies=builder.has_competencies)
    return ImportReport(source=source, catalogue=catalogue, problems=problems, rows=builder.rows)


def parse_catalogue(data: bytes, source: str) -> ImportReport:
    """Read a catalogue from raw bytes; XLSX is recognised by content, anything else is CSV."""
    problems: list[ImportProblem] = []
    try:
        if data[:4] == b"PK\x03\x04":
            return _build(source, list(_xlsx_rows(data)), problems)
        return _build(source, _csv_rows(_decode(data, problems)), problems)
    except Exception as exc:  # a corrupt file must give a report, never a traceback
        problems.append(ImportProblem(line=None, severity="error", code="unreadable",
                                params={"reason": f"{type(exc).__name__}: {exc}"}))
        empty = Catalogue(name=source, trainings=(), own_competencies=False)
        return ImportReport(source=source, catalogue=empty, problems=problems, rows=0)


def read_catalogue(path: Path | str, *, strict: bool = False) -> ImportReport:
    """Read a catalogue file. With ``strict`` any problem raises CatalogueFileError."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        problem = ImportProblem(line=None, severity="error", code="unreadable",
                          params={"reason": exc.strerror or str(exc)})
        empty = Catalogue(name=path.name, trainings=(), own_competencies=False)
        report = ImportReport(source=path.name, catalogue=empty, problems=[problem], rows=0)
    else:
        report = parse_catalogue(data, path.name)
    if strict and report.problems:
        details = "\n".join(p.render("en") for p in report.problems)
        raise CatalogueFileError(f"{path}:\n{details}")
    return report


@cache
def load_sample_catalogue() -> Catalogue:
    """The bundled sample catalogue of the embedded default."""
    return read_catalogue(data_path("catalogue.csv"), strict=True).catalogue
