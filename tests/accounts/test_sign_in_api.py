from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from goodstanding.accounts import limits
from goodstanding.kit.clock import clock
from goodstanding.kit.db import Database
from goodstanding.models.account import Account
from goodstanding.models.security_event import SecurityEvent
from goodstanding.models.web_session import WebSession
from tests.accounts.conftest import PASSWORD, Api, Person, add_account


class TestSignIn:
    def test_right_password_signs_in_with_a_new_session_id(self, api: Api, ana: Person) -> None:
        before = api.client.cookies.get("gs_session")
        response = api.sign_in(ana.email)
        assert response.status_code == 200
        assert response.json()["next"] == "done"
        assert api.client.cookies.get("gs_session") != before
        state = api.get("/session").json()
        assert state["signed_in"] is True
        assert state["account"]["email"] == ana.email

    def test_phone_works_as_the_identifier(self, api: Api, ana: Person) -> None:
        assert api.sign_in("+1 415 555 0101").status_code == 200

    def test_email_is_matched_without_regard_to_case(self, api: Api, ana: Person) -> None:
        assert api.sign_in("ANA@Example.COM").status_code == 200

    def test_wrong_password_and_unknown_account_answer_alike(self, api: Api, ana: Person) -> None:
        wrong = api.sign_in(ana.email, "not the password at all")
        unknown = api.sign_in("nobody@example.com", "not the password at all")
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json()["detail"] == unknown.json()["detail"]
        assert wrong.json()["type"] == unknown.json()["type"] == "/problems/sign-in-failed"

    def test_failures_are_counted_even_though_the_request_fails(
        self, api: Api, ana: Person, database: Database
    ) -> None:
        api.sign_in(ana.email, "wrong one")
        with database.transaction() as db:
            assert limits.SIGN_IN_ACCOUNT.count(db, ana.email) == 1
            tags = [event.tag for event in db.query(SecurityEvent).all()]
        assert tags == ["sign_in_failed"]

    def test_captcha_is_asked_after_three_failures_for_known_and_unknown_alike(
        self, api: Api, ana: Person
    ) -> None:
        for identifier in (ana.email, "nobody@example.com"):
            for _attempt in range(limits.SIGN_IN_ESCALATION.captcha_after):
                assert api.sign_in(identifier, "wrong one").status_code == 401
            blocked = api.sign_in(identifier, PASSWORD if identifier == ana.email else "x")
            assert blocked.status_code == 422
            assert blocked.json()["type"] == "/problems/captcha-required"
        solved = api.post(
            "/sign-in", {"identifier": ana.email, "password": PASSWORD, "altcha": api.captcha()}
        )
        assert solved.status_code == 200

    def test_a_solved_captcha_works_once(self, api: Api, ana: Person) -> None:
        for _attempt in range(3):
            api.sign_in(ana.email, "wrong one")
        payload = api.captcha()
        body = {"identifier": ana.email, "password": "wrong one", "altcha": payload}
        assert api.post("/sign-in", body).status_code == 401
        replay = api.post("/sign-in", {**body, "password": PASSWORD})
        assert replay.json()["type"] == "/problems/captcha-required"

    def test_waits_grow_after_ten_failures_then_pass(self, api: Api, ana: Person) -> None:
        for _attempt in range(limits.SIGN_IN_ESCALATION.delay_after):
            body = {"identifier": ana.email, "password": "wrong", "altcha": api.captcha()}
            assert api.post("/sign-in", body).status_code == 401
        body = {"identifier": ana.email, "password": PASSWORD, "altcha": api.captcha()}
        waiting = api.post("/sign-in", body)
        assert waiting.status_code == 429
        assert int(waiting.headers["retry-after"]) > 0
        clock.advance(timedelta(seconds=31))
        body["altcha"] = api.captcha()
        assert api.post("/sign-in", body).status_code == 200

    def test_hard_stop_after_one_hundred_failures_in_a_row(
        self, api: Api, ana: Person, database: Database
    ) -> None:
        with database.transaction() as db:
            for _failure in range(limits.SIGN_IN_ESCALATION.hard_stop):
                limits.CONSECUTIVE_FAILURES.hit(db, ana.email)
        body = {"identifier": ana.email, "password": PASSWORD, "altcha": api.captcha()}
        stopped = api.post("/sign-in", body)
        assert stopped.status_code == 403
        assert "100" in stopped.json()["detail"]

    def test_a_closed_account_cannot_sign_in(self, api: Api, database: Database) -> None:
        person = add_account(database, status=Account.Status.closed)
        assert api.sign_in(person.email).status_code == 401

    def test_a_locked_account_is_told_to_start_recovery(self, api: Api, database: Database) -> None:
        person = add_account(database, status=Account.Status.locked)
        response = api.sign_in(person.email)
        assert response.status_code == 403
        assert "recovery" in response.json()["detail"]

    def test_sign_in_needs_the_csrf_token(self, api: Api, ana: Person) -> None:
        response = api.client.post(
            "/api/v1/auth/sign-in", json={"identifier": ana.email, "password": PASSWORD}
        )
        assert response.status_code == 403

    def test_sign_out_ends_the_session(self, api: Api, ana: Person, database: Database) -> None:
        api.sign_in(ana.email)
        assert api.post("/sign-out").status_code == 204
        assert api.get("/session").json()["signed_in"] is False
        with database.transaction() as db:
            rows = db.query(WebSession).filter(WebSession.account_id == ana.id).all()
        assert all(row.revoked_at is not None for row in rows)


class TestSessions:
    def test_lists_and_ends_other_sessions(self, app: FastAPI, api: Api, ana: Person) -> None:
        with TestClient(app) as other_client:
            other = Api(other_client)
            other.sign_in(ana.email)
            api.sign_in(ana.email)
            listed = api.get("/sessions").json()
            assert len(listed) == 2
            assert [row["current"] for row in listed].count(True) == 1
            assert api.post("/sessions/end-others").json() == {"ended": 1}
            assert other.get("/session").json()["signed_in"] is False
            assert api.get("/session").json()["signed_in"] is True

    def test_ends_one_session_by_id(self, app: FastAPI, api: Api, ana: Person) -> None:
        with TestClient(app) as other_client:
            other = Api(other_client)
            other.sign_in(ana.email)
            api.sign_in(ana.email)
            theirs = next(row for row in api.get("/sessions").json() if not row["current"])
            assert api.delete(f"/sessions/{theirs['id']}").status_code == 204
            assert api.delete(f"/sessions/{theirs['id']}").status_code == 404
            assert other.get("/session").json()["signed_in"] is False

    def test_security_activity_lists_sign_ins(self, api: Api, ana: Person) -> None:
        api.sign_in(ana.email, "wrong password here")
        api.sign_in(ana.email)
        tags = [event["tag"] for event in api.get("/security-events").json()]
        assert tags[:2] == ["sign_in_succeeded", "sign_in_failed"]

    def test_sessions_need_a_signed_in_account(self, api: Api) -> None:
        assert api.get("/sessions").status_code == 401
