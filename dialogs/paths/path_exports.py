"""Saved leerlijnen as CSV (for an LMS or Excel) and Markdown (to share or print). Column and
heading texts come from the message catalogues (``export.*`` of knowledge, the level names of
this package)."""

from __future__ import annotations

from typing import Any

from dialogs.kit import TEXTS
from dialogs.paths.port import SavedPath
from dialogs.spreadsheets import Cell, csv_bytes
from engine.notes import Note


def _text(lang: str, key: str, **params: Any) -> str:
    """The plain text of a message of any registered catalogue."""
    return TEXTS.template(lang, key).format(**params)


def _reason(item: dict[str, Any], lang: str) -> str:
    return " ".join(Note.model_validate(n).text(lang) for n in item.get("reason", []))


def path_csv(path: SavedPath, lang: str) -> bytes:
    """The leerlijn for an LMS or Excel; its name, titles and reasons are neutralised so none
    runs as a formula (``dialogs.spreadsheets``)."""
    header = [_text(lang, f"export.col.{c}") for c in (
        "path", "level", "order", "id", "title", "minutes", "format", "education",
        "competencies", "reason")]
    rows: list[list[Cell]] = [
        [path.name, _text(lang, f"paths.level.{path.level}"), order, item["id"], item["title"],
         item["minutes"], item["format"], item.get("level") or "",
         " | ".join(item.get("competencies", [])), _reason(item, lang)]
        for order, item in enumerate(path.trainings, start=1)]
    return csv_bytes(header, rows)


def _escape_md(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+!|" else c for c in text)


def _summary_lines(path: SavedPath, lang: str) -> list[str]:
    """The leerlijn's level, goals, target group, constraints and total, as a list."""
    spec = path.spec
    target = spec.get("target_group", {})
    limits = spec.get("constraints", {})
    years = "-".join(map(str, target.get("experience_years") or [])) or "-"
    education = "/".join(target.get("education", [])) or "-"
    limit_text = _text(lang, "export.limits", count=limits.get("max_interventions", "-"),
                       hours=limits.get("max_hours", "-"),
                       months=limits.get("deadline_months", "-"),
                       formats=", ".join(limits.get("formats") or []) or "-")
    goals = _escape_md(", ".join(spec.get("competencies", [])))
    return [
        f"- {_text(lang, 'export.level')}: {_text(lang, f'paths.level.{path.level}')}",
        f"- {_text(lang, 'export.goals')}: {goals}",
        f"- {_text(lang, 'export.target')}: {target.get('size', '-')} · {education} · "
        f"{_text(lang, 'export.years', range=years)}",
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
