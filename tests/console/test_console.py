"""The reviewer console over HTTP: who may enter, queues, claims, the case view, documents shown
watermarked, decisions with four eyes, and 404 for cases outside a reviewer's queues."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from accounts.conftest import last_sms_code
from fastapi import FastAPI
from fastapi.testclient import TestClient
from mfa.people import MfaApi, Person, add_account, add_sms_code
from PIL import Image
from sqlalchemy.orm import Session

from goodstanding.cases.appeals import AppealPath, appeal_service
from goodstanding.cases.audit import audit_log
from goodstanding.cases.service import case_service
from goodstanding.config import Settings
from goodstanding.kit.clock import clock
from goodstanding.kit.db import Database
from goodstanding.models.account import Account
from goodstanding.models.case import Case
from goodstanding.policy.service import active_policies, policy_service
from tests.cases.appeal_factories import GOOD_PLAN, invoice, png, suspended_for_order_defects
from tests.console.conftest import add_staff

Login = Callable[..., TestClient]


@pytest.fixture
def staff(database: Database) -> dict[str, tuple[Person, str | None]]:
    return {
        "rita": add_staff(
            database, "Rita Reviewer", "rita@staff.example", "+14155550201", ["reviewer"]
        ),
        "sol": add_staff(
            database, "Sol Senior", "sol@staff.example", "+14155550202", ["senior_reviewer"]
        ),
    }


@pytest.fixture
def appeal(database: Database, settings: Settings) -> tuple[str, str, str]:
    """(seller account id, violation id, appeal case id): a suspended seller's open appeal."""
    sam = add_account(database, name="Sam Seller", email="sam@shop.example", roles=["seller"])
    violation_id = suspended_for_order_defects(database, sam.id)
    with database.transaction() as db:
        case = appeal_service.submit(
            db,
            account=_account(db, sam.id),
            violation_ids=[violation_id],
            path=AppealPath.PLAN,
            plan=GOOD_PLAN,
            statement="",
            uploads=[invoice()],
            settings=settings,
            policies=active_policies(),
        )
        return sam.id, violation_id, case.id


def _account(db: Session, account_id: str) -> Account:
    account = db.get(Account, account_id)
    assert account is not None
    return account


class TestWhoMayEnter:
    def test_only_staff_with_a_strong_factor(
        self, client: TestClient, database: Database, login: Login
    ) -> None:
        assert client.get("/console").status_code == 401
        buyer = add_account(database, name="Bea Buyer", email="bea@example.com")
        assert login(buyer).get("/console").status_code == 404
        weak, _ = add_staff(
            database, "Wes Weak", "wes@staff.example", "+14155550203", ["reviewer"], totp=False
        )
        assert login(weak).get("/console").status_code == 403

    def test_staff_signed_in_with_a_texted_code_are_sent_to_sign_in_strongly(
        self,
        app: FastAPI,
        database: Database,
        login: Login,
        staff: dict[str, tuple[Person, str | None]],
    ) -> None:
        rita, secret = staff["rita"]
        add_sms_code(database, rita)  # beside her authenticator app
        with TestClient(app, base_url="http://testserver") as client:
            api = MfaApi(client)
            assert api.sign_in(rita.email).json()["next"] == "second_factor"
            assert api.mfa_post("/second-step/send-code", {"method": "sms_code"}).status_code == 202
            assert api.second_step("sms_code", last_sms_code(rita.phone)).status_code == 200
            assert api.get("/session").json()["signed_in"] is True
            refused = client.get("/console")
        assert refused.status_code == 403
        assert "passkey or your authenticator app" in refused.text
        assert login(rita, secret).get("/console").status_code == 200

    def test_a_reviewer_sees_only_their_queues(
        self,
        database: Database,
        login: Login,
        staff: dict[str, tuple[Person, str | None]],
    ) -> None:
        rita = login(*staff["rita"])
        page = rita.get("/console")
        assert page.status_code == 200
        assert "/console/queues/appeal" in page.text
        assert "/console/queues/identity_recovery" not in page.text
        assert rita.get("/console/queues/identity_recovery").status_code == 404
        assert login(*staff["sol"]).get("/console/queues/identity_recovery").status_code == 200


class TestAppealInTheConsole:
    def test_claim_view_ask_answer_and_two_reviewers_reinstate(
        self,
        database: Database,
        settings: Settings,
        login: Login,
        staff: dict[str, tuple[Person, str | None]],
        appeal: tuple[str, str, str],
    ) -> None:
        sam_id, violation_id, case_id = appeal
        rita = login(*staff["rita"])
        queue = rita.get("/console/queues/appeal")
        assert case_id in queue.text and "Sam Seller" in queue.text
        claimed = rita.post("/console/queues/appeal/claim-next", follow_redirects=False)
        assert claimed.headers["location"] == f"/console/cases/{case_id}"
        page = rita.get(f"/console/cases/{case_id}")
        assert GOOD_PLAN.corrective_actions in page.text
        assert "order_defect_rate_seller" in page.text

        with database.transaction() as db:
            [document] = appeal_service.documents(db, case_id)
        shown = rita.get(f"/console/cases/{case_id}/documents/{document.id}")
        assert shown.status_code == 200
        assert shown.headers["content-disposition"] == "inline"
        assert shown.headers["cache-control"] == "no-store"
        marked = Image.open(io.BytesIO(shown.content)).convert("RGB")
        original = Image.open(io.BytesIO(png())).convert("RGB")
        assert marked.size == original.size and marked.tobytes() != original.tobytes()
        with database.transaction() as db:
            actions = [e.action for e in audit_log.entries_about(db, "case", case_id)]
        assert "document.viewed" in actions and "case.claimed" in actions

        asked = rita.post(
            f"/console/cases/{case_id}/decide",
            data={"decision": "more_information", "reason": "Send the courier's March report."},
        )
        assert asked.status_code == 200
        with database.transaction() as db:
            appeal_service.answer(
                db,
                case_id,
                account=_account(db, sam_id),
                message="Here it is.",
                uploads=[invoice("green")],
                settings=settings,
            )

        rita.post(f"/console/cases/{case_id}/claim")
        rita.post(f"/console/cases/{case_id}/decide", data={"decision": "approve", "reason": "OK"})
        with database.transaction() as db:
            assert case_service.get(db, case_id).status == Case.Status.open
            assert policy_service.seller(db, "seller-1").standing == "suspended"
        rita.post(f"/console/cases/{case_id}/claim")
        again = rita.post(
            f"/console/cases/{case_id}/decide", data={"decision": "approve", "reason": "OK"}
        )
        assert again.status_code == 409
        rita.post(f"/console/cases/{case_id}/release")

        sol = login(*staff["sol"])
        assert "needs a second approval" in sol.get("/console/queues/appeal").text
        sol.post(f"/console/cases/{case_id}/claim")
        done = sol.post(
            f"/console/cases/{case_id}/decide", data={"decision": "approve", "reason": "Agreed."}
        )
        assert done.status_code == 200
        with database.transaction() as db:
            assert case_service.get(db, case_id).status == Case.Status.completed
            assert policy_service.seller(db, "seller-1").standing == "reinstated"

    def test_a_claim_lapses_after_thirty_idle_minutes(
        self,
        login: Login,
        staff: dict[str, tuple[Person, str | None]],
        appeal: tuple[str, str, str],
    ) -> None:
        _, _, case_id = appeal
        rita, sol = login(*staff["rita"]), login(*staff["sol"])
        rita.post(f"/console/cases/{case_id}/claim")
        assert sol.post(f"/console/cases/{case_id}/claim").status_code == 409
        clock.advance(timedelta(minutes=31))
        sol.post(f"/console/cases/{case_id}/claim")
        assert 'name="decision"' in sol.get(f"/console/cases/{case_id}").text

    def test_deciding_without_a_claim_is_refused(
        self,
        login: Login,
        staff: dict[str, tuple[Person, str | None]],
        appeal: tuple[str, str, str],
    ) -> None:
        _, _, case_id = appeal
        rita = login(*staff["rita"])
        refused = rita.post(
            f"/console/cases/{case_id}/decide", data={"decision": "reject", "reason": "No"}
        )
        assert refused.status_code == 409


class TestOutsideTheQueues:
    def test_every_case_route_is_404_outside_the_reviewers_queues(
        self,
        database: Database,
        login: Login,
        staff: dict[str, tuple[Person, str | None]],
        appeal: tuple[str, str, str],
    ) -> None:
        sam_id, _, appeal_id = appeal
        with database.transaction() as db:
            recovery = case_service.open(
                db,
                kind=Case.Kind.identity_recovery,
                subject_account_id=sam_id,
                payload={},
                sla=timedelta(hours=48),
                actor_id=None,
            )
            [document] = appeal_service.documents(db, appeal_id)
        rita = login(*staff["rita"])
        for case_id in (recovery.id, "0" * 32):
            assert rita.get(f"/console/cases/{case_id}").status_code == 404
            for action in ("claim", "release", "decide"):
                assert (
                    rita.post(
                        f"/console/cases/{case_id}/{action}", data={"decision": "approve"}
                    ).status_code
                    == 404
                )
            assert rita.get(f"/console/cases/{case_id}/documents/{document.id}").status_code == 404
        assert rita.get(f"/console/cases/{appeal_id}/documents/{'0' * 32}").status_code == 404
