"""A seller with open orders is told to settle them before closing the account."""

from __future__ import annotations

from goodstanding.events.service import event_service
from goodstanding.kit.db import Database
from goodstanding.models.account import Account
from goodstanding.models.seller import Seller
from tests.accounts.conftest import Api, Person
from tests.events.factories import placed, raw


def make_seller(database: Database, person: Person, seller_id: str) -> None:
    with database.transaction() as db:
        account = db.get(Account, person.id)
        assert account is not None
        account.roles = [*account.roles, Account.Role.seller.value]
        db.add(Seller(id=seller_id, account_id=person.id))


def test_open_order_blocks_closing_until_delivered(
    api: Api, ana: Person, database: Database
) -> None:
    make_seller(database, ana, "ana-shop")
    with database.transaction() as db:
        event_service.ingest(db, [placed("e1", "o1", seller_id="ana-shop")], reevaluate=False)
    api.sign_in(ana.email)
    refused = api.post("/account/close", {"confirmation": ana.email})
    assert refused.status_code == 409
    assert "1 open order" in refused.json()["detail"]
    with database.transaction() as db:
        delivered = raw("e2", "order.delivered", "2024-06-05T10:00:00Z", order_id="o1")
        event_service.ingest(db, [delivered], reevaluate=False)
    assert api.post("/account/close", {"confirmation": ana.email}).status_code == 200
