"""What the learning-together dialogs need from the rest of the system (teams, schedules, runs,
answers, the forum, experts, buddies, proactive messages), as a protocol and its models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field

from dialogs.kit import Member, Message

#: aggregates (participation, team summaries) are never shown for fewer people than this
MIN_GROUP = 5


class Team(BaseModel):
    id: int
    name: str
    lead: str
    room: str | None = None  # "slack:C123" / "teams:<conversation id>"; None: members' DMs
    members: list[str] = Field(default_factory=list)
    settings: dict[str, Any] = Field(default_factory=dict)


class Schedule(BaseModel):
    id: int
    team_id: int
    kind: str  # checkin | reflection | kennisrondje | digest
    rule: dict[str, Any]
    questions: list[str]
    active: bool
    last_date: date | None = None


class RunSummary(BaseModel):
    id: int
    kind: str
    team_id: int | None
    occurrence: date | None
    created_at: datetime
    total: int
    counts: dict[str, int]  # sent, pending, processing, failed, unknown, cancelled
    details: dict[str, Any] = Field(default_factory=dict)


class DeliveryProblem(BaseModel):
    recipient: str
    status: str
    error: str


class StoredAnswer(BaseModel):
    id: int
    kind: str
    run_id: int | None
    team_id: int | None
    path_id: int | None
    user: str
    question: str
    text: str
    status: str  # answered | skipped
    shared: bool
    created_at: datetime


class ForumAnswer(BaseModel):
    id: int
    question_id: int
    author: str
    text: str
    accepted: bool
    created_at: datetime


class ForumQuestion(BaseModel):
    id: int
    team_id: int | None
    asker: str | None  # None: anonymous (no link to the asker exists anywhere)
    text: str
    competencies: list[str]
    status: str  # open | solved
    created_at: datetime
    solved_at: datetime | None = None
    answers: list[ForumAnswer] = Field(default_factory=list)


class Expertise(BaseModel):
    """Why a colleague is thought to know about something."""

    member: Member
    competencies: list[str]  # the asked competencies this person covers
    sources: list[str]  # profile | kennisrondje | forum
    helped: int = 0  # accepted forum answers
    recently_suggested: int = 0  # suggestions in the last 30 days (to spread the load)


class MemberDetails(BaseModel):
    timezone: str | None = None
    opt_out: set[str] = Field(default_factory=set)  # experts | buddies
    channel: str | None = None


class TogetherServices(Protocol):
    # ---------------------------------------------------------------- members
    # ---------------------------------------------------------------- teams
    async def teams(self, workspace: str, user: str | None = None) -> list[Team]:
        """All teams, or those the user leads or belongs to."""
        ...

    async def team(self, workspace: str, team_id: int) -> Team | None: ...

    async def save_team(self, workspace: str, name: str, lead: str, members: list[str],
                        room: str | None, team_id: int | None = None) -> Team: ...

    async def delete_team(self, workspace: str, team_id: int) -> None: ...

    async def update_team_settings(self, workspace: str, team_id: int,
                                   settings: dict[str, Any]) -> None: ...

    async def rooms(self, workspace: str) -> list[tuple[str, str]]:
        """Channels Leerbot was added to: (room id, label)."""
        ...

    # ---------------------------------------------------------------- schedules and runs
    async def save_schedule(self, workspace: str, team_id: int, kind: str,
                            rule: dict[str, Any], questions: list[str],
                            created_by: str) -> Schedule: ...

    async def schedules(self, workspace: str, team_id: int | None = None,
                        kind: str | None = None) -> list[Schedule]: ...

    async def set_schedule_active(self, workspace: str, schedule_id: int,
                                  active: bool) -> None: ...

    async def start_run(self, workspace: str, kind: str, team_id: int,
                        details: dict[str, Any], created_by: str) -> RunSummary:
        """A one-off fan-out now (a kennisrondje started by the lead): the run and one
        delivery per recipient, in this turn's transaction."""
        ...

    async def runs(self, workspace: str, limit: int = 10) -> list[RunSummary]: ...

    async def run(self, workspace: str, run_id: int) -> RunSummary | None: ...

    async def run_problems(self, workspace: str, run_id: int) -> list[DeliveryProblem]: ...

    async def retry_run(self, workspace: str, run_id: int) -> int:
        """Put failed and unknown deliveries of the run back in the queue; how many."""
        ...

    # ---------------------------------------------------------------- answers
    async def save_answer(self, workspace: str, kind: str, user: str, question: str, text: str,
                          *, run_id: int | None = None, team_id: int | None = None,
                          path_id: int | None = None, shared: bool = False,
                          status: str = "answered") -> StoredAnswer: ...

    async def answers(self, workspace: str, kind: str, *, run_id: int | None = None,
                      team_id: int | None = None, user: str | None = None,
                      path_id: int | None = None) -> list[StoredAnswer]: ...

    async def open_invitation(self, workspace: str, user: str, kind: str) -> int | None:
        """The newest run of that kind that reached the user (in the last 7 days) and that
        the user has not answered yet."""
        ...

    # ---------------------------------------------------------------- proactive messages
    async def notify(self, workspace: str, user: str, messages: list[Message], key: str,
                     at: datetime | None = None) -> None:
        """Queue messages to a member (their DM), once per key, sent at ``at`` or now."""
        ...

    async def post_to_team(self, workspace: str, team_id: int, messages: list[Message],
                           key: str, thread_of: str | None = None,
                           exclude: str | None = None) -> None:
        """Queue messages to the team's channel (threaded under an earlier post), or to each
        member's DM when the team has no channel."""
        ...

    async def take_mailbox(self, workspace: str, user: str) -> list[Message]:
        """Proactive messages waiting for a console or web chat user (marked seen)."""
        ...

    async def cancel_message(self, key: str) -> bool:
        """Cancel a queued message that was not sent yet (e.g. a reminder)."""
        ...

    # ---------------------------------------------------------------- forum and experts
    async def save_question(self, workspace: str, team_id: int | None, asker: str | None,
                            text: str, competencies: list[str],
                            suggested: list[str]) -> ForumQuestion: ...

    async def question(self, workspace: str, question_id: int) -> ForumQuestion | None: ...

    async def questions(self, workspace: str, status: str | None = None,
                        team_id: int | None = None) -> list[ForumQuestion]: ...

    async def save_forum_answer(self, workspace: str, question_id: int, author: str,
                                text: str) -> ForumAnswer: ...

    async def accept_answer(self, workspace: str, answer_id: int) -> ForumQuestion | None: ...

    async def experts(self, workspace: str, competencies: list[str],
                      exclude: set[str]) -> list[Expertise]:
        """Colleagues whose profile, kennisrondje answers or accepted forum answers show the
        competencies; opted-out members are never included. Best first, and among equals
        the least recently suggested first."""
        ...

    # ---------------------------------------------------------------- buddies
    async def buddy_history(self, workspace: str, team_id: int) -> list[list[str]]: ...

    async def save_buddy_round(self, workspace: str, team_id: int,
                               groups: list[list[str]]) -> int: ...
