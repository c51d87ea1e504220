"""Dialog sessions in the database, with optimistic versioning."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import DialogSessionRow, utcnow
from dialogs.kit import Conflict, Session, SessionKey


def _where(key: SessionKey) -> tuple:  # type: ignore[type-arg]
    return (DialogSessionRow.channel == key.channel,
            DialogSessionRow.workspace == key.workspace,
            DialogSessionRow.user_id == key.user,
            DialogSessionRow.conversation == key.conversation)


class SqlSessionStore:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session

    async def load(self, key: SessionKey) -> tuple[Session | None, int]:
        query = select(DialogSessionRow).where(*_where(key))
        row = (await self.db.execute(query)).scalar_one_or_none()
        if row is None:
            return None, 0
        return Session.model_validate(row.session), row.version

    async def save(self, key: SessionKey, session: Session | None, version: int) -> None:
        if session is not None:
            session = session.model_copy(update={"updated_at": utcnow()})
        data = session.model_dump(mode="json") if session is not None else None
        if version == 0:
            if data is None:
                return
            self.db.add(DialogSessionRow(channel=key.channel, workspace=key.workspace,
                                         user_id=key.user, conversation=key.conversation,
                                         session=data, version=1))
            try:
                await self.db.flush()
            except IntegrityError:
                raise Conflict(key) from None
            return
        if data is None:
            result = await self.db.execute(
                delete(DialogSessionRow).where(*_where(key), DialogSessionRow.version == version))
        else:
            result = await self.db.execute(
                update(DialogSessionRow)
                .where(*_where(key), DialogSessionRow.version == version)
                .values(session=data, version=version + 1, updated_at=utcnow()))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(key)
