"""Metrics jobs: the nightly snapshot of every seller's metrics for trend charts."""

from __future__ import annotations

from datetime import date, timedelta

from huey import crontab

from goodstanding.kit.clock import utcnow
from goodstanding.kit.jobs import huey, job_context
from goodstanding.metrics.service import metrics_service


def snapshot_day(day: date) -> int:
    with job_context().database.transaction() as db:
        return metrics_service.take_snapshots(db, day)


# Shortly after midnight UTC, so that the day just ended is complete; the value stays exact for
# events of that day that arrive later, since a day is always recomputable from the counters.
@huey.periodic_task(crontab(hour="0", minute="20"))  # type: ignore[untyped-decorator]
def snapshot_yesterday() -> int:
    return snapshot_day(utcnow().date() - timedelta(days=1))
