"""Raw wire events and API keys for intake and metrics tests."""

from __future__ import annotations

from typing import Any

from goodstanding.integrations.service import Scope, api_keys
from goodstanding.kit.db import Database


def raw(event_id: str, event_type: str, at: str, **data: Any) -> dict[str, Any]:
    return {"event_id": event_id, "type": event_type, "occurred_at": at, "data": data}


def placed(
    event_id: str,
    order_id: str,
    at: str = "2024-06-01T10:00:00Z",
    *,
    seller_id: str = "s1",
    channel: str = "seller",
    ship_by: str = "2024-06-03T10:00:00Z",
    deliver_by: str = "2024-06-08T10:00:00Z",
) -> dict[str, Any]:
    return raw(
        event_id,
        "order.placed",
        at,
        order_id=order_id,
        seller_id=seller_id,
        buyer_id="b1",
        channel=channel,
        amount="10.00",
        currency="EUR",
        expected_ship_by=ship_by,
        expected_delivery_by=deliver_by,
        items=[{"listing_id": "l1", "quantity": 1}],
    )


def bearer(database: Database, *scopes: Scope) -> dict[str, str]:
    """Authorization headers of a fresh API key with ``scopes``."""
    with database.transaction() as db:
        issued = api_keys.issue(db, name="test", scopes=list(scopes))
    return {"Authorization": f"Bearer {issued.plaintext}"}
