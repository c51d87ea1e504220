"""What the leerlijn builder keeps between turns: the levels built in this session and the one
being built, and how that becomes a request for the path engine."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from engine.paths import PathSpec


class Level(BaseModel):
    """One leerlijn of the session."""

    level: str = ""
    name: str = ""
    target: dict[str, Any] = {}
    goal_kind: str = "competencies"
    goals: list[str] = []  # catalogue competency labels
    pending: list[tuple[str, list[str]]] = []  # unsure goal text -> candidate labels
    unmatched: list[str] = []
    constraints: dict[str, Any] = {}
    include: list[str] = []
    exclude: list[str] = []
    manual: bool = False  # the user changed the proposal by hand
    proposal: list[dict[str, Any]] = []  # ChosenTraining dumps
    total_minutes: int = 0
    uncovered: list[str] = []
    warnings: list[str] = []
    optimal: bool = True


class PathBuilderState(BaseModel):
    done: list[Level] = []  # accepted levels
    current: Level = Level()
    action: str | None = None  # swap | remove while editing the proposal
    target_training: str | None = None
    alternatives: list[tuple[str, str]] = []  # (id, title) offered for the swap
    save: bool = False

    def with_current(self, **changes: Any) -> PathBuilderState:
        """The state with these fields of the level being built changed."""
        return self.model_copy(update={"current": self.current.model_copy(update=changes)})


def spec_of(level: Level) -> PathSpec:
    return PathSpec(name=level.name or "leerlijn", level=level.level or "functie",
                    target_group=level.target, competencies=level.goals or ["-"],
                    constraints=level.constraints, include=level.include,
                    exclude=level.exclude)


def taken(state: PathBuilderState) -> list[str]:
    """The trainings of the levels accepted earlier in this session (never used again)."""
    return [t["id"] for level in state.done for t in level.proposal]
