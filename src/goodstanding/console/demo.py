"""The demo's review work: staff with an authenticator, a seller suspended for order defects who
has appealed, and a case waiting in every other queue."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.accounts.passwords import hash_password
from goodstanding.cases.appeals import AppealPath, appeal_service
from goodstanding.cases.plan_of_action import PlanOfAction
from goodstanding.cases.service import case_service
from goodstanding.config import get_settings
from goodstanding.kit.clock import utcnow
from goodstanding.kit.crypto import Keyring
from goodstanding.kit.db import new_id
from goodstanding.metrics.results import MetricRow
from goodstanding.metrics.status import Status
from goodstanding.models.account import Account
from goodstanding.models.case import Case
from goodstanding.models.mfa_authenticator import MfaAuthenticator
from goodstanding.models.seller import Seller
from goodstanding.policy.enums import Metric
from goodstanding.policy.service import active_policies, reevaluate_seller

RITA_EMAIL = "rita@demo.goodstanding.dev"
# Published on purpose: demo staff must pass the console's authenticator rule too.
RITA_TOTP_SECRET = "JBSWY3DPEHPK3PXPRITADEMO"
SOL = ("Sol Senior", "sol@demo.goodstanding.dev", "+14155550104", "seven green doors in the hall")
SOL_TOTP_SECRET = "JBSWY3DPEHPK3PXPSOLDEMO2"
PACO = ("Paco Phones", "paco@demo.goodstanding.dev", "+14155550105", "red bicycle by the river")
PACO_SELLER_ID = "demo-paco"
DEMO_PLAN = PlanOfAction(
    root_cause=(
        "Our order defect rate went over 1% because the courier we used from September lost "
        "parcels and we answered buyer messages after three days."
    ),
    corrective_actions=(
        "On 2 November we moved every shipment to a tracked courier, refunded the 9 buyers "
        "concerned and hired a second person for the inbox."
    ),
    preventive_measures=(
        "Every morning we check parcels without a scan for 48 hours and unanswered messages, "
        "and we review the defect rate each Monday."
    ),
)


def _add_totp(db: Session, account: Account, secret: str) -> None:
    factor_id = new_id()
    keyring = Keyring.single(get_settings().encryption_key_bytes)
    db.add(
        MfaAuthenticator(
            id=factor_id,
            account_id=account.id,
            kind=MfaAuthenticator.Kind.totp,
            label="Demo authenticator",
            secret=keyring.encrypt(secret.encode(), factor_id.encode()),
        )
    )


def _person(
    db: Session, name: str, email: str, phone: str, password: str, roles: list[str]
) -> Account:
    now = utcnow()
    account = Account(
        name=name,
        email=email,
        email_verified_at=now,
        phone=phone,
        phone_verified_at=now,
        password_hash=hash_password(password),
        roles=roles,
    )
    db.add(account)
    db.flush()
    return account


def _suspend_for_order_defects(db: Session, seller_id: str) -> str:
    """Walk the order-defect ladder over the last weeks, as the engine would have."""
    today = utcnow().date()
    violation_id = ""
    for step in range(4):
        day = today - timedelta(days=40 - 4 * step)
        bad = MetricRow(
            seller_id,
            Metric.ORDER_DEFECT_RATE_SELLER.value,
            21,
            1500,
            Decimal("0.01"),
            Status.FAILING,
            day - timedelta(days=59),
            day,
        )
        [violation_id] = reevaluate_seller(db, seller_id, day, metrics=[bad]).opened
        if step < 3:
            later = day + timedelta(days=1)
            good = MetricRow(
                seller_id,
                Metric.ORDER_DEFECT_RATE_SELLER.value,
                3,
                1500,
                Decimal("0.01"),
                Status.GOOD,
                later - timedelta(days=59),
                later,
            )
            reevaluate_seller(db, seller_id, later, metrics=[good])
    return violation_id


def load_console_demo(db: Session) -> list[str]:
    """Returns the extra sign-in lines to print (the staff's authenticator secrets)."""
    settings = get_settings()
    rita = db.scalars(select(Account).where(Account.email == RITA_EMAIL)).one()
    _add_totp(db, rita, RITA_TOTP_SECRET)
    sol = _person(db, *SOL, roles=["senior_reviewer"])
    _add_totp(db, sol, SOL_TOTP_SECRET)
    paco = _person(db, *PACO, roles=["buyer", "seller"])
    db.add(
        Seller(
            id=PACO_SELLER_ID,
            account_id=paco.id,
            display_name="Paco's Phones",
            contact_email=PACO[1],
            orders_in_lookback=1500,
        )
    )
    db.flush()
    violation_id = _suspend_for_order_defects(db, PACO_SELLER_ID)
    appeal_service.submit(
        db,
        account=paco,
        violation_ids=[violation_id],
        path=AppealPath.PLAN,
        plan=DEMO_PLAN,
        statement="",
        uploads=[],
        settings=settings,
        policies=active_policies(),
    )
    waiting: dict[Case.Kind, dict[str, object]] = {
        Case.Kind.identity_recovery: {"note": "lost phone; identity document to check"},
        Case.Kind.listing_review: {"listing_id": "listing-4411", "reason": "possible counterfeit"},
        Case.Kind.linked_accounts: {"cluster": [PACO_SELLER_ID, "demo-suspended"]},
        Case.Kind.additional_account: {"business_reason": "a second brand in another country"},
        Case.Kind.document_check: {"document": "proof of address", "seller_id": PACO_SELLER_ID},
        Case.Kind.policy_review: {"policy_id": "cancel_rate", "seller_id": PACO_SELLER_ID},
    }
    for kind, payload in waiting.items():
        case_service.open(
            db,
            kind=kind,
            subject_account_id=paco.id,
            payload=payload,
            sla=settings.queue_sla(kind),
            actor_id=None,
        )
    return [
        f"{RITA_EMAIL}: authenticator secret {RITA_TOTP_SECRET} (review console)",
        f"{SOL[1]} / {SOL[3]}  (senior reviewer, second approvals; authenticator secret "
        f"{SOL_TOTP_SECRET})",
        f"{PACO[1]} / {PACO[3]}  (seller suspended for order defects, appeal waiting)",
    ]
