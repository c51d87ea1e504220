"""engine.parsing: natural Dutch and English answers, table by table.

Each row is (answer, ..., expected); an expected value that is a ``parsing.*`` message key
means the answer must be refused with exactly that error. ``TODAY`` is a Tuesday.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.parsing import (
    ERRORS,
    Bound,
    NoAnswer,
    ParseError,
    Period,
    Range,
    add_months,
    extract_constraints,
    extract_target_group,
    parse_date,
    parse_deadline,
    parse_deadline_months,
    parse_duration,
    parse_number,
    parse_optional,
    parse_period,
    parse_range,
    parse_range_within,
    parse_time_of_day,
    parse_whole_number,
    parse_yes_no,
    pick_choice,
    pick_choices,
    read_no_answer,
)
from knowledge.messages import catalogue, placeholders

TODAY = date(2026, 3, 10)  # a Tuesday


def check(call: Callable[[], Any], expected: Any) -> None:
    """``call()`` returns ``expected`` (same type), or raises the error ``expected`` names."""
    if isinstance(expected, str) and expected.startswith("parsing."):
        with pytest.raises(ParseError) as raised:
            call()
        assert raised.value.code == expected
        return
    result = call()
    assert result == expected
    assert type(result) is type(expected)


# ---------------------------------------------------------------- numbers

NUMBER_CASES: list[tuple[str, str, Any]] = [
    ("3", "nl", 3),
    ("drie", "nl", 3),
    ("twaalf", "nl", 12),
    ("twintig", "nl", 20),
    ("een", "nl", 1),
    ("één", "nl", 1),
    ("Eén", "nl", 1),
    ("three", "en", 3),
    ("1.000", "nl", 1000),
    ("1.000", "en", 1000),
    ("1,5", "nl", 1.5),
    ("1.5", "nl", 1.5),
    ("1,000", "en", 1000),
    ("1,000", "nl", 1),
    ("12.500", "nl", 12500),
    ("1.000.000", "nl", 1000000),
    ("1.000,5", "nl", 1000.5),
    ("0.500", "nl", 0.5),
    ("vijfenveertig", "nl", 45),
    ("tweeëntwintig", "nl", 22),
    ("honderdvijftig", "nl", 150),
    ("tweeduizend", "nl", 2000),
    ("twenty-one", "en", 21),
    ("twenty one", "en", 21),
    ("one hundred and five", "en", 105),
    ("a hundred", "en", 100),
    ("anderhalf", "nl", 1.5),
    ("tweeënhalf", "nl", 2.5),
    ("twee en een half", "nl", 2.5),
    ("nul", "nl", 0),
    (" 7 ", "nl", 7),
    ("abc", "nl", "parsing.not_a_number"),
    ("-5", "nl", "parsing.negative"),
    ("twee drie", "nl", "parsing.not_a_number"),
    ("1.2.3", "nl", "parsing.not_a_number"),
    ("", "nl", "parsing.empty"),
    ("achten", "nl", "parsing.not_a_number"),
    ("1" * 40, "nl", "parsing.not_a_number"),
    ("een " * 30, "nl", "parsing.not_a_number"),
]


@pytest.mark.parametrize(("text", "lang", "expected"), NUMBER_CASES)
def test_numbers(text: str, lang: str, expected: Any) -> None:
    check(lambda: parse_number(text, lang=lang), expected)


WHOLE_NUMBER_CASES: list[tuple[str, dict[str, Any], Any]] = [
    ("40 jaar", {"unit": "years"}, 40),
    ("drie", {"unit": "people"}, 3),
    ("drie mensen", {"unit": "people"}, 3),
    ("15 medewerkers", {"unit": "people"}, 15),
    ("max 4", {"unit": "items", "bound": "max"}, 4),
    ("maximaal 4 leerinterventies", {"unit": "items", "bound": "max"}, 4),
    ("een maximum van 4 interventies", {"unit": "items", "bound": "max"}, 4),
    ("max 5 uur", {"unit": "hours", "bound": "max"}, 5),
    ("minder dan 5", {"unit": "hours", "bound": "max"}, 4),
    ("at most 4", {"unit": "items", "bound": "max"}, 4),
    ("minstens 2", {"bound": "min"}, 2),
    ("meer dan 2", {"bound": "min"}, 3),
    ("4 max", {"bound": "max"}, 4),
    ("> 5", {"unit": "years"}, "parsing.exact_number"),
    ("40-55", {"unit": "years"}, "parsing.exact_number"),
    ("meer dan 3", {"bound": "max"}, "parsing.wants_maximum"),
    ("max 3", {"bound": "min"}, "parsing.wants_minimum"),
    ("1,5", {}, "parsing.not_whole"),
    ("5 uur", {"unit": "years"}, "parsing.wrong_unit.years"),
    ("40 jaar", {"unit": "hours"}, "parsing.wrong_unit.hours"),
    ("3 weken", {"unit": "months"}, "parsing.wrong_unit.months"),
    ("5 jaar", {"unit": "people"}, "parsing.wrong_unit.people"),
    ("vier appels", {"unit": "items"}, "parsing.not_a_number"),
    ("-5 jaar", {"unit": "years"}, "parsing.negative"),
    ("150", {"low": 1, "high": 100}, "parsing.out_of_range"),
    ("0", {"low": 1}, "parsing.too_small"),
    ("25", {"high": 20}, "parsing.too_large"),
    ("20", {"low": 1, "high": 20}, 20),
]


@pytest.mark.parametrize(("text", "options", "expected"), WHOLE_NUMBER_CASES)
def test_whole_numbers(text: str, options: dict[str, Any], expected: Any) -> None:
    check(lambda: parse_whole_number(text, **options), expected)


# ---------------------------------------------------------------- ranges and bounds

RANGE_CASES: list[tuple[str, str, Any]] = [
    ("40-55", "nl", Range(low=40, high=55)),
    ("40 - 55", "nl", Range(low=40, high=55)),
    ("40–55 jaar", "nl", Range(low=40, high=55)),
    ("tussen 40 en 55", "nl", Range(low=40, high=55)),
    ("tussen de 40 en 55 jaar", "nl", Range(low=40, high=55)),
    ("40 tot 55 jaar", "nl", Range(low=40, high=55)),
    ("40 jaar tot 55 jaar", "nl", Range(low=40, high=55)),
    ("van 40 tot 55", "nl", Range(low=40, high=55)),
    ("40 t/m 55", "nl", Range(low=40, high=55)),
    ("van veertig tot vijfenvijftig", "nl", Range(low=40, high=55)),
    ("between 40 and 55", "en", Range(low=40, high=55)),
    ("40 to 55", "en", Range(low=40, high=55)),
    ("from 40 to 55 years", "en", Range(low=40, high=55)),
    ("54", "nl", Range(low=54, high=54)),
    ("54 jaar", "nl", Range(low=54, high=54)),
    ("54 jaar oud", "nl", Range(low=54, high=54)),
    ("ongeveer 30", "nl", Range(low=30, high=30)),
    ("55-40", "nl", Range(low=40, high=55, swapped=True)),
    ("> 5 jaar", "nl", Bound(side="min", value=5, inclusive=False)),
    (">5", "nl", Bound(side="min", value=5, inclusive=False)),
    ("meer dan 5", "nl", Bound(side="min", value=5, inclusive=False)),
    ("ouder dan 40", "nl", Bound(side="min", value=40, inclusive=False)),
    ("minstens 5", "nl", Bound(side="min", value=5)),
    ("minimaal 5", "nl", Bound(side="min", value=5)),
    ("5+", "nl", Bound(side="min", value=5)),
    ("5 jaar of meer", "nl", Bound(side="min", value=5)),
    (">= 5", "nl", Bound(side="min", value=5)),
    ("at least 5 years", "en", Bound(side="min", value=5)),
    ("over 5 years", "en", Bound(side="min", value=5, inclusive=False)),
    ("max 4", "nl", Bound(side="max", value=4)),
    ("maximaal 4", "nl", Bound(side="max", value=4)),
    ("hooguit 5 jaar", "nl", Bound(side="max", value=5)),
    ("at most 4", "en", Bound(side="max", value=4)),
    ("< 3", "nl", Bound(side="max", value=3, inclusive=False)),
    ("jonger dan 30", "nl", Bound(side="max", value=30, inclusive=False)),
    ("tot 30 jaar", "nl", Bound(side="max", value=30)),
    ("abc", "nl", "parsing.not_a_range"),
    ("-5 jaar", "nl", "parsing.negative"),
    ("tussen -5 en 3", "nl", "parsing.negative"),
    ("40--55", "nl", "parsing.negative"),
    ("hooguit 5 uur", "nl", "parsing.wrong_unit.years"),
    ("40 tot", "nl", "parsing.not_a_range"),
    ("meer dan veel", "nl", "parsing.not_a_range"),
    ("", "nl", "parsing.empty"),
]


@pytest.mark.parametrize(("text", "lang", "expected"), RANGE_CASES)
def test_ranges(text: str, lang: str, expected: Any) -> None:
    check(lambda: parse_range(text, lang=lang, unit="years"), expected)


def test_dutch_over_is_not_more_than() -> None:
    """Dutch "over 5 jaar" is "in five years", never "more than 5"."""
    with pytest.raises(ParseError):
        parse_range("over 5 jaar", lang="nl", unit="years")


RANGE_WITHIN_CASES: list[tuple[str, tuple[int, int], Any]] = [
    ("> 5 jaar", (0, 60), Range(low=6, high=60)),
    ("minstens 5", (0, 60), Range(low=5, high=60)),
    ("< 40", (15, 80), Range(low=15, high=39)),
    ("max 40", (15, 80), Range(low=15, high=40)),
    ("40-55", (15, 80), Range(low=40, high=55)),
    ("55-40", (15, 80), Range(low=40, high=55, swapped=True)),
    ("10-20", (15, 80), "parsing.out_of_range"),
    ("< 15", (15, 80), "parsing.out_of_range"),
    ("40,5-50", (15, 80), "parsing.not_whole"),
]


@pytest.mark.parametrize(("text", "limits", "expected"), RANGE_WITHIN_CASES)
def test_ranges_within_a_field(text: str, limits: tuple[int, int], expected: Any) -> None:
    low, high = limits
    check(lambda: parse_range_within(text, low=low, high=high, unit="years"), expected)


def test_a_bound_on_a_continuous_field_keeps_its_value() -> None:
    assert Bound(side="max", value=5, inclusive=False).within(0, 10, whole=False) == Range(
        low=0, high=5)


# ---------------------------------------------------------------- durations

DURATION_CASES: list[tuple[str, str, Any]] = [
    ("5 uur", "nl", 300),
    ("1,5 uur", "nl", 90),
    ("anderhalf uur", "nl", 90),
    ("90 min", "nl", 90),
    ("90 minuten", "nl", 90),
    ("1u30", "nl", 90),
    ("1h30", "en", 90),
    ("1:30", "nl", 90),
    ("1 uur en 15 minuten", "nl", 75),
    ("een uur", "nl", 60),
    ("half uur", "nl", 30),
    ("een half uur", "nl", 30),
    ("een kwartier", "nl", 15),
    ("een dagdeel", "nl", 240),
    ("een halve dag", "nl", 240),
    ("2 dagen", "nl", 960),
    ("5 hours", "en", 300),
    ("an hour and a half", "en", 90),
    ("5", "nl", 300),
    ("max 5 uur", "nl", 300),
    ("hooguit 5 uur", "nl", 300),
    ("minder dan 5 uur", "nl", 300),
    ("3 weken", "nl", "parsing.not_a_duration"),
    ("9" * 400 + " uur", "nl", "parsing.not_a_duration"),
    ("abc", "nl", "parsing.not_a_duration"),
    ("-2 uur", "nl", "parsing.negative"),
    ("minstens 2 uur", "nl", "parsing.wants_maximum"),
]


@pytest.mark.parametrize(("text", "lang", "expected"), DURATION_CASES)
def test_durations(text: str, lang: str, expected: Any) -> None:
    check(lambda: parse_duration(text, lang=lang, bound="max"), expected)


def test_duration_defaults() -> None:
    assert parse_duration("45", default_unit="minutes") == 45
    with pytest.raises(ParseError) as raised:
        parse_duration("max 5 uur")  # a plain duration field wants no bound
    assert raised.value.code == "parsing.exact_number"


# ---------------------------------------------------------------- periods and dates

PERIOD_CASES: list[tuple[str, str, Any]] = [
    ("een half jaar", "nl", Period(amount=0.5, unit="years")),
    ("half jaar", "nl", Period(amount=0.5, unit="years")),
    ("6 maanden", "nl", Period(amount=6, unit="months")),
    ("over 3 weken", "nl", Period(amount=3, unit="weeks")),
    ("binnen een jaar", "nl", Period(amount=1, unit="years")),
    ("binnen de komende 2 maanden", "nl", Period(amount=2, unit="months")),
    ("in 6 months", "en", Period(amount=6, unit="months")),
    ("een kwartaal", "nl", Period(amount=3, unit="months")),
    ("6", "nl", Period(amount=6, unit="months")),
    ("10 days from now", "en", Period(amount=10, unit="days")),
    ("eind maart", "nl", "parsing.not_a_period"),
    ("5 uur", "nl", "parsing.not_a_period"),
]


@pytest.mark.parametrize(("text", "lang", "expected"), PERIOD_CASES)
def test_periods(text: str, lang: str, expected: Any) -> None:
    check(lambda: parse_period(text, lang=lang), expected)


DEADLINE_CASES: list[tuple[str, str, Any]] = [
    ("een half jaar", "nl", date(2026, 9, 10)),
    ("half jaar", "nl", date(2026, 9, 10)),
    ("over een half jaar", "nl", date(2026, 9, 10)),
    ("6 maanden", "nl", date(2026, 9, 10)),
    ("over 3 weken", "nl", date(2026, 3, 31)),
    ("binnen een jaar", "nl", date(2027, 3, 10)),
    ("anderhalf jaar", "nl", date(2027, 9, 10)),
    ("eind maart", "nl", date(2026, 3, 31)),
    ("begin april", "nl", date(2026, 4, 1)),
    ("half april", "nl", date(2026, 4, 15)),
    ("eind dit jaar", "nl", date(2026, 12, 31)),
    ("15-3", "nl", date(2026, 3, 15)),
    ("1-3", "nl", date(2027, 3, 1)),
    ("15 maart", "nl", date(2026, 3, 15)),
    ("3 mei 2027", "nl", date(2027, 5, 3)),
    ("31-05-2027", "nl", date(2027, 5, 31)),
    ("31/5/27", "nl", date(2027, 5, 31)),
    ("2027-05-31", "nl", date(2027, 5, 31)),
    ("uiterlijk 1 juni", "nl", date(2026, 6, 1)),
    ("volgende week vrijdag", "nl", date(2026, 3, 20)),
    ("vrijdag", "nl", date(2026, 3, 13)),
    ("dinsdag", "nl", date(2026, 3, 17)),
    ("morgen", "nl", date(2026, 3, 11)),
    ("next friday", "en", date(2026, 3, 13)),
    ("friday next week", "en", date(2026, 3, 20)),
    ("in 6 months", "en", date(2026, 9, 10)),
    ("March 15", "en", date(2026, 3, 15)),
    ("end of May", "en", date(2026, 5, 31)),
    ("5/31/2027", "en", date(2027, 5, 31)),
    ("6", "nl", date(2026, 9, 10)),
    ("1-1-2020", "nl", "parsing.date_past"),
    ("vandaag", "nl", "parsing.date_past"),
    ("31-02-2027", "nl", "parsing.no_such_date"),
    ("31 april", "nl", "parsing.no_such_date"),
    ("abc", "nl", "parsing.not_a_deadline"),
    ("volgende eeuw", "nl", "parsing.not_a_deadline"),
    ("over 20 jaar", "nl", "parsing.too_far"),
    ("31-12-2099", "nl", "parsing.too_far"),
]


@pytest.mark.parametrize(("text", "lang", "expected"), DEADLINE_CASES)
def test_deadlines(text: str, lang: str, expected: Any) -> None:
    check(lambda: parse_deadline(text, today=TODAY, lang=lang), expected)


def test_a_date_alone_is_not_a_period() -> None:
    with pytest.raises(ParseError) as raised:
        parse_date("over 3 weken", today=TODAY)
    assert raised.value.code == "parsing.not_a_date"
    assert parse_deadline("vandaag", today=TODAY, allow_today=True) == TODAY


DEADLINE_MONTH_CASES: list[tuple[str, Any]] = [
    ("een half jaar", 6),
    ("6 maanden", 6),
    ("binnen een jaar", 12),
    ("over 3 weken", 1),
    ("anderhalf jaar", 18),
    ("eind maart", 1),
    ("31-05-2027", 15),
    ("in 6 months", 6),
    ("4 jaar", "parsing.out_of_range"),
    ("1-1-2020", "parsing.date_past"),
    ("0 maanden", "parsing.date_past"),
    ("abc", "parsing.not_a_deadline"),
]


@pytest.mark.parametrize(("text", "expected"), DEADLINE_MONTH_CASES)
def test_deadline_months(text: str, expected: Any) -> None:
    check(lambda: parse_deadline_months(text, today=TODAY, low=1, high=36), expected)


def test_months_are_calendar_months() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


# ---------------------------------------------------------------- times of day

TIME_CASES: list[tuple[str, Any]] = [
    ("half 10", time(9, 30)),
    ("half tien", time(9, 30)),
    ("half 1", time(12, 30)),
    ("kwart over 9", time(9, 15)),
    ("kwart voor 10", time(9, 45)),
    ("10 over half 9", time(8, 40)),
    ("5 voor half 10", time(9, 25)),
    ("kwart over half 10", time(9, 45)),
    ("kwart voor half 10", time(9, 15)),
    ("tien over negen", time(9, 10)),
    ("9 uur", time(9, 0)),
    ("om 9 uur", time(9, 0)),
    ("negen uur", time(9, 0)),
    ("14:30", time(14, 30)),
    ("14.30", time(14, 30)),
    ("9u", time(9, 0)),
    ("9u30", time(9, 30)),
    ("3 uur 's middags", time(15, 0)),
    ("8 uur ’s avonds", time(20, 0)),
    ("2 pm", time(14, 0)),
    ("2pm", time(14, 0)),
    ("9 am", time(9, 0)),
    ("12 am", time(0, 0)),
    ("12 pm", time(12, 0)),
    ("quarter past 9", time(9, 15)),
    ("half past 9", time(9, 30)),
    ("noon", time(12, 0)),
    ("25:00", "parsing.not_a_time"),
    ("14:75", "parsing.not_a_time"),
    ("14 pm", "parsing.not_a_time"),
    ("abc", "parsing.not_a_time"),
]


@pytest.mark.parametrize(("text", "expected"), TIME_CASES)
def test_times_of_day(text: str, expected: Any) -> None:
    check(lambda: parse_time_of_day(text), expected)


# ---------------------------------------------------------------- yes/no and open answers

YES_NO_CASES: list[tuple[str, Any]] = [
    ("ja", True),
    ("Ja!", True),
    ("jazeker", True),
    ("ja graag", True),
    ("Ja, stel mij voor", True),
    ("jaaa", True),
    ("ok", True),
    ("oké", True),
    ("prima", True),
    ("goed", True),
    ("is goed", True),
    ("doe maar", True),
    ("yes", True),
    ("yep", True),
    ("sure", True),
    ("no problem", True),
    ("geen probleem", True),
    ("👍", True),
    ("nee", False),
    ("Nee.", False),
    ("neeee", False),
    ("nee dank je", False),
    ("liever niet", False),
    ("niet goed", False),
    ("no", False),
    ("nope", False),
    ("no thanks", False),
    ("misschien", "parsing.not_yes_no"),
    ("abc", "parsing.not_yes_no"),
    ("", "parsing.empty"),
]


@pytest.mark.parametrize(("text", "expected"), YES_NO_CASES)
def test_yes_no(text: str, expected: Any) -> None:
    check(lambda: parse_yes_no(text), expected)


NO_ANSWER_CASES: list[tuple[str, str | None]] = [
    ("weet ik niet", "unknown"),
    ("Weet ik niet.", "unknown"),
    ("geen idee", "unknown"),
    ("?", "unknown"),
    ("don't know", "unknown"),
    ("I don’t know", "unknown"),
    ("maakt niet uit", "no_preference"),
    ("geen voorkeur", "no_preference"),
    ("no preference", "no_preference"),
    ("doesn't matter", "no_preference"),
    ("-", "skip"),
    ("", "skip"),
    ("overslaan", "skip"),
    ("40", None),
    ("geen", None),
    ("ik weet het wel", None),
]


@pytest.mark.parametrize(("text", "kind"), NO_ANSWER_CASES)
def test_open_answers(text: str, kind: str | None) -> None:
    found = read_no_answer(text)
    assert (found.kind if found else None) == kind


def test_optional_fields_take_open_answers() -> None:
    assert parse_optional("maakt niet uit", parse_number) == NoAnswer(kind="no_preference")
    assert parse_optional("drie", parse_number) == 3
    with pytest.raises(ParseError):
        parse_optional("abc", parse_number)


# ---------------------------------------------------------------- choices

EDUCATION = [("mbo", "mbo"), ("hbo", "hbo"), ("wo", "wo")]
FORMATS = [("online", "online"), ("microlearning", "microlearning"), ("webinar", "webinar"),
           ("blended", "blended"), ("klassikaal", "klassikaal")]
INTRODUCE = [("yes", "Ja, stel mij voor"), ("no", "Nee, liever niet")]
GOALS = [("fb", "Feedback geven en ontvangen"), ("pres", "Presentatievaardigheden"),
         ("mail", "Zakelijke e-mails schrijven")]

CHOICE_CASES: list[tuple[str, list[tuple[str, str]], Any]] = [
    ("1", EDUCATION, "mbo"),
    ("twee", EDUCATION, "hbo"),
    ("de tweede", EDUCATION, "hbo"),
    ("HBO", EDUCATION, "hbo"),
    ("laatste", FORMATS, "klassikaal"),
    ("onlien", FORMATS, "online"),
    ("ja", INTRODUCE, "yes"),
    ("nee", INTRODUCE, "no"),
    ("stel mij voor", INTRODUCE, "yes"),
    ("presentatie vaardigheden", GOALS, "pres"),
    ("4", EDUCATION, "parsing.choice_number"),
    ("abc", EDUCATION, "parsing.not_a_choice"),
    ("", EDUCATION, "parsing.empty"),
]


@pytest.mark.parametrize(("text", "options", "expected"), CHOICE_CASES)
def test_single_choice(text: str, options: list[tuple[str, str]], expected: Any) -> None:
    check(lambda: pick_choice(text, options), expected)


MULTI_CHOICE_CASES: list[tuple[str, list[tuple[str, str]], Any]] = [
    ("1,2", EDUCATION, ["mbo", "hbo"]),
    ("1 en 3", EDUCATION, ["mbo", "wo"]),
    ("3, 1", EDUCATION, ["mbo", "wo"]),
    ("1 2 3", FORMATS, ["online", "microlearning", "webinar"]),
    ("1-3", FORMATS, ["online", "microlearning", "webinar"]),
    ("alle", EDUCATION, ["mbo", "hbo", "wo"]),
    ("allemaal", EDUCATION, ["mbo", "hbo", "wo"]),
    ("geen", EDUCATION, []),
    ("mbo en hbo", EDUCATION, ["mbo", "hbo"]),
    ("mbo + hbo", EDUCATION, ["mbo", "hbo"]),
    ("mbo/hbo", EDUCATION, ["mbo", "hbo"]),
    ("enkel online", FORMATS, ["online"]),
    ("online and blended", FORMATS, ["online", "blended"]),
    ("beide", INTRODUCE, ["yes", "no"]),
    ("Feedback geven en ontvangen", GOALS, ["fb"]),
    ("1", [("agree", "Ik doe mee")], ["agree"]),
    ("ja", [("agree", "Ik doe mee")], ["agree"]),
    ("nee", [("agree", "Ik doe mee")], []),
    ("1, 5", EDUCATION, "parsing.choice_number"),
    ("mbo, abc", EDUCATION, "parsing.not_a_choice"),
]


@pytest.mark.parametrize(("text", "options", "expected"), MULTI_CHOICE_CASES)
def test_multiple_choices(text: str, options: list[tuple[str, str]], expected: Any) -> None:
    check(lambda: pick_choices(text, options), expected)


def test_a_wrong_choice_lists_the_options() -> None:
    with pytest.raises(ParseError) as raised:
        pick_choice("abc", EDUCATION)
    assert raised.value.params == {"options": "1. mbo, 2. hbo, 3. wo"}


# ---------------------------------------------------------------- several fields at once

TARGET_GROUP_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("3 secretaresses van 40 tot 55, mbo, 5 tot 30 jaar ervaring", "nl",
     {"size": 3, "age": [40, 55], "education": ["mbo"], "experience_years": [5, 30]}),
    ("15 mensen, 20-55 jaar, mbo en hbo, 0-30 jaar ervaring", "nl",
     {"size": 15, "age": [20, 55], "education": ["mbo", "hbo"], "experience_years": [0, 30]}),
    ("één persoon van 54, mbo, 30 jaar ervaring", "nl",
     {"size": 1, "age": [54, 54], "education": ["mbo"], "experience_years": [30, 30]}),
    ("Aantal medewerkers: 3\nLeeftijd: 40-55 jaar\nJaren ervaring: > 5 jaar\n"
     "Opleidingsniveau: mbo", "nl",
     {"size": 3, "age": [40, 55], "experience_years": [6, 60], "education": ["mbo"]}),
    ("Aantal medewerkers: 15, Leeftijd: 20-55, Jaren ervaring: 0-30 jaar, "
     "Opleidingsniveau: mbo/hbo niveau", "nl",
     {"size": 15, "age": [20, 55], "experience_years": [0, 30], "education": ["mbo", "hbo"]}),
    ("Leeftijd: 54 jaar, Ervaring: 30 jaar, Opleidingsniveau: mbo + meerdere "
     "bijscholingscursussen", "nl",
     {"age": [54, 54], "experience_years": [30, 30], "education": ["mbo"]}),
    ("een groep van 15 mensen tussen de 20 en 55 jaar met 0 tot 30 jaar ervaring", "nl",
     {"size": 15, "age": [20, 55], "experience_years": [0, 30]}),
    ("twaalf collega's, hbo", "nl", {"size": 12, "education": ["hbo"]}),
    ("5 starters zonder ervaring, mbo", "nl",
     {"size": 5, "experience_years": [0, 0], "education": ["mbo"]}),
    ("12 nurses aged between 30 and 50, university, at least 5 years of experience", "en",
     {"size": 12, "age": [30, 50], "education": ["wo"], "experience_years": [5, 60]}),
    ("ouder dan 50", "nl", {"age": [51, 80]}),
    ("20 hbo'ers tussen 25 en 35", "nl", {"size": 20, "age": [25, 35], "education": ["hbo"]}),
    ("secretaresses", "nl", {}),
]


@pytest.mark.parametrize(("text", "lang", "expected"), TARGET_GROUP_CASES)
def test_target_group_from_one_sentence(text: str, lang: str, expected: dict[str, Any]) -> None:
    assert extract_target_group(text, lang=lang).as_target() == expected


def test_target_group_keeps_what_it_could_not_read() -> None:
    draft = extract_target_group("secretaresses, 40-55, iets anders")
    assert draft.age == Range(low=40, high=55)
    assert draft.size is None and draft.education is None
    assert draft.unread == ["secretaresses", "iets anders"]


def test_target_group_limits_are_the_callers() -> None:
    draft = extract_target_group("leeftijd 10-20")
    with pytest.raises(ParseError) as raised:
        draft.as_target(age=(15, 80))
    assert raised.value.code == "parsing.out_of_range"
    assert draft.as_target(age=(0, 100)) == {"age": [10, 20]}


CONSTRAINT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("maximum van 4 leerinterventies, niet meer dan 5 uur, binnen een half jaar, enkel online",
     {"max_interventions": 4, "max_minutes": 300, "deadline_months": 6, "formats": ["online"]}),
    ("Maximum van 4 interventies per leerlijn, maximaal 5 uur content, half jaar, enkel online "
     "trainingen",
     {"max_interventions": 4, "max_minutes": 300, "deadline_months": 6, "formats": ["online"]}),
    ("De leerlijn mag in totaal niet meer dan 5 uur aan content bevatten. De leerlijn moet "
     "binnen een half jaar worden afgerond.",
     {"max_minutes": 300, "deadline_months": 6}),
    ("at most 3 courses, 10 hours, within 6 months, online and blended",
     {"max_interventions": 3, "max_minutes": 600, "deadline_months": 6,
      "formats": ["online", "blended"]}),
    # a bare maximum is the number of trainings: time and months come with their unit
    ("max 4, hooguit 5 uur, een half jaar, online",
     {"max_interventions": 4, "max_minutes": 300, "deadline_months": 6, "formats": ["online"]}),
    ("hooguit 5 uur, maximaal 3",
     {"max_interventions": 3, "max_minutes": 300}),
]


@pytest.mark.parametrize(("text", "expected"), CONSTRAINT_CASES)
def test_constraints_from_one_sentence(text: str, expected: dict[str, Any]) -> None:
    draft = extract_constraints(text, today=TODAY)
    assert draft.model_dump(exclude_none=True, exclude={"unread"}) == expected
    assert draft.unread == []


def test_a_bare_maximum_beyond_what_a_path_holds_is_not_read_as_trainings() -> None:
    assert extract_constraints("max 40", today=TODAY).unread == ["max 40"]


# ---------------------------------------------------------------- errors and messages


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_error_has_a_message_with_its_placeholders(lang: str) -> None:
    texts = catalogue(lang)
    for code, params in ERRORS.items():
        assert placeholders(texts[code]) == params, code


def test_an_error_does_not_carry_user_text_in_its_string() -> None:
    with pytest.raises(ParseError) as raised:
        parse_number("mijn geheime tekst")
    assert str(raised.value) == "parsing.not_a_number"
    assert raised.value.key == raised.value.code
    assert raised.value.params == {"value": "mijn geheime tekst"}


def test_errors_quote_at_most_forty_characters() -> None:
    with pytest.raises(ParseError) as raised:
        parse_number("x" * 100)
    assert raised.value.params["value"] == "x" * 39 + "…"


def test_an_unknown_error_code_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        ParseError("parsing.no_such_code")
    with pytest.raises(KeyError):
        ParseError("parsing.not_a_number")  # its placeholder is missing


# ---------------------------------------------------------------- anything else typed

_PIECES = ["0", "1", "5", "12", "31", "55", "2027", "-", ".", ",", ":", "/", "+", ">", "<", " ",
           "een", "half", "anderhalf", "tot", "tussen", "en", "jaar", "uur", "min", "maart",
           "vrijdag", "volgende", "week", "over", "kwart", "voor", "max", "meer dan", "pm",
           "ja", "nee", "geen", "alle", "mbo", "ervaring", "mensen", "van", "twintig", "é"]
_ANSWERS = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join) | st.text(max_size=20)
_PARSERS: list[Callable[[str], object]] = [
    parse_number,
    lambda text: parse_whole_number(text, unit="years", bound="max", low=0, high=100),
    lambda text: parse_range_within(text, low=0, high=60, unit="years"),
    lambda text: parse_duration(text, bound="max"),
    lambda text: parse_deadline(text, today=TODAY),
    lambda text: parse_deadline_months(text, today=TODAY),
    parse_time_of_day,
    parse_yes_no,
    lambda text: pick_choice(text, FORMATS),
    lambda text: pick_choices(text, EDUCATION),
    lambda text: extract_target_group(text).as_target(),
    lambda text: extract_constraints(text, today=TODAY),
]


@settings(max_examples=150, deadline=None)
@given(text=_ANSWERS)
def test_any_answer_is_read_or_refused_with_a_message(text: str) -> None:
    for parser in _PARSERS:
        try:
            parser(text)
        except ParseError as error:
            assert error.code in ERRORS
