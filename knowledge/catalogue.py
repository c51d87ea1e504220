"""Training catalogues: the schema of a training and of a whole catalogue.

A catalogue comes from an LMS export (see :mod:`knowledge.catalogue_import`) or is the bundled
sample ``data/catalogue.csv``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from knowledge.base import Model

EducationLevel = Literal["mbo", "hbo", "wo"]
Experience = Literal["beginner", "gevorderd"]

#: Learning formats we know, with the words LMS exports use for them.
FORMAT_ALIASES: dict[str, str] = {
    "online": "online",
    "e-learning": "online",
    "elearning": "online",
    "digitaal": "online",
    "klassikaal": "klassikaal",
    "classroom": "klassikaal",
    "in-person": "klassikaal",
    "fysiek": "klassikaal",
    "blended": "blended",
    "microlearning": "microlearning",
    "micro-learning": "microlearning",
    "webinar": "webinar",
    "virtueel klaslokaal": "webinar",
    "virtual classroom": "webinar",
    "coaching": "coaching",
    "on the job": "on-the-job",
    "on-the-job": "on-the-job",
    "werkplekleren": "on-the-job",
}
FORMATS: tuple[str, ...] = tuple(dict.fromkeys(FORMAT_ALIASES.values()))


def normalise_format(value: str) -> str | None:
    """The canonical name of a learning format, or None when we do not know it."""
    return FORMAT_ALIASES.get(" ".join(value.casefold().split()))


class Training(Model):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    category: str = ""
    level: EducationLevel | None = None
    experience: Experience | None = None
    minutes: int = Field(gt=0, le=100_000)
    format: str = Field(min_length=1)
    language: str = Field("nl", pattern=r"^[a-z]{2}$")
    competencies: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    provider: str = ""

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        canonical = normalise_format(value)
        if canonical is None:
            raise ValueError(f"unknown learning format {value!r}; known: {', '.join(FORMATS)}")
        return canonical


class Catalogue(Model):
    """A set of trainings. ``own_competencies`` is true when the source had a competency column:
    matches are then reported in the catalogue's own labels."""

    name: str
    trainings: tuple[Training, ...]
    own_competencies: bool = True

    def competency_labels(self) -> list[str]:
        """Distinct competency labels, in order of first appearance."""
        seen: dict[str, None] = {}
        for training in self.trainings:
            for label in training.competencies:
                seen.setdefault(label, None)
        return list(seen)

    def by_title(self, title: str) -> Training:
        for training in self.trainings:
            if training.title == title:
                return training
        raise KeyError(title)
