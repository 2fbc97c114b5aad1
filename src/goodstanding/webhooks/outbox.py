"""Publishing an event for the marketplace: a row in the outbox, in the caller's transaction.

Delivery (signing, retries, the delivery log) reads the outbox after commit, so an event exists
exactly when the change it reports does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from goodstanding.models.webhook_message import WebhookMessage


def publish(db: Session, event_type: str, subject_id: str, data: dict[str, Any]) -> WebhookMessage:
    message = WebhookMessage(event_type=event_type, subject_id=subject_id, payload=data)
    db.add(message)
    db.flush()
    return message
