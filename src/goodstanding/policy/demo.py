"""Demo sellers in every standing, each put there by the engine itself with its reasons on record:
violations with their numbers, the actions taken, and the standing events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.detectors.signals import record_signal
from goodstanding.kit.clock import utcnow
from goodstanding.metrics.results import MetricRow
from goodstanding.metrics.status import Status
from goodstanding.models.account import Account
from goodstanding.models.detector_signal import DetectorSignalRow
from goodstanding.models.seller import Seller
from goodstanding.policy.documents import document_service
from goodstanding.policy.enums import DocumentKind, Metric, Signal
from goodstanding.policy.service import overturn_violation, reevaluate_seller, transition
from goodstanding.policy.standing import Standing

DEMO_OPERATOR = "demo-operator"
# The demo seller Sam signs in as: at risk, so his account-health page has something to explain.
SAM_EMAIL = "sam@demo.goodstanding.dev"


@dataclass(frozen=True)
class DemoSeller:
    id: str
    name: str
    standing: Standing


DEMO_SELLERS = (
    DemoSeller("demo-active", "Tidy Tea Traders", Standing.ACTIVE),
    DemoSeller("demo-at-risk", "Sam's Sundries", Standing.AT_RISK),
    DemoSeller("demo-under-review", "Quiet Quilts", Standing.UNDER_REVIEW),
    DemoSeller("demo-withdrawn", "Sleepy Socks", Standing.PRIVILEGES_WITHDRAWN),
    DemoSeller("demo-suspended", "Flashy Phones", Standing.SUSPENDED),
    DemoSeller("demo-reinstated", "Honest Hardware", Standing.REINSTATED),
    DemoSeller("demo-closed", "Link Lagoon (affiliate)", Standing.CLOSED),
)


def _row(metric: Metric, numerator: int, denominator: int, days: int, today: date) -> MetricRow:
    return MetricRow(
        seller_id="",
        metric=metric.value,
        numerator=numerator,
        denominator=denominator,
        target=Decimal(0),
        status=Status.GOOD,
        window_start=today - timedelta(days=days - 1),
        window_end=today,
    )


def load_policy_demo(db: Session) -> list[Seller]:
    today = utcnow().date()
    sam = db.scalars(select(Account).where(Account.email == SAM_EMAIL)).first()
    sellers = []
    for demo in DEMO_SELLERS:
        seller = Seller(
            id=demo.id,
            display_name=demo.name,
            kind=Seller.Kind.affiliate if demo.standing is Standing.CLOSED else Seller.Kind.seller,
            contact_email=f"{demo.id}@demo.goodstanding.dev",
            orders_in_lookback=640,
            account_id=sam.id if sam is not None and demo.standing is Standing.AT_RISK else None,
            signed_up_on=today - timedelta(days=200) if demo.standing is Standing.CLOSED else None,
        )
        db.add(seller)
        sellers.append(seller)
    db.flush()

    def fraud_signal(seller_id: str, order_id: str, evidence: str) -> None:
        record_signal(
            db,
            seller_id=seller_id,
            kind=Signal.FRAUD,
            score=0.96,
            source_kind=DetectorSignalRow.Source.order,
            source_id=order_id,
            evidence={"reasons": [evidence]},
        )

    healthy = [_row(Metric.ORDER_DEFECT_RATE_SELLER, 2, 640, 60, today)]
    reevaluate_seller(db, "demo-active", today, metrics=healthy)
    # 1.4% of orders defective against a target below 1%: a warning with a deadline.
    reevaluate_seller(
        db,
        "demo-at-risk",
        today,
        metrics=[_row(Metric.ORDER_DEFECT_RATE_SELLER, 9, 640, 60, today)],
    )
    # Too few orders for automatic action: a person looks first.
    reevaluate_seller(
        db,
        "demo-under-review",
        today,
        metrics=[_row(Metric.CANCEL_RATE, 4, 40, 7, today)],
        orders_in_lookback=40,
    )
    transition(
        db,
        "demo-under-review",
        Standing.UNDER_REVIEW,
        reason="cancellation rate 10% on 40 orders: below the volume for automatic action",
        actor=DEMO_OPERATOR,
        policy_id="cancel_rate",
    )
    # 3 sales in 4 weeks: fewer than 2 a week, so selling is paused (the buyer profile stays).
    reevaluate_seller(
        db, "demo-withdrawn", today, metrics=[_row(Metric.SALES_PER_WEEK, 3, 4, 28, today)]
    )
    fraud_signal("demo-suspended", "order-5531", "card testing: 41 declined payments")
    reevaluate_seller(db, "demo-suspended", today, metrics=[])
    fraud_signal("demo-reinstated", "order-7710", "chargeback cluster from one card range")
    fraud = reevaluate_seller(db, "demo-reinstated", today, metrics=[])
    for violation_id in fraud.opened:
        overturn_violation(db, violation_id, actor=DEMO_OPERATOR, platform_error=True)
    # An affiliate with no qualifying sale in the 180 days after signing up is closed.
    reevaluate_seller(db, "demo-closed", today, metrics=[])
    document_service.request(
        db,
        "demo-under-review",
        DocumentKind.IDENTITY,
        deadline=today + timedelta(days=10),
        actor=DEMO_OPERATOR,
    )
    return sellers
