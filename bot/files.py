"""Files that chats link to (charts and exports on Teams): kept a day, fetched by an
unguessable token at /files/<token>. Each names the person it was made for: erasing their
data deletes it at once (``bot.storage.stored_files``)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from aiohttp import web
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import StoredFileRow

LIFETIME = timedelta(hours=24)


async def store_file(db: AsyncSession, workspace: str, name: str, media_type: str,
                     data: bytes, user: str | None) -> str:
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await db.execute(delete(StoredFileRow).where(StoredFileRow.expires_at < now))
    db.add(StoredFileRow(token=token, name=name[:255], media_type=media_type[:100], data=data,
                         workspace=workspace, user_id=user, expires_at=now + LIFETIME))
    return token


def add_routes(app: web.Application, sessions: async_sessionmaker[AsyncSession]) -> None:
    async def download(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        async with sessions() as db:
            row = (await db.execute(select(StoredFileRow).where(
                StoredFileRow.token == token,
                StoredFileRow.expires_at > datetime.now(UTC)))).scalar_one_or_none()
        if row is None:
            raise web.HTTPNotFound(text="this file has expired or never existed")
        disposition = "inline" if row.media_type.startswith("image/") else "attachment"
        safe_name = "".join(c for c in row.name if c.isalnum() or c in "._-") or "file"
        return web.Response(body=row.data, content_type=row.media_type, headers={
            "Content-Disposition": f'{disposition}; filename="{safe_name}"',
            "X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"})

    app.router.add_get("/files/{token}", download)
