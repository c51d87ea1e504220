"""A POP as a file to keep, print or take into the conversation: Markdown, and plain HTML
(opens in any browser and word processor). Headings and labels come from the message
catalogues; every text of hers is escaped."""

from __future__ import annotations

import html
from typing import Any

from babel.dates import format_date

from dialogs.development.port import DevelopmentPlan, Goal, PlanAction
from dialogs.kit import TEXTS
from engine.competencies import label
from knowledge.prompts import load_prompts


def _text(lang: str, key: str, **params: Any) -> str:
    return TEXTS.template(lang, key, params.get("count")).format(**params)


def _escape_md(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_{}[]<>#|" else c for c in text)


def _goal_heading(goal: Goal, lang: str) -> str:
    if goal.competency and goal.competency.casefold() != goal.text.casefold():
        return f"{goal.text} ({label(goal.competency, lang)})"
    return goal.text


def _action(action: PlanAction, lang: str) -> str:
    kind = _text(lang, f"development.export.{action.kind}")
    due = (_text(lang, "development.export.due",
                 due=format_date(action.due, format="long", locale=lang))
           if action.due else "")
    return f"{kind}: {action.title}{due}"


def _answers(plan: DevelopmentPlan, lang: str) -> list[tuple[str, str]]:
    prompts = load_prompts()
    return [(prompts.get(pid).text.get(lang), answer) for pid, answer in plan.answers.items()
            if answer]


def plan_markdown(plan: DevelopmentPlan, name: str, lang: str) -> bytes:
    lines = [f"# {_escape_md(_text(lang, 'development.export.title', name=name))}", ""]
    answers = _answers(plan, lang)
    if answers:
        lines += [f"## {_text(lang, 'development.export.preparation')}", ""]
        for question, answer in answers:
            lines += [f"**{_escape_md(question)}**", "", _escape_md(answer), ""]
    lines += [f"## {_text(lang, 'development.export.goals')}", ""]
    for number, goal in enumerate(plan.goals, start=1):
        lines += [f"### {number}. {_escape_md(_goal_heading(goal, lang))}", ""]
        lines += [f"- {_escape_md(_action(a, lang))}" for a in goal.actions]
        lines.append("")
    return "\n".join(lines).encode("utf-8")


def plan_html(plan: DevelopmentPlan, name: str, lang: str) -> bytes:
    title = html.escape(_text(lang, "development.export.title", name=name))
    parts = [f'<!doctype html>\n<html lang="{html.escape(lang)}">\n<head><meta charset="utf-8">'
             f"<title>{title}</title></head>\n<body>\n<h1>{title}</h1>"]
    answers = _answers(plan, lang)
    if answers:
        parts.append(f"<h2>{html.escape(_text(lang, 'development.export.preparation'))}</h2>"
                     "\n<dl>")
        parts += [f"<dt>{html.escape(q)}</dt><dd>{html.escape(a)}</dd>" for q, a in answers]
        parts.append("</dl>")
    parts.append(f"<h2>{html.escape(_text(lang, 'development.export.goals'))}</h2>")
    for number, goal in enumerate(plan.goals, start=1):
        parts.append(f"<h3>{number}. {html.escape(_goal_heading(goal, lang))}</h3>\n<ul>")
        parts += [f"<li>{html.escape(_action(a, lang))}</li>" for a in goal.actions]
        parts.append("</ul>")
    parts.append("</body>\n</html>\n")
    return "\n".join(parts).encode("utf-8")
