"""Reading typed dates and numbers: our parsers next to dateparser and Babel, on the test cases.

    .venv/bin/python bench/parsing.py [--rounds N]

Runs the date cases (``DEADLINE_CASES``, ``DEADLINE_MONTH_CASES``) and the number cases
(``NUMBER_CASES``) of tests/test_parsing.py through engine.parsing and through the library,
and prints how many each gets right and the time per call. The libraries are not project
dependencies: install them into the venv first (``pip install dateparser babel``).

Fair to the libraries: a library answer counts as right when the caller could turn it into the
expected outcome with the same checks our parser makes (a date in the past that we refuse
counts as right if the library returns that past date; an answer we refuse counts as right if
the library returns nothing).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the case tables live in tests/

from engine.parsing import ParseError, parse_deadline, parse_deadline_months, parse_number  # noqa: E402
from engine.parsing.dates import MAX_MONTHS_AHEAD, add_months, months_until  # noqa: E402
from tests.test_parsing import (  # noqa: E402
    DEADLINE_CASES,
    DEADLINE_MONTH_CASES,
    NUMBER_CASES,
    TODAY,
)

Case = tuple[str, str, Any]  # (text, lang, expected value or error code)


def is_error(expected: Any) -> bool:
    return isinstance(expected, str) and expected.startswith("parsing.")


def ours(call: Callable[[], Any], expected: Any) -> bool:
    try:
        result = call()
    except ParseError as error:
        return is_error(expected) and error.code == expected
    return not is_error(expected) and result == expected and type(result) is type(expected)


def _dateparser() -> Callable[[str, str], date | None]:
    import dateparser

    settings = {"RELATIVE_BASE": datetime.combine(TODAY, datetime.min.time()),
                "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY"}

    def parse(text: str, lang: str) -> date | None:
        found = dateparser.parse(text, languages=[lang], settings=settings)  # type: ignore[arg-type]
        return found.date() if found is not None else None

    return parse


def date_right(found: date | None, expected: Any) -> bool:
    """A library date judged with the caller's own checks (past, too far)."""
    if not is_error(expected):
        return found == expected
    if found is None:
        return expected != "parsing.too_far"
    if expected == "parsing.date_past":
        return found <= TODAY
    return expected == "parsing.too_far" and found > add_months(TODAY, MAX_MONTHS_AHEAD)


def months_right(found: date | None, expected: Any) -> bool:
    if found is None or found <= TODAY:
        return expected in {"parsing.date_past", "parsing.not_a_deadline"} and (
            found is not None or expected == "parsing.not_a_deadline")
    months = months_until(found, TODAY)
    if is_error(expected):
        return expected == "parsing.out_of_range" and not 1 <= months <= 36
    return months == expected


def _babel(locale: str, strict: bool) -> Callable[[str], Decimal | None]:
    from babel.numbers import NumberFormatError, parse_decimal

    def parse(text: str) -> Decimal | None:
        try:
            return parse_decimal(text.strip(), locale=locale, strict=strict)
        except NumberFormatError:
            return None

    return parse


def number_right(found: Decimal | None, expected: Any) -> bool:
    if is_error(expected):
        return found is None or (expected == "parsing.negative" and found < 0)
    return found is not None and found == Decimal(str(expected))


def timed(calls: list[Callable[[], Any]], rounds: int) -> float:
    """Microseconds per call, over ``rounds`` passes (after one warm-up pass)."""
    for call in calls:
        call()
    start = time.perf_counter()
    for _ in range(rounds):
        for call in calls:
            call()
    return (time.perf_counter() - start) / (rounds * len(calls)) * 1e6


def quiet(call: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        try:
            return call()
        except ParseError:
            return None

    return run


def report(name: str, total: int, results: list[tuple[str, int, float]]) -> None:
    print(f"\n{name} ({total} cases)")
    for who, right, micros in results:
        print(f"  {who:<34} {right:>3}/{total} right  {micros:>9.1f} µs per call")


def bench_dates(rounds: int) -> None:
    library = _dateparser()
    cases: list[Case] = DEADLINE_CASES
    our_calls = [quiet(lambda c=c: parse_deadline(c[0], today=TODAY, lang=c[1])) for c in cases]
    lib_calls = [lambda c=c: library(c[0], c[1]) for c in cases]
    report("deadlines (date or period from today)", len(cases), [
        ("engine.parsing.parse_deadline",
         sum(ours(lambda c=c: parse_deadline(c[0], today=TODAY, lang=c[1]), c[2]) for c in cases),
         timed(our_calls, rounds)),
        ("dateparser.parse",
         sum(date_right(library(text, lang), expected) for text, lang, expected in cases),
         timed(lib_calls, rounds)),
    ])
    months_cases = DEADLINE_MONTH_CASES
    report("deadline in months", len(months_cases), [
        ("engine.parsing.parse_deadline_months",
         sum(ours(lambda t=t: parse_deadline_months(t, today=TODAY), e)
             for t, e in months_cases),
         timed([quiet(lambda t=t: parse_deadline_months(t, today=TODAY))
                for t, _ in months_cases], rounds)),
        ("dateparser.parse + months_until",
         sum(months_right(library(t, "nl"), e) for t, e in months_cases),
         timed([lambda t=t: library(t, "nl") for t, _ in months_cases], rounds)),
    ])


def bench_numbers(rounds: int) -> None:
    cases: list[Case] = NUMBER_CASES
    results = [("engine.parsing.parse_number",
                sum(ours(lambda c=c: parse_number(c[0], lang=c[1]), c[2]) for c in cases),
                timed([quiet(lambda c=c: parse_number(c[0], lang=c[1])) for c in cases],
                      rounds * 10))]
    for strict in (False, True):
        parsers = {"nl": _babel("nl_NL", strict), "en": _babel("en_GB", strict)}
        results.append((
            f"babel.numbers.parse_decimal{' strict' if strict else ''}",
            sum(number_right(parsers[lang](text), expected) for text, lang, expected in cases),
            timed([lambda c=c, p=parsers: p[c[1]](c[0]) for c in cases], rounds * 10)))
    report("numbers", len(cases), results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    bench_dates(args.rounds)
    bench_numbers(args.rounds)


if __name__ == "__main__":
    main()
