"""Webhook endpoints and the delivery log, for the marketplace's systems (scope webhooks:manage)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from goodstanding.integrations.deps import require_api_key
from goodstanding.integrations.service import Scope
from goodstanding.kit.crypto import Keyring
from goodstanding.kit.jobs import enqueue
from goodstanding.models.webhook_delivery import WebhookDelivery
from goodstanding.models.webhook_endpoint import WebhookEndpoint
from goodstanding.models.webhook_message import WebhookMessage
from goodstanding.web.deps import DbSession
from goodstanding.webhooks.schemas import DeliveryOut, EndpointCreate, EndpointCreated, EndpointOut
from goodstanding.webhooks.service import WebhookService
from goodstanding.webhooks.tasks import deliver_due_task

router = APIRouter(
    prefix="/api/v1/webhooks",
    tags=["webhooks"],
    dependencies=[Depends(require_api_key(Scope.webhooks_manage))],
)


def webhook_service(request: Request) -> WebhookService:
    return WebhookService(Keyring.single(request.app.state.settings.encryption_key_bytes))


Service = Annotated[WebhookService, Depends(webhook_service)]


def _endpoint_out(endpoint: WebhookEndpoint) -> EndpointOut:
    return EndpointOut.model_validate(endpoint, from_attributes=True)


def _delivery_out(delivery: WebhookDelivery, message: WebhookMessage) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        message_id=message.id,
        event_type=message.event_type,
        subject_id=delivery.subject_id,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        delivered_at=delivery.delivered_at,
    )


@router.post("/endpoints", status_code=201)
def add_endpoint(body: EndpointCreate, db: DbSession, service: Service) -> EndpointCreated:
    created = service.add_endpoint(
        db, url=str(body.url), event_types=body.event_types, description=body.description
    )
    return EndpointCreated(
        **_endpoint_out(created.endpoint).model_dump(), secret=str(created.secret)
    )


@router.get("/endpoints")
def list_endpoints(db: DbSession, service: Service) -> list[EndpointOut]:
    return [_endpoint_out(endpoint) for endpoint in service.endpoints(db)]


@router.delete("/endpoints/{endpoint_id}")
def disable_endpoint(endpoint_id: str, db: DbSession, service: Service) -> EndpointOut:
    return _endpoint_out(service.disable(db, endpoint_id))


@router.get("/deliveries")
def list_deliveries(
    db: DbSession, service: Service, endpoint_id: str | None = None
) -> list[DeliveryOut]:
    return [
        _delivery_out(delivery, message)
        for delivery, message in service.deliveries(db, endpoint_id=endpoint_id)
    ]


@router.post("/deliveries/{delivery_id}/redeliver")
def redeliver(delivery_id: str, db: DbSession, service: Service) -> dict[str, str]:
    delivery = service.redeliver(db, delivery_id)
    enqueue(db, deliver_due_task)
    return {"id": delivery.id, "status": delivery.status}
