"""A seller suspended for order defects by the policy engine itself, staff, plans and files:
what the appeal, console and browser tests start from."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from goodstanding.accounts.passwords import hash_password
from goodstanding.cases.appeals import Upload
from goodstanding.cases.plan_of_action import PlanOfAction
from goodstanding.kit.clock import clock
from goodstanding.kit.db import Database
from goodstanding.models.account import Account
from goodstanding.policy.service import reevaluate_seller
from tests.policy.store_factories import add_seller, odr, today

PASSWORD = "correct horse battery staple"

GOOD_PLAN = PlanOfAction(
    root_cause=(
        "Our order defect rate rose because a new courier lost parcels in March and we answered "
        "buyer messages after three days instead of one."
    ),
    corrective_actions=(
        "On 2 April we moved all shipments to a tracked courier, refunded the 14 affected buyers "
        "and hired a second person for the inbox."
    ),
    preventive_measures=(
        "Every morning one of us checks unanswered messages and parcels without a scan for more "
        "than 48 hours, and we review the defect rate each Monday."
    ),
)


def add_person(
    database: Database,
    email: str,
    roles: list[str],
    *,
    name: str | None = None,
    locale: str | None = None,
) -> str:
    with database.transaction() as db:
        account = Account(
            name=name or email.split("@")[0].title(),
            email=email,
            password_hash=hash_password(PASSWORD),
            roles=roles,
            locale=locale,
        )
        db.add(account)
        db.flush()
        return account.id


def suspended_for_order_defects(
    database: Database, account_id: str | None, *, seller_id: str = "seller-1", orders: int = 1500
) -> str:
    """Walk the order-defect ladder to its last step (suspension); returns that violation's id."""
    with database.transaction() as db:
        add_seller(db, seller_id, account_id=account_id, orders_in_lookback=orders)
    violation_id = ""
    for step in range(4):
        with database.transaction() as db:
            defects = odr(12, 500, seller_id=seller_id)
            result = reevaluate_seller(db, seller_id, today(), metrics=defects)
            [violation_id] = result.opened
        if step < 3:
            clock.advance(timedelta(days=1))
            with database.transaction() as db:
                reevaluate_seller(db, seller_id, today(), metrics=odr(1, 500, seller_id=seller_id))
            clock.advance(timedelta(days=1))
    return violation_id


def png(color: str = "white", size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def invoice(color: str = "white") -> Upload:
    return Upload(filename="invoice.png", data=png(color))
