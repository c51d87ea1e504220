"""Saved leerlijnen as CSV (for an LMS or Excel) and Markdown (to share or print). Column and
heading texts come from the message catalogues (``export.*`` of knowledge, the level names of
this package)."""

from __future__ import annotations

from typing import Any

from dialogs.kit import TEXTS
from dialogs.paths.port import SavedPath
from dialogs.spreadsheets import Cell, csv_bytes
from engine.competencies import labels
from engine.notes import Note

#: the target group's columns, after the trainings' own in a CSV export
GROUP_COLUMNS = ("size", "age", "experience", "education")


def _text(lang: str, key: str, **params: Any) -> str:
    """The plain text of a message of any registered catalogue (plural by ``count``)."""
    return TEXTS.template(lang, key, params.get("count")).format(**params)


def _whole(value: Any) -> Any:
    """5.0 as 5; "-" for a limit that is not set."""
    if value is None:
        return "-"
    return int(value) if isinstance(value, float) and value.is_integer() else value


#: the ranges the wizard asks (years of age, years of experience)
AGE = (15, 80)
YEARS = (0, 60)


def span_text(values: Any, bounds: tuple[int, int], lang: str) -> str | None:
    """A range as people say it: "40-55", "40", or "minstens 6" when it runs to the top of
    ``bounds`` (as "> 5 jaar" does, never "6-60"); None when unknown. The wizard's fields
    read each of these back."""
    if not values or len(values) != 2 or None in values:
        return None
    low, high = values
    if low == high:
        return str(low)
    if high >= bounds[1] and low > bounds[0]:
        return _text(lang, "paths.target.at_least", value=low)
    return f"{low}-{high}"


def target_parts(spec: dict[str, Any], lang: str) -> dict[str, str]:
    """The target group of a saved leerlijn's spec, part by part (a part that is not known
    is left out): size, age, experience, education."""
    target = spec.get("target_group") or {}
    parts: dict[str, str] = {}
    if target.get("size"):
        parts["size"] = _text(lang, "paths.target.size", count=int(target["size"]))
    if (age := span_text(target.get("age"), AGE, lang)) is not None:
        parts["age"] = _text(lang, "paths.target.age", range=age)
    if (years := span_text(target.get("experience_years"), YEARS, lang)) is not None:
        parts["experience"] = _text(lang, "paths.target.experience", range=years)
    if target.get("education"):
        parts["education"] = "/".join(target["education"])
    return parts


def target_text(spec: dict[str, Any], lang: str) -> str:
    """The target group in one line: "3 medewerkers, 40-55 jaar, 5-30 jaar ervaring, mbo"."""
    return ", ".join(target_parts(spec, lang).values()) or _text(lang, "paths.target.unknown")


def _reason(item: dict[str, Any], lang: str) -> str:
    return " ".join(Note.model_validate(n).text(lang) for n in item.get("reason", []))


def path_csv(path: SavedPath, lang: str) -> bytes:
    """The leerlijn for an LMS or Excel; its name, titles and reasons are neutralised so none
    runs as a formula (``dialogs.spreadsheets``)."""
    header = [_text(lang, f"export.col.{c}") for c in (
        "path", "level", "order", "id", "title", "minutes", "format", "education",
        "competencies", "reason")] + [_text(lang, f"paths.col.{c}") for c in GROUP_COLUMNS]
    parts = target_parts(path.spec, lang)
    group = [parts.get(c, "") for c in GROUP_COLUMNS]
    rows: list[list[Cell]] = [
        [path.name, _text(lang, f"paths.level.{path.level}"), order, item["id"], item["title"],
         item["minutes"], item["format"], item.get("level") or "",
         labels(item.get("competencies", []), lang, " | "), _reason(item, lang), *group]
        for order, item in enumerate(path.trainings, start=1)]
    return csv_bytes(header, rows)


def _escape_md(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+!|" else c for c in text)


def _summary_lines(path: SavedPath, lang: str) -> list[str]:
    """The leerlijn's level, goals, target group, constraints and total, as a list."""
    spec = path.spec
    limits = spec.get("constraints", {})
    limit_text = _text(lang, "export.limits", count=_whole(limits.get("max_interventions")),
                       hours=_whole(limits.get("max_hours")),
                       months=_whole(limits.get("deadline_months")),
                       formats=", ".join(limits.get("formats") or []) or "-")
    goals = _escape_md(labels(spec.get("competencies", []), lang))
    return [
        f"- {_text(lang, 'export.level')}: {_text(lang, f'paths.level.{path.level}')}",
        f"- {_text(lang, 'export.goals')}: {goals}",
        f"- {_text(lang, 'export.target')}: {_escape_md(target_text(spec, lang))}",
        f"- {_text(lang, 'export.constraints')}: {limit_text}",
        f"- {_text(lang, 'export.total', minutes=path.total_minutes)}",
    ]


def _table_lines(path: SavedPath, lang: str) -> list[str]:
    columns = ("title", "minutes", "format", "education", "reason")
    lines = ["| # | " + " | ".join(_text(lang, f"export.col.{c}") for c in columns) + " |",
             "|---|---|---|---|---|---|"]
    for order, item in enumerate(path.trainings, start=1):
        lines.append(f"| {order} | {_escape_md(item['title'])} | {item['minutes']} | "
                     f"{item['format']} | {item.get('level') or '-'} | "
                     f"{_escape_md(_reason(item, lang))} |")
    return lines


def path_markdown(path: SavedPath, lang: str) -> bytes:
    lines = [f"# {_escape_md(path.name)}", "", *_summary_lines(path, lang), "",
             *_table_lines(path, lang)]
    if path.warnings:
        lines += ["", f"## {_text(lang, 'export.warnings')}", ""]
        lines += [f"- {_escape_md(w)}" for w in path.warnings]
    return ("\n".join(lines) + "\n").encode("utf-8")
