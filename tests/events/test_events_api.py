"""POST /api/v1/events: JSON arrays and NDJSON, counts, limits and problems."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from goodstanding.events.service import MAX_BATCH, event_service
from goodstanding.integrations.service import Scope
from goodstanding.kit.db import Database
from goodstanding.models.seller import Seller
from goodstanding.web.deps import DbSession
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


class TestIntakeInAServerProcess:
    """A server process serves several requests on one event loop. A request's commit is
    scheduled by the loop, so a batch that waited for a lock on the loop would wait for ever for
    a request of the same process holding it (here until a lock timeout of 3 s, then fail)."""

    @pytest.fixture(autouse=True)
    def short_lock_waits(self, database: Database, store: str) -> None:
        @event.listens_for(database.engine, "connect")
        def wait_three_seconds(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            if store == "postgresql":
                cursor.execute("SET lock_timeout = '3s'")
            else:
                cursor.execute("PRAGMA busy_timeout = 3000")
            cursor.close()

        database.engine.dispose()

    def test_a_batch_waiting_for_a_lock_another_request_of_the_process_holds_gets_it(
        self,
        app: FastAPI,
        database: Database,
        store: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        headers = bearer(database, Scope.events_write)
        holding, batch_started = threading.Event(), threading.Event()
        holder = APIRouter()

        @holder.post("/test/hold-the-order")
        def hold_the_order(db: DbSession) -> None:
            if store == "postgresql":  # the lock intake takes for writing order o1
                db.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('o1', 0))"))
            else:  # SQLite's one write lock
                db.add(Seller(id="s-holder"))
                db.flush()
            holding.set()
            batch_started.wait(timeout=10)
            time.sleep(0.3)  # the batch is waiting for the lock by now

        app.include_router(holder)
        take_in = event_service.ingest

        def start_then_take_in(*arguments: Any, **options: Any) -> Any:
            batch_started.set()
            return take_in(*arguments, **options)

        monkeypatch.setattr(event_service, "ingest", start_then_take_in)
        with TestClient(app) as client, ThreadPoolExecutor(2) as requests:
            held = requests.submit(client.post, "/test/hold-the-order")
            assert holding.wait(timeout=10)
            batch = requests.submit(
                client.post, "/api/v1/events", json=[placed("e1", "o1")], headers=headers
            )
            assert held.result().status_code == 200
            assert batch.result().status_code == 200
        assert batch.result().json()["accepted"] == 1

    def test_concurrent_batches_are_taken_in_one_at_a_time_and_all_kept(
        self, client: TestClient, database: Database, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Their API key's first use is written by each (it is the same row)."""
        headers = bearer(database, Scope.events_write)
        taking_in: list[int] = []
        most_at_once = 0
        take_in = event_service.ingest

        def counted(*arguments: Any, **options: Any) -> Any:
            nonlocal most_at_once
            taking_in.append(1)
            most_at_once = max(most_at_once, len(taking_in))
            time.sleep(0.2)
            try:
                return take_in(*arguments, **options)
            finally:
                taking_in.pop()

        monkeypatch.setattr(event_service, "ingest", counted)
        batches = [[placed(f"e{number}", f"o{number}")] for number in range(3)]
        with ThreadPoolExecutor(3) as requests:
            replies = list(
                requests.map(
                    lambda batch: client.post("/api/v1/events", json=batch, headers=headers),
                    batches,
                )
            )

        assert [reply.status_code for reply in replies] == [200, 200, 200]
        assert most_at_once == 1
