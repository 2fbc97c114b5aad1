from __future__ import annotations

import pytest

from goodstanding.kit.db import Database
from goodstanding.models.account import Account
from goodstanding.notify.email import memory_outbox
from goodstanding.notify.sms import memory_sms_outbox
from tests.accounts.conftest import Api, Person, last_email_code, last_sms_code

DETAILS = {
    "name": "Bea Newcomer",
    "email": "bea@example.com",
    "phone": "+14155550199",
    "password": "seven cobalt herons over the quay",
}


class TestSignUp:
    def test_both_codes_then_a_signed_in_buyer(self, api: Api, database: Database) -> None:
        started = api.post("/sign-up", {**DETAILS, "roles": ["seller"]})
        assert started.status_code == 202
        email_step = api.post("/sign-up/verify-email", {"code": last_email_code(DETAILS["email"])})
        assert email_step.json()["next"] == "verify_phone"
        done = api.post("/sign-up/verify-phone", {"code": last_sms_code(DETAILS["phone"])})
        assert done.status_code == 201
        assert done.json()["roles"] == ["buyer", "seller"]
        api.refresh_csrf()
        assert api.get("/session").json()["signed_in"] is True
        with database.transaction() as db:
            account = db.query(Account).filter(Account.email == DETAILS["email"]).one()
            assert account.email_verified_at is not None
            assert account.phone_verified_at is not None

    def test_phone_code_needs_the_email_code_first(self, api: Api) -> None:
        api.post("/sign-up", DETAILS)
        assert api.post("/sign-up/verify-phone", {"code": "123456"}).status_code == 409

    def test_a_taken_email_gets_a_notice_and_the_same_reply(self, api: Api, ana: Person) -> None:
        reply = api.post("/sign-up", {**DETAILS, "email": ana.email})
        assert reply.status_code == 202
        assert reply.json()["next"] == "verify_email"
        assert memory_outbox[-1].subject == "You already have a goodstanding account"
        assert "code" not in memory_outbox[-1].text.lower().split("goodstanding")[0]

    def test_a_taken_phone_gets_a_notice_not_a_code(self, api: Api, ana: Person) -> None:
        api.post("/sign-up", {**DETAILS, "phone": ana.phone})
        api.post("/sign-up/verify-email", {"code": last_email_code(DETAILS["email"])})
        assert "already has one" in memory_sms_outbox[-1].body

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("email", "bea@mailinator.com"),
            ("email", "not an address"),
            ("email", "bеa@example.com"),  # Cyrillic "е"
            ("phone", "555-0199"),
            ("phone", "+1 000 000 0000"),
            ("name", "   "),
            ("password", "short pass"),
            ("password", "password"),
            ("password", "bea newcomer forever!"),
        ],
    )
    def test_refusals_name_the_field(self, api: Api, field: str, value: str) -> None:
        response = api.post("/sign-up", {**DETAILS, field: value})
        assert response.status_code == 422
        assert response.json()["field"] == field
        assert memory_outbox == []

    def test_unknown_roles_are_refused(self, api: Api) -> None:
        response = api.post("/sign-up", {**DETAILS, "roles": ["admin"]})
        assert response.status_code == 422
