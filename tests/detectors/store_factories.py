"""Builders for the detectors' store tests: wire events, a seller with an account, and a
screen that runs the rule layers only, so most tests never load the embedding model."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.accounts.passwords import hash_password
from goodstanding.detectors.listings import screen
from goodstanding.detectors.listings.service import listing_screening, screen_by_rules
from goodstanding.detectors.reviews.screen import Signal
from goodstanding.detectors.reviews.service import review_screening
from goodstanding.models.account import Account
from goodstanding.models.webhook_message import WebhookMessage
from tests.policy.store_factories import add_seller

AT = "2026-11-20T10:00:00Z"


def listing_event(
    event_id: str,
    listing_id: str,
    title: str,
    *,
    event_type: str = "listing.created",
    seller_id: str = "seller-1",
    description: str = "",
    category: str = "",
    brand: str = "",
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": event_type,
        "occurred_at": AT,
        "data": {
            "listing_id": listing_id,
            "seller_id": seller_id,
            "title": title,
            "description": description,
            "category": category,
            "brand": brand,
        },
    }


def review_event(
    event_id: str,
    review_id: str,
    text: str,
    *,
    seller_id: str = "seller-1",
    reviewer_id: str = "buyer-7",
    stars: int = 5,
    at: str = AT,
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": "review.posted",
        "occurred_at": at,
        "data": {
            "review_id": review_id,
            "listing_id": "listing-1",
            "seller_id": seller_id,
            "reviewer_id": reviewer_id,
            "order_id": None,
            "stars": stars,
            "text": text,
        },
    }


def seller_with_account(db: Session, seller_id: str = "seller-1", **fields: Any) -> Account:
    account = Account(
        name="Sam", email=f"{seller_id}@shop.example", password_hash=hash_password("x" * 12)
    )
    db.add(account)
    db.flush()
    add_seller(db, seller_id, account_id=account.id, **fields)
    return account


def webhooks(db: Session, event_type: str) -> list[WebhookMessage]:
    return list(
        db.scalars(
            select(WebhookMessage)
            .where(WebhookMessage.event_type == event_type)
            .order_by(WebhookMessage.sequence)
        )
    )


def _rules_only(
    listings: Sequence[screen.Listing], policy: screen.ScreeningPolicy
) -> list[screen.ScreeningResult]:
    return [screen_by_rules(listing, policy) for listing in listings]


class TextLayerCalls:
    """A stand-in for the review text model that records what it was asked."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, text: str) -> list[Signal]:
        self.texts.append(text)
        return []


@pytest.fixture
def no_embedding_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[TextLayerCalls]:
    """Listing and review hooks with the embedding layers replaced (rules only, no torch)."""
    calls = TextLayerCalls()
    monkeypatch.setattr(listing_screening, "full_screen", _rules_only)
    monkeypatch.setattr(review_screening, "text_layer", calls)
    yield calls
