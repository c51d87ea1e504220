"""What the leerlijn builder keeps between turns: the levels built in this session and the one
being built, and how they become one request for the path engine (all levels solved together,
so the chat gives the same paths as ``leerbot paths build`` for the same specs)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from engine.paths import HeldTraining, PathRequest, PathSpec


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
    include: list[str] = []  # trainings the manager swapped in: kept in
    exclude: list[str] = []  # trainings the manager swapped out or removed: kept out
    proposal: list[dict[str, Any]] = []  # ChosenTraining dumps
    total_minutes: int = 0
    uncovered: list[str] = []
    warnings: list[str] = []
    overlaps: list[dict[str, str]] = []  # engine Overlap dumps: repeats the manager accepted
    repeatable: list[tuple[str, str]] = []  # (id, title): held trainings that would help
    optimal: bool = True
    solved: bool = False  # composed at least once (changing its goals composes it again)

    @property
    def composed(self) -> bool:
        """Whether the level is far enough to be solved (goals and constraints known)."""
        return bool(self.goals) and bool(self.constraints)


class PathBuilderState(BaseModel):
    done: list[Level] = []  # accepted levels, in the order they were made
    current: Level = Level()
    editing: int | None = None  # the place in ``done`` the current level came from
    action: str | None = None  # swap | remove | why while editing the proposal
    target_training: str | None = None
    alternatives: list[tuple[str, str]] = []  # (id, title) offered for the swap
    level_action: str | None = None  # edit | remove: an earlier level
    bases: list[tuple[int, str]] = []  # saved paths the session may build on: (id, label)
    based_on: list[str] = []  # names of the saved paths chosen
    held: list[dict[str, str]] = []  # HeldTraining dumps of the chosen saved paths
    accept_overlap: list[str] = []  # held training ids the manager accepts to repeat
    changed: list[str] = []  # earlier levels the last solve changed
    save: bool = False

    def with_current(self, **changes: Any) -> PathBuilderState:
        """The state with these fields of the level being built changed."""
        return self.model_copy(update={"current": self.current.model_copy(update=changes)})

    def levels(self) -> list[Level]:
        """Every level of the session in its place: the current one where it came from (or
        last), once it can be solved."""
        levels = list(self.done)
        if self.current.composed:
            at = len(levels) if self.editing is None else self.editing
            levels.insert(at, self.current)
        return levels

    def with_levels(self, levels: list[Level]) -> PathBuilderState:
        """The state with ``levels`` (as from :meth:`levels`) put back in their places."""
        if not self.current.composed:
            return self.model_copy(update={"done": levels})
        at = len(levels) - 1 if self.editing is None else self.editing
        return self.model_copy(update={"done": levels[:at] + levels[at + 1:],
                                       "current": levels[at]})


def spec_of(level: Level) -> PathSpec:
    """The engine's spec of a level, with the manager's swaps and removals."""
    return PathSpec(name=level.name or "leerlijn", level=level.level or "functie",
                    target_group=level.target, competencies=level.goals or ["-"],
                    constraints=level.constraints, include=level.include,
                    exclude=level.exclude)


def request_of(state: PathBuilderState) -> PathRequest:
    """One request with every level of the session, as ``leerbot paths build`` gets it."""
    return PathRequest(paths=[spec_of(level) for level in state.levels()],
                       held=[HeldTraining.model_validate(h) for h in state.held],
                       accept_overlap=state.accept_overlap)


def taken(state: PathBuilderState) -> list[str]:
    """The trainings of the other levels of this session (never used twice)."""
    return [t["id"] for level in state.done for t in level.proposal]
