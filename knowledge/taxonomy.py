"""Competency taxonomy in Dutch, with synonyms, colloquial variants and English terms.

Data: ``data/taxonomy.yaml``.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field, model_validator

from knowledge.base import Model, Text, data_path, load_yaml_model


class Competency(Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    label: Text
    category: str = Field(min_length=1)
    synonyms: list[str] = Field(min_length=2)

    @property
    def names(self) -> list[str]:
        """Every way to refer to this competency, its labels first."""
        return [self.label.nl, self.label.en, *self.synonyms]


class Taxonomy(Model):
    version: int = Field(ge=1)
    competencies: list[Competency] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Taxonomy:
        ids = [c.id for c in self.competencies]
        if len(ids) != len(set(ids)):
            raise ValueError("competency ids must be unique")
        labels = [c.label.nl.casefold() for c in self.competencies]
        if len(labels) != len(set(labels)):
            raise ValueError("competency labels must be unique")
        return self

    def by_id(self, competency_id: str) -> Competency:
        for competency in self.competencies:
            if competency.id == competency_id:
                return competency
        raise KeyError(competency_id)


@cache
def load_taxonomy() -> Taxonomy:
    return load_yaml_model(Taxonomy, data_path("taxonomy.yaml"))
