"""The stored detector signals and the policy engine reading them."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.detectors.signals import (
    SignalAlreadyDecided,
    SignalNotFound,
    Source,
    confirm_signal,
    dismiss_signal,
    open_signals,
    record_signal,
    signals_of,
)
from goodstanding.kit.db import Database
from goodstanding.kit.errors import InvalidInput
from goodstanding.models.detector_signal import DetectorSignalRow
from goodstanding.models.violation import Violation
from goodstanding.policy.enums import Signal, ViolationStatus
from goodstanding.policy.service import policy_service, reevaluate_seller
from tests.policy.store_factories import add_seller, today


def restricted(db: Session, score: float = 0.9, listing_id: str = "listing-1") -> DetectorSignalRow:
    return record_signal(
        db,
        seller_id="seller-1",
        kind=Signal.RESTRICTED_PRODUCT,
        score=score,
        source_kind=Source.listing,
        source_id=listing_id,
        evidence={"summary": "phrase 'cocaine' (drugs, strong, en)"},
    )


class TestRecordSignal:
    def test_the_policy_engine_reads_it_as_its_input(self, database: Database) -> None:
        with database.transaction() as db:
            restricted(db)
        with database.transaction() as db:
            [signal] = open_signals(db, "seller-1")
        assert signal.signal is Signal.RESTRICTED_PRODUCT
        assert (signal.subject, signal.confidence, signal.detected_on) == (
            "listing-1",
            0.9,
            today(),
        )
        assert signal.evidence == "listing listing-1: phrase 'cocaine' (drugs, strong, en)"

    def test_the_same_source_again_refreshes_the_open_signal(self, database: Database) -> None:
        with database.transaction() as db:
            first = restricted(db, score=0.6).id
            second = restricted(db, score=0.95).id
            restricted(db, listing_id="listing-2")
        assert first == second
        with database.transaction() as db:
            assert [s.confidence for s in open_signals(db, "seller-1")] == [0.95, 0.9]

    def test_a_score_outside_0_to_1_is_refused(self, database: Database) -> None:
        with database.transaction() as db, pytest.raises(ValueError, match="between 0 and 1"):
            restricted(db, score=1.5)


class TestStoredSignalsDriveThePolicyEngine:
    def test_a_stored_signal_opens_a_violation_without_being_passed(
        self, database: Database
    ) -> None:
        with database.transaction() as db:
            add_seller(db)
            restricted(db)
            result = reevaluate_seller(db, "seller-1", today(), metrics=[])
        assert len(result.opened) == 1
        with database.transaction() as db:
            violation = db.get(Violation, result.opened[0])
            assert violation is not None and violation.policy_id == "restricted_products"

    def test_a_dismissed_signal_resolves_its_violation(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db)
            signal_id = restricted(db).id
            [violation_id] = reevaluate_seller(db, "seller-1", today(), metrics=[]).opened
            rating_with = policy_service.standing_report(db, "seller-1", today()).health.rating
        with database.transaction() as db:
            dismissed = dismiss_signal(
                db, signal_id, actor="account:rita", reason="a toy, not a weapon"
            )
            assert (dismissed.status, dismissed.decided_by) == ("dismissed", "account:rita")
        with database.transaction() as db:
            violation = db.get(Violation, violation_id)
            assert violation is not None and violation.status == ViolationStatus.RESOLVED
            assert open_signals(db, "seller-1") == []
            rating_after = policy_service.standing_report(db, "seller-1", today()).health.rating
        assert rating_after == rating_with + 100  # the policy's points come back

    def test_a_confirmed_signal_keeps_counting(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db)
            signal_id = restricted(db).id
            [violation_id] = reevaluate_seller(db, "seller-1", today(), metrics=[]).opened
            confirm_signal(db, signal_id, actor="account:rita", reason="it is cocaine")
        with database.transaction() as db:
            reevaluate_seller(db, "seller-1", today(), metrics=[])
            violation = db.get(Violation, violation_id)
            assert violation is not None and violation.status == ViolationStatus.OPEN
            assert len(open_signals(db, "seller-1")) == 1


class TestDecidingASignal:
    def test_a_decided_signal_cannot_be_decided_again(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db)
            signal_id = restricted(db).id
            confirm_signal(db, signal_id, actor="account:rita", reason="right")
        with database.transaction() as db, pytest.raises(SignalAlreadyDecided):
            dismiss_signal(db, signal_id, actor="account:sol", reason="wrong")
        with database.transaction() as db:
            [row] = signals_of(db, "seller-1")
            assert (row.status, row.decided_by) == ("confirmed", "account:rita")

    def test_an_unknown_signal_is_not_found(self, database: Database) -> None:
        with database.transaction() as db, pytest.raises(SignalNotFound):
            dismiss_signal(db, "nope", actor="account:rita", reason="wrong")

    def test_a_decision_needs_a_reason(self, database: Database) -> None:
        with database.transaction() as db:
            signal_id = restricted(db).id
        with database.transaction() as db, pytest.raises(InvalidInput):
            confirm_signal(db, signal_id, actor="account:rita", reason="  ")
        with database.transaction() as db:
            assert db.scalars(select(DetectorSignalRow.status)).all() == ["open"]
