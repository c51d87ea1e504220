"""What the path builder is asked (``PathRequest``) and what it answers (``BuildResult``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.notes import Note
from engine.text import fold
from knowledge.catalogue import EducationLevel, normalise_format

Level = Literal["organisatie", "afdeling", "functie", "individueel"]
LEVELS: tuple[str, ...] = Level.__args__  # type: ignore[attr-defined]
LEVEL_ALIASES = {
    "organisatie": "organisatie", "organisation": "organisatie", "organization": "organisatie",
    "afdeling": "afdeling", "afdelings": "afdeling", "team": "afdeling", "department": "afdeling",
    "functie": "functie", "function": "functie", "rol": "functie", "role": "functie",
    "individueel": "individueel", "individual": "individueel", "persoonlijk": "individueel",
    "personal": "individueel",
}


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TargetGroup(Spec):
    size: int = Field(1, ge=1, le=1_000_000)
    age: tuple[int, int] | None = None
    experience_years: tuple[int, int] | None = None
    education: list[EducationLevel] = Field(default_factory=list)

    @field_validator("age", "experience_years")
    @classmethod
    def _ordered(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        if value is not None:
            low, high = value
            if low < 0 or high < low or high > 100:
                raise ValueError("give a range [low, high] with 0 <= low <= high <= 100")
        return value

    @field_validator("education", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.replace("+", " ").replace("/", " ").split() if part]
        if isinstance(value, list):
            return [v.casefold().strip() if isinstance(v, str) else v for v in value]
        return value


class Constraints(Spec):
    max_interventions: int | None = Field(None, ge=1, le=100)
    max_hours: float | None = Field(None, gt=0, le=10_000)
    deadline_months: int | None = Field(None, ge=1, le=120)
    hours_per_month: float | None = Field(None, gt=0, le=200,
                                          description="study time; with a deadline it caps hours")
    formats: list[str] | None = None
    languages: list[str] | None = None

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        result = []
        for item in value:
            canonical = normalise_format(item)
            if canonical is None:
                raise ValueError(f"unknown learning format {item!r}")
            result.append(canonical)
        return result

    @field_validator("languages")
    @classmethod
    def _lower_languages(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [v.casefold() for v in value]

    @property
    def minutes_cap(self) -> int | None:
        caps = []
        if self.max_hours is not None:
            caps.append(round(self.max_hours * 60))
        if self.deadline_months is not None and self.hours_per_month is not None:
            caps.append(round(self.deadline_months * self.hours_per_month * 60))
        return min(caps) if caps else None


class PathSpec(Spec):
    name: str = Field(min_length=1, max_length=120)
    level: Level
    target_group: TargetGroup = Field(default_factory=TargetGroup)
    competencies: list[str] = Field(min_length=1, max_length=30)
    constraints: Constraints = Field(default_factory=Constraints)
    include: list[str] = Field(default_factory=list, description="training ids that must be in")
    exclude: list[str] = Field(default_factory=list, description="training ids never to use")

    @field_validator("level", mode="before")
    @classmethod
    def _level_alias(cls, value: object) -> object:
        if isinstance(value, str):
            return LEVEL_ALIASES.get(fold(value).strip(), value)
        return value


class HeldTraining(Spec):
    """A training the people of the request already have, from a path outside the request
    (saved or assigned earlier)."""

    training_id: str = Field(min_length=1)
    path_name: str = Field(min_length=1, max_length=120)


class PathRequest(Spec):
    paths: list[PathSpec] = Field(min_length=1, max_length=20)
    held: list[HeldTraining] = Field(
        default_factory=list, max_length=10_000,
        description="trainings the people already have: avoided unless accepted")
    accept_overlap: list[str] = Field(
        default_factory=list, description="held training ids the manager accepts to repeat")

    @model_validator(mode="after")
    def _unique_names(self) -> PathRequest:
        names = [p.name.casefold() for p in self.paths]
        if len(names) != len(set(names)):
            raise ValueError("every path needs its own name")
        included = [i for p in self.paths for i in p.include]
        if len(included) != len(set(included)):
            raise ValueError("a training can be included in one path only")
        return self


class ChosenTraining(BaseModel):
    id: str
    title: str
    minutes: int
    format: str
    level: str | None
    competencies: list[str] = Field(description="goal competencies this training covers")
    reason: list[Note]
    fit: int
    included: bool = Field(default=False, description="the manager put it in (include)")


class GoalResolution(BaseModel):
    text: str
    competency: str | None
    score: float


class Overlap(BaseModel):
    """A training in this path that the people already have from an earlier path."""

    training_id: str
    title: str
    path_name: str


class PathResult(BaseModel):
    name: str
    level: str
    goals: list[GoalResolution]
    trainings: list[ChosenTraining]
    total_minutes: int
    uncovered: list[str]
    warnings: list[Note]
    overlaps: list[Overlap] = Field(default_factory=list)


class BuildResult(BaseModel):
    paths: list[PathResult]
    optimal: bool
    objective: tuple[int, ...] = Field(
        description="covered goals, fit of the covering trainings, -repeats, total fit, -minutes")
    seconds: float


class DuplicateTraining(BaseModel):
    """A training that occurs in more than one of the paths of one person."""

    training_id: str
    paths: list[str] = Field(description="names of the paths that hold it, in the given order")
