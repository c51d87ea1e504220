"""The scheduler: turns schedules (and follow-up dates) into runs, and runs into deliveries.

One mechanism for every scheduled and fan-out message, on the database only (no job library):

* an occurrence of a schedule becomes a run whose ``run_key`` is unique
  ("schedule:<id>:<date>"); the run and all its deliveries are inserted in one transaction, so
  two replicas planning at the same moment make one run (the second waits on the unique key,
  then finds the run planned), and a process killed while planning leaves nothing behind;
* every delivery has the idempotency key ``run:<run>:<recipient>`` (unique), is stored before
  anything is sent, and is sent by the delivery worker (``bot/workers.py``), which claims rows
  with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
* each member gets the message at the schedule's time in their own timezone
  (``engine/recurrence.py``), planned ahead from the moment that time arrives in UTC+14.

Why not procrastinate or APScheduler: APScheduler 3 cannot share a job store between processes,
and procrastinate would give periodic jobs but not the per-recipient idempotent deliveries,
the per-workspace rate limits or the run view, which we need either way on our own tables;
the whole mechanism is two unique keys and a row claim, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels import channel_name, split_room
from bot.clock import bring_forward
from bot.outbound import (
    BY_REFERENCE,
    Unreachable,
    delivery_rows,
    payloads_for,
    queue_many,
    sender_channel,
)
from bot.queue import _insert, now
from bot.storage import conversations
from bot.storage.forum import ForumQuestionRow
from bot.storage.models import DeliveryRow, RunRow, ScheduleRow
from bot.storage.my_path import statuses, trainings_of
from bot.storage.paths import AssignmentRow, PathRow
from bot.storage.people import MemberRow
from bot.storage.team import TeamMemberRow, TeamRow
from dialogs import invitations
from dialogs.my_path.port import TrainingProgress
from engine.recurrence import Recurrence, due_occurrence, local_moment, zone
from knowledge.messages import normalise_lang

log = logging.getLogger(__name__)
TICK_SECONDS = 30.0
#: a check-in not answered by then gets one reminder
REMINDER_AFTER = timedelta(hours=4)
#: evaluation questions this many months after a path's deadline (tips of the e-book)
EVALUATION_MONTHS = (3, 6, 9)
#: reminder this many days before a path's deadline
DEADLINE_NOTICE_DAYS = 7


class Recipient:
    __slots__ = ("channel", "lang", "reference", "timezone", "user")

    def __init__(self, user: str, channel: str | None, lang: str, timezone: str | None,
                 reference: dict[str, Any] | None) -> None:
        self.user, self.channel, self.lang = user, channel, lang
        self.timezone, self.reference = timezone, reference


async def recipients(db: AsyncSession, workspace: str,
                     users: list[str]) -> list[Recipient]:
    """Members with where and how to reach them, fetched in bulk."""
    found: list[Recipient] = []
    for start in range(0, len(users), 1000):
        chunk = users[start:start + 1000]
        members = {m.user_id: m for m in (await db.execute(select(MemberRow).where(
            MemberRow.workspace == workspace, MemberRow.user_id.in_(chunk)))).scalars()}
        references: dict[str, dict[str, Any]] = {}
        for platform in {channel_name(m.channel) for m in members.values()} & BY_REFERENCE:
            references.update(await conversations.personal_references(
                db, platform, workspace, chunk))
        for user in chunk:
            member = members.get(user)
            if member is None:
                continue
            found.append(Recipient(user, channel_name(member.channel),
                                   normalise_lang(member.lang), member.timezone,
                                   references.get(user)))
    return found


def rows_for(workspace: str, run_id: int, recipient: Recipient, messages: list[Any],
             key: str, at: datetime | None) -> list[dict[str, Any]]:
    try:
        payloads = payloads_for(recipient.channel, recipient.user, messages,
                                recipient.reference)
        status, error = "pending", None
    except Unreachable as exc:
        payloads, status, error = [{"op": "none"}], "failed", str(exc)
    return delivery_rows(workspace, sender_channel(recipient.channel),
                         f"{recipient.channel}:{recipient.user}", payloads, key, run_id, at,
                         recipient.user, status, error)


async def plan_now(db: AsyncSession, workspace: str, kind: str, team_id: int,
                    details: dict[str, Any], created_by: str, key: str) -> int | None:
    """A one-off run planned inside the caller's transaction (e.g. a kennisrondje)."""
    team = await db.get(TeamRow, team_id)
    if team is None:
        return None
    run_id = await new_run(db, key, workspace, kind, None, team_id, None,
                                 {**details, "team": team.name, "by": created_by})
    if run_id is None:
        return None
    total = await fan_out(db, run_id, kind, team, None, None,
                                details.get("questions") or [])
    await db.execute(update(RunRow).where(RunRow.id == run_id).values(
        status="planned", total=total))
    return run_id

async def new_run(db: AsyncSession, key: str, workspace: str, kind: str,
                   schedule_id: int | None, team_id: int | None,
                   occurrence: date | None, details: dict[str, Any]) -> int | None:
    """Insert the run; None when another process (or an earlier tick) already did."""
    result = await db.execute(_insert(db, RunRow).values(
        run_key=key, workspace=workspace, kind=kind, schedule_id=schedule_id,
        team_id=team_id, occurrence=occurrence, status="planning", total=0,
        details=details, created_at=now(),
    ).on_conflict_do_nothing(index_elements=["run_key"]))
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    return (await db.execute(select(RunRow.id).where(RunRow.run_key == key))).scalar_one()

async def fan_out(db: AsyncSession, run_id: int, kind: str, team: TeamRow,
                   occurrence: date | None, rule: Recurrence | None,
                   questions: list[str]) -> int:
    details: dict[str, Any] = {"team": team.name, "questions": questions, "run": run_id}
    if kind == "digest":
        details["open"] = [{"id": q.id, "text": q.text} for q in (await db.execute(
            select(ForumQuestionRow).where(
                ForumQuestionRow.team_id == team.id, ForumQuestionRow.status == "open")
            .order_by(ForumQuestionRow.id))).scalars()]
        if not details["open"]:
            return 0  # nothing open: no digest this week
    if kind in invitations.TO_ROOM:
        lead = (await recipients(db, team.workspace, [team.lead]) or [None])[0]
        at = when(occurrence, rule, lead.timezone if lead else None)
        messages = invitations.build(kind, "nl" if lead is None else lead.lang, details)
        if team.room:
            channel, address = split_room(team.room)
            reference = None
            if channel in BY_REFERENCE:
                reference = await conversations.room_reference(db, channel, team.workspace,
                                                               address)
            target = Recipient(address, channel, "nl", None, reference)
            await queue_many(db, rows_for(team.workspace, run_id, target, messages,
                                          f"run:{run_id}:room", at))
            return 1
    users = list((await db.execute(select(TeamMemberRow.user_id).where(
        TeamMemberRow.team_id == team.id).order_by(TeamMemberRow.id))).scalars())
    if kind in invitations.TO_ROOM and team.lead not in users:
        users.append(team.lead)  # a team post without a channel reaches the lead too
    rows: list[dict[str, Any]] = []
    for recipient in await recipients(db, team.workspace, users):
        at = when(occurrence, rule, recipient.timezone)
        messages = invitations.build(kind, recipient.lang, details)
        rows += rows_for(team.workspace, run_id, recipient, messages,
                         f"run:{run_id}:{recipient.user}", at)
        if kind == "checkin":
            reminder = invitations.build("checkin_reminder", recipient.lang, details)
            rows += rows_for(team.workspace, run_id, recipient, reminder,
                             f"run:{run_id}:{recipient.user}:reminder",
                             (at or now()) + REMINDER_AFTER)
        if len(rows) >= 2000:
            await queue_many(db, rows)
            rows = []
    await queue_many(db, rows)
    return len(users)

def when(occurrence: date | None, rule: Recurrence | None,
          timezone: str | None) -> datetime | None:
    if occurrence is None or rule is None:
        return None
    return local_moment(occurrence, rule.at, zone(timezone))


class Planner:
    """Plans runs; safe to call from any number of replicas at once."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 clock: Callable[[], datetime] = now) -> None:
        self.sessions = sessions
        self.clock = clock
        #: the moment of the previous tick: follow-ups of the days in between are planned too
        #: (after midnight, or after the clock was moved ahead to try things)
        self.last: datetime | None = None
        #: one tick at a time in this process (the loop and a local delivery may both tick)
        self._ticking = asyncio.Lock()

    async def tick(self) -> int:
        """Plan every run that is due; the number of runs planned by this call."""
        async with self._ticking:
            return await self._tick()

    async def _tick(self) -> int:
        moment = self.clock()
        planned = 0
        async with self.sessions() as db:
            schedules = list((await db.execute(select(ScheduleRow).where(
                ScheduleRow.active))).scalars())
        for schedule in schedules:
            rule = Recurrence.model_validate(schedule.rule)
            occurrence = due_occurrence(rule, moment, schedule.last_date)
            if occurrence is not None:
                planned += await self.plan_occurrence(schedule.id, occurrence)
        planned += await self.plan_follow_ups(moment, self._after(moment))
        self.last = moment
        if getattr(self.clock, "moved", False):  # time travel: what is due by then, now
            await bring_forward(self.sessions, moment)
        return planned

    # ---------------------------------------------------------------- schedules

    async def plan_occurrence(self, schedule_id: int, occurrence: date) -> int:
        async with self.sessions.begin() as db:
            schedule = await db.get(ScheduleRow, schedule_id)
            if schedule is None:
                return 0
            team = await db.get(TeamRow, schedule.team_id)
            run_id = await new_run(db, f"schedule:{schedule.id}:{occurrence}",
                                         schedule.workspace, schedule.kind, schedule.id,
                                         schedule.team_id, occurrence,
                                         {"questions": schedule.questions,
                                          "team": team.name if team else ""})
            await db.execute(update(ScheduleRow).where(
                ScheduleRow.id == schedule.id,
                or_(ScheduleRow.last_date.is_(None), ScheduleRow.last_date < occurrence),
            ).values(last_date=occurrence))
            if run_id is None or team is None:
                return 0
            rule = Recurrence.model_validate(schedule.rule)
            total = await fan_out(db, run_id, schedule.kind, team, occurrence, rule,
                                        schedule.questions)
            await db.execute(update(RunRow).where(RunRow.id == run_id).values(
                status="planned", total=total))
            return 1

    # ---------------------------------------------------------------- follow-ups

    def _after(self, moment: datetime) -> date:
        """Follow-ups are due for the days after this one, up to today."""
        yesterday = moment.date() - timedelta(days=1)
        if self.last is None or self.last > moment:
            return yesterday
        return min(self.last.date() - timedelta(days=1), yesterday)

    async def plan_follow_ups(self, moment: datetime, after: date | None = None) -> int:
        """Deadline reminders (a week before) and the 3/6/9-month evaluations that are due
        today (or on a day since ``after``). Checked on every tick, so an assignment made
        today is not missed; each message has its own key, so planning again never sends
        twice."""
        today = moment.date()
        after = after if after is not None else today - timedelta(days=1)
        planned = 0
        async with self.sessions() as db:
            workspaces = list((await db.execute(
                select(AssignmentRow.workspace).distinct())).scalars())
        for workspace in workspaces:
            async with self.sessions.begin() as db:
                due = await self._due_follow_ups(db, workspace, after, today)
                if not due:
                    continue
                key = f"followup:{workspace}:{today}"
                run_id = await new_run(db, key, workspace, "followup", None, None, today, {})
                if run_id is None:  # planned earlier today: add what is new since
                    run_id = (await db.execute(select(RunRow.id).where(
                        RunRow.run_key == key))).scalar_one()
                before = (await db.execute(select(RunRow.total).where(
                    RunRow.id == run_id))).scalar_one()
                for recipient, kind, details, message_key in due:
                    messages = invitations.build(kind, recipient.lang, details)
                    await queue_many(db, rows_for(workspace, run_id, recipient, messages,
                                                  message_key, None))
                total = (await db.execute(select(func.count()).select_from(DeliveryRow).where(
                    DeliveryRow.run_id == run_id))).scalar_one()
                await db.execute(update(RunRow).where(RunRow.id == run_id).values(
                    status="planned", total=total))
                if total > before:
                    planned += 1
        return planned

    async def _due_follow_ups(self, db: AsyncSession, workspace: str, after: date,
                              today: date) -> list[tuple[Recipient, str, dict[str, Any], str]]:
        rows = (await db.execute(select(AssignmentRow, PathRow).join(
            PathRow, PathRow.id == AssignmentRow.path_id).where(
            AssignmentRow.workspace == workspace))).all()
        progress = await statuses(db, [assignment.id for assignment, _ in rows])
        due: list[tuple[Recipient, str, dict[str, Any], str]] = []
        for assignment, path in rows:
            trainings = trainings_of(path, progress.get(assignment.id, {}))
            found = follow_ups(assignment, path.name, trainings, after, today)
            keys = {f"{kind}:{assignment.id}:{details.get('months', 0)}:{assignment.user_id}"
                    for kind, details in found}
            if keys:  # planned on an earlier day (or tick): not again
                keys -= set((await db.execute(select(DeliveryRow.key).where(
                    DeliveryRow.key.in_(keys)))).scalars())
            found = [(kind, details) for kind, details in found
                     if f"{kind}:{assignment.id}:{details.get('months', 0)}:"
                        f"{assignment.user_id}" in keys]
            if not found:
                continue
            people = await recipients(db, workspace, [assignment.user_id])
            for kind, details in found:
                if people:
                    due.append((people[0], kind, details,
                                f"{kind}:{assignment.id}:{details.get('months', 0)}:"
                                f"{assignment.user_id}"))
        return due

    # ---------------------------------------------------------------- loop

    async def run_forever(self, wake: Callable[[], None]) -> None:
        while True:
            try:
                if await self.tick():
                    wake()
            except Exception:  # a database hiccup must not stop the scheduler
                log.exception("scheduler tick failed")
            await asyncio.sleep(TICK_SECONDS)


async def run_due(sessions: async_sessionmaker[AsyncSession], at: datetime,
                  since: datetime | None = None) -> tuple[int, int]:
    """Time travel: plan what is due at ``at`` (a moment ahead, or back) as if it were then
    (the follow-ups of the days from ``since`` too), and make every message waiting for a
    moment up to ``at`` due now. The runs planned and the messages brought forward."""
    planner = Planner(sessions, clock=lambda: at)
    planner.last = since
    planned = await planner.tick()
    return planned, await bring_forward(sessions, at)


def follow_ups(assignment: AssignmentRow, path_name: str, trainings: list[TrainingProgress],
               after: date, today: date) -> list[tuple[str, dict[str, Any]]]:
    """What is due for one assignment on a day after ``after`` up to ``today``: the deadline
    reminder (only while a training is open and the deadline lies ahead) and the
    evaluations, each saying what was done."""
    deadline = assignment.deadline.date()
    done = [t.title for t in trainings if t.status == "done"]
    still = [t.title for t in trainings if t.status != "done"]
    found: list[tuple[str, dict[str, Any]]] = []
    notice = deadline - timedelta(days=DEADLINE_NOTICE_DAYS)
    if after < notice <= today <= deadline and (still or not trainings):
        found.append(("deadline", {"path": path_name, "deadline": deadline.isoformat(),
                                   "open": still, "done": len(done)}))
    for months in EVALUATION_MONTHS:
        if after < add_months(deadline, months) <= today:
            found.append(("evaluation", {"path": path_name, "months": months,
                                         "assignment": assignment.id, "done": done,
                                         "total": len(trainings)}))
    return found


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        with contextlib.suppress(ValueError):
            return date(year, month, min(day.day, candidate))
    raise ValueError(day)
