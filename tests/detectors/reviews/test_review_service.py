"""Review events through intake: stored, screened, and manipulation signalled to the policy engine.

Reviews here were written for these tests. The text model is replaced by a recorder
(``no_embedding_model``), so these tests show when it is and is not consulted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from goodstanding.detectors.signals import open_signals
from goodstanding.events.service import event_service
from goodstanding.kit.db import Database
from goodstanding.models.review import StoredReview
from goodstanding.models.violation import Violation
from goodstanding.policy.enums import Signal
from tests.detectors.store_factories import TextLayerCalls, no_embedding_model, review_event
from tests.policy.store_factories import add_seller

__all__ = ["no_embedding_model"]  # the fixture, used by name


def review(database: Database, review_id: str) -> StoredReview:
    with database.transaction() as db:
        row = db.get(StoredReview, review_id)
        assert row is not None
        db.expunge(row)
        return row


class TestIncentiveDisclosure:
    @pytest.mark.parametrize(
        "text",
        [
            "I received this product for free in exchange for my honest review. Love it!",
            "Me regalaron el producto a cambio de una reseña de cinco estrellas.",
        ],
    )
    def test_signals_review_manipulation_and_opens_the_violation(
        self, database: Database, no_embedding_model: TextLayerCalls, text: str
    ) -> None:
        with database.transaction() as db:
            add_seller(db)
            event_service.ingest(db, [review_event("e1", "review-1", text)])
        row = review(database, "review-1")
        assert row.is_fake and row.reasons
        assert no_embedding_model.texts == []  # decided without the text model
        with database.transaction() as db:
            [signal] = open_signals(db, "seller-1")
            assert (signal.signal, signal.subject) == (Signal.REVIEW_MANIPULATION, "review-1")
            assert signal.confidence >= 0.8
            policies = {v.policy_id for v in db.scalars(select(Violation))}
        assert "review_manipulation" in policies


class TestOrdinaryReview:
    def test_is_stored_unflagged_after_the_text_model(
        self, database: Database, no_embedding_model: TextLayerCalls
    ) -> None:
        text = "Arrived quickly and the strap fits well. The colour is a bit darker than shown."
        with database.transaction() as db:
            add_seller(db)
            event_service.ingest(db, [review_event("e1", "review-1", text, stars=4)])
        row = review(database, "review-1")
        assert (row.is_fake, row.reasons, row.stars) == (False, [], 4)
        assert no_embedding_model.texts == [text]
        with database.transaction() as db:
            assert open_signals(db, "seller-1") == []


@pytest.mark.usefixtures("no_embedding_model")
class TestRelations:
    def test_the_seller_reviewing_itself_is_flagged(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db)
            event_service.ingest(
                db, [review_event("e1", "review-1", "Great shop", reviewer_id="seller-1")]
            )
        row = review(database, "review-1")
        assert row.is_fake
        assert row.reasons == ["reviewer seller-1 is the seller"]

    def test_a_reviewer_who_only_reviews_this_seller_adds_a_reason(
        self, database: Database
    ) -> None:
        with database.transaction() as db:
            add_seller(db)
            event_service.ingest(
                db,
                [
                    review_event(f"e{n}", f"review-{n}", "Fine.", at=f"2026-11-1{n}T10:00:00Z")
                    for n in range(1, 4)
                ],
            )
        third = review(database, "review-3")
        assert third.reasons == ["reviewer buyer-7 wrote 3 reviews, all for seller seller-1"]
        assert review(database, "review-1").reasons == []  # not yet a pattern then

    def test_a_reviewer_linked_to_the_seller_is_flagged(self, database: Database) -> None:
        def signed_in(event_id: str, account_id: str) -> dict[str, object]:
            return {
                "event_id": event_id,
                "type": "account.signed_in",
                "occurred_at": "2026-11-19T10:00:00Z",
                "data": {
                    "account_id": account_id,
                    "ip": "203.0.113.9",
                    "device_id": "device-shared-1",
                    "user_agent": "test",
                },
            }

        with database.transaction() as db:
            add_seller(db)
            event_service.ingest(db, [signed_in("s1", "seller-1"), signed_in("s2", "buyer-9")])
            event_service.ingest(
                db, [review_event("e1", "review-1", "Great shop", reviewer_id="buyer-9")]
            )
        row = review(database, "review-1")
        assert row.is_fake
        assert row.reasons == [
            "reviewer buyer-9 is linked to seller seller-1 (shared device, IP or payout account)"
        ]
