"""The application's clock, which can be moved to try scheduled moments locally ("time
travel"): ``LEERBOT_CLOCK=2027-06-01``, ``leerbot chat --clock 2027-06-01``, ``/klok
2027-08-31`` in the console chat, or once with ``leerbot runs due --at 2027-06-01``.

A moved clock keeps running from the moment it was set to. The dialogs (``turn.now``,
``turn.today``: deadlines are checked against it) and the scheduler read it; a delivery the
scheduler plans for a moment the moved clock has passed is brought forward to *now*, so the
worker, which measures leases with the real clock, sends it at once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.queue import now
from bot.storage.models import DeliveryRow

#: the hour a bare date is read as (in UTC): after the check-ins and follow-ups of the morning
DAY_HOUR = 12


def moment(text: str) -> datetime:
    """"2027-06-01" (that day at noon UTC), "2027-06-01T09:30" or with an offset; ValueError
    when it is neither."""
    text = text.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        found = datetime.fromisoformat(text)
        return found if found.tzinfo is not None else found.replace(tzinfo=UTC)
    return datetime.combine(day, time(DAY_HOUR), tzinfo=UTC)


class Clock:
    """The real time, or a moved one that runs on from where it was set."""

    def __init__(self, at: datetime | None = None) -> None:
        self.offset = timedelta(0)
        if at is not None:
            self.move_to(at)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def move_to(self, at: datetime) -> None:
        self.offset = at - datetime.now(UTC)

    @property
    def moved(self) -> bool:
        return abs(self.offset) > timedelta(seconds=1)


async def bring_forward(sessions: async_sessionmaker[AsyncSession], at: datetime) -> int:
    """Deliveries waiting for a moment up to ``at`` (a moved clock) become due now; how many."""
    async with sessions.begin() as db:
        result = await db.execute(update(DeliveryRow).where(
            DeliveryRow.status == "pending", DeliveryRow.available_at <= at,
            DeliveryRow.available_at > now()).values(available_at=now()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
