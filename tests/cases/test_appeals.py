"""Appeals through the service: submit, more information, four-eyes reinstatement, disputes,
refusals and the new-evidence rule."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.cases.appeals import (
    AppealAlreadyOpen,
    AppealPath,
    NewEvidenceRequired,
    PlanIncomplete,
    RefusalReason,
    Upload,
    appeal_service,
)
from goodstanding.cases.four_eyes import SecondReviewerRequired
from goodstanding.cases.plan_of_action import PlanOfAction
from goodstanding.cases.service import case_service
from goodstanding.config import Settings
from goodstanding.kit.db import Database
from goodstanding.kit.errors import IllegalTransition, NotFound
from goodstanding.models.account import Account
from goodstanding.models.appeal_document import AppealDocument
from goodstanding.models.case import Case
from goodstanding.models.violation import Violation
from goodstanding.models.webhook_message import WebhookMessage
from goodstanding.notify.email import memory_outbox
from goodstanding.policy.enums import ViolationStatus
from goodstanding.policy.service import active_policies, policy_service
from tests.cases.appeal_factories import (
    GOOD_PLAN,
    add_person,
    invoice,
    suspended_for_order_defects,
)
from tests.policy.store_factories import today


@pytest.fixture
def people(database: Database) -> dict[str, str]:
    return {
        "sam": add_person(database, "sam@shop.example", ["buyer", "seller"]),
        "rita": add_person(database, "rita@staff.example", ["reviewer"]),
        "sol": add_person(database, "sol@staff.example", ["senior_reviewer"]),
    }


@pytest.fixture
def violation_id(database: Database, people: dict[str, str]) -> str:
    return suspended_for_order_defects(database, people["sam"])


def account(db: Session, account_id: str) -> Account:
    found = db.get(Account, account_id)
    assert found is not None
    return found


def submit(
    db: Session,
    settings: Settings,
    account_id: str,
    violation_ids: Sequence[str],
    *,
    path: AppealPath = AppealPath.PLAN,
    plan: PlanOfAction | None = GOOD_PLAN,
    statement: str = "",
    uploads: Sequence[Upload] = (),
) -> Case:
    return appeal_service.submit(
        db,
        account=account(db, account_id),
        violation_ids=violation_ids,
        path=path,
        plan=plan,
        statement=statement,
        uploads=uploads,
        settings=settings,
        policies=active_policies(),
    )


def claimed(db: Session, case_id: str, reviewer_id: str) -> None:
    case_service.claim(db, case_id, reviewer_id)


def standing(db: Session) -> str:
    return policy_service.seller(db, "seller-1").standing


class TestSubmit:
    def test_a_complete_plan_opens_an_appeal_with_its_documents_encrypted(
        self, database: Database, settings: Settings, people: dict[str, str], violation_id: str
    ) -> None:
        with database.transaction() as db:
            case = submit(db, settings, people["sam"], [violation_id], uploads=[invoice()])
            case_id = case.id
        with database.transaction() as db:
            case = case_service.get(db, case_id)
            assert case.kind == Case.Kind.appeal and case.status == Case.Status.open
            assert case.payload["violation_ids"] == [violation_id]
            assert case.payload["plan"]["root_cause"] == GOOD_PLAN.root_cause
            [document] = appeal_service.documents(db, case_id)
            assert b"PNG" not in document.content  # sealed, not the file itself
            assert appeal_service.read(document, settings).startswith(b"\x89PNG")

    def test_an_incomplete_plan_says_what_is_missing(
        self, database: Database, settings: Settings, people: dict[str, str], violation_id: str
    ) -> None:
        vague = PlanOfAction(GOOD_PLAN.root_cause, "", GOOD_PLAN.preventive_measures)
        with database.transaction() as db, pytest.raises(PlanIncomplete) as caught:
            submit(db, settings, people["sam"], [violation_id], plan=vague)
        assert caught.value.extra["shortfalls"] == [
            {"part": "corrective_actions", "gap": "missing", "violation_id": None}
        ]

    def test_one_open_appeal_per_set_of_violations(
        self, database: Database, settings: Settings, people: dict[str, str], violation_id: str
    ) -> None:
        with database.transaction() as db:
            submit(db, settings, people["sam"], [violation_id])
        with database.transaction() as db, pytest.raises(AppealAlreadyOpen):
            submit(db, settings, people["sam"], [violation_id])

    def test_another_sellers_violation_is_not_found(
        self, database: Database, settings: Settings, people: dict[str, str], violation_id: str
    ) -> None:
        with database.transaction() as db, pytest.raises(NotFound):
            submit(db, settings, people["rita"], [violation_id])
        other = add_person(database, "olga@shop.example", ["seller"])
        suspended_for_order_defects(database, other, seller_id="seller-2")
        with database.transaction() as db, pytest.raises(NotFound):
            submit(db, settings, other, [violation_id])


class TestConversation:
    def test_more_information_then_an_answer_puts_it_back_in_the_queue(
        self, database: Database, settings: Settings, people: dict[str, str], violation_id: str
    ) -> None:
        with database.transaction() as db:
            case_id = submit(db, settings, people["sam"], [violation_id]).id
            claimed(db, case_id, people["rita"])
            appeal_service.ask_for_information(
                db,
                case_id,
                reviewer=account(db, people["rita"]),
                message="Send the courier's report for March.",
                settings=settings,
            )
        assert memory_outbox[-1].to == "sam@shop.example"
        assert "courier's report" in memory_outbox[-1].text
        with database.transaction() as db:
            case = case_service.get(db, case_id)
            assert case.payload["awaiting"] == "seller" and case.claimed_by_id is None
            appeal_service.answer(
                db,
                case_id,
                account=account(db, people["sam"]),
                message="Attached.",
                uploads=[invoice("blue")],
                settings=settings,
            )
        with database.transaction() as db:
            case = case_service.get(db, case_id)
            assert case.payload["awaiting"] is None
            assert [m["from"] for m in case.payload["messages"]] == ["reviewer", "seller"]
            assert len(appeal_service.documents(db, case_id)) == 1
            with pytest.raises(IllegalTransition):
                appeal_service.answer(
                    db,
                    case_id,
                    account=account(db, people["sam"]),
                    message="Again",
                    uploads=[],
                    settings=settings,
                )

    def test_only_the_seller_can_answer(
        self, database: Database, settings: Settings, people: dict[str, str], violation_id: str
    ) -> None:
        with database.transaction() as db:
            case_id = submit(db, settings, people["sam"], [violation_id]).id
        with database.transaction() as db, pytest.raises(NotFound):
            appeal_service.answer(
                db,
                case_id,
                account=account(db, people["rita"]),
                message="hi",
                uploads=[],
                settings=settings,
            )


class TestReinstate:
    def test_a_large_seller_needs_a_second_different_reviewer(
        self, database: Database, settings: Settings, people: dict[str, str], violation_id: str
    ) -> None:
        with database.transaction() as db:
            case_id = submit(db, settings, people["sam"], [violation_id]).id
            claimed(db, case_id, people["rita"])
            appeal_service.reinstate(
                db,
                case_id,
                reviewer=account(db, people["rita"]),
                reason="Plan is credible.",
                overturn=False,
                settings=settings,
            )
        with database.transaction() as db:
            assert case_service.get(db, case_id).status == Case.Status.open
            assert standing(db) == "suspended"
            claimed(db, case_id, people["rita"])
            with pytest.raises(SecondReviewerRequired):
                appeal_service.reinstate(
                    db,
                    case_id,
                    reviewer=account(db, people["rita"]),
                    reason="again",
                    overturn=False,
                    settings=settings,
                )
        with database.transaction() as db:
            case_service.release(db, case_id, people["rita"])
            claimed(db, case_id, people["sol"])
            appeal_service.reinstate(
                db,
                case_id,
                reviewer=account(db, people["sol"]),
                reason="Agreed.",
                overturn=False,
                settings=settings,
            )
        with database.transaction() as db:
            assert case_service.get(db, case_id).status == Case.Status.completed
            assert standing(db) == "reinstated"
            assert len(case_service.decisions(db, case_id)) == 2
            restored = db.scalars(
                select(WebhookMessage).where(
                    WebhookMessage.event_type == "seller.listings_restored"
                )
            ).all()
            assert [m.payload["violation_ids"] for m in restored] == [[violation_id]]
            violation = db.get(Violation, violation_id)
            assert violation is not None and violation.status == ViolationStatus.OPEN
        assert "restored" in memory_outbox[-1].subject

    def test_a_small_seller_is_reinstated_by_one_reviewer(
        self, database: Database, settings: Settings, people: dict[str, str]
    ) -> None:
        violation_id = suspended_for_order_defects(database, people["sam"], orders=500)
        with database.transaction() as db:
            case_id = submit(db, settings, people["sam"], [violation_id]).id
            claimed(db, case_id, people["rita"])
            appeal_service.reinstate(
                db,
                case_id,
                reviewer=account(db, people["rita"]),
                reason="Credible.",
                overturn=False,
                settings=settings,
            )
            assert standing(db) == "reinstated"

    def test_a_dispute_overturns_as_platform_error_and_gives_points_back(
        self, database: Database, settings: Settings, people: dict[str, str]
    ) -> None:
        violation_id = suspended_for_order_defects(database, people["sam"], orders=500)
        with database.transaction() as db:
            before = policy_service.standing_report(db, "seller-1", today()).health.rating
            case_id = submit(
                db,
                settings,
                people["sam"],
                [violation_id],
                path=AppealPath.DISPUTE,
                plan=None,
                statement="These orders were cancelled by the buyer before shipping.",
                uploads=[invoice()],
            ).id
            claimed(db, case_id, people["rita"])
            appeal_service.reinstate(
                db,
                case_id,
                reviewer=account(db, people["rita"]),
                reason="Our error.",
                overturn=False,
                settings=settings,
            )
        with database.transaction() as db:
            violation = db.get(Violation, violation_id)
            assert violation is not None
            assert violation.status == ViolationStatus.OVERTURNED
            assert violation.overturned_by_platform_error
            after = policy_service.standing_report(db, "seller-1", today()).health.rating
            assert after == before + violation.ahr_points
            assert standing(db) == "reinstated"

    def test_a_dispute_needs_a_document(
        self, database: Database, settings: Settings, people: dict[str, str], violation_id: str
    ) -> None:
        from goodstanding.kit.errors import InvalidInput

        with database.transaction() as db, pytest.raises(InvalidInput):
            submit(
                db,
                settings,
                people["sam"],
                [violation_id],
                path=AppealPath.DISPUTE,
                plan=None,
                statement="These orders were cancelled by the buyer before shipping.",
            )


class TestRefusals:
    def test_after_two_refusals_a_new_document_is_required(
        self, database: Database, settings: Settings, people: dict[str, str], violation_id: str
    ) -> None:
        for _ in range(2):
            with database.transaction() as db:
                case_id = submit(
                    db, settings, people["sam"], [violation_id], uploads=[invoice()]
                ).id
                claimed(db, case_id, people["rita"])
                appeal_service.refuse(
                    db,
                    case_id,
                    reviewer=account(db, people["rita"]),
                    reason=RefusalReason.ACTIONS_NOT_IMPLEMENTED,
                    text="No proof.",
                    settings=settings,
                )
        assert "not accepted" in memory_outbox[-1].subject
        with database.transaction() as db, pytest.raises(NewEvidenceRequired):
            submit(db, settings, people["sam"], [violation_id], uploads=[invoice()])
        with database.transaction() as db:
            case = submit(db, settings, people["sam"], [violation_id], uploads=[invoice("red")])
            assert case.status == Case.Status.open
            assert db.scalars(select(AppealDocument)).all()
