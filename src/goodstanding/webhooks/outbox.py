"""Publishing an event for the marketplace: a row in the outbox, in the caller's transaction.

The same transaction fans the message out to a delivery row per subscribed endpoint, so an event
exists exactly when the change it reports does; delivery runs in a job once it commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.kit.jobs import enqueue
from goodstanding.models.webhook_delivery import WebhookDelivery
from goodstanding.models.webhook_endpoint import WebhookEndpoint
from goodstanding.models.webhook_message import WebhookMessage


def publish(db: Session, event_type: str, subject_id: str, data: dict[str, Any]) -> WebhookMessage:
    from goodstanding.webhooks.tasks import deliver_due_task

    message = WebhookMessage(event_type=event_type, subject_id=subject_id, payload=data)
    db.add(message)
    db.flush()
    endpoints = db.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))).all()
    subscribed = [e for e in endpoints if not e.event_types or event_type in e.event_types]
    for endpoint in subscribed:
        db.add(
            WebhookDelivery(
                endpoint_id=endpoint.id,
                message_sequence=message.sequence,
                subject_id=subject_id,
            )
        )
    if subscribed:
        enqueue(db, deliver_due_task)
    return message
