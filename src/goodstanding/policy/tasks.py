"""Policy jobs: re-evaluating a seller after a change, and the daily document-deadline sweep."""

from __future__ import annotations

from datetime import date

from huey import crontab

from goodstanding.kit.clock import utcnow
from goodstanding.kit.jobs import huey, job_context
from goodstanding.policy.repository import policy_repository
from goodstanding.policy.service import reevaluate_seller


@huey.task(retries=3, retry_delay=60, retry_backoff=2)  # type: ignore[untyped-decorator]
def reevaluate_seller_task(seller_id: str, as_of: str) -> None:
    with job_context().database.transaction() as db:
        reevaluate_seller(db, seller_id, date.fromisoformat(as_of))


def enforce_document_deadlines() -> list[str]:
    """Evaluate every seller with a document request past its deadline; one transaction each, so
    one seller's failure does not hold back the others. Returns the sellers evaluated."""
    database = job_context().database
    today = utcnow().date()
    with database.transaction() as db:
        seller_ids = policy_repository.sellers_with_overdue_requests(db, today)
    for seller_id in seller_ids:
        with database.transaction() as db:
            reevaluate_seller(db, seller_id, today)
    return seller_ids


@huey.periodic_task(crontab(hour="4", minute="10"))  # type: ignore[untyped-decorator]
def enforce_document_deadlines_daily() -> list[str]:
    return enforce_document_deadlines()
