"""Files HR opens in a spreadsheet (CSV, XLSX). Every text is written as text: in CSV a text
that a spreadsheet would read as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a TAB or a
CR: OWASP's rule for CSV injection) gets a leading apostrophe; in XLSX texts are stored as
string cells, never as formulas. Numbers stay numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | None


def safe_text(value: object) -> str:
    """A text cell for CSV that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_cell(value: Cell) -> Cell:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return safe_text(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]], *,
              delimiter: str = ";") -> bytes:
    """UTF-8 with a BOM (so Excel reads it as UTF-8), CRLF line ends, texts neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in header])
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def append_row(sheet: Worksheet, row: Sequence[Cell]) -> None:
    """Append a row to an XLSX sheet with every text stored as a string cell."""
    sheet.append([None if value is None else value for value in row])
    for cell, value in zip(sheet[sheet.max_row], row, strict=False):
        if isinstance(value, str):
            cell.value = value
            cell.data_type = "s"
