"""The policy API and pages: the public policy list, a seller's standing with its reasons, operator
transitions, documents and additional-account requests."""

from __future__ import annotations

import io
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from goodstanding.accounts.passwords import hash_password
from goodstanding.accounts.sessions import SESSION_COOKIE
from goodstanding.config import Settings
from goodstanding.integrations.service import Scope, api_keys
from goodstanding.kit.clock import clock
from goodstanding.kit.db import Database
from goodstanding.models.account import Account
from goodstanding.models.case import Case
from goodstanding.models.seller_document import SellerDocument
from goodstanding.models.violation import Violation
from goodstanding.policy.documents import document_service
from goodstanding.policy.enums import DocumentKind
from goodstanding.policy.service import reevaluate_seller
from goodstanding.policy.standing import STANDING_TABLE
from tests.policy.policy_factories import default_policies
from tests.policy.store_factories import add_seller, odr, today


def bearer(database: Database, *scopes: Scope) -> dict[str, str]:
    with database.transaction() as db:
        issued = api_keys.issue(db, name="marketplace", scopes=list(scopes))
    return {"authorization": f"Bearer {issued.plaintext}"}


class TestPolicies:
    def test_the_api_lists_every_loaded_policy_in_the_language_asked(
        self, client: TestClient
    ) -> None:
        body = client.get("/api/v1/policies?lang=es").json()
        assert body["language"] == "es"
        ids = [policy["id"] for policy in body["policies"]]
        assert ids == [policy.id for policy in default_policies().policies]
        cancel = next(p for p in body["policies"] if p["id"] == "cancel_rate")
        assert cancel["title"] == "Tasa de cancelación"
        assert "2,5" in cancel["rule"]  # the threshold of the file, in Spanish number format

    def test_the_page_states_thresholds_and_the_capabilities_table(
        self, client: TestClient
    ) -> None:
        page = client.get("/policies", headers={"accept-language": "en"})
        assert page.status_code == 200
        assert "below 2.5%" in page.text
        assert page.text.count('<tr id="standing-') == len(STANDING_TABLE)
        spanish = client.get("/policies", headers={"accept-language": "es"})
        assert "Suspendida" in spanish.text


class TestSellerStanding:
    def test_standing_shows_capabilities_rating_and_reasons(
        self, client: TestClient, database: Database
    ) -> None:
        with database.transaction() as db:
            add_seller(db)
            reevaluate_seller(db, "seller-1", today(), metrics=odr(7, 500))
        body = client.get(
            "/api/v1/sellers/seller-1/standing", headers=bearer(database, Scope.sellers_read)
        ).json()
        assert body["standing"] == "at_risk"
        assert body["capabilities"]["can_sell"] is True
        assert body["rating"]["rating"] == 200 - 100 + 8
        [item] = [i for i in body["rating"]["items"] if i["kind"] == "violation"]
        [violation] = body["open_violations"]
        assert item["violation_id"] == violation["id"] and item["points"] == -100
        assert violation["facts"]["numerator"] == 7
        assert "7 of 500 orders" in violation["notice"]

    def test_keys_without_the_scope_or_without_a_key_are_refused(
        self, client: TestClient, database: Database
    ) -> None:
        with database.transaction() as db:
            add_seller(db)
        assert client.get("/api/v1/sellers/seller-1/standing").status_code == 401
        wrong = bearer(database, Scope.events_write)
        assert client.get("/api/v1/sellers/seller-1/violations", headers=wrong).status_code == 403

    def test_an_unknown_seller_is_404(self, client: TestClient, database: Database) -> None:
        response = client.get(
            "/api/v1/sellers/nobody/standing", headers=bearer(database, Scope.sellers_read)
        )
        assert response.status_code == 404
        assert response.json()["type"] == "/problems/seller-not-found"


class TestTransitions:
    def test_an_operator_suspends_then_reinstates(
        self, client: TestClient, database: Database
    ) -> None:
        with database.transaction() as db:
            add_seller(db)
        headers = bearer(database, Scope.sellers_write)
        url = "/api/v1/sellers/seller-1/transitions"
        suspended = client.post(
            url, json={"to": "suspended", "reason": "court order"}, headers=headers
        )
        assert suspended.status_code == 201
        assert suspended.json()["actor"] == "api-key:marketplace"
        again = client.post(url, json={"to": "suspended", "reason": "twice"}, headers=headers)
        assert again.status_code == 409
        assert again.json()["type"] == "/problems/illegal-transition"
        back = client.post(url, json={"to": "reinstated", "reason": "lifted"}, headers=headers)
        assert back.json()["from_standing"] == "suspended"

    def test_reading_keys_cannot_move_sellers(self, client: TestClient, database: Database) -> None:
        with database.transaction() as db:
            add_seller(db)
        response = client.post(
            "/api/v1/sellers/seller-1/transitions",
            json={"to": "suspended", "reason": "x"},
            headers=bearer(database, Scope.sellers_read),
        )
        assert response.status_code == 403


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="PNG")
    return out.getvalue()


def sign_in_seller(client: TestClient, app: FastAPI, database: Database) -> None:
    with database.transaction() as db:
        account = Account(
            name="Sam",
            email="sam@shop.example",
            password_hash=hash_password("orange kettle under the stairs"),
            roles=["buyer", "seller"],
        )
        db.add(account)
        db.flush()
        add_seller(db, account_id=account.id)
        # A browser session already signed in: the sign-in flow itself is the accounts' tests.
        session = app.state.session_service.create(db, ip=None, user_agent="test")
        session.row.account_id = account.id
    client.cookies.set(SESSION_COOKIE, session.token)


class TestDocuments:
    def test_a_request_then_an_upload_fulfils_it_encrypted(
        self, client: TestClient, database: Database, settings: Settings
    ) -> None:
        with database.transaction() as db:
            add_seller(db)
        made = client.post(
            "/api/v1/sellers/seller-1/document-requests",
            json={"kind": "identity", "deadline": (today() + timedelta(days=14)).isoformat()},
            headers=bearer(database, Scope.sellers_write),
        )
        assert made.status_code == 201
        with database.transaction() as db:
            document_service.upload(
                db,
                "seller-1",
                DocumentKind.IDENTITY,
                png_bytes(),
                expires_on=today() + timedelta(days=400),
                settings=settings,
            )
        with database.transaction() as db:
            [stored] = db.scalars(select(SellerDocument)).all()
            assert b"PNG" not in stored.content  # sealed at rest
            opened = document_service.read(stored, settings)
            assert opened.startswith(b"\x89PNG")
        listed = client.get(
            "/api/v1/sellers/seller-1/document-requests",
            headers=bearer(database, Scope.sellers_read),
        ).json()
        assert listed[0]["fulfilled_at"] is not None

    def test_missing_past_the_deadline_applies_the_documents_policy(
        self, database: Database
    ) -> None:
        with database.transaction() as db:
            add_seller(db)
            document_service.request(
                db,
                "seller-1",
                DocumentKind.PROOF_OF_ADDRESS,
                deadline=today() + timedelta(days=7),
                actor="test",
            )
        with database.transaction() as db:
            assert reevaluate_seller(db, "seller-1", today(), metrics=[]).opened == []
        clock.advance(timedelta(days=8))
        with database.transaction() as db:
            [violation_id] = reevaluate_seller(db, "seller-1", today(), metrics=[]).opened
        with database.transaction() as db:
            violation = db.get(Violation, violation_id)
            assert violation is not None and violation.policy_id == "required_documents"
            assert "missing" in violation.evidence[0]


class TestSellerPages:
    def test_a_seller_uploads_a_document_on_the_page(
        self, client: TestClient, app: FastAPI, database: Database
    ) -> None:
        sign_in_seller(client, app, database)
        page = client.get("/account-health/documents")
        assert page.status_code == 200
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        sent = client.post(
            "/account-health/documents",
            data={"csrf_token": token, "kind": "bank_statement", "expires_on": ""},
            files={"document": ("statement.png", png_bytes(), "image/png")},
        )
        assert sent.status_code == 200
        assert "the document is on file" in sent.text
        bad = client.post(
            "/account-health/documents",
            data={"csrf_token": token, "kind": "bank_statement"},
            files={"document": ("statement.png", b"not an image", "image/png")},
        )
        assert bad.status_code == 422

    def test_a_seller_asks_for_an_additional_account_and_a_case_opens(
        self, client: TestClient, app: FastAPI, database: Database
    ) -> None:
        sign_in_seller(client, app, database)
        page = client.get("/account-health/additional-accounts")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        sent = client.post(
            "/account-health/additional-accounts",
            data={
                "csrf_token": token,
                "additional_seller_id": "seller-2",
                "business_reason": "A second brand with its own warehouse and staff.",
            },
        )
        assert sent.status_code == 200
        assert "seller-2" in sent.text
        with database.transaction() as db:
            [case] = db.scalars(select(Case)).all()
            assert case.kind == "additional_account"
            assert case.payload["additional_seller_id"] == "seller-2"
