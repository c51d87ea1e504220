"""The action library for informal learning: 9 challenges (uitdagingen) and their actions.

Data: ``data/actions/challenge-<n>.yaml``, one file per challenge, each holding the challenge
and the actions listed under it in the source method.
"""

from __future__ import annotations

import re
from functools import cache

from pydantic import Field, field_validator, model_validator

from knowledge.base import KnowledgeError, Model, Text, data_path, load_yaml_model

ACTION_ID = re.compile(r"^[1-9]\.[1-9]$")


class PracticePoint(Model):
    """One "wat je kan doen" point: a heading and what it means in practice."""

    title: Text
    text: Text


class Action(Model):
    id: str = Field(description="number as in the method, e.g. '1.2'")
    title: Text
    challenges: list[int] = Field(min_length=1, description="primary challenge first")
    highlight: bool = False
    overlap: bool = Field(False, description="marked OVERLAP in the method")
    same_as: list[str] = Field(default_factory=list, description="the same action elsewhere")
    summary: Text
    practice_points: list[PracticePoint] = Field(min_length=2)
    questions: list[Text] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not ACTION_ID.match(value):
            raise ValueError(f"action id {value!r} must look like '3.2'")
        return value

    @property
    def challenge(self) -> int:
        return self.challenges[0]


class Challenge(Model):
    number: int = Field(ge=1, le=9)
    title: Text
    summary: Text


class ChallengeFile(Model):
    version: int = Field(ge=1)
    challenge: Challenge
    actions: list[Action] = Field(min_length=1)

    @model_validator(mode="after")
    def _actions_belong_here(self) -> ChallengeFile:
        for action in self.actions:
            if action.challenge != self.challenge.number:
                raise ValueError(
                    f"action {action.id} lists challenge {action.challenge} first, "
                    f"but sits in the file of challenge {self.challenge.number}"
                )
            if not action.id.startswith(f"{self.challenge.number}."):
                raise ValueError(f"action {action.id} does not belong to challenge "
                                 f"{self.challenge.number}")
        return self


class ActionLibrary(Model):
    challenges: list[Challenge]
    actions: list[Action]

    @model_validator(mode="after")
    def _consistent(self) -> ActionLibrary:
        numbers = [c.number for c in self.challenges]
        if sorted(numbers) != list(range(1, 10)):
            raise ValueError(f"expected challenges 1..9, found {sorted(numbers)}")
        ids = [a.id for a in self.actions]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise ValueError(f"duplicate action ids: {sorted(duplicates)}")
        known = set(ids)
        for action in self.actions:
            for twin in action.same_as:
                if twin not in known or twin == action.id:
                    raise ValueError(f"action {action.id}: same_as {twin!r} is not another action")
            for number in action.challenges:
                if number not in numbers:
                    raise ValueError(f"action {action.id}: unknown challenge {number}")
        return self

    def challenge(self, number: int) -> Challenge:
        for challenge in self.challenges:
            if challenge.number == number:
                return challenge
        raise KeyError(number)

    def action(self, action_id: str) -> Action:
        for action in self.actions:
            if action.id == action_id:
                return action
        raise KeyError(action_id)

    def actions_for(self, number: int) -> list[Action]:
        """Actions listed under a challenge (primary), in the method's order."""
        return [a for a in self.actions if a.challenge == number]

    def twin_groups(self) -> dict[str, frozenset[str]]:
        """Every action id -> the ids of its twin group (itself included), in one pass."""
        parent = {a.id: a.id for a in self.actions}

        def root(action_id: str) -> str:
            while parent[action_id] != action_id:
                parent[action_id] = parent[parent[action_id]]
                action_id = parent[action_id]
            return action_id

        for action in self.actions:
            for twin in action.same_as:
                parent[root(twin)] = root(action.id)
        groups: dict[str, set[str]] = {}
        for action_id in parent:
            groups.setdefault(root(action_id), set()).add(action_id)
        return {i: frozenset(groups[root(i)]) for i in parent}

    def twins(self, action_id: str) -> set[str]:
        """An action and every action that is the same idea in another challenge."""
        group = {action_id}
        changed = True
        while changed:
            changed = False
            for action in self.actions:
                linked = action.id in group or bool(group & set(action.same_as))
                new = ({action.id} | set(action.same_as)) - group
                if linked and new:
                    group |= new
                    changed = True
        return group


@cache
def load_action_library() -> ActionLibrary:
    challenges: list[Challenge] = []
    actions: list[Action] = []
    folder = data_path("actions")
    files = sorted(folder.glob("challenge-*.yaml"))
    if not files:
        raise KnowledgeError(f"no challenge files in {folder}")
    for path in files:
        part = load_yaml_model(ChallengeFile, path)
        challenges.append(part.challenge)
        actions.extend(part.actions)
    actions.sort(key=lambda a: tuple(int(p) for p in a.id.split(".")))
    challenges.sort(key=lambda c: c.number)
    try:
        return ActionLibrary(challenges=challenges, actions=actions)
    except ValueError as exc:
        raise KnowledgeError(f"action library in {folder}: {exc}") from None
