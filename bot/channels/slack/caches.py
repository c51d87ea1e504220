"""What Slack told us, kept a while so a turn does not ask again: each workspace's bot token,
each person's locale and timezone, and their DM channel."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

TOKEN_TTL = 600.0
PERSON_TTL = 3600.0


@dataclass(frozen=True)
class Person:
    """A Slack user's locale ("nl-NL") and IANA timezone, when Slack told."""

    locale: str | None = None
    timezone: str | None = None


class SlackCaches:
    """Small maps with a time to live (a DM channel never changes, so it stays)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._tokens: dict[str, tuple[float, str]] = {}
        self._people: dict[tuple[str, str], tuple[float, Person]] = {}
        self._dms: dict[tuple[str, str], str] = {}

    def token(self, team: str) -> str | None:
        found = self._tokens.get(team)
        return found[1] if found and self.clock() - found[0] < TOKEN_TTL else None

    def keep_token(self, team: str, token: str) -> None:
        self._tokens[team] = (self.clock(), token)

    def person(self, team: str, user: str) -> Person | None:
        found = self._people.get((team, user))
        return found[1] if found and self.clock() - found[0] < PERSON_TTL else None

    def keep_person(self, team: str, user: str, person: Person) -> None:
        self._people[(team, user)] = (self.clock(), person)

    def dm(self, team: str, user: str) -> str | None:
        return self._dms.get((team, user))

    def keep_dm(self, team: str, user: str, channel: str) -> None:
        self._dms[(team, user)] = channel
