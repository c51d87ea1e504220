"""Every file HR opens in a spreadsheet carries people's words as text, never as a live formula:
the competency matrix (XLSX), a saved leerlijn (CSV) and the team logbook (CSV), each taken
through its dialog with a name or answer that a spreadsheet would otherwise run."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from dialogs.paths.port import PathDraft
from dialogs.reflection.reflection import KIND, LESSON
from tests.conversation import User, Workspace

EVIL = '=HYPERLINK("https://evil.example","x")'


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def no_cell_runs(rows: list[list[str]]) -> None:
    """No text cell starts with a character a spreadsheet reads as the start of a formula."""
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (cell, row)


async def test_matrix_writes_a_formula_like_name_and_competency_as_text(runtime) -> None:  # type: ignore[no-untyped-def]
    from dialogs.profile.port import Profile

    async with Workspace(runtime) as ws:
        await ws.join("lea", "Lea")
        await ws.join("eve", EVIL)
        await ws.join("bob", "Bob")
        await ws.teams.save_team("Finance", "lea", ["eve", "bob"], None)
        await ws.profiles.save_profile("eve", Profile(good_at="@SUM(A1)",
                                                      competencies=["@SUM(A1)"]))
    lea = User(runtime.conductor, name="lea")
    await lea.say("competentiematrix")
    (file,) = lea.files()
    sheet = load_workbook(io.BytesIO(file.data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    names = [cell for cell in cells if cell.value == EVIL]
    assert names and all(cell.data_type == "s" for cell in names)
    competency = [cell for cell in cells if cell.value == "@SUM(A1)"]
    assert competency and all(cell.data_type == "s" for cell in competency)
    assert not any(cell.data_type == "f" for cell in cells)


async def test_path_csv_neutralises_its_name_and_titles(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        await ws.join("hr", "HR")
        training = {"id": "T1", "title": "+31 bellen", "minutes": 60, "format": "e-learning",
                    "level": "mbo", "competencies": ["-teamwerk"], "reason": []}
        await ws.paths.save_path(PathDraft(name=EVIL, level="functie", spec={},
                                           trainings=[training], total_minutes=60), "hr")
    hr = User(runtime.conductor, name="hr")
    await hr.say("leerlijnen")
    await hr.say("1")
    await hr.press("csv")
    rows = csv_rows(hr.files()[0].data)
    assert rows[1][0] == "'" + EVIL and rows[1][4] == "'+31 bellen"
    assert rows[1][8] == "'-teamwerk" and rows[1][5] == "60"
    no_cell_runs(rows)


async def test_logbook_csv_neutralises_tab_and_carriage_return(runtime) -> None:  # type: ignore[no-untyped-def]
    async with Workspace(runtime) as ws:
        await ws.join("lea", "Lea")
        await ws.join("eve", EVIL)
        team = await ws.teams.save_team("Support", "lea", ["eve"], None)
        run = await ws.rounds.start_run(KIND, team.id, ["Wat liep minder goed?"], "lea")
        await ws.rounds.save_answer(KIND, "eve", "Wat liep minder goed?", "\tde planning",
                                    run_id=run.id, team_id=team.id, shared=True)
        await ws.rounds.save_answer(KIND, "eve", LESSON, "\r=1+1 eerder bellen",
                                    run_id=run.id, team_id=team.id, shared=True)
    lea = User(runtime.conductor, name="lea")
    await lea.say("logboek")
    await lea.press("CSV")
    (file,) = lea.files()
    rows = csv_rows(file.data)
    assert rows[0] == ["datum", "wie", "vraag", "antwoord"] and len(rows) == 3
    assert ["'" + EVIL, "'\tde planning"] in [row[1::2] for row in rows]
    assert "'\r=1+1 eerder bellen" in [row[3] for row in rows]
    no_cell_runs(rows)
