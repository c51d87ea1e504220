"""Dialog sessions in the database, with optimistic versioning.

Every turn loads and saves a session (and peeks at the paused one), so these statements are
built once, with bound parameters, and run on the turn's connection: no ORM unit of work, no
statement construction and no cache-key walk per turn (``prepared``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import DialogSessionRow, utcnow
from bot.storage.prepared import Prepared, columns_bound
from dialogs.kit import Conflict, Session, SessionKey

_table = DialogSessionRow.__table__
_c = _table.c
_KEY = and_(_c.channel == bindparam("k_channel"), _c.workspace == bindparam("k_workspace"),
            _c.user_id == bindparam("k_user"), _c.conversation == bindparam("k_conversation"))
_AT_VERSION = and_(_KEY, _c.version == bindparam("k_version"))
_LOAD = Prepared(select(_c.session, _c.version).where(_KEY))
_INSERT = Prepared(insert(_table).values(
    columns_bound(_table, (
        "channel", "workspace", "user_id", "conversation", "session", "version", "updated_at"))))
_UPDATE = Prepared(update(_table).where(_AT_VERSION).values(
    session=bindparam("new_session", type_=_c.session.type),
    version=bindparam("new_version", type_=_c.version.type),
    updated_at=bindparam("new_at", type_=_c.updated_at.type)))
_DELETE = Prepared(delete(_table).where(_AT_VERSION))


def _key(key: SessionKey) -> dict[str, Any]:
    return {"k_channel": key.channel, "k_workspace": key.workspace, "k_user": key.user,
            "k_conversation": key.conversation}


class SqlSessionStore:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session

    async def load(self, key: SessionKey) -> tuple[Session | None, int]:
        row = (await _LOAD.run(self.db, _key(key))).first()
        if row is None:
            return None, 0
        return Session.model_validate(row.session), row.version

    async def save(self, key: SessionKey, session: Session | None, version: int) -> None:
        moment = utcnow()
        data = (session.model_copy(update={"updated_at": moment}).model_dump(mode="json")
                if session is not None else None)
        if version == 0:
            if data is None:
                return
            try:  # the turn's transaction is then rolled back, and the turn run again
                await _INSERT.run(self.db, {
                    "channel": key.channel, "workspace": key.workspace,
                    "user_id": key.user, "conversation": key.conversation,
                    "session": data, "version": 1, "updated_at": moment})
            except IntegrityError:
                raise Conflict(key) from None
            return
        if data is None:
            result = await _DELETE.run(self.db, {**_key(key), "k_version": version})
        else:
            result = await _UPDATE.run(self.db, {
                **_key(key), "k_version": version, "new_session": data,
                "new_version": version + 1, "new_at": moment})
        if result.rowcount != 1:
            raise Conflict(key)
