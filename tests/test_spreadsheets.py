"""Exports HR opens in Excel never carry a live formula (CSV and XLSX)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from dialogs.spreadsheets import append_row, csv_bytes, safe_text

HOSTILE = ['=HYPERLINK("https://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab",
           "\rReturn"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_formula_in_csv_becomes_text(text: str) -> None:
    rows = list(csv.reader(io.StringIO(csv_bytes(["a"], [[text]]).decode("utf-8-sig"),
                                       newline=""), delimiter=";"))
    assert rows[1] == ["'" + text]


@pytest.mark.parametrize("text", ["Excel", "draaitabel = handig", "", "5 uur"])
def test_ordinary_text_and_numbers_stay_as_they_are(text: str) -> None:
    assert safe_text(text) == text
    rows = list(csv.reader(io.StringIO(csv_bytes(["a", "b"], [[text, 45]]).decode("utf-8-sig"),
                                       newline=""), delimiter=";"))
    assert rows[1] == [text, "45"]


def test_xlsx_stores_a_formula_like_name_as_a_string_cell() -> None:
    book = Workbook()
    append_row(book.active, [HOSTILE[0], 3, None])
    out = io.BytesIO()
    book.save(out)
    cell = load_workbook(io.BytesIO(out.getvalue())).active["A1"]
    assert cell.data_type == "s" and cell.value == HOSTILE[0]
    assert load_workbook(io.BytesIO(out.getvalue())).active["B1"].value == 3
