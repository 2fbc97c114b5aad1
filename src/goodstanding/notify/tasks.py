"""Jobs that talk to the outside: retried with growing delays, never run inside a request."""

from __future__ import annotations

from goodstanding.kit.jobs import huey, job_context
from goodstanding.notify.email import RenderedEmail, deliver
from goodstanding.notify.sms import sms_provider


@huey.task(retries=5, retry_delay=30, retry_backoff=2)  # type: ignore[untyped-decorator]
def send_email_task(to: str, subject: str, text: str, html: str) -> None:
    deliver(job_context().settings, RenderedEmail(to=to, subject=subject, text=text, html=html))


@huey.task(retries=5, retry_delay=30, retry_backoff=2)  # type: ignore[untyped-decorator]
def send_sms_task(to: str, body: str) -> None:
    sms_provider(job_context().settings).send(to, body)
