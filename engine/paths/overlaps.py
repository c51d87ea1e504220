"""Trainings people would get twice: across the paths assigned to one person."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from engine.paths.models import DuplicateTraining, HeldTraining


def duplicate_trainings(paths: Mapping[str, Iterable[str]]) -> list[DuplicateTraining]:
    """The trainings that occur in more than one of ``paths`` (path name -> training ids,
    e.g. the paths assigned to one person plus the one about to be assigned), in order of
    first appearance. A training listed twice in the same path counts once."""
    holders: dict[str, list[str]] = {}
    for name, training_ids in paths.items():
        for training_id in training_ids:
            names = holders.setdefault(training_id, [])
            if name not in names:
                names.append(name)
    return [DuplicateTraining(training_id=training_id, paths=names)
            for training_id, names in holders.items() if len(names) > 1]


def held_trainings(paths: Mapping[str, Iterable[str]]) -> list[HeldTraining]:
    """``PathRequest.held`` for people who have ``paths`` (path name -> training ids)."""
    return [HeldTraining(training_id=training_id, path_name=name)
            for name, training_ids in paths.items() for training_id in dict.fromkeys(training_ids)]
