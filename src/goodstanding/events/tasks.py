"""Event jobs: re-evaluating the policies of the sellers an intake batch moved."""

from __future__ import annotations

from datetime import date

import structlog

from goodstanding.kit.jobs import huey, job_context
from goodstanding.policy.errors import SellerNotFound
from goodstanding.policy.service import reevaluate_seller

log = structlog.get_logger(__name__)


@huey.task()  # type: ignore[untyped-decorator]
def run_event_hooks(event_ids: list[str]) -> int:
    """The detectors' work on a committed intake batch (listings, reviews, identifiers)."""
    from goodstanding.events.service import event_service

    return event_service.run_hooks(job_context().database, event_ids)


@huey.task()  # type: ignore[untyped-decorator]
def reevaluate_sellers(seller_ids: list[str], as_of: date) -> None:
    """One transaction per seller, so one seller's failure neither holds back nor repeats the
    others (the next batch that moves the seller evaluates it again)."""
    database = job_context().database
    for seller_id in seller_ids:
        try:
            with database.transaction() as db:
                reevaluate_seller(db, seller_id, as_of)
        except SellerNotFound:
            log.info("reevaluation_skipped_unknown_seller", seller_id=seller_id)
        except Exception:  # one seller's failure must not stop the rest of the batch
            log.exception("reevaluation_failed", seller_id=seller_id)
