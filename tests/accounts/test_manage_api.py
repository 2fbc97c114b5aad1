from __future__ import annotations

from datetime import timedelta

from goodstanding.accounts.flows.manage import scrub_closed_accounts
from goodstanding.kit.clock import clock
from goodstanding.kit.db import Database
from goodstanding.models.account import Account
from goodstanding.notify.email import memory_outbox
from goodstanding.notify.sms import memory_sms_outbox
from tests.accounts.conftest import Api, Person, last_email_code, last_sms_code


def account_row(database: Database, account_id: str) -> Account:
    with database.transaction() as db:
        account = db.get(Account, account_id)
        assert account is not None
        return account


class TestFreshSignIn:
    def test_changes_need_a_password_within_five_minutes(self, api: Api, ana: Person) -> None:
        api.sign_in(ana.email)
        clock.advance(timedelta(minutes=6))
        stale = api.post("/account/name", {"name": "Ana B."})
        assert stale.status_code == 401
        assert stale.json()["type"] == "/problems/fresh-sign-in-required"
        assert api.post("/reauthenticate", {"password": ana.password}).status_code == 200
        assert api.post("/account/name", {"name": "Ana B."}).json()["name"] == "Ana B."

    def test_a_wrong_password_does_not_refresh(self, api: Api, ana: Person) -> None:
        api.sign_in(ana.email)
        clock.advance(timedelta(minutes=6))
        assert api.post("/reauthenticate", {"password": "not it at all"}).status_code == 401
        assert api.post("/account/name", {"name": "Ana B."}).status_code == 401


class TestChangeEmail:
    def test_takes_effect_after_the_code_and_the_old_address_can_undo(
        self, api: Api, ana: Person, database: Database
    ) -> None:
        api.sign_in(ana.email)
        assert api.post("/account/email", {"email": "ana.new@example.com"}).status_code == 202
        assert account_row(database, ana.id).email == ana.email
        code = last_email_code("ana.new@example.com")
        assert api.post("/account/email/verify", {"code": code}).json()["email"] == (
            "ana.new@example.com"
        )
        notice = memory_outbox[-1]
        assert notice.to == ana.email
        token = notice.text.split("/undo-change/")[1].split()[0]
        assert api.post("/undo-change", {"token": token}).status_code == 200
        assert account_row(database, ana.id).email == ana.email
        assert api.get("/session").json()["signed_in"] is False

    def test_the_undo_link_lasts_seven_days(self, api: Api, ana: Person) -> None:
        api.sign_in(ana.email)
        api.post("/account/email", {"email": "ana.new@example.com"})
        api.post("/account/email/verify", {"code": last_email_code("ana.new@example.com")})
        token = memory_outbox[-1].text.split("/undo-change/")[1].split()[0]
        clock.advance(timedelta(days=7, minutes=1))
        assert api.post("/undo-change", {"token": token}).status_code == 404


class TestChangePhone:
    def test_new_phone_is_verified_by_text_and_the_old_one_told(
        self, api: Api, ana: Person, database: Database
    ) -> None:
        api.sign_in(ana.email)
        api.post("/account/phone", {"phone": "+14155550177"})
        api.post("/account/phone/verify", {"code": last_sms_code("+14155550177")})
        assert account_row(database, ana.id).phone == "+14155550177"
        assert memory_sms_outbox[-1].to == ana.phone
        assert "/undo-change/" in memory_sms_outbox[-1].body


class TestClose:
    def test_typed_confirmation_closes_for_good(
        self, api: Api, ana: Person, database: Database
    ) -> None:
        api.sign_in(ana.email)
        wrong = api.post("/account/close", {"confirmation": "yes"})
        assert wrong.status_code == 422
        assert api.post("/account/close", {"confirmation": ana.email}).status_code == 200
        assert account_row(database, ana.id).status == Account.Status.closed
        assert api.get("/session").json()["signed_in"] is False
        api.refresh_csrf()  # the closed account's session ended with its token
        assert api.sign_in(ana.email).status_code == 401

    def test_personal_details_are_scrubbed_after_retention(
        self, api: Api, ana: Person, database: Database
    ) -> None:
        api.sign_in(ana.email)
        api.post("/account/close", {"confirmation": ana.email})
        with database.transaction() as db:
            assert scrub_closed_accounts(db, timedelta(days=30)) == 0
        clock.advance(timedelta(days=31))
        with database.transaction() as db:
            assert scrub_closed_accounts(db, timedelta(days=30)) == 1
        scrubbed = account_row(database, ana.id)
        assert scrubbed.email.endswith("@closed.invalid")
        assert scrubbed.phone is None
        assert scrubbed.name == "Closed account"
