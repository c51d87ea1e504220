"""Saved leerlijnen as CSV (for an LMS or Excel) and Markdown (to share or print)."""

from __future__ import annotations

import csv
import io
from typing import Any

from dialogs.services import SavedPath
from engine.notes import Note
from knowledge.messages import t


def _reason(item: dict[str, Any], lang: str) -> str:
    return " ".join(Note.model_validate(n).text(lang) for n in item.get("reason", []))


def path_csv(path: SavedPath, lang: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([t(lang, f"export.col.{c}") for c in (
        "path", "level", "order", "id", "title", "minutes", "format", "education",
        "competencies", "reason")])
    for order, item in enumerate(path.trainings, start=1):
        writer.writerow([path.name, t(lang, f"wizard.level.{path.level}"), order, item["id"],
                         item["title"], item["minutes"], item["format"], item.get("level") or "",
                         " | ".join(item.get("competencies", [])), _reason(item, lang)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def _escape_md(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+!|" else c for c in text)


def path_markdown(path: SavedPath, lang: str) -> bytes:
    spec = path.spec
    target = spec.get("target_group", {})
    limits = spec.get("constraints", {})
    years = "-".join(map(str, target.get("experience_years") or [])) or "-"
    limit_text = t(lang, "export.limits", count=limits.get("max_interventions", "-"),
                   hours=limits.get("max_hours", "-"), months=limits.get("deadline_months", "-"),
                   formats=", ".join(limits.get("formats") or []) or "-")
    goals = _escape_md(", ".join(spec.get("competencies", [])))
    lines = [
        f"# {_escape_md(path.name)}",
        "",
        f"- {t(lang, 'export.level')}: {t(lang, f'wizard.level.{path.level}')}",
        f"- {t(lang, 'export.goals')}: {goals}",
        f"- {t(lang, 'export.target')}: {target.get('size', '-')} · "
        f"{'/'.join(target.get('education', [])) or '-'} · {t(lang, 'export.years', range=years)}",
        f"- {t(lang, 'export.constraints')}: {limit_text}",
        f"- {t(lang, 'export.total', minutes=path.total_minutes)}",
        "",
        "| # | " + " | ".join(t(lang, f"export.col.{c}") for c in (
            "title", "minutes", "format", "education", "reason")) + " |",
        "|---|---|---|---|---|---|",
    ]
    for order, item in enumerate(path.trainings, start=1):
        lines.append(f"| {order} | {_escape_md(item['title'])} | {item['minutes']} | "
                     f"{item['format']} | {item.get('level') or '-'} | "
                     f"{_escape_md(_reason(item, lang))} |")
    if path.warnings:
        lines += ["", f"## {t(lang, 'export.warnings')}", ""]
        lines += [f"- {_escape_md(w)}" for w in path.warnings]
    return ("\n".join(lines) + "\n").encode("utf-8")
