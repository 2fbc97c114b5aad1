"""Webhook endpoints and delivery: signed per Standard Webhooks, retried with growing delays, in
order per subject (a seller's events never overtake each other), logged for operators.

The ``webhook-id`` header is the message id on every attempt, so a receiver that saw an attempt
succeed can recognise a repeat; we never repeat after a 2xx.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from goodstanding.kit.clock import utcnow
from goodstanding.kit.crypto import Keyring
from goodstanding.kit.db import Database
from goodstanding.kit.errors import InvalidInput, NotFound
from goodstanding.models.webhook_delivery import WebhookDelivery
from goodstanding.models.webhook_endpoint import WebhookEndpoint
from goodstanding.models.webhook_message import WebhookMessage
from goodstanding.webhooks.signing import WebhookSecret, signature_headers

MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=6)
TIMEOUT_SECONDS = 10.0
# A claimed attempt is someone's for this long; a worker that died mid-send frees it after.
CLAIM_LEASE = timedelta(minutes=2)


class Sender(Protocol):
    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> int: ...


def http_sender(url: str, body: bytes, headers: dict[str, str]) -> int:
    response = httpx.post(
        url,
        content=body,
        headers={**headers, "content-type": "application/json"},
        timeout=TIMEOUT_SECONDS,
        follow_redirects=False,
    )
    return response.status_code


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... doubling up to 6 hours."""
    delay: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(delay, LONGEST_RETRY)


def message_body(message: WebhookMessage) -> bytes:
    return json.dumps(
        {
            "type": message.event_type,
            "timestamp": message.created_at.isoformat().replace("+00:00", "Z"),
            "data": message.payload,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: WebhookEndpoint
    secret: WebhookSecret


class WebhookService:
    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def add_endpoint(
        self, db: Session, *, url: str, event_types: list[str], description: str = ""
    ) -> NewEndpoint:
        if not url.startswith(("https://", "http://")):
            raise InvalidInput("The endpoint URL must start with https:// (or http:// in tests).")
        secret = WebhookSecret.generate()
        endpoint = WebhookEndpoint(
            url=url,
            description=description,
            event_types=sorted(set(event_types)),
            secret_encrypted=b"",
        )
        db.add(endpoint)
        db.flush()
        endpoint.secret_encrypted = self.keyring.encrypt(str(secret).encode(), endpoint.id.encode())
        return NewEndpoint(endpoint=endpoint, secret=secret)

    def secret_of(self, endpoint: WebhookEndpoint) -> WebhookSecret:
        raw = self.keyring.decrypt(endpoint.secret_encrypted, endpoint.id.encode())
        return WebhookSecret.parse(raw.decode())

    def endpoints(self, db: Session) -> list[WebhookEndpoint]:
        return list(db.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.created_at)))

    def disable(self, db: Session, endpoint_id: str) -> WebhookEndpoint:
        endpoint = db.get(WebhookEndpoint, endpoint_id)
        if endpoint is None:
            raise NotFound("No such webhook endpoint.")
        endpoint.active = False
        return endpoint

    def deliveries(
        self, db: Session, *, endpoint_id: str | None = None, limit: int = 100
    ) -> list[tuple[WebhookDelivery, WebhookMessage]]:
        query = (
            select(WebhookDelivery, WebhookMessage)
            .join(WebhookMessage, WebhookMessage.sequence == WebhookDelivery.message_sequence)
            .order_by(WebhookDelivery.message_sequence.desc())
            .limit(limit)
        )
        if endpoint_id is not None:
            query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
        return [(delivery, message) for delivery, message in db.execute(query).tuples()]

    def redeliver(self, db: Session, delivery_id: str) -> WebhookDelivery:
        delivery = db.get(WebhookDelivery, delivery_id)
        if delivery is None:
            raise NotFound("No such delivery.")
        delivery.status = WebhookDelivery.Status.pending
        delivery.next_attempt_at = utcnow()
        return delivery

    def deliver_due(self, database: Database, send: Sender = http_sender) -> int:
        """Attempt every due delivery in rounds; returns how many were delivered.

        Each round claims, per (endpoint, subject) lane, only the oldest undelivered message, and
        only if it is due: a seller's events never overtake each other. The claim is a conditional
        UPDATE that pushes ``next_attempt_at`` past a lease, so two workers never send the same
        attempt. Requests go out between transactions, never holding a database lock.
        """
        delivered = 0
        while claimed := self._claim_round(database):
            results = [(attempt, self._send(attempt, send)) for attempt in claimed]
            with database.transaction() as db:
                for attempt, (status, error) in results:
                    delivered += self._record(db, attempt.delivery_id, status, error)
        return delivered

    def _claim_round(self, database: Database) -> list[_Attempt]:
        now = utcnow()
        with database.transaction() as db:
            rows = db.execute(
                select(WebhookDelivery, WebhookMessage, WebhookEndpoint)
                .join(WebhookMessage, WebhookMessage.sequence == WebhookDelivery.message_sequence)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(WebhookDelivery.status != WebhookDelivery.Status.delivered)
                .order_by(WebhookDelivery.message_sequence)
            ).tuples()
            seen_lanes: set[tuple[str, str]] = set()
            claimed: list[_Attempt] = []
            for delivery, message, endpoint in rows:
                lane = (delivery.endpoint_id, delivery.subject_id)
                if lane in seen_lanes:
                    continue
                seen_lanes.add(lane)
                due = (
                    delivery.status == WebhookDelivery.Status.pending
                    and delivery.next_attempt_at <= now
                    and endpoint.active
                )
                if due and self._claim(db, delivery.id, now):
                    claimed.append(
                        _Attempt(delivery.id, endpoint.url, self.secret_of(endpoint), message)
                    )
            return claimed

    @staticmethod
    def _claim(db: Session, delivery_id: str, now: datetime) -> bool:
        result = db.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == WebhookDelivery.Status.pending,
                WebhookDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + CLAIM_LEASE)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    @staticmethod
    def _send(attempt: _Attempt, send: Sender) -> tuple[int | None, str | None]:
        body = message_body(attempt.message)
        headers = signature_headers(
            [attempt.secret],
            msg_id=attempt.message.id,
            timestamp=int(utcnow().timestamp()),
            body=body,
        )
        try:
            status = send(attempt.url, body, headers)
        except httpx.HTTPError as failure:
            return None, f"{type(failure).__name__}: {failure}"[:500]
        return status, None if 200 <= status < 300 else f"HTTP {status}"

    @staticmethod
    def _record(db: Session, delivery_id: str, status: int | None, error: str | None) -> int:
        delivery = db.get(WebhookDelivery, delivery_id)
        if delivery is None:  # endpoint deleted meanwhile
            return 0
        delivery.attempts += 1
        delivery.last_status_code = status
        delivery.last_error = error
        if error is None:
            delivery.status = WebhookDelivery.Status.delivered
            delivery.delivered_at = utcnow()
            return 1
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.dead
        else:
            delivery.next_attempt_at = utcnow() + retry_delay(delivery.attempts)
        return 0


@dataclass(frozen=True)
class _Attempt:
    delivery_id: str
    url: str
    secret: WebhookSecret
    message: WebhookMessage
