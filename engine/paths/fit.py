"""How a training suits a path: its fit to the target group (step 2 of the method against the
catalogue's level and experience columns) and the constraints it meets (step 4)."""

from __future__ import annotations

from typing import Literal

from engine.paths.models import Constraints, TargetGroup
from knowledge.catalogue import Training

Breach = Literal["format", "language", "too_long"]

#: From this many years of experience on, "gevorderd" trainings fit; below it "beginner" ones.
EXPERIENCED_YEARS = 3


def education_fit(training: Training, group: TargetGroup) -> int:
    """2: the training's level is one of the group's, 1: unknown, 0: it is not."""
    if training.level is None or not group.education:
        return 1
    return 2 if training.level in group.education else 0


def experience_fit(training: Training, group: TargetGroup) -> int:
    """2: the training's experience level suits the group's years, 1: unknown, 0: less so."""
    if training.experience is None or group.experience_years is None:
        return 1
    low, high = group.experience_years
    if training.experience == "beginner":
        return 2 if low < EXPERIENCED_YEARS else 0
    return 2 if high >= EXPERIENCED_YEARS else 0


def fit_score(training: Training, group: TargetGroup) -> int:
    """0..8; education level outweighs experience, as in the method's worked case."""
    return 3 * education_fit(training, group) + experience_fit(training, group)


def too_advanced(training: Training, group: TargetGroup) -> bool:
    """A "gevorderd" training for a group in which nobody has the experience for it."""
    return training.experience == "gevorderd" and experience_fit(training, group) == 0


def fits(training: Training, group: TargetGroup) -> bool:
    """Whether the training may be a further training for a goal that is already covered.

    It fits when its education level is not known to differ from the group's and it is not
    too advanced for them. A beginner training for experienced people does fit: the e-book's
    own function path gives secretaries with more than five years of experience beginner
    trainings, chosen "op basis van het opleidingsniveau".
    """
    return education_fit(training, group) != 0 and not too_advanced(training, group)


def breach(training: Training, constraints: Constraints) -> Breach | None:
    """The first constraint the training breaks on its own (format, language, duration)."""
    if constraints.formats is not None and training.format not in constraints.formats:
        return "format"
    if constraints.languages is not None and training.language not in constraints.languages:
        return "language"
    cap = constraints.minutes_cap
    if cap is not None and training.minutes > cap:
        return "too_long"
    return None
