"""Delivery jobs: right after an event commits, and every minute for retries that fell due."""

from __future__ import annotations

from huey import crontab

from goodstanding.kit.crypto import Keyring
from goodstanding.kit.jobs import huey, job_context
from goodstanding.webhooks.service import WebhookService


def deliver_due() -> int:
    context = job_context()
    service = WebhookService(Keyring.single(context.settings.encryption_key_bytes))
    return service.deliver_due(context.database)


@huey.task()  # type: ignore[untyped-decorator]
def deliver_due_task() -> int:
    return deliver_due()


@huey.periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def deliver_due_periodically() -> int:
    return deliver_due()
