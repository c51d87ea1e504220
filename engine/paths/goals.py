"""Step 3 of the method: the goals of a path, mapped onto the catalogue's competencies."""

from __future__ import annotations

from dataclasses import dataclass

from engine.matching import CompetencyMatcher
from engine.notes import Note, note
from engine.paths.models import GoalResolution
from engine.text import fold


@dataclass
class Goals:
    """The distinct competencies of a path's goals, how each goal text was read, and the
    warnings about goals that could not be read."""

    labels: list[str]
    resolutions: list[GoalResolution]
    warnings: list[Note]


def resolve_goals(texts: list[str], matcher: CompetencyMatcher) -> Goals:
    """Map goal texts onto catalogue competencies; exact labels are taken as they are."""
    exact = {fold(label): label for label in matcher.labels}
    labels: list[str] = []
    resolutions: list[GoalResolution] = []
    warnings: list[Note] = []
    for text in texts:
        label = exact.get(fold(text).strip())
        score = 100.0
        if label is None:
            result = matcher.match(text, k=1)
            best = result.best
            if best is None or not result.confident:
                resolutions.append(GoalResolution(text=text, competency=None,
                                                  score=best.score if best else 0.0))
                if best is None:
                    warnings.append(note("paths.warn.no_match", goal=text))
                else:
                    warnings.append(note("paths.warn.unsure_match", goal=text,
                                         closest=best.competency))
                continue
            label, score = best.competency, best.score
        resolutions.append(GoalResolution(text=text, competency=label, score=score))
        if label in labels:
            warnings.append(note("paths.warn.duplicate_goal", goal=text, competency=label))
        else:
            labels.append(label)
    return Goals(labels, resolutions, warnings)
