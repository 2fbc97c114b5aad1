"""GET /api/v1/sellers/{id}/metrics."""

from __future__ import annotations

from fastapi.testclient import TestClient

from goodstanding.integrations.service import Scope
from goodstanding.kit.db import Database
from tests.events.factories import bearer, placed, raw

EVENTS = [
    placed("p1", "o1", "2024-06-28T10:00:00Z"),
    placed("p2", "o2", "2024-06-28T11:00:00Z"),
    raw("c1", "order.cancelled", "2024-06-29T10:00:00Z", order_id="o1", by="seller"),
]


class TestSellerMetricsApi:
    def test_returns_every_metric_with_its_window_target_and_status(
        self, client: TestClient, database: Database
    ) -> None:
        client.post("/api/v1/events", json=EVENTS, headers=bearer(database, Scope.events_write))

        response = client.get(
            "/api/v1/sellers/s1/metrics",
            params={"as_of": "2024-06-30"},
            headers=bearer(database, Scope.sellers_read),
        )

        assert response.status_code == 200
        body = response.json()
        assert (body["seller_id"], body["as_of"]) == ("s1", "2024-06-30")
        cancel = next(item for item in body["metrics"] if item["metric"] == "cancel_rate")
        assert cancel == {
            "metric": "cancel_rate",
            "numerator": 1,
            "denominator": 2,
            "value": "0.5",
            "window_start": "2024-06-24",
            "window_end": "2024-06-30",
            "target": "0.025",
            "status": "not_enough_orders",
        }
        tracking = next(item for item in body["metrics"] if item["metric"] == "valid_tracking_rate")
        assert tracking["value"] is None

    def test_unknown_seller_is_404_and_a_bad_date_422(
        self, client: TestClient, database: Database
    ) -> None:
        headers = bearer(database, Scope.sellers_read)

        missing = client.get("/api/v1/sellers/nobody/metrics", headers=headers)
        bad_date = client.get(
            "/api/v1/sellers/s1/metrics", params={"as_of": "30/06/2024"}, headers=headers
        )

        assert missing.status_code == 404
        assert missing.json()["type"] == "/problems/unknown-seller"
        assert bad_date.status_code == 422
        assert bad_date.headers["content-type"] == "application/problem+json"

    def test_needs_the_sellers_read_scope(self, client: TestClient, database: Database) -> None:
        headers = bearer(database, Scope.events_write)
        assert client.get("/api/v1/sellers/s1/metrics", headers=headers).status_code == 403
