"""The policy engine against the store: guarded transitions, each ladder step, reviews, shadow
mode, overturning. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.accounts.passwords import hash_password
from goodstanding.kit.clock import clock
from goodstanding.kit.db import Database
from goodstanding.kit.errors import Conflict, IllegalTransition, InvalidInput
from goodstanding.models.account import Account
from goodstanding.models.case import Case
from goodstanding.models.enforcement_action import EnforcementAction
from goodstanding.models.seller import Seller
from goodstanding.models.shadow_finding import ShadowFinding
from goodstanding.models.standing_event import StandingEvent
from goodstanding.models.violation import Violation
from goodstanding.models.webhook_message import WebhookMessage
from goodstanding.notify.email import memory_outbox
from goodstanding.policy.enums import Signal
from goodstanding.policy.inputs import DetectorSignal
from goodstanding.policy.service import (
    approved_pairs,
    confirm_violation,
    overturn_violation,
    policy_service,
    reevaluate_seller,
    transition,
)
from goodstanding.policy.standing import Standing
from tests.policy.policy_factories import with_override
from tests.policy.store_factories import add_seller, odr, today


def events(db: Session, event_type: str) -> list[WebhookMessage]:
    return list(
        db.scalars(
            select(WebhookMessage)
            .where(WebhookMessage.event_type == event_type)
            .order_by(WebhookMessage.sequence)
        ).all()
    )


def standing_of(database: Database, seller_id: str = "seller-1") -> str:
    with database.transaction() as db:
        seller = db.get(Seller, seller_id)
        assert seller is not None
        return seller.standing


class TestTransition:
    def test_an_allowed_move_is_applied_recorded_and_published(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db)
        with database.transaction() as db:
            event = transition(
                db, "seller-1", Standing.SUSPENDED, reason="fraud confirmed", actor="account:x"
            )
            assert (event.from_standing, event.to_standing) == ("active", "suspended")
        with database.transaction() as db:
            seller = db.get(Seller, "seller-1")
            assert seller is not None and seller.standing == "suspended"
            assert seller.standing_changed_at is not None
            [message] = events(db, "seller.standing_changed")
            assert message.payload["to"] == "suspended"
            assert message.payload["capabilities"]["can_sell"] is False

    def test_a_move_the_table_forbids_changes_nothing(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db, standing="closed")
        with database.transaction() as db, pytest.raises(IllegalTransition):
            transition(db, "seller-1", Standing.ACTIVE, reason="oops", actor="account:x")
        assert standing_of(database) == "closed"
        with database.transaction() as db:
            assert db.scalars(select(StandingEvent)).all() == []

    def test_a_reason_is_required(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db)
        with database.transaction() as db, pytest.raises(InvalidInput):
            transition(db, "seller-1", Standing.SUSPENDED, reason="  ", actor="account:x")

    def test_a_waiting_transition_loses_to_the_one_that_committed(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db)
        outcome: list[BaseException | str] = []

        def second_worker() -> None:
            try:
                with database.transaction() as db:
                    transition(db, "seller-1", Standing.SUSPENDED, reason="b", actor="worker:b")
                outcome.append("won")
            except (IllegalTransition, Conflict) as error:
                outcome.append(error)

        with database.transaction() as db:
            transition(db, "seller-1", Standing.SUSPENDED, reason="a", actor="worker:a")
            other = threading.Thread(target=second_worker)
            other.start()
            other.join(timeout=0.5)  # it waits on our uncommitted change (or has already lost)
        other.join()
        assert len(outcome) == 1 and isinstance(outcome[0], Conflict)
        with database.transaction() as db:
            [event] = db.scalars(select(StandingEvent)).all()
            assert event.actor == "worker:a"
            assert len(events(db, "seller.standing_changed")) == 1
        assert standing_of(database) == "suspended"

    def test_of_two_racing_workers_exactly_one_wins(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db)
        start = threading.Barrier(2)
        results: list[str] = []
        lock = threading.Lock()

        def worker(name: str, to: Standing) -> None:
            start.wait()
            try:
                with database.transaction() as db:
                    transition(db, "seller-1", to, reason=name, actor=f"worker:{name}")
                outcome = f"won:{to}"
            except Conflict:
                outcome = "lost"
            with lock:
                results.append(outcome)

        threads = [
            threading.Thread(target=worker, args=("a", Standing.SUSPENDED)),
            threading.Thread(target=worker, args=("b", Standing.SUSPENDED)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == ["lost", "won:suspended"]
        with database.transaction() as db:
            assert len(db.scalars(select(StandingEvent)).all()) == 1


class TestLadderThroughTheService:
    def test_each_step_of_the_order_defect_ladder(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db)
        expected = [
            ("warning", "at_risk"),
            ("listing_removal", "at_risk"),
            ("privileges_withdrawn", "privileges_withdrawn"),
            ("suspension", "suspended"),
        ]
        for action, standing in expected:
            with database.transaction() as db:
                result = reevaluate_seller(db, "seller-1", today(), metrics=odr(10, 500))
                [violation_id] = result.opened
                violation = db.get(Violation, violation_id)
                assert violation is not None and violation.action == action
            assert standing_of(database) == standing
            clock.advance(timedelta(days=1))
            with database.transaction() as db:
                result = reevaluate_seller(db, "seller-1", today(), metrics=odr(1, 500))
                assert result.resolved == [violation_id]
            clock.advance(timedelta(days=1))
        with database.transaction() as db:
            actions = db.scalars(select(EnforcementAction.action)).all()
            assert sorted(actions) == sorted(action for action, _ in expected)
            assert len(events(db, "violation.opened")) == 4
            assert len(events(db, "violation.resolved")) == 4
            assert len(events(db, "listing.blocked")) == 1

    def test_a_warning_names_the_numbers_and_escalates_after_its_deadline(
        self, database: Database
    ) -> None:
        with database.transaction() as db:
            add_seller(db)
        with database.transaction() as db:
            [violation_id] = reevaluate_seller(db, "seller-1", today(), metrics=odr(7, 500)).opened
        [mail] = memory_outbox
        assert mail.to == "seller-1@shop.example"
        assert "7 of 500 orders" in mail.text and "1.4%" in mail.text
        assert "/account-health/appeal" in mail.text
        with database.transaction() as db:
            held = reevaluate_seller(db, "seller-1", today(), metrics=odr(7, 500))
            assert (held.opened, held.escalated) == ([], [])
        clock.advance(timedelta(days=15))
        with database.transaction() as db:
            result = reevaluate_seller(db, "seller-1", today(), metrics=odr(7, 500))
            assert result.escalated == [violation_id]
            violation = db.get(Violation, violation_id)
            assert violation is not None and violation.action == "listing_removal"
            [blocked] = events(db, "listing.blocked")
            assert blocked.payload["violation_id"] == violation_id
        assert len(memory_outbox) == 2

    def test_resolving_every_warning_makes_the_seller_active_again(
        self, database: Database
    ) -> None:
        with database.transaction() as db:
            add_seller(db)
            reevaluate_seller(db, "seller-1", today(), metrics=odr(7, 500))
        assert standing_of(database) == "at_risk"
        with database.transaction() as db:
            reevaluate_seller(db, "seller-1", today(), metrics=odr(0, 500))
        assert standing_of(database) == "active"

    def test_missing_numbers_neither_open_nor_resolve(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db)
            reevaluate_seller(db, "seller-1", today(), metrics=odr(7, 500))
        with database.transaction() as db:
            result = reevaluate_seller(db, "seller-1", today(), metrics=[])
            assert result.resolved == [] and result.opened == []
        assert standing_of(database) == "at_risk"


def add_account(db: Session, email: str = "sam@shop.example") -> Account:
    account = Account(name="Sam", email=email, password_hash=hash_password("x" * 12))
    db.add(account)
    db.flush()
    return account


class TestReviewBelowMinimumVolume:
    def test_a_reviewer_case_opens_and_nothing_is_done_until_confirmed(
        self, database: Database
    ) -> None:
        with database.transaction() as db:
            account = add_account(db)
            add_seller(db, account_id=account.id)
            result = reevaluate_seller(db, "seller-1", today(), metrics=odr(2, 50))
            [violation_id] = result.for_review
            violation = db.get(Violation, violation_id)
            assert violation is not None and violation.awaiting_review
            case = db.get(Case, violation.case_id)
            assert case is not None and case.kind == "policy_review"
            assert case.subject_account_id == account.id
        assert standing_of(database) == "active"
        assert memory_outbox == []
        with database.transaction() as db:
            confirm_violation(db, violation_id, actor="account:reviewer")
        assert standing_of(database) == "at_risk"
        assert [mail.to for mail in memory_outbox] == ["sam@shop.example"]

    def test_a_critical_signal_suspends_at_once_whatever_the_volume(
        self, database: Database
    ) -> None:
        fraud = DetectorSignal(
            signal=Signal.FRAUD, subject="order-9", confidence=0.97, detected_on=today()
        )
        with database.transaction() as db:
            add_seller(db, orders_in_lookback=3)
            result = reevaluate_seller(db, "seller-1", today(), metrics=[], signals=[fraud])
            assert result.for_review == [] and len(result.opened) == 1
        assert standing_of(database) == "suspended"


class TestShadowMode:
    def test_a_shadow_policy_records_and_changes_nothing(
        self, database: Database, tmp_path: Path
    ) -> None:
        policies = with_override(tmp_path, "[policies.order_defect_rate_seller]\nshadow = true\n")
        with database.transaction() as db:
            add_seller(db)
        with database.transaction() as db:
            result = reevaluate_seller(
                db, "seller-1", today(), metrics=odr(10, 500), policies=policies
            )
            assert result.shadow == ["order_defect_rate_seller"] and result.opened == []
        with database.transaction() as db:
            [finding] = db.scalars(select(ShadowFinding)).all()
            assert (finding.action, finding.automatic) == ("warning", True)
            assert finding.facts["numerator"] == 10
            assert db.scalars(select(Violation)).all() == []
            assert db.scalars(select(StandingEvent)).all() == []
            assert db.scalars(select(WebhookMessage)).all() == []
        assert standing_of(database) == "active"
        assert memory_outbox == []


class TestOverturn:
    def test_overturning_a_suspension_reinstates_and_gives_points_back(
        self, database: Database
    ) -> None:
        fraud = DetectorSignal(
            signal=Signal.FRAUD, subject="order-9", confidence=0.97, detected_on=today()
        )
        with database.transaction() as db:
            add_seller(db)
            [violation_id] = reevaluate_seller(
                db, "seller-1", today(), metrics=[], signals=[fraud]
            ).opened
            report = policy_service.standing_report(db, "seller-1", today())
            assert report.health.rating == 200 - 200 + 8  # 4 points for each 200 orders
        with database.transaction() as db:
            overturn_violation(db, violation_id, actor="account:senior", platform_error=True)
        assert standing_of(database) == "reinstated"
        with database.transaction() as db:
            report = policy_service.standing_report(db, "seller-1", today())
            assert report.health.rating == 208  # the 200 points back
            [taken] = db.scalars(select(EnforcementAction)).all()
            assert taken.reversed_at is not None
            violation = db.get(Violation, violation_id)
            assert violation is not None and violation.overturned_by_platform_error
            assert events(db, "violation.resolved")[-1].payload["outcome"] == "overturned"
        with database.transaction() as db, pytest.raises(IllegalTransition):
            overturn_violation(db, violation_id, actor="account:senior", platform_error=False)


def test_approved_pairs_are_exactly_the_approved_requests(database: Database) -> None:
    from goodstanding.models.additional_account_request import AdditionalAccountRequest

    with database.transaction() as db:
        add_seller(db)
        for other, status in (("seller-2", "approved"), ("seller-3", "refused")):
            db.add(
                AdditionalAccountRequest(
                    seller_id="seller-1",
                    additional_seller_id=other,
                    business_reason="a second brand",
                    status=status,
                )
            )
        db.flush()
        assert approved_pairs(db) == {frozenset({"seller-1", "seller-2"})}


def test_a_seller_first_named_by_the_metrics_engine_is_created_in_good_standing(
    database: Database,
) -> None:
    with database.transaction() as db:
        result = reevaluate_seller(db, "new-seller", today(), metrics=odr(0, 300))
        assert result.opened == []
    with database.transaction() as db:
        seller = db.get(Seller, "new-seller")
        assert seller is not None and (seller.standing, seller.kind) == ("active", "seller")
        policy_service.ensure_seller(db, "new-seller")  # a second time changes nothing


def test_a_seller_the_metrics_engine_never_saw_has_no_metrics(database: Database) -> None:
    from goodstanding.policy.service import stored_metrics

    with database.transaction() as db:
        assert stored_metrics(db, "never-named", today()) == []
