"""What the leerlijnen dialog keeps between turns: the list, the open leerlijn (and who may
change it), and what is under way: an assignment waiting for "toch toewijzen?", a changed
leerlijn waiting for "bewaren?", a person to unassign, the name of a copy."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from dialogs.kit import Turn
from dialogs.paths.port import PathDraft
from dialogs.policy import ADMINS


class Duplicate(BaseModel):
    """A training someone would get twice: they have it already through another leerlijn."""

    person: str  # their name
    title: str
    path: str  # the other leerlijn's name


class PendingAssignment(BaseModel):
    people: list[str]
    deadline: date
    duplicates: list[Duplicate]


class SavedPathsState(BaseModel):
    paths: list[tuple[int, str]] = []  # (id, name) of the listed leerlijnen
    path: int | None = None  # the open one
    name: str = ""  # its name
    owner: str = ""  # who made it
    assigned: int = 0  # to how many people it is assigned
    titles: list[tuple[str, str]] = []  # (id, title) of its trainings
    members: list[tuple[str, str]] = []  # (user, name) to choose from when assigning
    action: str | None = None  # assign | edit | rename | swap | remove | unassign | delete | copy
    training: str | None = None  # the training to swap
    alternatives: list[tuple[str, str]] = []  # (id, title) offered for the swap
    draft: PathDraft | None = None  # the changed leerlijn, re-checked, waiting for "bewaren?"
    base: list[str] = []  # the training ids the draft was made from
    repeats: list[str] = []  # what its people would get twice (said with the draft)
    people: list[tuple[str, str]] = []  # (user, name) who have the open leerlijn
    person: str | None = None  # the one to unassign
    pending: PendingAssignment | None = None
    copy_name: str | None = None
    changed: bool = False  # something was saved in this conversation (what "stop" says)


def may_change(turn: Turn, owner: str) -> bool:
    """Least privilege: a manager changes the leerlijnen they made, HR (admin) all of them.
    Every manager may open, export, assign and copy any leerlijn of the workspace."""
    return turn.member.role in ADMINS or (bool(owner) and owner == turn.member.user)


def may_edit(turn: Turn, state: SavedPathsState) -> bool:
    """Whether the user may change the open leerlijn (what the buttons offer)."""
    return may_change(turn, state.owner)


def stopped(turn: Turn, state: SavedPathsState) -> str:
    """What "stop" says: after a change was saved, not that nothing was."""
    return "saved_paths.stopped_after_changes" if state.changed else "common.stopped"
