"""The learning-together services on the database (teams, schedules, runs, answers, forum,
experts, buddies, proactive messages); mixed into ``DatabaseServices``."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import outbound
from bot.channels import mailbox
from bot.queue import now
from bot.scheduler import plan_now
from bot.storage.models import (
    AnswerRow,
    BuddyPairRow,
    ConversationRefRow,
    DeliveryRow,
    ForumAnswerRow,
    ForumQuestionRow,
    MailboxRow,
    ProfileRow,
    RunRow,
    ScheduleRow,
    utcnow,
)
from bot.storage.outbox import SqlOutbox
from bot.storage.people import MemberRow
from bot.storage.ports import Shared, Store
from bot.storage.team import SqlTeams, TeamMemberRow, TeamRow
from dialogs.kit import Member, Message
from dialogs.services_together import (
    DeliveryProblem,
    Expertise,
    ForumAnswer,
    ForumQuestion,
    MemberDetails,
    RunSummary,
    Schedule,
    StoredAnswer,
    Team,
)
from dialogs.shared import competencies_in

INVITATION_DAYS = 7
SUGGESTION_WINDOW = timedelta(days=30)


def _answer(row: AnswerRow) -> StoredAnswer:
    return StoredAnswer(id=row.id, kind=row.kind, run_id=row.run_id, team_id=row.team_id,
                        path_id=row.path_id, user=row.user_id, question=row.question,
                        text=row.text, status=row.status, shared=row.shared,
                        created_at=row.created_at)


def _schedule(row: ScheduleRow) -> Schedule:
    return Schedule(id=row.id, team_id=row.team_id, kind=row.kind, rule=row.rule,
                    questions=row.questions, active=row.active, last_date=row.last_date)


def _forum_answer(row: ForumAnswerRow) -> ForumAnswer:
    return ForumAnswer(id=row.id, question_id=row.question_id, author=row.author,
                       text=row.text, accepted=row.accepted, created_at=row.created_at)


class TogetherDatabaseServices:
    db: AsyncSession

    async def _member_row(self, workspace: str, user: str) -> MemberRow | None:
        return (await self.db.execute(select(MemberRow).where(
            MemberRow.workspace == workspace, MemberRow.user_id == user))).scalar_one_or_none()

    # ---------------------------------------------------------------- members

    async def member_details(self, workspace: str, user: str) -> MemberDetails:
        row = await self._member_row(workspace, user)
        if row is None:
            return MemberDetails()
        return MemberDetails(timezone=row.timezone, channel=row.channel,
                             opt_out={k for k, v in (row.opt_out or {}).items() if v})

    async def set_member_details(self, workspace: str, user: str, *,
                                 timezone: str | None = None,
                                 opt_out: set[str] | None = None) -> None:
        row = await self._member_row(workspace, user)
        if row is None:
            return
        if timezone is not None:
            row.timezone = timezone
        if opt_out is not None:
            row.opt_out = {name: True for name in sorted(opt_out)}

    # ---------------------------------------------------------------- teams

    def _teams(self, workspace: str) -> SqlTeams:
        return SqlTeams(Store(self.db, workspace, Shared()))

    async def teams(self, workspace: str, user: str | None = None) -> list[Team]:
        return await self._teams(workspace).teams(user)

    async def team(self, workspace: str, team_id: int) -> Team | None:
        return await self._teams(workspace).team(team_id)

    async def save_team(self, workspace: str, name: str, lead: str, members: list[str],
                        room: str | None, team_id: int | None = None) -> Team:
        return await self._teams(workspace).save_team(name, lead, members, room, team_id)

    async def delete_team(self, workspace: str, team_id: int) -> None:
        await self._teams(workspace).delete_team(team_id)

    async def update_team_settings(self, workspace: str, team_id: int,
                                   settings: dict[str, Any]) -> None:
        await self._teams(workspace).update_settings(team_id, settings)

    async def rooms(self, workspace: str) -> list[tuple[str, str]]:
        return await self._teams(workspace).rooms()

    # ---------------------------------------------------------------- schedules and runs

    async def save_schedule(self, workspace: str, team_id: int, kind: str,
                            rule: dict[str, Any], questions: list[str],
                            created_by: str) -> Schedule:
        row = ScheduleRow(workspace=workspace, team_id=team_id, kind=kind, rule=rule,
                          questions=questions, active=True, created_by=created_by,
                          created_at=utcnow())
        self.db.add(row)
        await self.db.flush()
        return _schedule(row)

    async def schedules(self, workspace: str, team_id: int | None = None,
                        kind: str | None = None) -> list[Schedule]:
        query = select(ScheduleRow).where(ScheduleRow.workspace == workspace)
        if team_id is not None:
            query = query.where(ScheduleRow.team_id == team_id)
        if kind is not None:
            query = query.where(ScheduleRow.kind == kind)
        return [_schedule(r) for r in (await self.db.execute(query.order_by(ScheduleRow.id)))
                .scalars()]

    async def set_schedule_active(self, workspace: str, schedule_id: int,
                                  active: bool) -> None:
        await self.db.execute(update(ScheduleRow).where(
            ScheduleRow.workspace == workspace, ScheduleRow.id == schedule_id
        ).values(active=active))

    async def start_run(self, workspace: str, kind: str, team_id: int,
                        details: dict[str, Any], created_by: str) -> RunSummary:
        run_id = await plan_now(self.db, workspace, kind, team_id, details, created_by,
                                f"{kind}:{team_id}:{uuid.uuid4().hex}")
        summary = await self.run(workspace, run_id) if run_id is not None else None
        if summary is None:
            raise LookupError(f"team {team_id} does not exist")
        return summary

    async def _summary(self, row: RunRow) -> RunSummary:
        counts = {status: int(count) for status, count in (row.purged_counts or {}).items()}
        for status, count in (await self.db.execute(
                select(DeliveryRow.status, func.count()).where(DeliveryRow.run_id == row.id)
                .group_by(DeliveryRow.status))).all():
            counts[status] = counts.get(status, 0) + count  # with those purged since
        return RunSummary(id=row.id, kind=row.kind, team_id=row.team_id,
                          occurrence=row.occurrence, created_at=row.created_at,
                          total=row.total, counts=counts, details=row.details or {})

    async def runs(self, workspace: str, limit: int = 10) -> list[RunSummary]:
        rows = (await self.db.execute(select(RunRow).where(
            RunRow.workspace == workspace, RunRow.total > 0).order_by(RunRow.id.desc())
            .limit(limit))).scalars().all()
        return [await self._summary(r) for r in rows]

    async def run(self, workspace: str, run_id: int) -> RunSummary | None:
        row = await self.db.get(RunRow, run_id)
        return await self._summary(row) if row is not None and row.workspace == workspace \
            else None

    async def run_problems(self, workspace: str, run_id: int) -> list[DeliveryProblem]:
        rows = (await self.db.execute(select(DeliveryRow).where(
            DeliveryRow.workspace == workspace, DeliveryRow.run_id == run_id,
            DeliveryRow.status.in_(("failed", "unknown"))).order_by(DeliveryRow.id))).scalars()
        return [DeliveryProblem(recipient=r.recipient or "", status=r.status,
                                error=r.last_error or "") for r in rows]

    async def retry_run(self, workspace: str, run_id: int) -> int:
        rows = (await self.db.execute(select(DeliveryRow.id, DeliveryRow.payload).where(
            DeliveryRow.workspace == workspace, DeliveryRow.run_id == run_id,
            DeliveryRow.status.in_(("failed", "unknown"))))).all()
        # a delivery to someone who cannot be reached (no payload) stays failed
        ids = [row_id for row_id, payload in rows if payload.get("op") != "none"]
        if ids:
            await self.db.execute(update(DeliveryRow).where(DeliveryRow.id.in_(ids)).values(
                status="pending", attempts=0, sending_at=None, available_at=now(),
                last_error=None))
        return len(ids)

    # ---------------------------------------------------------------- answers

    async def save_answer(self, workspace: str, kind: str, user: str, question: str, text: str,
                          *, run_id: int | None = None, team_id: int | None = None,
                          path_id: int | None = None, shared: bool = False,
                          status: str = "answered") -> StoredAnswer:
        found = competencies_in(text) if kind == "kennisrondje" and text else []
        row = AnswerRow(workspace=workspace, kind=kind, run_id=run_id, team_id=team_id,
                        path_id=path_id, user_id=user, question=question[:500],
                        text=text[:4000], status=status, shared=shared, competencies=found,
                        created_at=utcnow())
        self.db.add(row)
        await self.db.flush()
        if run_id is not None:  # answered (or skipped): no reminder or snooze any more
            await outbound.cancel(self.db, f"run:{run_id}:{user}:reminder")
            await outbound.cancel_matching(self.db, f"run:{run_id}:{user}:snooze:%")
        return _answer(row)

    async def answers(self, workspace: str, kind: str, *, run_id: int | None = None,
                      team_id: int | None = None, user: str | None = None,
                      path_id: int | None = None) -> list[StoredAnswer]:
        query = select(AnswerRow).where(AnswerRow.workspace == workspace, AnswerRow.kind == kind)
        for column, value in ((AnswerRow.run_id, run_id), (AnswerRow.team_id, team_id),
                              (AnswerRow.user_id, user), (AnswerRow.path_id, path_id)):
            if value is not None:
                query = query.where(column == value)
        return [_answer(r) for r in (await self.db.execute(query.order_by(AnswerRow.id)))
                .scalars()]

    async def open_invitation(self, workspace: str, user: str, kind: str) -> int | None:
        answered = select(AnswerRow.run_id).where(AnswerRow.workspace == workspace,
                                                  AnswerRow.user_id == user,
                                                  AnswerRow.run_id.is_not(None))
        return (await self.db.execute(
            select(RunRow.id).join(DeliveryRow, DeliveryRow.run_id == RunRow.id).where(
                RunRow.workspace == workspace, RunRow.kind == kind,
                DeliveryRow.recipient == user, DeliveryRow.status == "sent",
                DeliveryRow.sent_at >= now() - timedelta(days=INVITATION_DAYS),
                RunRow.id.not_in(answered))
            .order_by(RunRow.id.desc()).limit(1))).scalar_one_or_none()

    # ---------------------------------------------------------------- proactive messages

    async def notify(self, workspace: str, user: str, messages: list[Message], key: str,
                     at: datetime | None = None) -> None:
        await SqlOutbox(Store(self.db, workspace, Shared())).notify(user, messages, key, at)

    async def post_to_team(self, workspace: str, team_id: int, messages: list[Message],
                           key: str, thread_of: str | None = None,
                           exclude: str | None = None) -> None:
        await SqlOutbox(Store(self.db, workspace, Shared())).post_to_team(
            team_id, messages, key, thread_of, exclude)

    async def take_mailbox(self, workspace: str, user: str) -> list[Message]:
        return (await mailbox.take(self.db, workspace, user))[0]

    async def cancel_message(self, key: str) -> bool:
        return await outbound.cancel(self.db, key)

    # ---------------------------------------------------------------- forum and experts

    async def _question(self, row: ForumQuestionRow) -> ForumQuestion:
        answers = (await self.db.execute(select(ForumAnswerRow).where(
            ForumAnswerRow.question_id == row.id).order_by(ForumAnswerRow.id))).scalars()
        return ForumQuestion(id=row.id, team_id=row.team_id, asker=row.asker, text=row.text,
                             competencies=row.competencies, status=row.status,
                             created_at=row.created_at, solved_at=row.solved_at,
                             answers=[_forum_answer(a) for a in answers])

    async def save_question(self, workspace: str, team_id: int | None, asker: str | None,
                            text: str, competencies: list[str],
                            suggested: list[str]) -> ForumQuestion:
        row = ForumQuestionRow(workspace=workspace, team_id=team_id, asker=asker,
                               text=text[:4000], competencies=competencies, status="open",
                               suggested=suggested, created_at=utcnow())
        self.db.add(row)
        await self.db.flush()
        return await self._question(row)

    async def question(self, workspace: str, question_id: int) -> ForumQuestion | None:
        row = await self.db.get(ForumQuestionRow, question_id)
        return await self._question(row) if row is not None and row.workspace == workspace \
            else None

    async def questions(self, workspace: str, status: str | None = None,
                        team_id: int | None = None) -> list[ForumQuestion]:
        query = select(ForumQuestionRow).where(ForumQuestionRow.workspace == workspace)
        if status is not None:
            query = query.where(ForumQuestionRow.status == status)
        if team_id is not None:
            query = query.where(ForumQuestionRow.team_id == team_id)
        rows = (await self.db.execute(query.order_by(ForumQuestionRow.id.desc()))).scalars()
        return [await self._question(r) for r in rows.all()]

    async def save_forum_answer(self, workspace: str, question_id: int, author: str,
                                text: str) -> ForumAnswer:
        row = ForumAnswerRow(question_id=question_id, author=author, text=text[:4000],
                             accepted=False, created_at=utcnow())
        self.db.add(row)
        await self.db.flush()
        return _forum_answer(row)

    async def accept_answer(self, workspace: str, answer_id: int) -> ForumQuestion | None:
        answer = await self.db.get(ForumAnswerRow, answer_id)
        if answer is None:
            return None
        question = await self.db.get(ForumQuestionRow, answer.question_id)
        if question is None or question.workspace != workspace:
            return None
        answer.accepted = True
        question.status, question.solved_at = "solved", utcnow()
        await self.db.flush()
        return await self._question(question)

    async def experts(self, workspace: str, competencies: list[str],
                      exclude: set[str]) -> list[Expertise]:
        wanted = set(competencies)
        evidence: dict[str, dict[str, set[str]]] = {}  # user -> competency -> sources

        def note(user: str, found: list[str] | None, source: str) -> None:
            for competency in wanted & set(found or []):
                evidence.setdefault(user, {}).setdefault(competency, set()).add(source)

        for user, data in (await self.db.execute(select(ProfileRow.user_id, ProfileRow.data)
                                                 .where(ProfileRow.workspace == workspace))):
            note(user, data.get("competencies"), "profile")
        for user, found in (await self.db.execute(select(AnswerRow.user_id,
                                                         AnswerRow.competencies).where(
                AnswerRow.workspace == workspace, AnswerRow.kind == "kennisrondje"))):
            note(user, found, "kennisrondje")
        helped: dict[str, int] = {}
        for author, found in (await self.db.execute(
                select(ForumAnswerRow.author, ForumQuestionRow.competencies)
                .join(ForumQuestionRow, ForumQuestionRow.id == ForumAnswerRow.question_id)
                .where(ForumQuestionRow.workspace == workspace, ForumAnswerRow.accepted))):
            note(author, found, "forum")
            helped[author] = helped.get(author, 0) + 1
        suggested: dict[str, int] = {}
        for (names,) in (await self.db.execute(select(ForumQuestionRow.suggested).where(
                ForumQuestionRow.workspace == workspace,
                ForumQuestionRow.created_at >= now() - SUGGESTION_WINDOW))):
            for name in names or []:
                suggested[name] = suggested.get(name, 0) + 1
        if not evidence:
            return []
        members = {m.user_id: m for m in (await self.db.execute(select(MemberRow).where(
            MemberRow.workspace == workspace, MemberRow.user_id.in_(list(evidence))))).scalars()}
        found: list[Expertise] = []
        for user, per_competency in evidence.items():
            row = members.get(user)
            if row is None or user in exclude or (row.opt_out or {}).get("experts"):
                continue
            sources = sorted({s for group in per_competency.values() for s in group})
            found.append(Expertise(
                member=Member(workspace=workspace, user=user, name=row.name,
                              role=row.role, lang=row.lang),  # type: ignore[arg-type]
                competencies=sorted(per_competency), sources=sources,
                helped=helped.get(user, 0), recently_suggested=suggested.get(user, 0)))
        # spread the load: among people who cover as much, the least recently asked first
        found.sort(key=lambda e: (-len(e.competencies), e.recently_suggested, -len(e.sources),
                                  -e.helped, e.member.name, e.member.user))
        return found

    # ---------------------------------------------------------------- my data

    async def export_together(self, workspace: str, user: str) -> dict[str, Any]:
        """Everything of the learning-together features that is about the user (anonymous
        questions are not: nothing links them to anyone)."""
        details = await self.member_details(workspace, user)
        teams = await self.teams(workspace, user)
        asked = (await self.db.execute(select(ForumQuestionRow).where(
            ForumQuestionRow.workspace == workspace, ForumQuestionRow.asker == user)
            .order_by(ForumQuestionRow.id))).scalars()
        written = (await self.db.execute(select(ForumAnswerRow).join(
            ForumQuestionRow, ForumQuestionRow.id == ForumAnswerRow.question_id).where(
            ForumQuestionRow.workspace == workspace, ForumAnswerRow.author == user)
            .order_by(ForumAnswerRow.id))).scalars()
        rounds = (await self.db.execute(select(BuddyPairRow).where(
            BuddyPairRow.workspace == workspace).order_by(BuddyPairRow.id))).scalars()
        answers = (await self.db.execute(select(AnswerRow).where(
            AnswerRow.workspace == workspace, AnswerRow.user_id == user)
            .order_by(AnswerRow.id))).scalars()
        return {
            "preferences": {"timezone": details.timezone, "opted_out_of": sorted(details.opt_out),
                            "channel": details.channel},
            "teams": [{"name": t.name, "lead": t.lead == user} for t in teams],
            "answers": [_answer(a).model_dump(mode="json", exclude={"user"}) for a in answers],
            "forum_questions": [{"id": q.id, "text": q.text, "status": q.status,
                                 "asked_at": q.created_at.isoformat(timespec="seconds")}
                                for q in asked],
            "forum_answers": [{"question": a.question_id, "text": a.text,
                               "accepted": a.accepted} for a in written],
            "buddy_rounds": [{"round": r.round, "with": [m for m in r.members if m != user]}
                             for r in rounds if user in (r.members or [])],
        }

    async def delete_together(self, workspace: str, user: str,
                              placeholder: str) -> dict[str, int]:
        """Delete the user's together-data; shared records keep no link to them."""
        counts: dict[str, int] = {}

        async def run(name: str, statement: Any) -> None:
            counts[name] = int((await self.db.execute(statement)).rowcount or 0)

        await run("answers", delete(AnswerRow).where(AnswerRow.workspace == workspace,
                                                     AnswerRow.user_id == user))
        await run("forum_questions", delete(ForumQuestionRow).where(
            ForumQuestionRow.workspace == workspace, ForumQuestionRow.asker == user))
        mine = select(ForumQuestionRow.id).where(ForumQuestionRow.workspace == workspace)
        await run("forum_answers", delete(ForumAnswerRow).where(
            ForumAnswerRow.author == user, ForumAnswerRow.question_id.in_(mine)))
        teams = select(TeamRow.id).where(TeamRow.workspace == workspace)
        await run("team_memberships", delete(TeamMemberRow).where(
            TeamMemberRow.user_id == user, TeamMemberRow.team_id.in_(teams)))
        await run("teams_unlinked", update(TeamRow).where(
            TeamRow.workspace == workspace, TeamRow.lead == user).values(lead=placeholder))
        await run("schedules_unlinked", update(ScheduleRow).where(
            ScheduleRow.workspace == workspace, ScheduleRow.created_by == user
        ).values(created_by=placeholder))
        for pair in (await self.db.execute(select(BuddyPairRow).where(
                BuddyPairRow.workspace == workspace))).scalars():
            if user in (pair.members or []):
                pair.members = [placeholder if m == user else m for m in pair.members]
        for run_row in (await self.db.execute(select(RunRow).where(
                RunRow.workspace == workspace))).scalars():
            if (run_row.details or {}).get("by") == user:
                run_row.details = {**run_row.details, "by": placeholder}
        await run("mailbox", delete(MailboxRow).where(MailboxRow.workspace == workspace,
                                                      MailboxRow.user_id == user))
        await run("messages_cancelled", delete(DeliveryRow).where(
            DeliveryRow.workspace == workspace, DeliveryRow.recipient == user,
            DeliveryRow.status.in_(("pending", "failed", "unknown", "cancelled"))))
        sent = (await self.db.execute(select(DeliveryRow).where(
            DeliveryRow.workspace == workspace, DeliveryRow.recipient == user))).scalars().all()
        for row in sent:  # what was sent stays counted in its run, without the person
            row.key, row.ordering_key = f"deleted:{row.id}", f"deleted:{row.id}"
            row.recipient, row.payload, row.result = placeholder, {"op": "removed"}, None
        counts["messages_unlinked"] = len(sent)
        for question in (await self.db.execute(select(ForumQuestionRow).where(
                ForumQuestionRow.workspace == workspace))).scalars():
            if user in (question.suggested or []):
                question.suggested = [m for m in question.suggested if m != user]
        await run("conversation_references", delete(ConversationRefRow).where(
            ConversationRefRow.workspace == workspace, ConversationRefRow.user_id == user))
        return counts

    # ---------------------------------------------------------------- buddies

    async def buddy_history(self, workspace: str, team_id: int) -> list[list[str]]:
        return [list(m) for m in (await self.db.execute(select(BuddyPairRow.members).where(
            BuddyPairRow.workspace == workspace, BuddyPairRow.team_id == team_id)
            .order_by(BuddyPairRow.id))).scalars()]

    async def save_buddy_round(self, workspace: str, team_id: int,
                               groups: list[list[str]]) -> int:
        last = (await self.db.execute(select(func.max(BuddyPairRow.round)).where(
            BuddyPairRow.team_id == team_id))).scalar_one_or_none() or 0
        for group in groups:
            self.db.add(BuddyPairRow(workspace=workspace, team_id=team_id, round=last + 1,
                                     members=group, created_at=utcnow()))
        await self.db.flush()
        return last + 1
