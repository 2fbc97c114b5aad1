"""The second sign-in step through the JSON API: TOTP, backup codes, trusted browsers, limits."""

from __future__ import annotations

from datetime import timedelta

from accounts.conftest import last_sms_code
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from goodstanding.kit.clock import clock
from goodstanding.kit.db import Database
from goodstanding.mfa import has_second_factor
from goodstanding.mfa.trusted_devices import TRUSTED_DEVICE_COOKIE
from goodstanding.models.mfa_authenticator import MfaAuthenticator
from goodstanding.models.mfa_backup_code import MfaBackupCode
from goodstanding.models.web_session import WebSession
from goodstanding.notify.email import memory_outbox
from goodstanding.notify.sms import memory_sms_outbox
from mfa.people import MfaApi, Person, add_account, add_sms_code, add_totp, totp_now


def enrol_totp(api: MfaApi, person: Person) -> str:
    assert api.sign_in(person.email).json()["next"] == "done"
    secret = api.mfa_post("/totp/enrolment").json()["secret"]
    confirmed = api.mfa_post(
        "/totp/enrolment/confirm", {"code": totp_now(secret), "label": "Phone"}
    )
    assert confirmed.status_code == 201, confirmed.text
    api.post("/sign-out")
    api.refresh_csrf()
    clock.advance(timedelta(seconds=30))  # the enrolment code's step is spent
    return secret


class TestHasSecondFactor:
    def test_false_without_factor_true_with_one(self, database: Database, ana: Person) -> None:
        with database.transaction() as db:
            assert has_second_factor(db, ana.id) is False
        add_totp(database, ana)
        with database.transaction() as db:
            assert has_second_factor(db, ana.id) is True


class TestTotpEnrolment:
    def test_enrolling_tells_every_verified_channel(self, api: MfaApi, ana: Person) -> None:
        enrol_totp(api, ana)
        assert any(e.to == ana.email and "added" in e.subject for e in memory_outbox)
        assert any(s.to == ana.phone for s in memory_sms_outbox)

    def test_secret_is_encrypted_at_rest(
        self, api: MfaApi, ana: Person, database: Database
    ) -> None:
        secret = enrol_totp(api, ana)
        with database.transaction() as db:
            stored = db.scalar(select(MfaAuthenticator.secret))
        assert stored is not None and secret.encode() not in stored

    def test_needs_a_fresh_sign_in(self, api: MfaApi, ana: Person) -> None:
        api.sign_in(ana.email)
        clock.advance(timedelta(minutes=30))
        response = api.mfa_post("/totp/enrolment")
        assert response.status_code == 401
        assert response.json()["type"] == "/problems/fresh-sign-in-required"


class TestSecondStepWithTotp:
    def test_password_then_code_signs_in(self, api: MfaApi, ana: Person) -> None:
        secret = enrol_totp(api, ana)
        assert api.sign_in(ana.email).json()["next"] == "second_factor"
        assert api.get("/session").json()["signed_in"] is False
        response = api.second_step("totp", totp_now(secret))
        assert response.status_code == 200, response.text
        assert api.get("/session").json()["signed_in"] is True

    def test_wrong_code_is_refused(self, api: MfaApi, ana: Person) -> None:
        secret = enrol_totp(api, ana)
        api.sign_in(ana.email)
        wrong = f"{(int(totp_now(secret)) + 1) % 1_000_000:06d}"
        response = api.second_step("totp", wrong)
        assert response.status_code == 400
        assert api.get("/session").json()["signed_in"] is False

    def test_used_code_is_refused_the_second_time(self, api: MfaApi, ana: Person) -> None:
        secret = enrol_totp(api, ana)
        code = totp_now(secret)
        api.sign_in(ana.email)
        assert api.second_step("totp", code).status_code == 200
        api.post("/sign-out")
        api.refresh_csrf()
        api.sign_in(ana.email)
        replay = api.second_step("totp", code)
        assert replay.status_code == 400
        assert replay.json()["type"] == "/problems/mfa-code-already-used"

    def test_without_password_step_there_is_nothing_to_confirm(
        self, api: MfaApi, ana: Person
    ) -> None:
        secret = enrol_totp(api, ana)
        response = api.second_step("totp", totp_now(secret))
        assert response.status_code == 409


class TestSecondStepLimits:
    def test_wrong_codes_are_limited_per_browser(self, api: MfaApi, ana: Person) -> None:
        secret = enrol_totp(api, ana)
        api.sign_in(ana.email)
        wrong = f"{(int(totp_now(secret)) + 500_000) % 1_000_000:06d}"
        statuses = [api.second_step("totp", wrong).status_code for _ in range(6)]
        assert statuses == [400] * 5 + [429]
        # Even the right code waits now: guessing is stopped, not just slowed.
        assert api.second_step("totp", totp_now(secret)).status_code == 429

    def test_code_limits_do_not_touch_the_password_limits(
        self, api: MfaApi, ana: Person, app: object
    ) -> None:
        secret = enrol_totp(api, ana)
        api.sign_in(ana.email)
        wrong = f"{(int(totp_now(secret)) + 500_000) % 1_000_000:06d}"
        for _ in range(6):
            api.second_step("totp", wrong)
        with TestClient(app) as other_browser:  # type: ignore[arg-type]
            owner = MfaApi(other_browser)
            assert owner.sign_in(ana.email).json()["next"] == "second_factor"
            assert owner.second_step("totp", totp_now(secret, 1)).status_code == 200


class TestBackupCodes:
    def test_ten_codes_each_working_once(self, api: MfaApi, ana: Person) -> None:
        secret = enrol_totp(api, ana)
        api.sign_in(ana.email)
        api.second_step("totp", totp_now(secret))
        response = api.mfa_post("/backup-codes")
        assert response.status_code == 201
        codes = response.json()["codes"]
        assert len(codes) == 10 and len(set(codes)) == 10

        def sign_in_with(code: str) -> int:
            api.post("/sign-out")
            api.refresh_csrf()
            assert api.sign_in(ana.email).json()["next"] == "second_factor"
            return int(api.second_step("backup_codes", code).status_code)

        assert sign_in_with(codes[0]) == 200
        assert sign_in_with(codes[0]) == 400
        typed_loosely = codes[1].replace("-", " ").lower()
        assert sign_in_with(typed_loosely) == 200

    def test_stored_hashed(self, api: MfaApi, ana: Person, database: Database) -> None:
        secret = enrol_totp(api, ana)
        api.sign_in(ana.email)
        api.second_step("totp", totp_now(secret))
        codes = api.mfa_post("/backup-codes").json()["codes"]
        with database.transaction() as db:
            hashes = db.scalars(select(MfaBackupCode.code_hash)).all()
        assert len(hashes) == 10
        assert not set(codes) & set(hashes)
        assert all(h.startswith("$argon2id$") for h in hashes)


def signed_in_session_data(database: Database, person: Person) -> dict[str, object]:
    with database.transaction() as db:
        row = db.scalars(
            select(WebSession).where(
                WebSession.account_id == person.id, WebSession.revoked_at.is_(None)
            )
        ).one()
        return dict(row.data)


class TestTheSessionNamesTheFactor:
    def test_the_factor_that_signed_in_is_kept_in_the_session(
        self, api: MfaApi, ana: Person, database: Database
    ) -> None:
        secret = add_totp(database, ana)
        api.sign_in(ana.email)
        assert api.second_step("totp", totp_now(secret)).status_code == 200
        assert signed_in_session_data(database, ana)["second_factor"] == "totp"

    def test_a_later_sign_in_replaces_it(
        self, api: MfaApi, ana: Person, database: Database
    ) -> None:
        secret = add_totp(database, ana)
        add_sms_code(database, ana)
        api.sign_in(ana.email)
        api.second_step("totp", totp_now(secret))
        # Signing in again from the same browser, this time with a texted code.
        assert api.sign_in(ana.email).json()["next"] == "second_factor"
        assert api.mfa_post("/second-step/send-code", {"method": "sms_code"}).status_code == 202
        assert api.second_step("sms_code", last_sms_code(ana.phone)).status_code == 200
        assert signed_in_session_data(database, ana)["second_factor"] == "sms_code"

    def test_a_password_alone_names_none(
        self, api: MfaApi, ana: Person, database: Database
    ) -> None:
        assert api.sign_in(ana.email).json()["next"] == "done"
        assert "second_factor" not in signed_in_session_data(database, ana)


class TestTrustedBrowser:
    def test_trusted_browser_skips_the_second_step(self, api: MfaApi, ana: Person) -> None:
        secret = enrol_totp(api, ana)
        api.sign_in(ana.email)
        assert api.second_step("totp", totp_now(secret), trust=True).status_code == 200
        assert api.client.cookies.get(TRUSTED_DEVICE_COOKIE)
        api.post("/sign-out")
        api.refresh_csrf()
        assert api.sign_in(ana.email).json()["next"] == "done"

    def test_staff_are_asked_even_on_a_trusted_browser(
        self, api: MfaApi, database: Database
    ) -> None:
        rita = add_account(
            database,
            name="Rita Reviewer",
            email="rita@staff.example",
            phone="+14155550201",
            roles=["reviewer"],
        )
        secret = add_totp(database, rita)
        api.sign_in(rita.email)
        assert api.second_step("totp", totp_now(secret), trust=True).status_code == 200
        assert api.client.cookies.get(TRUSTED_DEVICE_COOKIE)
        api.post("/sign-out")
        api.refresh_csrf()
        assert api.sign_in(rita.email).json()["next"] == "second_factor"

    def test_listed_and_revocable(self, api: MfaApi, ana: Person) -> None:
        secret = enrol_totp(api, ana)
        api.sign_in(ana.email)
        api.second_step("totp", totp_now(secret), trust=True)
        devices = api.mfa_get("/trusted-devices").json()
        assert len(devices) == 1
        assert api.mfa_delete(f"/trusted-devices/{devices[0]['id']}").status_code == 204
        api.post("/sign-out")
        api.refresh_csrf()
        assert api.sign_in(ana.email).json()["next"] == "second_factor"

    def test_voided_when_a_factor_changes(
        self, api: MfaApi, ana: Person, database: Database
    ) -> None:
        secret = enrol_totp(api, ana)
        api.sign_in(ana.email)
        api.second_step("totp", totp_now(secret), trust=True)
        add_totp(database, ana, label="Second phone")  # a change no code path announced
        api.post("/sign-out")
        api.refresh_csrf()
        assert api.sign_in(ana.email).json()["next"] == "second_factor"

    def test_expires_after_30_days(self, api: MfaApi, ana: Person) -> None:
        secret = enrol_totp(api, ana)
        api.sign_in(ana.email)
        api.second_step("totp", totp_now(secret), trust=True)
        api.post("/sign-out")
        clock.advance(timedelta(days=31))
        api.refresh_csrf()
        assert api.sign_in(ana.email).json()["next"] == "second_factor"


class TestRemovingFactors:
    def test_removing_the_last_needs_a_fresh_sign_in_and_tells_everyone(
        self, api: MfaApi, ana: Person, database: Database
    ) -> None:
        secret = enrol_totp(api, ana)
        api.sign_in(ana.email)
        api.second_step("totp", totp_now(secret))
        factor_id = api.mfa_get("/factors").json()[0]["id"]
        clock.advance(timedelta(minutes=10))
        stale = api.mfa_delete(f"/factors/{factor_id}")
        assert stale.status_code == 401
        assert api.post("/reauthenticate", {"password": ana.password}).status_code == 200
        memory_outbox.clear()
        assert api.mfa_delete(f"/factors/{factor_id}").status_code == 204
        assert any(e.to == ana.email and "removed" in e.subject for e in memory_outbox)
        with database.transaction() as db:
            assert has_second_factor(db, ana.id) is False
            left = db.scalar(select(func.count()).select_from(MfaAuthenticator))
        assert left == 0  # the backup codes went with the last factor
