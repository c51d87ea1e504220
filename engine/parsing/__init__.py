"""Reading what people type, in natural Dutch or English: numbers, ranges and bounds,
durations, deadlines, times of day, yes/no, "weet ik niet", choices from a list, and several
target-group or constraint fields from one sentence.

Pure functions without I/O or a clock: a parser that needs today's date takes it as
``today``. A parser returns a typed result or raises ``ParseError(code, **params)``, whose code
is a message key in ``knowledge/data/messages/<lang>/parsing.yaml``. ``lang`` ("nl"/"en") only
matters where the languages disagree (a comma before three digits, "over 5" as "more than 5");
every parser accepts both languages anyway.
"""

from engine.parsing.answers import NoAnswer, parse_optional, parse_yes_no, read_no_answer
from engine.parsing.choices import Option, pick_choice, pick_choices
from engine.parsing.dates import (
    Period,
    add_months,
    months_until,
    parse_date,
    parse_deadline,
    parse_deadline_months,
    parse_period,
)
from engine.parsing.durations import parse_duration
from engine.parsing.errors import ERRORS, ParseError
from engine.parsing.extract import (
    ConstraintsDraft,
    TargetGroupDraft,
    extract_constraints,
    extract_target_group,
)
from engine.parsing.numbers import Number, canonical, parse_number
from engine.parsing.ranges import (
    Bound,
    Range,
    parse_range,
    parse_range_within,
    parse_whole_number,
)
from engine.parsing.times import parse_time_of_day

__all__ = [
    "ERRORS", "Bound", "ConstraintsDraft", "NoAnswer", "Number", "Option", "ParseError",
    "Period", "Range", "TargetGroupDraft", "add_months", "canonical", "extract_constraints",
    "extract_target_group", "months_until", "parse_date", "parse_deadline",
    "parse_deadline_months", "parse_duration", "parse_number", "parse_optional",
    "parse_period", "parse_range", "parse_range_within", "parse_time_of_day",
    "parse_whole_number", "parse_yes_no", "pick_choice", "pick_choices", "read_no_answer",
]
