"""POST /api/v1/events: JSON arrays and NDJSON, counts, limits and problems."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from goodstanding.events.service import MAX_BATCH
from goodstanding.integrations.service import Scope
from goodstanding.kit.db import Database
from tests.events.factories import bearer, placed, raw

DELIVERED = raw("e2", "order.delivered", "2024-06-05T09:00:00Z", order_id="o1")


class TestPostEvents:
    def test_json_array_is_taken_in_and_a_retry_is_all_duplicates(
        self, client: TestClient, database: Database
    ) -> None:
        headers = bearer(database, Scope.events_write)
        batch = [placed("e1", "o1"), DELIVERED, {**DELIVERED, "event_id": "e3", "type": "nope"}]

        first = client.post("/api/v1/events", json=batch, headers=headers)
        retry = client.post("/api/v1/events", json=batch, headers=headers)

        assert first.status_code == 200
        body = first.json()
        assert (body["accepted"], body["duplicate"], body["refused"]) == (2, 0, 1)
        assert body["refused_events"] == [
            {"index": 2, "event_id": "e3", "reason": "type: unknown event type 'nope'"}
        ]
        assert (retry.json()["accepted"], retry.json()["duplicate"]) == (0, 2)

    def test_the_reply_closes_the_connection_so_the_next_batch_finds_a_free_server_process(
        self, client: TestClient, database: Database
    ) -> None:
        response = client.post(
            "/api/v1/events",
            json=[placed("e1", "o1")],
            headers=bearer(database, Scope.events_write),
        )

        assert response.status_code == 200
        assert response.headers["connection"] == "close"

    def test_ndjson_refuses_an_unreadable_line_and_keeps_the_others(
        self, client: TestClient, database: Database
    ) -> None:
        body = "\n".join([json.dumps(placed("e1", "o1")), "{oops", "", json.dumps(DELIVERED)])

        response = client.post(
            "/api/v1/events",
            content=body.encode(),
            headers={
                **bearer(database, Scope.events_write),
                "Content-Type": "application/x-ndjson",
            },
        )

        assert response.status_code == 200
        assert response.json()["accepted"] == 2
        [refused] = response.json()["refused_events"]
        assert (refused["index"], refused["event_id"]) == (1, None)
        assert refused["reason"].startswith("line 2: invalid JSON")

    def test_more_than_the_batch_limit_is_413(self, client: TestClient, database: Database) -> None:
        response = client.post(
            "/api/v1/events",
            json=[{}] * (MAX_BATCH + 1),
            headers=bearer(database, Scope.events_write),
        )

        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "/problems/too-many-events"

    def test_malformed_json_and_a_non_array_are_400(
        self, client: TestClient, database: Database
    ) -> None:
        headers = {**bearer(database, Scope.events_write), "Content-Type": "application/json"}
        for body in (b"[{", b'{"event_id": "e1"}', b"\xff\xfe"):
            response = client.post("/api/v1/events", content=body, headers=headers)
            assert response.status_code == 400, body
            assert response.json()["type"] == "/problems/malformed-events"

    def test_needs_an_api_key_with_the_events_scope(
        self, client: TestClient, database: Database
    ) -> None:
        assert client.post("/api/v1/events", json=[]).status_code == 401
        wrong_scope = bearer(database, Scope.sellers_read)
        assert client.post("/api/v1/events", json=[], headers=wrong_scope).status_code == 403
