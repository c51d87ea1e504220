"""Members of a workspace (role, language, timezone, opt-outs) and the people port."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    UniqueConstraint,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, JSONType, utcnow
from bot.storage.personal import Erasure, PersonalData, register, rowcount
from bot.storage.ports import Store, implements
from bot.storage.prepared import Prepared, columns_bound
from dialogs.kit import Member, SessionKey
from dialogs.people.port import MemberDetails
from dialogs.policy import Role


class MemberRow(Base):
    """A user of a workspace, with role and language; the first one becomes admin."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: the channel the member last talked on (console, web, slack, msteams): where we reach them
    channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: what the member opted out of: {"experts": true, "buddies": true}
    opt_out: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)

    __table_args__ = (UniqueConstraint("workspace", "user_id", name="uq_members_user"),)


def as_member(row: MemberRow) -> Member:
    return Member(workspace=row.workspace, user=row.user_id, name=row.name, role=row.role,
                  lang=row.lang)


async def member_row(db: AsyncSession, workspace: str, user: str) -> MemberRow | None:
    return (await db.execute(select(MemberRow).where(
        MemberRow.workspace == workspace, MemberRow.user_id == user))).scalar_one_or_none()


_m = MemberRow.__table__.c
_THE_MEMBER = and_(_m.workspace == bindparam("m_workspace"), _m.user_id == bindparam("m_user"))
# identify() runs on every turn: its statements are built once
_IDENTIFY = Prepared(select(_m.name, _m.role, _m.lang, _m.channel, _m.timezone)
                     .where(_THE_MEMBER))
_COUNT = Prepared(select(func.count()).select_from(MemberRow.__table__).where(
    _m.workspace == bindparam("m_workspace")))
_CREATE = Prepared(insert(MemberRow.__table__).values(
    columns_bound(MemberRow.__table__, (
        "workspace", "user_id", "name", "role", "lang", "channel", "timezone", "opt_out",
        "created_at"))))
_NOTE = Prepared(update(MemberRow.__table__).where(_THE_MEMBER).values(
    name=bindparam("new_name", type_=_m.name.type),
    channel=bindparam("new_channel", type_=_m.channel.type),
    timezone=bindparam("new_timezone", type_=_m.timezone.type)))


async def identify(db: AsyncSession, key: SessionKey, name: str, channel: str,
                   timezone: str | None) -> Member:
    """The member talking (created on first contact: the workspace's first one is admin);
    remembers the channel they talk on, and the platform's timezone unless they set one."""
    which = {"m_workspace": key.workspace, "m_user": key.user}
    name = name[:255]
    row = (await _IDENTIFY.run(db, which)).first()
    if row is None:
        count = (await _COUNT.run(db, which)).scalar_one()
        role = "admin" if count == 0 else "employee"
        await _CREATE.run(db, {
            "workspace": key.workspace, "user_id": key.user, "name": name, "role": role,
            "lang": None, "channel": channel, "timezone": timezone, "opt_out": {},
            "created_at": utcnow()})
        return Member(workspace=key.workspace, user=key.user, name=name, role=role, lang=None)
    noted = {"new_name": name or row.name, "new_channel": channel or row.channel,
             "new_timezone": row.timezone or timezone}
    if (noted["new_name"], noted["new_channel"], noted["new_timezone"]) != (
            row.name, row.channel, row.timezone):
        await _NOTE.run(db, {**which, **noted})
    return Member(workspace=key.workspace, user=key.user, name=noted["new_name"],
                  role=row.role, lang=row.lang)


@implements("people")
class SqlPeople:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    async def member(self, user: str) -> Member | None:
        row = await member_row(self.db, self.workspace, user)
        return as_member(row) if row is not None else None

    async def members(self) -> list[Member]:
        rows = (await self.db.execute(select(MemberRow).where(
            MemberRow.workspace == self.workspace).order_by(MemberRow.name, MemberRow.id)))
        return [as_member(r) for r in rows.scalars()]

    async def set_role(self, user: str, role: Role) -> Member | None:
        row = await member_row(self.db, self.workspace, user)
        if row is None:
            return None
        row.role = role
        return as_member(row)

    async def set_language(self, user: str, lang: str | None) -> None:
        row = await member_row(self.db, self.workspace, user)
        if row is not None:
            row.lang = lang

    async def details(self, user: str) -> MemberDetails:
        row = await member_row(self.db, self.workspace, user)
        if row is None:
            return MemberDetails()
        return MemberDetails(timezone=row.timezone, channel=row.channel,
                             opt_out={k for k, v in (row.opt_out or {}).items() if v})

    async def set_details(self, user: str, *, timezone: str | None = None,
                          opt_out: set[str] | None = None) -> None:
        row = await member_row(self.db, self.workspace, user)
        if row is None:
            return
        if timezone is not None:
            row.timezone = timezone
        if opt_out is not None:
            row.opt_out = {name: True for name in sorted(opt_out)}


async def _export(db: AsyncSession, workspace: str, user: str) -> dict[str, Any]:
    row = await member_row(db, workspace, user)
    if row is None:
        return {"member": None}
    return {"member": {"name": row.name, "role": row.role, "language": row.lang,
                       "timezone": row.timezone, "channel": row.channel,
                       "opt_out": sorted(k for k, v in (row.opt_out or {}).items() if v),
                       "since": row.created_at.isoformat(timespec="seconds")}}


async def _erase(db: AsyncSession, erasure: Erasure) -> dict[str, int]:
    result = await db.execute(delete(MemberRow).where(
        MemberRow.workspace == erasure.workspace, MemberRow.user_id == erasure.user))
    return {"member": rowcount(result)}


# the member goes last: other hooks may still look the person up
register(PersonalData(name="member", tables=("members",), export=_export, erase=_erase,
                      order=90))
