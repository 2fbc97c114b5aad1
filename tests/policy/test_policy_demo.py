"""The demo marketplace shows sellers in every standing, each with its reasons."""

from __future__ import annotations

from sqlalchemy import select

from goodstanding.demo.loader import load_demo
from goodstanding.kit.db import Database
from goodstanding.models.seller import Seller
from goodstanding.models.standing_event import StandingEvent
from goodstanding.models.violation import Violation
from goodstanding.policy.standing import Standing


def test_every_standing_is_shown_with_its_reasons(database: Database) -> None:
    with database.transaction() as db:
        load_demo(db, seed=7)
    with database.transaction() as db:
        sellers = db.scalars(select(Seller)).all()
        assert {seller.standing for seller in sellers} == {str(s) for s in Standing}
        for seller in sellers:
            if seller.standing == Standing.ACTIVE:
                continue
            violations = db.scalars(select(Violation).where(Violation.seller_id == seller.id)).all()
            assert violations, f"{seller.id} is {seller.standing} with no violation"
            assert all(v.evidence and v.notices["en"] and v.notices["es"] for v in violations)
            moves = db.scalars(
                select(StandingEvent).where(StandingEvent.seller_id == seller.id)
            ).all()
            assert moves and moves[-1].to_standing == seller.standing and moves[-1].reason
