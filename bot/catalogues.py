"""Which catalogue a workspace uses, and its matcher (built once per catalogue)."""

from __future__ import annotations

from pathlib import Path

from engine.matching import infer_competencies
from knowledge.catalogue import Catalogue
from knowledge.catalogue_import import ImportReport, read_catalogue
from knowledge.taxonomy import load_taxonomy


def prepare(catalogue: Catalogue) -> Catalogue:
    """A catalogue ready for matching: without its own competencies, taxonomy labels are
    inferred from titles and keywords."""
    return infer_competencies(catalogue, load_taxonomy())


def read_file(path: Path) -> ImportReport:
    report = read_catalogue(path)
    return report.model_copy(update={"catalogue": prepare(report.catalogue)})
