"""The services dialogs use, on the database: one instance per turn (unit of work)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.mailbox import take as take_mailbox
from bot.services_together import TogetherDatabaseServices
from bot.storage.catalogues import MatcherCache
from bot.storage.models import (
    AssignmentRow,
    DialogSessionRow,
    PathRow,
    ProfileRow,
    ScanRow,
    WishRow,
    utcnow,
)
from bot.storage.people import MemberRow, identify
from bot.storage.personal import DELETED_USER, Erasure, PersonalData, register, rowcount
from bot.storage.ports import BoundPorts, Shared, Store, implements
from bot.storage.sessions import SqlSessionStore
from dialogs.kit import Member, Message, SessionKey
from dialogs.services import Assignment, LearningWish, Profile, SavedPath, ScanRecord
from engine.matching import CompetencyMatcher
from knowledge.catalogue import Catalogue

#: exported and erased by bot/storage/forum.py (which runs first, so the legacy erasure of
#: these tables finds nothing left)
FORUM_SECTIONS = frozenset({"forum_questions", "forum_answers"})


def _member(row: MemberRow) -> Member:
    return Member(workspace=row.workspace, user=row.user_id, name=row.name,
                  role=row.role, lang=row.lang)  # type: ignore[arg-type]


def _path(row: PathRow) -> SavedPath:
    return SavedPath(id=row.id, name=row.name, level=row.level, created_by=row.created_by,
                     created_at=row.created_at, spec=row.spec, trainings=row.trainings,
                     total_minutes=row.total_minutes, warnings=row.warnings)


def _wish(row: WishRow) -> LearningWish:
    return LearningWish(id=row.id, text=row.text, competencies=row.competencies,
                        reflection=row.reflection or {}, created_at=row.created_at)


def _scan(row: ScanRow) -> ScanRecord:
    return ScanRecord(id=row.id, team=row.team, taken_by=row.taken_by, taken_at=row.taken_at,
                      scores={int(k): v for k, v in row.scores.items()}, profile=row.profile,
                      priorities=row.priorities, top_actions=row.top_actions)


class DatabaseServices(TogetherDatabaseServices):
    def __init__(self, db: AsyncSession, matchers: MatcherCache) -> None:
        self.db = db
        self.matchers = matchers

    # ---------------------------------------------------------------- members

    async def member(self, workspace: str, user: str, name: str, channel: str | None = None,
                     timezone: str | None = None) -> Member:
        """The member (created on first contact: the workspace's first one is admin);
        remembers the channel they talk on, and the platform's timezone unless they set one."""
        row = (await self.db.execute(select(MemberRow).where(
            MemberRow.workspace == workspace, MemberRow.user_id == user))).scalar_one_or_none()
        if row is None:
            count = (await self.db.execute(select(func.count()).select_from(MemberRow).where(
                MemberRow.workspace == workspace))).scalar_one()
            row = MemberRow(workspace=workspace, user_id=user, name=name[:255],
                            role="admin" if count == 0 else "employee", lang=None,
                            channel=channel, timezone=timezone, opt_out={})
            self.db.add(row)
            await self.db.flush()
            return _member(row)
        if name and row.name != name[:255]:
            row.name = name[:255]
        if channel and row.channel != channel:
            row.channel = channel
        if timezone and not row.timezone:
            row.timezone = timezone
        return _member(row)

    async def members(self, workspace: str) -> list[Member]:
        rows = (await self.db.execute(select(MemberRow).where(
            MemberRow.workspace == workspace).order_by(MemberRow.name, MemberRow.id))).scalars()
        return [_member(r) for r in rows]

    # ---------------------------------------------------------------- catalogue

    async def catalogue(self, workspace: str) -> Catalogue:
        return (await self.matchers.get(self.db, workspace))[0]

    async def matcher(self, workspace: str) -> CompetencyMatcher:
        return (await self.matchers.get(self.db, workspace))[1]

    # ---------------------------------------------------------------- paths

    async def save_path(self, workspace: str, created_by: str, name: str, level: str,
                        spec: dict[str, Any], trainings: list[dict[str, Any]],
                        total_minutes: int, warnings: list[str]) -> SavedPath:
        row = PathRow(workspace=workspace, name=name, level=level, created_by=created_by,
                      spec=spec, trainings=trainings, total_minutes=total_minutes,
                      warnings=warnings, created_at=utcnow())
        self.db.add(row)
        await self.db.flush()
        return _path(row)

    async def paths(self, workspace: str) -> list[SavedPath]:
        rows = (await self.db.execute(select(PathRow).where(
            PathRow.workspace == workspace).order_by(PathRow.id.desc()))).scalars()
        return [_path(r) for r in rows]

    async def path(self, workspace: str, path_id: int) -> SavedPath | None:
        row = (await self.db.execute(select(PathRow).where(
            PathRow.workspace == workspace, PathRow.id == path_id))).scalar_one_or_none()
        return _path(row) if row else None

    async def assign_path(self, workspace: str, path_id: int, user: str, deadline: datetime,
                          assigned_by: str) -> Assignment:
        row = (await self.db.execute(select(AssignmentRow).where(
            AssignmentRow.path_id == path_id, AssignmentRow.user_id == user))).scalar_one_or_none()
        if row is None:
            row = AssignmentRow(workspace=workspace, path_id=path_id, user_id=user,
                                deadline=deadline, assigned_by=assigned_by,
                                assigned_at=utcnow())
            self.db.add(row)
        else:
            row.deadline, row.assigned_by = deadline, assigned_by
        await self.db.flush()
        return (await self.assignments(workspace, path_id=path_id, user=user))[0]

    async def assignments(self, workspace: str, path_id: int | None = None,
                          user: str | None = None) -> list[Assignment]:
        query = (select(AssignmentRow, PathRow.name, MemberRow.name)
                 .join(PathRow, PathRow.id == AssignmentRow.path_id)
                 .outerjoin(MemberRow, (MemberRow.workspace == AssignmentRow.workspace)
                            & (MemberRow.user_id == AssignmentRow.user_id))
                 .where(AssignmentRow.workspace == workspace))
        if path_id is not None:
            query = query.where(AssignmentRow.path_id == path_id)
        if user is not None:
            query = query.where(AssignmentRow.user_id == user)
        rows = (await self.db.execute(query.order_by(AssignmentRow.deadline))).all()
        return [Assignment(id=a.id, path_id=a.path_id, path_name=path_name, user=a.user_id,
                           user_name=member_name or a.user_id, deadline=a.deadline,
                           assigned_by=a.assigned_by)
                for a, path_name, member_name in rows]

    # ---------------------------------------------------------------- scans

    async def save_scan(self, workspace: str, team: str, taken_by: str, scores: dict[int, int],
                        profile: int, priorities: list[int],
                        top_actions: list[str]) -> ScanRecord:
        row = ScanRow(workspace=workspace, team=team, taken_by=taken_by, taken_at=utcnow(),
                      scores={str(k): v for k, v in scores.items()}, profile=profile,
                      priorities=priorities, top_actions=top_actions)
        self.db.add(row)
        await self.db.flush()
        return _scan(row)

    async def scans(self, workspace: str, team: str) -> list[ScanRecord]:
        rows = (await self.db.execute(select(ScanRow).where(
            ScanRow.workspace == workspace, ScanRow.team == team
        ).order_by(ScanRow.taken_at.desc(), ScanRow.id.desc()))).scalars()
        return [_scan(r) for r in rows]

    # ---------------------------------------------------------------- wishes, profile

    async def save_wish(self, workspace: str, user: str, text: str, competencies: list[str],
                        reflection: dict[str, str]) -> LearningWish:
        row = WishRow(workspace=workspace, user_id=user, text=text[:1000],
                      competencies=competencies, reflection=reflection, created_at=utcnow())
        self.db.add(row)
        await self.db.flush()
        return _wish(row)

    async def wishes(self, workspace: str, user: str) -> list[LearningWish]:
        rows = (await self.db.execute(select(WishRow).where(
            WishRow.workspace == workspace, WishRow.user_id == user
        ).order_by(WishRow.id))).scalars()
        return [_wish(r) for r in rows]

    async def colleagues_for(self, workspace: str, competencies: list[str],
                             exclude: str) -> list[Member]:
        wanted = set(competencies)
        rows = (await self.db.execute(
            select(MemberRow, ProfileRow.data)
            .join(ProfileRow, (ProfileRow.workspace == MemberRow.workspace)
                  & (ProfileRow.user_id == MemberRow.user_id))
            .where(MemberRow.workspace == workspace, MemberRow.user_id != exclude)
            .order_by(MemberRow.name, MemberRow.id))).all()
        return [_member(row) for row, data in rows
                if wanted & set(data.get("competencies", []))]

    async def profile(self, workspace: str, user: str) -> Profile | None:
        row = (await self.db.execute(select(ProfileRow).where(
            ProfileRow.workspace == workspace, ProfileRow.user_id == user))).scalar_one_or_none()
        if row is None:
            return None
        return Profile.model_validate({**row.data, "updated_at": row.updated_at})

    async def save_profile(self, workspace: str, user: str, profile: Profile) -> None:
        data = profile.model_dump(mode="json", exclude={"updated_at"})
        row = (await self.db.execute(select(ProfileRow).where(
            ProfileRow.workspace == workspace, ProfileRow.user_id == user))).scalar_one_or_none()
        if row is None:
            self.db.add(ProfileRow(workspace=workspace, user_id=user, data=data,
                                   updated_at=utcnow()))
        else:
            row.data, row.updated_at = data, utcnow()
        await self.db.flush()

    # ---------------------------------------------------------------- my data

    async def export_rest(self, workspace: str, user: str) -> dict[str, Any]:
        """The sections of the export the feature storage modules do not register yet."""
        sessions = (await self.db.execute(select(DialogSessionRow).where(
            DialogSessionRow.workspace == workspace, DialogSessionRow.user_id == user))).scalars()
        together = await self.export_together(workspace, user)
        for section in ("answers", "buddy_rounds", *FORUM_SECTIONS):
            together.pop(section, None)
        return {
            "open_conversations": [{"channel": s.channel, "conversation": s.conversation,
                                    "dialog": s.session.get("dialog")} for s in sessions],
            **together,
        }

    async def erase_rest(self, erasure: Erasure) -> dict[str, int]:
        """Delete what the feature storage modules do not erase yet."""
        workspace, user, keep = erasure.workspace, erasure.user, erasure.keep
        counts: dict[str, int] = {}
        conversations = delete(DialogSessionRow).where(
            DialogSessionRow.workspace == workspace, DialogSessionRow.user_id == user)
        if keep is not None:
            conversations = conversations.where(
                (DialogSessionRow.channel != keep.channel)
                | (DialogSessionRow.conversation != keep.conversation))
        counts["conversations"] = rowcount(await self.db.execute(conversations))
        counts.update({kind: count for kind, count in
                       (await self.delete_together(workspace, user, DELETED_USER)).items()
                       if kind not in FORUM_SECTIONS})
        return counts


async def _export_rest(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    return await DatabaseServices(db, MatcherCache()).export_rest(workspace, user)


async def _erase_rest(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    return await DatabaseServices(db, MatcherCache()).erase_rest(erasure)


register(PersonalData(
    name="features", export=_export_rest, erase=_erase_rest,
    tables=("dialog_sessions", "mailbox", "deliveries",
            "conversation_refs")))


@implements("services")
def _services(store: Store) -> DatabaseServices:
    return DatabaseServices(store.db, store.shared.matchers)


class DatabaseUnit:
    """One turn's unit of work on the database (see ``dialogs.kit.conductor.Unit``)."""

    def __init__(self, db: AsyncSession, shared: Shared) -> None:
        self.db = db
        self.shared = shared
        self.sessions = SqlSessionStore(db)
        self.services = DatabaseServices(db, shared.matchers)

    async def identify(self, key: SessionKey, name: str, channel: str,
                       timezone: str | None) -> Member:
        return await identify(self.db, key, name, channel, timezone)

    def ports(self, member: Member) -> BoundPorts:
        return BoundPorts(Store(self.db, member.workspace, self.shared))

    async def mailbox(self, member: Member, limit: int | None = None) -> tuple[list[Message], int]:
        return await take_mailbox(self.db, member.workspace, member.user, limit)


class Units:
    """Unit-of-work factory for the conductor: one transaction per turn."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessions
        self.shared = Shared(matchers=MatcherCache())

    @property
    def matchers(self) -> MatcherCache:
        return self.shared.matchers  # type: ignore[no-any-return]

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[DatabaseUnit]:
        async with self.sessionmaker() as db, db.begin():
            yield DatabaseUnit(db, self.shared)
