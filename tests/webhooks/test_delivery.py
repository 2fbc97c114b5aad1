"""Webhook delivery: retried until accepted, exactly once, in order per seller, signed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import standardwebhooks  # an independent implementation of the Standard Webhooks algorithm
from fastapi.testclient import TestClient

from goodstanding.config import Settings
from goodstanding.integrations.service import Scope, api_keys
from goodstanding.kit.clock import clock
from goodstanding.kit.crypto import Keyring
from goodstanding.kit.db import Database
from goodstanding.models.webhook_delivery import WebhookDelivery
from goodstanding.webhooks.outbox import publish
from goodstanding.webhooks.service import MAX_ATTEMPTS, WebhookService


@dataclass
class Receiver:
    """A marketplace endpoint that refuses its first ``failures`` requests."""

    failures: int
    requests: int = 0
    accepted: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[tuple[str, Receiver]]:
    state = Receiver(failures=3)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["content-length"]))
            state.requests += 1
            if state.requests <= state.failures:
                self.send_response(503)
            else:
                state.accepted.append((dict(self.headers.items()), body))
                self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hooks", state
    server.shutdown()


@pytest.fixture
def service(settings: Settings) -> WebhookService:
    return WebhookService(Keyring.single(settings.encryption_key_bytes))


def run_until_quiet(service: WebhookService, database: Database, rounds: int = 20) -> None:
    for _ in range(rounds):
        service.deliver_due(database)
        clock.advance(timedelta(hours=7))


def test_failing_receiver_gets_every_event_once_in_order(
    database: Database, service: WebhookService, receiver: tuple[str, Receiver]
) -> None:
    url, state = receiver
    with database.transaction() as db:
        created = service.add_endpoint(db, url=url, event_types=[])
    with database.transaction() as db:
        for step in range(3):
            publish(
                db, "seller.standing_changed", "seller-a", {"seller_id": "seller-a", "step": step}
            )
            publish(db, "violation.opened", "seller-b", {"seller_id": "seller-b", "step": step})

    run_until_quiet(service, database)

    events = [json.loads(body) for _headers, body in state.accepted]
    ids = [headers["webhook-id"] for headers, _body in state.accepted]
    assert len(events) == 6
    assert len(set(ids)) == 6  # exactly once each
    for seller in ("seller-a", "seller-b"):
        steps = [e["data"]["step"] for e in events if e["data"]["seller_id"] == seller]
        assert steps == [0, 1, 2]  # never out of order within a seller
    # The test moved our clock forward, so recompute each signature with the independent
    # implementation at the stated timestamp instead of letting it compare with the real time.
    verifier = standardwebhooks.Webhook(str(created.secret))
    for headers, body in state.accepted:
        stated = datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC)
        expected = verifier.sign(headers["webhook-id"], stated, body.decode())
        assert expected in headers["webhook-signature"].split(" ")
    with database.transaction() as db:
        log = service.deliveries(db)
    assert {delivery.status for delivery, _ in log} == {WebhookDelivery.Status.delivered}
    assert sum(delivery.attempts for delivery, _ in log) == 6 + 3


def test_unsubscribed_types_are_not_sent(
    database: Database, service: WebhookService, receiver: tuple[str, Receiver]
) -> None:
    url, state = receiver
    state.failures = 0
    with database.transaction() as db:
        service.add_endpoint(db, url=url, event_types=["case.decided"])
    with database.transaction() as db:
        publish(db, "account.signed_in", "acc-1", {"account_id": "acc-1"})
        publish(db, "case.decided", "acc-1", {"case_id": "c1"})
    run_until_quiet(service, database, rounds=2)
    assert [json.loads(body)["type"] for _h, body in state.accepted] == ["case.decided"]


def test_gives_up_then_redelivers_on_request(
    database: Database, service: WebhookService, receiver: tuple[str, Receiver]
) -> None:
    url, state = receiver
    state.failures = MAX_ATTEMPTS
    with database.transaction() as db:
        service.add_endpoint(db, url=url, event_types=[])
    with database.transaction() as db:
        publish(db, "violation.opened", "seller-a", {"n": 1})
    run_until_quiet(service, database, rounds=MAX_ATTEMPTS + 2)
    with database.transaction() as db:
        [(delivery, _message)] = service.deliveries(db)
        assert delivery.status == WebhookDelivery.Status.dead
        assert delivery.attempts == MAX_ATTEMPTS
        service.redeliver(db, delivery.id)
    service.deliver_due(database)
    assert len(state.accepted) == 1


def test_api_manages_endpoints_and_shows_the_log(client: TestClient, database: Database) -> None:
    with database.transaction() as db:
        key = api_keys.issue(db, name="ops", scopes=[Scope.webhooks_manage]).plaintext
    auth = {"authorization": f"Bearer {key}"}
    assert client.get("/api/v1/webhooks/endpoints").status_code == 401
    created = client.post(
        "/api/v1/webhooks/endpoints",
        json={"url": "https://marketplace.example/hooks", "event_types": ["case.decided"]},
        headers=auth,
    )
    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    listed = client.get("/api/v1/webhooks/endpoints", headers=auth).json()
    assert [endpoint["url"] for endpoint in listed] == ["https://marketplace.example/hooks"]
    assert "secret" not in listed[0]
    assert client.get("/api/v1/webhooks/deliveries", headers=auth).json() == []
    bad = client.post("/api/v1/webhooks/endpoints", json={"url": "not a url"}, headers=auth)
    assert bad.status_code == 422
