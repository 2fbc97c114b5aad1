"""The seller's Account Health pages and API over HTTP, and access: another account's ids are
404 on every route."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from mfa.people import Person, add_account

from goodstanding.kit.db import Database
from tests.cases.appeal_factories import GOOD_PLAN, png, suspended_for_order_defects

Login = Callable[..., TestClient]
PLAN = {
    "root_cause": GOOD_PLAN.root_cause,
    "corrective_actions": GOOD_PLAN.corrective_actions,
    "preventive_measures": GOOD_PLAN.preventive_measures,
}


@pytest.fixture
def sam(database: Database) -> Person:
    return add_account(database, name="Sam Seller", email="sam@shop.example", roles=["seller"])


@pytest.fixture
def violation_id(database: Database, sam: Person) -> str:
    return suspended_for_order_defects(database, sam.id)


class TestHealthPage:
    def test_shows_why_and_the_way_back(self, login: Login, sam: Person, violation_id: str) -> None:
        page = login(sam).get("/account-health")
        assert page.status_code == 200
        assert 'id="standing">Suspended' in page.text
        assert "<svg" in page.text and 'role="img"' in page.text
        assert "Order defect rate" in page.text
        assert "12 of 500 orders" in page.text or "12 / 500" in page.text or "0.024" in page.text
        assert "Reactivate your account" in page.text

    def test_in_spanish(self, login: Login, sam: Person, violation_id: str) -> None:
        client = login(sam)
        page = client.get("/account-health", headers={"accept-language": "es"})
        assert "Reactiva tu cuenta" in page.text
        assert "Tasa de pedidos defectuosos" in page.text

    def test_the_api_gives_the_same_view(
        self, login: Login, sam: Person, violation_id: str
    ) -> None:
        body = login(sam).get("/api/v1/account-health").json()
        assert body["standing"] == "suspended"
        assert [v["id"] for v in body["violations"]] == [violation_id]
        assert body["next_step"]["code"] == "reactivate"
        assert sum(item["points"] for item in body["rating"]["items"]) == body["rating"]["value"]


class TestAppealPages:
    def test_check_then_submit_with_a_document(
        self, login: Login, sam: Person, violation_id: str
    ) -> None:
        client = login(sam)
        checked = client.post(
            "/account-health/appeal",
            data={
                "violation_ids": violation_id,
                "intent": "check",
                **PLAN,
                "corrective_actions": "",
            },
        )
        assert checked.status_code == 200
        assert "Write this part." in checked.text
        sent = client.post(
            "/account-health/appeal",
            data={"violation_ids": violation_id, "intent": "submit", **PLAN},
            files=[("documents", ("invoice.png", png(), "image/png"))],
            follow_redirects=False,
        )
        assert sent.status_code == 303
        case_page = client.get(sent.headers["location"])
        assert "With our review team" in case_page.text
        assert "You sent the appeal." in case_page.text
        again = client.get(
            f"/account-health/appeal?violation={violation_id}", follow_redirects=False
        )
        assert again.headers["location"] == sent.headers["location"]

    def test_an_unsafe_file_is_refused_with_the_form_kept(
        self, login: Login, sam: Person, violation_id: str
    ) -> None:
        refused = login(sam).post(
            "/account-health/appeal",
            data={"violation_ids": violation_id, "intent": "submit", **PLAN},
            files=[("documents", ("x.png", b"#!/bin/sh\nrm -rf /", "image/png"))],
        )
        assert refused.status_code == 422
        assert GOOD_PLAN.root_cause in refused.text

    def test_api_plan_check_and_duplicate_appeal(
        self, login: Login, sam: Person, violation_id: str
    ) -> None:
        client = login(sam)
        check = client.post(
            "/api/v1/account-health/plan-check",
            json={"violation_ids": [violation_id], "plan": {**PLAN, "root_cause": "short"}},
        ).json()
        assert check["complete"] is False
        assert check["shortfalls"][0]["part"] == "root_cause"
        created = client.post(
            "/api/v1/account-health/appeals",
            json={"violation_ids": [violation_id], "plan": PLAN},
        )
        assert created.status_code == 201
        duplicate = client.post(
            "/api/v1/account-health/appeals",
            json={"violation_ids": [violation_id], "plan": PLAN},
        )
        assert duplicate.status_code == 409
        assert duplicate.json()["type"] == "/problems/appeal-already-open"


class TestAnotherAccountsIds:
    def test_every_seller_route_is_404_with_someone_elses_ids(
        self,
        database: Database,
        login: Login,
        sam: Person,
        violation_id: str,
    ) -> None:
        owner = login(sam)
        created = owner.post(
            "/api/v1/account-health/appeals", json={"violation_ids": [violation_id], "plan": PLAN}
        ).json()
        case_id = created["id"]
        from goodstanding.cases.appeals import appeal_service

        with database.transaction() as db:
            case = appeal_service.for_account(db, case_id, sam.id)
            case.payload = {**case.payload, "awaiting": "seller"}
        olga = add_account(
            database,
            name="Olga Other",
            email="olga@shop.example",
            phone="+14155550199",
            roles=["seller"],
        )
        suspended_for_order_defects(database, olga.id, seller_id="seller-2")
        other = login(olga)
        assert other.get(f"/account-health/appeals/{case_id}").status_code == 404
        assert (
            other.post(
                f"/account-health/appeals/{case_id}/answer", data={"message": "x"}
            ).status_code
            == 404
        )
        assert (
            other.get(f"/account-health/appeals/{case_id}/documents/{'0' * 32}").status_code == 404
        )
        assert other.get(f"/api/v1/account-health/appeals/{case_id}").status_code == 404
        assert (
            other.post(
                f"/api/v1/account-health/appeals/{case_id}/answer", json={"message": "x"}
            ).status_code
            == 404
        )
        assert (
            other.post(
                "/api/v1/account-health/appeals",
                json={"violation_ids": [violation_id], "plan": PLAN},
            ).status_code
            == 404
        )
        assert (
            other.post(
                "/api/v1/account-health/plan-check",
                json={"violation_ids": [violation_id], "plan": PLAN},
            ).status_code
            == 404
        )
        assert (
            other.post(
                "/account-health/appeal",
                data={"violation_ids": violation_id, "intent": "submit", **PLAN},
            ).status_code
            == 404
        )
