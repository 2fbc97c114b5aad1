"""Scheduled accounts work: erasing the personal details of accounts closed long enough ago."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab

from goodstanding.accounts.flows.manage import scrub_closed_accounts
from goodstanding.kit.jobs import huey, job_context


@huey.periodic_task(crontab(minute="17", hour="3"))  # type: ignore[untyped-decorator]
def scrub_closed_accounts_task() -> int:
    context = job_context()
    days = context.settings.closed_account_retention_days
    with context.database.transaction() as db:
        return scrub_closed_accounts(db, timedelta(days=days))
