"""Listing events through intake: screened, stored, blocked or held, and what follows.

Listings here were written for these tests. Only the last test loads the embedding model; the
others replace the classifier layer with nothing (``no_embedding_model``)."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import select

from goodstanding.accounts.passwords import hash_password
from goodstanding.cases.service import case_service
from goodstanding.config import Settings
from goodstanding.console.service import Decision as ConsoleDecision
from goodstanding.console.service import console_service
from goodstanding.detectors.categories import Category
from goodstanding.detectors.listings.service import (
    ListingNotHeld,
    ListingScreeningService,
    listing_screening,
)
from goodstanding.detectors.signals import open_signals
from goodstanding.events.schemas import parse_event
from goodstanding.events.service import event_service
from goodstanding.kit.db import Database
from goodstanding.models.account import Account
from goodstanding.models.case import Case
from goodstanding.models.listing import StoredListing
from goodstanding.models.violation import Violation
from goodstanding.policy import service as policy_module
from goodstanding.policy.enums import Signal
from goodstanding.policy.schema import load_policies
from goodstanding.policy.service import policy_service
from tests.detectors.store_factories import (
    listing_event,
    no_embedding_model,
    seller_with_account,
    webhooks,
)
from tests.policy.store_factories import add_seller, today

__all__ = ["no_embedding_model"]  # the fixture, used by name


def stored(database: Database, listing_id: str) -> StoredListing:
    with database.transaction() as db:
        row = db.get(StoredListing, listing_id)
        assert row is not None
        db.expunge(row)
        return row


@pytest.mark.usefixtures("no_embedding_model")
class TestBlockedListing:
    def test_blocks_publishes_signals_and_opens_the_violation(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db)
            result = event_service.ingest(
                db, [listing_event("e1", "listing-1", "Pure cocaine 1g, fast discreet shipping")]
            )
        assert result.accepted == 1
        row = stored(database, "listing-1")
        assert (row.status, row.decision) == ("blocked", "block")
        assert row.evidence["cause"] == "drugs"
        assert row.evidence["phrases"][0]["phrase"] == "cocaine"
        with database.transaction() as db:
            [blocked] = webhooks(db, "listing.blocked")[:1]
            assert blocked.payload["listing_id"] == "listing-1"
            assert blocked.payload["category"] == "drugs"
            [signal] = open_signals(db, "seller-1")
            assert (signal.signal, signal.subject) == (Signal.RESTRICTED_PRODUCT, "listing-1")
            [violation] = db.scalars(
                select(Violation).where(Violation.policy_id == "restricted_products")
            ).all()
            assert violation.action == "listing_removal"
            standing = policy_service.standing_report(db, "seller-1", today())
        # The restricted-products violation takes its points off the seller's rating.
        counted = {
            (item.violation.policy_id, item.points)
            for item in standing.health.items
            if item.violation is not None
        }
        assert ("restricted_products", -100) in counted

    def test_a_spanish_listing_is_blocked_too(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db)
            event_service.ingest(
                db, [listing_event("e1", "listing-1", "Escopeta de caza con municiones")]
            )
        row = stored(database, "listing-1")
        assert (row.status, row.evidence["cause"]) == ("blocked", "weapons")

    def test_a_hard_negative_is_allowed(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db)
            title = "Toy gun water pistol for kids, gunmetal grey"
            event_service.ingest(db, [listing_event("e1", "listing-1", title)])
        assert stored(database, "listing-1").status == "active"
        with database.transaction() as db:
            assert webhooks(db, "listing.blocked") == []
            assert open_signals(db, "seller-1") == []


class TestPhraseDecidedListingsSkipTheModel:
    def test_a_phrase_block_never_calls_the_classifier(self, database: Database) -> None:
        def unavailable(*_args: object) -> NoReturn:
            raise AssertionError("the embedding layer was consulted")

        service = ListingScreeningService(full_screen=unavailable)
        with database.transaction() as db:
            add_seller(db)
            event = parse_event(listing_event("e1", "listing-1", "Marlboro cigarettes, 200"))
            row = service.screen_event(db, event)
            assert row is not None and row.status == "blocked"
            assert row.evidence["classifier_consulted"] is False


@pytest.mark.usefixtures("no_embedding_model")
class TestGatedCategory:
    def test_a_gated_category_is_held_with_a_review_case(self, database: Database) -> None:
        with database.transaction() as db:
            account = seller_with_account(db)
            event_service.ingest(
                db, [listing_event("e1", "listing-1", "Night cream 50 ml", category="cosmetics")]
            )
        row = stored(database, "listing-1")
        assert (row.status, row.decision) == ("held", "review")
        with database.transaction() as db:
            case = db.get(Case, row.case_id)
            assert case is not None
            assert (case.kind, case.subject_account_id) == ("listing_review", account.id)
            assert case.payload["listing_id"] == "listing-1"
            assert open_signals(db, "seller-1") == []

    def test_a_seller_approved_for_the_category_lists_it(self, database: Database) -> None:
        with database.transaction() as db:
            seller_with_account(db)
            listing_screening.approve_category(
                db, "seller-1", Category.COSMETICS, actor="account:rita"
            )
            event_service.ingest(
                db, [listing_event("e1", "listing-1", "Night cream 50 ml", category="cosmetics")]
            )
        row = stored(database, "listing-1")
        assert (row.status, row.decision, row.case_id) == ("active", "allow", None)

    def test_the_operator_sets_categories_in_the_policy_file(
        self, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        policy_file = tmp_path / "policy.toml"
        policy_file.write_text(
            '[listing_categories]\ncosmetics = "allowed"\nlighting = "prohibited"\n'
        )
        monkeypatch.setattr(policy_module, "_active_policies", load_policies(policy_file))
        with database.transaction() as db:
            seller_with_account(db)
            cream, lamp = (
                listing_screening.screen_event(db, parse_event(event))
                for event in (
                    listing_event("e1", "listing-1", "Night cream 50 ml", category="cosmetics"),
                    listing_event("e2", "listing-2", "Desk lamp", category="lighting"),
                )
            )
            assert cream is not None and (cream.status, cream.decision) == ("active", "allow")
            assert lamp is not None and lamp.decision == "block"


@pytest.mark.usefixtures("no_embedding_model")
class TestReviewerDecision:
    def hold(self, database: Database) -> None:
        with database.transaction() as db:
            seller_with_account(db)
            event_service.ingest(
                db, [listing_event("e1", "listing-1", "Night cream 50 ml", category="cosmetics")]
            )

    def test_approving_a_held_listing_makes_it_active(self, database: Database) -> None:
        self.hold(database)
        with database.transaction() as db:
            row = listing_screening.decide_held(
                db, "listing-1", block=False, reviewer_id="rita", reason="an ordinary cream"
            )
            assert row.status == "active"
            assert open_signals(db, "seller-1") == []
            assert webhooks(db, "listing.blocked") == []

    def test_blocking_a_held_listing_signals_with_the_reviewers_word(
        self, database: Database
    ) -> None:
        self.hold(database)
        with database.transaction() as db:
            row = listing_screening.decide_held(
                db, "listing-1", block=True, reviewer_id="rita", reason="contains mercury"
            )
            assert row.status == "blocked"
            [signal] = open_signals(db, "seller-1")
            assert signal.confidence == 1.0
            [blocked] = webhooks(db, "listing.blocked")[:1]
            assert blocked.payload["decided_by"] == "account:rita"
            assert "restricted_products" in {v.policy_id for v in db.scalars(select(Violation))}
        with database.transaction() as db, pytest.raises(ListingNotHeld):
            listing_screening.decide_held(
                db, "listing-1", block=False, reviewer_id="sol", reason="changed my mind"
            )


@pytest.mark.usefixtures("no_embedding_model")
def test_a_removed_listing_is_marked_removed(database: Database) -> None:
    with database.transaction() as db:
        add_seller(db)
        event_service.ingest(
            db,
            [
                listing_event("e1", "listing-1", "Ceramic mug"),
                {
                    "event_id": "e2",
                    "type": "listing.removed",
                    "occurred_at": "2026-11-21T10:00:00Z",
                    "data": {"listing_id": "listing-1"},
                },
            ],
        )
    assert stored(database, "listing-1").status == "removed"


def test_the_classifier_screens_what_the_phrases_leave_open(database: Database, store: str) -> None:
    if store != "sqlite":
        pytest.skip("the embedding model is slow on two cores; one store is enough")
    with database.transaction() as db:
        add_seller(db)
        event_service.ingest(
            db, [listing_event("e1", "listing-1", "Men's cotton t-shirt, navy blue, size L")]
        )
    row = stored(database, "listing-1")
    assert row.evidence["classifier_consulted"] is True
    assert row.evidence["nearest"], "the nearest labelled examples are evidence"
    assert (row.decision, row.status) in {("allow", "active"), ("review", "held")}


@pytest.mark.usefixtures("no_embedding_model")
class TestConsoleDecision:
    """The console delegates a listing_review case to the listing screening service."""

    @pytest.mark.parametrize(
        ("decision", "status"),
        [(ConsoleDecision.APPROVE, "active"), (ConsoleDecision.REJECT, "blocked")],
    )
    def test_the_reviewers_decision_reaches_the_listing(
        self, database: Database, settings: Settings, decision: ConsoleDecision, status: str
    ) -> None:
        with database.transaction() as db:
            seller_with_account(db)
            event_service.ingest(
                db, [listing_event("e1", "listing-1", "Night cream 50 ml", category="cosmetics")]
            )
        # Screening runs once the intake commits (a job), so the case exists from here on.
        with database.transaction() as db:
            reviewer = Account(
                name="Rita",
                email="rita@staff.example",
                password_hash=hash_password("x" * 12),
                roles=["reviewer"],
            )
            db.add(reviewer)
            db.flush()
            row = db.get(StoredListing, "listing-1")
            assert row is not None and row.case_id is not None
            case = case_service.claim(db, row.case_id, reviewer.id)
            console_service.decide(
                db,
                case,
                reviewer=reviewer,
                decision=decision,
                reason="looked at the photos",
                refusal_reason=None,
                overturn=False,
                settings=settings,
            )
        assert stored(database, "listing-1").status == status
        with database.transaction() as db:
            decided = db.get(Case, row.case_id)
            assert decided is not None and decided.status != "open"


@pytest.mark.usefixtures("no_embedding_model")
def test_a_held_listing_changed_meanwhile_can_still_be_decided(database: Database) -> None:
    with database.transaction() as db:
        seller_with_account(db)
        event_service.ingest(
            db,
            [
                listing_event("e1", "listing-1", "Night cream 50 ml", category="cosmetics"),
                listing_event("e2", "listing-1", "Ceramic mug", event_type="listing.updated"),
            ],
        )
    assert stored(database, "listing-1").status == "active"
    with database.transaction() as db:
        row = listing_screening.decide_held(
            db, "listing-1", block=True, reviewer_id="rita", reason="seen before the change"
        )
        assert row.status == "blocked"
