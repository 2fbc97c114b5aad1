"""Linked accounts end to end: intake events -> identifier edges -> signals -> one cluster case ->
each account re-evaluated; approvals, the NAT cap, the API and reviewers' verdicts."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.app import create_app
from goodstanding.config import Settings
from goodstanding.detectors.links import endpoints, pages
from goodstanding.detectors.links.fuzzy import FieldAgreement, FuzzyLink
from goodstanding.detectors.links.repository import link_repository
from goodstanding.detectors.links.service import MIN_FUZZY_RECORDS, link_service
from goodstanding.detectors.signals import SignalStatus, signals_of
from goodstanding.events.service import event_service
from goodstanding.integrations.service import Scope, api_keys
from goodstanding.kit.db import Database
from goodstanding.models.account import Account
from goodstanding.models.additional_account_request import AdditionalAccountRequest
from goodstanding.models.case import Case
from goodstanding.models.seller import Seller
from goodstanding.policy.repository import policy_repository

T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)
_events = iter(range(1_000_000))


def add_seller(db: Session, seller_id: str, email: str | None = None) -> Seller:
    """A selling account, signed in as by a goodstanding account when `email` is given."""
    account_id = None
    if email is not None:
        account = Account(
            name=f"Owner of {seller_id}", email=email, password_hash="-", roles=["seller"]
        )
        db.add(account)
        db.flush()
        account_id = account.id
    seller = Seller(id=seller_id, account_id=account_id, display_name=seller_id)
    db.add(seller)
    db.flush()
    return seller


def signed_in(account_id: str, *, device: str, ip: str = "81.2.69.1") -> dict[str, Any]:
    return {
        "event_id": f"evt-{next(_events)}",
        "type": "account.signed_in",
        "occurred_at": (T0 + timedelta(minutes=next(_events))).isoformat(),
        "data": {"account_id": account_id, "ip": ip, "device_id": device, "user_agent": "test"},
    }


def ingest(database: Database, events: Iterable[dict[str, Any]]) -> None:
    with database.transaction() as db:
        result = event_service.ingest(db, list(events), reevaluate=False)
        assert not result.refused


def linked_partners(db: Session, seller_id: str) -> set[str]:
    return {
        row.source_id
        for row in signals_of(db, seller_id, status=SignalStatus.open)
        if row.kind == "linked_accounts"
    }


def multiple_accounts_statuses(db: Session, seller_id: str) -> list[str]:
    return [
        violation.status
        for violation in policy_repository.violations(db, seller_id)
        if violation.policy_id == "multiple_accounts"
    ]


def cluster_cases(db: Session) -> list[Case]:
    return list(db.scalars(select(Case).where(Case.kind == Case.Kind.linked_accounts)))


def bearer(database: Database, *scopes: Scope) -> dict[str, str]:
    with database.transaction() as db:
        issued = api_keys.issue(db, name="marketplace", scopes=list(scopes))
    return {"authorization": f"Bearer {issued.plaintext}"}


class TestApplyIdentifierEvent:
    def test_shared_device_raises_signals_one_case_and_a_violation_each(
        self, database: Database
    ) -> None:
        with database.transaction() as db:
            add_seller(db, "s-a", "a@shop.example")
            add_seller(db, "s-b", "b@shop.example")
        ingest(database, [signed_in("s-a", device="dev-1"), signed_in("s-b", device="dev-1")])
        ingest(database, [signed_in("s-b", device="dev-1", ip="81.2.69.2")])
        with database.transaction() as db:
            assert linked_partners(db, "s-a") == {"s-b"}
            assert linked_partners(db, "s-b") == {"s-a"}
            [case] = cluster_cases(db)
            assert case.payload["cluster"] == ["s-a", "s-b"]
            for seller_id in ("s-a", "s-b"):
                assert multiple_accounts_statuses(db, seller_id) == ["open"]

    def test_a_private_ip_or_a_lone_account_links_nobody(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db, "s-a", "a@shop.example")
            add_seller(db, "s-b", "b@shop.example")
        ingest(
            database,
            [
                signed_in("s-a", device="dev-1", ip="10.0.0.1"),
                signed_in("s-b", device="dev-2", ip="10.0.0.1"),
            ],
        )
        with database.transaction() as db:
            assert linked_partners(db, "s-a") == set()
            assert cluster_cases(db) == []
            assert link_service.evidence(db, "s-a").cluster == ("s-a",)

    def test_gmail_spellings_of_the_owners_mailbox_link_the_sellers(
        self, database: Database
    ) -> None:
        with database.transaction() as db:
            add_seller(db, "s-a", "J.Doe@gmail.com")
            add_seller(db, "s-b", "jdoe+second.shop@googlemail.com")
        ingest(database, [signed_in("s-a", device="dev-1"), signed_in("s-b", device="dev-2")])
        with database.transaction() as db:
            assert linked_partners(db, "s-a") == {"s-b"}
            kinds = {s.kind for s in link_service.evidence(db, "s-a").shared_identifiers}
            assert kinds == {"email", "sign_in_ip"}

    def test_accounts_that_do_not_sell_are_in_the_cluster_but_not_flagged(
        self, database: Database
    ) -> None:
        with database.transaction() as db:
            add_seller(db, "s-a", "a@shop.example")
        ingest(database, [signed_in("s-a", device="dev-1"), signed_in("buyer-9", device="dev-1")])
        with database.transaction() as db:
            assert link_service.evidence(db, "s-a").cluster == ("buyer-9", "s-a")
            assert linked_partners(db, "s-a") == set()
            assert cluster_cases(db) == []


class TestApprovedPairs:
    def approve(self, db: Session, seller_id: str, other_id: str) -> None:
        db.add(
            AdditionalAccountRequest(
                seller_id=seller_id,
                additional_seller_id=other_id,
                business_reason="A second brand sold in another country.",
                status=AdditionalAccountRequest.Status.approved,
            )
        )
        db.flush()

    def test_an_approved_pair_is_exempt(self, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db, "s-a", "a@shop.example")
            add_seller(db, "s-b", "b@shop.example")
            self.approve(db, "s-a", "s-b")
        ingest(database, [signed_in("s-a", device="dev-1"), signed_in("s-b", device="dev-1")])
        with database.transaction() as db:
            assert linked_partners(db, "s-a") == linked_partners(db, "s-b") == set()
            assert cluster_cases(db) == []
            assert multiple_accounts_statuses(db, "s-a") == []

    def test_approval_exempts_exactly_the_pair_not_a_third_account(
        self, database: Database
    ) -> None:
        with database.transaction() as db:
            for seller_id in ("s-a", "s-b", "s-c"):
                add_seller(db, seller_id, f"{seller_id}@shop.example")
            self.approve(db, "s-a", "s-b")
        ingest(database, [signed_in(s, device="dev-1") for s in ("s-a", "s-b", "s-c")])
        with database.transaction() as db:
            assert linked_partners(db, "s-a") == {"s-c"}
            assert linked_partners(db, "s-b") == {"s-c"}
            assert linked_partners(db, "s-c") == {"s-a", "s-b"}
            [case] = cluster_cases(db)
            assert case.payload["cluster"] == ["s-a", "s-b", "s-c"]


class TestNatCap:
    def test_an_ip_shared_past_its_cap_links_nobody_and_is_reported(
        self, database: Database, client: TestClient
    ) -> None:
        sellers = [f"s-{n:02d}" for n in range(21)]
        with database.transaction() as db:
            for seller_id in sellers:
                add_seller(db, seller_id)
        ingest(database, [signed_in(s, device=f"dev-{s}", ip="81.2.69.7") for s in sellers])
        body = client.get(
            "/api/v1/sellers/s-00/links", headers=bearer(database, Scope.sellers_read)
        ).json()
        assert body["cluster"] == ["s-00"]
        [shared] = body["shared_identifiers"]
        assert shared["value"] == "81.2.69.7"
        assert (shared["links"], shared["account_count"], shared["cap"]) == (False, 21, 20)
        with database.transaction() as db:
            assert cluster_cases(db) == []


class TestLinksApi:
    def test_unknown_seller_is_404_and_the_scope_is_needed(
        self, database: Database, client: TestClient
    ) -> None:
        with database.transaction() as db:
            add_seller(db, "s-a")
        reader = bearer(database, Scope.sellers_read)
        missing = client.get("/api/v1/sellers/nobody/links", headers=reader)
        assert missing.status_code == 404
        assert client.get("/api/v1/sellers/s-a/links", headers=reader).status_code == 200
        assert client.get("/api/v1/sellers/s-a/links").status_code == 401
        refused = client.post(
            "/api/v1/sellers/s-a/links/not-related",
            json={"other_seller_id": "s-b"},
            headers=reader,
        )
        assert refused.status_code == 403

    def test_not_related_splits_the_cluster_and_dismisses_the_signals(
        self, database: Database, client: TestClient
    ) -> None:
        with database.transaction() as db:
            add_seller(db, "s-a", "a@shop.example")
            add_seller(db, "s-b", "b@shop.example")
        ingest(database, [signed_in("s-a", device="dev-1"), signed_in("s-b", device="dev-1")])
        writer = bearer(database, Scope.sellers_write, Scope.sellers_read)
        reply = client.post(
            "/api/v1/sellers/s-a/links/not-related",
            json={"other_seller_id": "s-b"},
            headers=writer,
        )
        assert reply.status_code == 200, reply.text
        assert reply.json()["cluster"] == ["s-a"]
        other = client.get("/api/v1/sellers/s-b/links", headers=writer).json()
        assert other["cluster"] == ["s-b"]
        with database.transaction() as db:
            assert linked_partners(db, "s-a") == linked_partners(db, "s-b") == set()
            for seller_id in ("s-a", "s-b"):
                assert multiple_accounts_statuses(db, seller_id) == ["resolved"]
        again = client.post(
            "/api/v1/sellers/s-a/links/not-related",
            json={"other_seller_id": "s-b"},
            headers=writer,
        )
        assert again.status_code == 409
        # The pair stays apart when it shares yet another identifier later.
        ingest(database, [signed_in("s-b", device="dev-1", ip="81.2.69.9")])
        with database.transaction() as db:
            assert link_service.evidence(db, "s-b").cluster == ("s-b",)

    def test_the_console_view_is_for_staff_only(self, client: TestClient) -> None:
        assert client.get("/console/links/s-a").status_code == 401


class TestSweepAndFuzzy:
    def test_the_sweep_flags_sellers_registered_after_their_links(self, database: Database) -> None:
        ingest(database, [signed_in("s-a", device="dev-1"), signed_in("s-b", device="dev-1")])
        with database.transaction() as db:
            add_seller(db, "s-a", "a@shop.example")
            add_seller(db, "s-b", "b@shop.example")
            assert cluster_cases(db) == []
            assert link_service.review_all_clusters(db) == 1
            assert linked_partners(db, "s-a") == {"s-b"}
            assert len(cluster_cases(db)) == 1
            link_service.review_all_clusters(db)
            assert len(cluster_cases(db)) == 1

    def test_stored_fuzzy_links_are_evidence_and_small_passes_are_skipped(
        self, database: Database
    ) -> None:
        with database.transaction() as db:
            add_seller(db, "s-a", "a@shop.example")
            link = FuzzyLink("s-a", "s-z", 0.97, (FieldAgreement("surname", "Exact match"),))
            link_repository.replace_fuzzy_links(db, [link], T0)
            assert link_service.evidence(db, "s-a").fuzzy_links == (link,)
            assert MIN_FUZZY_RECORDS > 1
            assert link_service.refresh_fuzzy_links(db) == 0


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    """The app, with the links routes mounted here while the app discovers only top-level
    domains' routers (nested detector packages are not found yet)."""
    app: FastAPI = create_app(settings, database)
    paths = {route.path for route in app.routes if isinstance(route, APIRoute)}
    for router in (endpoints.router, pages.router):
        own = {route.path for route in router.routes if isinstance(route, APIRoute)}
        if not paths.issuperset(own):
            app.include_router(router)
    return app


@pytest.fixture(autouse=True)
def _fresh_event_ids() -> None:
    global _events
    _events = iter(range(1_000_000))
