"""The runs port: the workspace's recent fan-outs with their delivery counts, the deliveries
that went wrong, and putting those back in the queue. (The runs and deliveries tables belong to
the scheduler and the outbound queue; their personal data is registered there.)"""

from __future__ import annotations

from sqlalchemy import func, select, update

from bot.queue import now
from bot.storage.models import DeliveryRow, RunRow
from bot.storage.ports import Store, implements
from dialogs.runs.port import DeliveryProblem, RunSummary

#: deliveries the runs view reports, and a retry puts back in the queue
PROBLEMS = ("failed", "unknown")


def as_summary(row: RunRow, counts: dict[str, int]) -> RunSummary:
    return RunSummary(id=row.id, kind=row.kind, team_id=row.team_id, occurrence=row.occurrence,
                      created_at=row.created_at, total=row.total, counts=counts,
                      details=row.details or {})


@implements("runs")
class SqlRuns:
    def __init__(self, store: Store) -> None:
        self.db, self.workspace = store.db, store.workspace

    async def _counts(self, rows: list[RunRow]) -> dict[int, dict[str, int]]:
        """Deliveries per status, per run (one query for them all), with those the retention
        already removed."""
        counts = {row.id: {status: int(count) for status, count in
                           (row.purged_counts or {}).items()} for row in rows}
        run_ids = list(counts)
        if run_ids:
            found = await self.db.execute(
                select(DeliveryRow.run_id, DeliveryRow.status, func.count())
                .where(DeliveryRow.run_id.in_(run_ids))
                .group_by(DeliveryRow.run_id, DeliveryRow.status))
            for run_id, status, count in found.all():
                counts[run_id][status] = counts[run_id].get(status, 0) + count
        return counts

    async def recent(self, limit: int = 10) -> list[RunSummary]:
        rows = (await self.db.execute(select(RunRow).where(
            RunRow.workspace == self.workspace, RunRow.total > 0)
            .order_by(RunRow.id.desc()).limit(limit))).scalars().all()
        counts = await self._counts(list(rows))
        return [as_summary(row, counts[row.id]) for row in rows]

    async def run(self, run_id: int) -> RunSummary | None:
        row = await self.db.get(RunRow, run_id)
        if row is None or row.workspace != self.workspace:
            return None
        return as_summary(row, (await self._counts([row]))[row.id])

    async def problems(self, run_id: int) -> list[DeliveryProblem]:
        rows = (await self.db.execute(select(DeliveryRow).where(
            DeliveryRow.workspace == self.workspace, DeliveryRow.run_id == run_id,
            DeliveryRow.status.in_(PROBLEMS)).order_by(DeliveryRow.id))).scalars()
        return [DeliveryProblem(recipient=r.recipient or "", status=r.status,
                                error=r.last_error or "") for r in rows]

    async def retry(self, run_id: int) -> int:
        rows = (await self.db.execute(select(DeliveryRow.id, DeliveryRow.payload).where(
            DeliveryRow.workspace == self.workspace, DeliveryRow.run_id == run_id,
            DeliveryRow.status.in_(PROBLEMS)))).all()
        # a delivery to someone who cannot be reached (no payload) stays failed
        ids = [row_id for row_id, payload in rows if payload.get("op") != "none"]
        if ids:
            await self.db.execute(update(DeliveryRow).where(DeliveryRow.id.in_(ids)).values(
                status="pending", attempts=0, sending_at=None, available_at=now(),
                last_error=None))
        return len(ids)
