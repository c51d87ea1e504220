from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from knowledge.catalogue_import import parse_catalogue, parse_duration, read_catalogue


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("90", 90), ("90 min", 90), ("90 minuten", 90), ("1u30", 90), ("1u 30m", 90),
     ("1,5 uur", 90), ("1.5 h", 90), ("1:30", 90), ("1 uur 30 min", 90), ("2 uur", 120),
     ("45m", 45), ("1h30", 90), ("2 dagen", 960), ("1 dagdeel", 240), ("0,5 uur", 30)],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


def test_bare_numbers_follow_the_column_unit() -> None:
    assert parse_duration("1,5", default_unit=60) == 90
    assert parse_duration("2", default_unit=60) == 120


@pytest.mark.parametrize("text", ["", "abc", "0", "0 min", "1x", "90 min extra", "-5", "uur"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@given(st.text(max_size=30))
def test_duration_parser_never_crashes(text: str) -> None:
    with contextlib.suppress(ValueError):
        assert parse_duration(text) > 0


def test_reference_export(reference_catalogue: Path) -> None:
    report = read_catalogue(reference_catalogue)
    assert report.rows == 122
    assert len(report.catalogue.trainings) == 120
    assert report.catalogue.own_competencies
    by_code = {p.code: p for p in report.problems}
    assert by_code["duplicate"].line == 122
    assert by_code["duplicate"].params["first"] == 39
    assert by_code["missing_title"].line == 123
    assert len(report.problems) == 2
    first = report.catalogue.trainings[0]
    assert first.title == "Prioriteiten stellen"
    assert first.competencies == ("Informatie verwerken", "Plannen en organiseren")
    assert first.level == "mbo" and first.experience == "beginner"
    assert first.format == "online" and first.minutes == 60 and first.language == "nl"
    assert "eisenhower" in first.keywords
    assert "regel 122" in by_code["duplicate"].render("nl")


CSV_EN = (
    "Title,Category,Level,Experience,Duration,Format,Language,Competencies,Keywords\r\n"
    "Excel basics,Digital,MBO,Beginner,1u30,E-learning,English,Excel;Data-analyse,"
    "\"pivot, vlookup\"\r\n"
    "\r\n"
    "Presenting,Communication,HBO,Advanced,\"1,5 uur\",Classroom,NL,Presentatievaardigheden,\r\n"
    "Broken,Communication,hbo,Advanced,lang,Online,NL,X,\r\n"
    "Strange,Communication,phd,guru,30,Online,klingon,X,\r\n"
    ",Communication,hbo,Advanced,30,Online,NL,X,\r\n"
    "Walking,Vitality,mbo,Beginner,30,Telepathy,NL,X,\r\n"
)


def test_english_headers_comma_crlf_and_bad_rows() -> None:
    report = parse_catalogue(CSV_EN.encode("utf-8"), "export.csv")
    titles = [tr.title for tr in report.catalogue.trainings]
    assert titles == ["Excel basics", "Presenting", "Strange"]
    excel, presenting, strange = report.catalogue.trainings
    assert excel.minutes == 90 and excel.format == "online" and excel.language == "en"
    assert excel.competencies == ("Excel", "Data-analyse")
    assert excel.keywords == ("pivot", "vlookup")
    assert presenting.minutes == 90 and presenting.format == "klassikaal"
    assert presenting.experience == "gevorderd" and presenting.level == "hbo"
    assert strange.level is None and strange.language == "nl"
    problems = {(p.line, p.code) for p in report.problems}
    assert problems == {(3, "empty_row"), (5, "bad_duration"), (6, "unknown_level"),
                        (6, "unknown_experience"), (6, "unknown_language"),
                        (7, "missing_title"), (8, "unknown_format")}


def test_tab_delimited_windows_1252_and_hours_column() -> None:
    text = "Naam\tDuur (uur)\tLeervorm\nCafé-gesprekken\t1,5\tOnline\n"
    report = parse_catalogue(text.encode("cp1252"), "export.tsv")
    assert [p.code for p in report.problems] == ["decoded_cp1252"]
    (training,) = report.catalogue.trainings
    assert training.title == "Café-gesprekken" and training.minutes == 90
    assert not report.catalogue.own_competencies


def test_missing_columns_are_fatal_with_a_clear_message() -> None:
    report = parse_catalogue(b"Foo;Bar\n1;2\n", "odd.csv")
    assert report.fatal
    assert {p.code for p in report.problems} == {"no_title_column", "no_duration_column"}
    assert "Foo, Bar" in report.problems[0].render("en")


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02", b"PK\x03\x04garbage", b"\xff\xfe"])
def test_garbage_never_raises(data: bytes) -> None:
    report = parse_catalogue(data, "garbage")
    assert report.fatal
    assert report.catalogue.trainings == ()


def test_missing_file(tmp_path: Path) -> None:
    report = read_catalogue(tmp_path / "nope.csv")
    assert report.fatal and report.problems[0].code == "unreadable"


def test_xlsx_with_time_cells_and_numbers() -> None:
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(["Titel", "Niveau", "Duur", "Leervorm", "Competenties"])
    sheet.append(["Agenda op orde", "mbo", 45, "Online", "Agendabeheer"])
    sheet.append(["Lange dag", "hbo", dt.time(1, 30), "Klassikaal", "Plannen en organiseren"])
    sheet.append([None, None, None, None, None])
    sheet.append(["Agenda op orde", "mbo", 45, "online", "Agendabeheer"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = parse_catalogue(buffer.getvalue(), "export.xlsx")
    assert [tr.minutes for tr in report.catalogue.trainings] == [45, 90]
    assert {(p.line, p.code) for p in report.problems} == {(4, "empty_row"), (5, "duplicate")}


def test_duplicate_ids_are_reported() -> None:
    text = "ID;Titel;Duur;Leervorm\nA1;Een;30;Online\nA1;Twee;30;Online\n"
    report = parse_catalogue(text.encode(), "ids.csv")
    assert [tr.title for tr in report.catalogue.trainings] == ["Een"]
    assert report.problems[0].code == "duplicate_id" and report.problems[0].line == 3
