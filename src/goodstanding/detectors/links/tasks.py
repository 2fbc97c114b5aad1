"""Linked-accounts jobs: the nightly fuzzy pass, and the nightly sweep over every seller's cluster
(for sellers the marketplace registered after their shared identifiers were seen)."""

from huey import crontab

from goodstanding.detectors.links.service import link_service
from goodstanding.kit.jobs import huey, job_context


@huey.periodic_task(crontab(hour="2", minute="40"))  # type: ignore[untyped-decorator]
def find_fuzzy_links_nightly() -> int:
    with job_context().database.transaction() as db:
        return link_service.refresh_fuzzy_links(db)


@huey.periodic_task(crontab(hour="3", minute="40"))  # type: ignore[untyped-decorator]
def review_linked_clusters_nightly() -> int:
    with job_context().database.transaction() as db:
        return link_service.review_all_clusters(db)
