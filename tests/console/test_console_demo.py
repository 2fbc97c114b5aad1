"""The demo opens with a case waiting in every queue and staff who can enter the console."""

from __future__ import annotations

from sqlalchemy import select

from goodstanding.cases.queues import QUEUES
from goodstanding.cases.service import case_service
from goodstanding.console.demo import load_console_demo
from goodstanding.console.deps import STRONG_FACTORS
from goodstanding.kit.db import Database
from goodstanding.models.account import Account
from goodstanding.models.mfa_authenticator import MfaAuthenticator
from goodstanding.policy.service import policy_service
from tests.cases.appeal_factories import add_person


def test_every_queue_has_work_and_staff_have_an_authenticator(database: Database) -> None:
    add_person(database, "rita@demo.goodstanding.dev", ["reviewer"])
    with database.transaction() as db:
        lines = load_console_demo(db)
    assert any("JBSWY3DP" in line for line in lines)
    with database.transaction() as db:
        for queue in QUEUES:
            assert case_service.queue(db, queue.kind), f"nothing waiting in {queue.kind}"
        for account in db.scalars(select(Account)).all():
            if account.has_role(Account.Role.reviewer) or account.has_role(
                Account.Role.senior_reviewer
            ):
                kinds = db.scalars(
                    select(MfaAuthenticator.kind).where(MfaAuthenticator.account_id == account.id)
                ).all()
                assert STRONG_FACTORS & set(kinds), account.email
        assert policy_service.seller(db, "demo-paco").standing == "suspended"
