"""What the expertise dialogs (and the forum, which asks experts) need from storage: who knows
about a competency, and what is known about the members of a team. Bound to the turn's
workspace.

Knowledge comes from three sources: the profile ("hier ben ik goed in"), kennisrondje answers
and forum answers that were marked as the one that helped."""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, Field

from dialogs.kit import Member

Source = Literal["profile", "kennisrondje", "forum"]
#: MemberDetails.opt_out: not to be suggested as an expert
EXPERTS_OPT_OUT = "experts"


class Expertise(BaseModel):
    """Why a colleague is thought to know about something."""

    member: Member
    competencies: list[str]  # the asked competencies this person covers
    sources: list[Source]
    helped: int = 0  # accepted forum answers
    recently_suggested: int = 0  # suggestions in the last 30 days (to spread the load)


class MemberKnowledge(BaseModel):
    """What is known about one member's competencies (for the competency matrix)."""

    user: str
    name: str
    profile: list[str] = Field(default_factory=list)  # competencies of "hier ben ik goed in"
    wants_to_grow: str = ""  # the profile's free text
    kennisrondje: list[str] = Field(default_factory=list)  # named in kennisrondje answers
    accepted: dict[str, int] = Field(default_factory=dict)  # competency -> accepted answers
    opted_out: bool = False  # not to be suggested as an expert


class ExpertsPort(Protocol):
    async def experts(self, competencies: list[str], exclude: set[str]) -> list[Expertise]:
        """Colleagues whose profile, kennisrondje answers or accepted forum answers show any
        of the competencies; members who opted out, and ``exclude``, never. Those covering
        the most competencies first; among them the least recently suggested first (so
        questions are spread), then the one with more sources, then more accepted answers."""
        ...

    async def knowledge(self, users: list[str]) -> list[MemberKnowledge]:
        """What is known about each of the users, in the order given."""
        ...
