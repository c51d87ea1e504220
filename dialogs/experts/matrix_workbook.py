"""The competency matrix of a team as an XLSX file (actions 6.1 and 6.5): a row per member, a
column per competency, the level in each cell, and who is the contact point for what.
Names and competencies are people's own words: they are written as string cells, never as
formulas (``dialogs.spreadsheets``).

Levels, from what Leerbot knows about a person and a competency:

* ``expert``: named in their profile and confirmed elsewhere (a kennisrondje answer or an
  accepted forum answer), or at least two accepted forum answers; an expert is the team's
  contact point ("aanspreekpunt") for it;
* ``gebruiker``: one source (profile, kennisrondje or one accepted answer);
* ``basis``: the person wants to grow in it (profile).

Someone who opted out of being suggested as an expert (``voorkeuren``) keeps their levels but
is listed as nobody's contact point.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from pydantic import BaseModel, Field

from dialogs.spreadsheets import append_row

LEVELS = ("basis", "gebruiker", "expert")
FILLS = {"basis": "FFF2CC", "gebruiker": "DDEBF7", "expert": "C6EFCE"}


class Evidence(BaseModel):
    """What is known about one member."""

    name: str
    profile: set[str] = Field(default_factory=set)  # competencies in "hier ben ik goed in"
    kennisrondje: set[str] = Field(default_factory=set)
    accepted: dict[str, int] = Field(default_factory=dict)  # competency -> accepted answers
    wants: set[str] = Field(default_factory=set)
    contact: bool = True  # False: opted out of being suggested as an expert


def level(evidence: Evidence, competency: str) -> str | None:
    in_profile = competency in evidence.profile
    in_round = competency in evidence.kennisrondje
    answers = evidence.accepted.get(competency, 0)
    if (in_profile and (in_round or answers)) or answers >= 2:
        return "expert"
    if in_profile or in_round or answers:
        return "gebruiker"
    if competency in evidence.wants:
        return "basis"
    return None


def competencies(people: Iterable[Evidence]) -> list[str]:
    found: set[str] = set()
    for person in people:
        found |= person.profile | person.kennisrondje | set(person.accepted) | person.wants
    return sorted(found, key=str.casefold)


def workbook(team: str, people: list[Evidence], headers: dict[str, str],
             named: Callable[[str], str] = str) -> bytes:
    """The matrix as XLSX bytes; ``headers`` holds the translated column titles ("name",
    "contact") and the title ("title"); ``named`` gives a competency in the reader's
    language."""
    columns = competencies(people)
    book = Workbook()
    sheet = book.active
    sheet.title = "Matrix"[:31]
    append_row(sheet, [f"{headers['title']}: {team}"])
    sheet["A1"].font = Font(bold=True, size=13)
    append_row(sheet, [headers["name"], *map(named, columns), headers["contact"]])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(text_rotation=60 if cell.column > 1 else 0)
    for person in sorted(people, key=lambda p: p.name.casefold()):
        levels = [level(person, c) for c in columns]
        contact = ", ".join(named(c) for c, lv in zip(columns, levels, strict=True)
                            if lv == "expert") if person.contact else ""
        append_row(sheet, [person.name, *[lv or "" for lv in levels], contact])
        for cell, lv in zip(sheet[sheet.max_row][1:], levels, strict=False):
            if lv:
                cell.fill = PatternFill("solid", fgColor=FILLS[lv])
    sheet.column_dimensions["A"].width = 24
    sheet.freeze_panes = "B3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
