from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from goodstanding.kit.clock import clock
from goodstanding.kit.db import Database
from goodstanding.models.account import Account
from goodstanding.models.webhook_message import WebhookMessage
from goodstanding.notify.email import memory_outbox
from goodstanding.notify.sms import memory_sms_outbox
from tests.accounts.conftest import (
    Api,
    Person,
    add_account,
    last_email_code,
    last_sms_code,
    other_code,
)

NEW_PASSWORD = "purple otters juggle winter lanterns"


def ask(api: Api, identifier: str) -> object:
    return api.post("/password/forgot", {"identifier": identifier, "altcha": api.captcha()})


class TestRequest:
    def test_known_and_unknown_addresses_get_the_same_reply(self, api: Api, ana: Person) -> None:
        known = ask(api, ana.email)
        unknown = ask(api, "nobody@example.com")
        assert known.status_code == unknown.status_code == 202  # type: ignore[attr-defined]
        assert known.json()["next"] == unknown.json()["next"] == "code"  # type: ignore[attr-defined]
        assert [email.to for email in memory_outbox] == [ana.email]

    def test_a_captcha_is_required(self, api: Api, ana: Person) -> None:
        response = api.post("/password/forgot", {"identifier": ana.email})
        assert response.json()["type"] == "/problems/captcha-required"
        assert memory_outbox == []

    def test_an_unverified_address_gets_nothing(self, api: Api, database: Database) -> None:
        person = add_account(database, email_verified_at=None)
        assert ask(api, person.email).status_code == 202  # type: ignore[attr-defined]
        assert memory_outbox == []

    def test_sending_is_limited_per_address(self, api: Api, ana: Person) -> None:
        statuses = [ask(api, ana.email).status_code for _ in range(6)]  # type: ignore[attr-defined]
        assert statuses == [202] * 5 + [429]

    @pytest.mark.parametrize(
        "identifier", ["", "not-an-address", "ana@", "+1 000", "аna@example.com", "+4415555"]
    )
    def test_bad_identifiers_are_a_clear_422(self, api: Api, identifier: str) -> None:
        response = api.post("/password/forgot", {"identifier": identifier})
        assert response.status_code == 422
        assert response.json()["field"] == "identifier"
        assert response.json()["detail"]


class TestReset:
    def test_by_email_code(self, api: Api, ana: Person, database: Database) -> None:
        ask(api, ana.email)
        assert api.post("/password/forgot/verify", {"code": last_email_code(ana.email)}).json() == {
            "next": "new_password",
            "sent_to": None,
        }
        assert api.post("/password/forgot/reset", {"password": NEW_PASSWORD}).status_code == 200
        assert api.get("/session").json()["signed_in"] is False  # no automatic sign-in
        assert api.sign_in(ana.email).status_code == 401
        assert api.sign_in(ana.email, NEW_PASSWORD).status_code == 200
        notice = memory_outbox[-1]
        assert notice.subject == "Your goodstanding password was changed"
        assert "/not-me/" in notice.text
        assert any("/not-me/" in sms.body for sms in memory_sms_outbox)
        with database.transaction() as db:
            types = {row.event_type for row in db.query(WebhookMessage).all()}
        assert "account.password_reset" in types

    def test_by_sms_code(self, api: Api, ana: Person) -> None:
        ask(api, ana.phone)
        api.post("/password/forgot/verify", {"code": last_sms_code(ana.phone)})
        assert api.post("/password/forgot/reset", {"password": NEW_PASSWORD}).status_code == 200

    def test_five_wrong_codes_void_the_code(self, api: Api, ana: Person) -> None:
        ask(api, ana.email)
        right = last_email_code(ana.email)
        answers = [
            api.post("/password/forgot/verify", {"code": other_code(right)}) for _ in range(5)
        ]
        assert [answer.json().get("attempts_left") for answer in answers[:4]] == [4, 3, 2, 1]
        assert answers[4].json()["type"] == "/problems/code-unusable"
        late = api.post("/password/forgot/verify", {"code": right})
        assert late.json()["type"] == "/problems/code-unusable"

    def test_code_expires_after_ten_minutes(self, api: Api, ana: Person) -> None:
        ask(api, ana.email)
        clock.advance(timedelta(minutes=10, seconds=1))
        response = api.post("/password/forgot/verify", {"code": last_email_code(ana.email)})
        assert response.json()["type"] in ("/problems/code-unusable", "/problems/step-missing")

    def test_code_is_bound_to_the_browser_that_asked(
        self, app: FastAPI, api: Api, ana: Person
    ) -> None:
        ask(api, ana.email)
        with TestClient(app) as other_client:
            other = Api(other_client)
            response = other.post("/password/forgot/verify", {"code": last_email_code(ana.email)})
        assert response.status_code in (409, 422)

    def test_code_works_once(self, api: Api, ana: Person) -> None:
        ask(api, ana.email)
        code = last_email_code(ana.email)
        api.post("/password/forgot/verify", {"code": code})
        again = api.post("/password/forgot/verify", {"code": code})
        assert again.json()["type"] == "/problems/code-unusable"

    def test_new_password_follows_the_policy(self, api: Api, ana: Person) -> None:
        ask(api, ana.email)
        api.post("/password/forgot/verify", {"code": last_email_code(ana.email)})
        for weak in ("short", "password123456789", "ana buyer is the best!!"):
            response = api.post("/password/forgot/reset", {"password": weak})
            assert response.status_code == 422
            assert response.json()["field"] == "password"

    def test_new_password_needs_a_verified_code(self, api: Api, ana: Person) -> None:
        ask(api, ana.email)
        response = api.post("/password/forgot/reset", {"password": NEW_PASSWORD})
        assert response.status_code == 409

    def test_other_sessions_are_signed_out(self, app: FastAPI, api: Api, ana: Person) -> None:
        with TestClient(app) as old_client:
            old = Api(old_client)
            old.sign_in(ana.email)
            ask(api, ana.email)
            api.post("/password/forgot/verify", {"code": last_email_code(ana.email)})
            api.post("/password/forgot/reset", {"password": NEW_PASSWORD})
            assert old.get("/session").json()["signed_in"] is False

    def test_not_me_locks_the_account(self, api: Api, ana: Person, database: Database) -> None:
        ask(api, ana.email)
        api.post("/password/forgot/verify", {"code": last_email_code(ana.email)})
        api.post("/password/forgot/reset", {"password": NEW_PASSWORD})
        token = memory_outbox[-1].text.split("/not-me/")[1].split()[0]
        assert api.post("/not-me", {"token": token}).json()["next"] == "recovery"
        with database.transaction() as db:
            assert db.get(Account, ana.id).status == Account.Status.locked  # type: ignore[union-attr]
        assert api.sign_in(ana.email, NEW_PASSWORD).status_code == 403
        assert api.post("/not-me", {"token": token}).status_code == 404

    def test_unknown_address_code_never_works(self, api: Api) -> None:
        ask(api, "nobody@example.com")
        response = api.post("/password/forgot/verify", {"code": "123456"})
        assert response.json()["type"] in ("/problems/wrong-code", "/problems/code-unusable")
