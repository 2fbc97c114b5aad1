"""What the console does with a case: gather what a reviewer reads, record document views, and
apply a decision through the domain that owns the kind of case.

Every kind is decided through its own service (appeals, identity recovery, policy reviews,
additional accounts), so pages never change cases directly; high-impact approvals go through the
four-eyes rule first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from goodstanding.cases.appeals import RefusalReason, appeal_service
from goodstanding.cases.audit import Action, audit_log
from goodstanding.cases.errors import ClaimRequired
from goodstanding.cases.four_eyes import (
    check_second_reviewer,
    first_approval,
    needs_second_reviewer,
    record_first_approval,
)
from goodstanding.cases.queues import queue_service, works_queue
from goodstanding.cases.service import case_service
from goodstanding.config import Settings
from goodstanding.detectors.listings.service import listing_screening
from goodstanding.kit.clock import utcnow
from goodstanding.kit.errors import Forbidden, InvalidInput, NotFound
from goodstanding.kit.files import UploadKind
from goodstanding.kit.i18n import gettext as _
from goodstanding.metrics.results import MetricRow
from goodstanding.models.account import Account
from goodstanding.models.appeal_document import AppealDocument
from goodstanding.models.case import Case
from goodstanding.models.case_decision import CaseDecision
from goodstanding.models.case_event import CaseEvent
from goodstanding.models.recovery_document import RecoveryDocument
from goodstanding.models.seller import Seller
from goodstanding.models.standing_event import StandingEvent
from goodstanding.models.violation import Violation
from goodstanding.policy.additional_accounts import additional_account_service
from goodstanding.policy.repository import policy_repository
from goodstanding.policy.service import policy_service, stored_metrics
from goodstanding.recovery.service import recovery_service


class Decision(StrEnum):
    APPROVE = "approve"  # for an appeal: reinstate
    MORE_INFORMATION = "more_information"  # appeals only
    REJECT = "reject"  # for an appeal: refuse


@dataclass(frozen=True)
class CaseDocument:
    """A document the reviewer may view, whichever flow stored it (appeal or identity recovery)."""

    id: str
    label: str
    file_kind: UploadKind


@dataclass(frozen=True)
class CaseFile:
    """What the reviewer reads about a case, whatever its kind."""

    case: Case
    subject: Account | None
    seller: Seller | None
    metrics: list[MetricRow]
    standing_history: list[StandingEvent]
    violations: list[Violation]
    documents: list[CaseDocument]
    timeline: list[CaseEvent]
    decisions: list[CaseDecision]
    earlier_cases: list[Case]
    first_approval: dict[str, Any] | None
    needs_second_reviewer: bool


class ConsoleService:
    def case_for(self, db: Session, case_id: str, reviewer: Account) -> Case:
        """The case if it is in one of the reviewer's queues; NotFound otherwise."""
        case = db.get(Case, case_id)
        if case is None or not works_queue(reviewer, case.kind):
            raise NotFound(_("There is no such case."))
        if case.subject_account_id == reviewer.id:
            raise Forbidden(_("You cannot decide a case about your own account."))
        return case

    def case_file(self, db: Session, case: Case, reviewer: Account, settings: Settings) -> CaseFile:
        queue_service.touch(case, reviewer.id)
        seller = policy_repository.seller_of_account(db, case.subject_account_id)
        violation_ids = set(_strings(case.payload.get("violation_ids")))
        if "violation_id" in case.payload:
            violation_ids.add(str(case.payload["violation_id"]))
        violations = policy_repository.violations(db, seller.id) if seller else []
        return CaseFile(
            case=case,
            subject=db.get(Account, case.subject_account_id),
            seller=seller,
            metrics=stored_metrics(db, seller.id, utcnow().date()) if seller else [],
            standing_history=policy_repository.standing_events(db, seller.id) if seller else [],
            violations=sorted(violations, key=lambda v: (v.id not in violation_ids, v.opened_at)),
            documents=[shown for shown, _stored in self._documents(db, case)],
            timeline=case_service.timeline(db, case.id),
            decisions=case_service.decisions(db, case.id),
            earlier_cases=[
                other
                for other in appeal_service.of_account(db, case.subject_account_id)
                if other.id != case.id
            ],
            first_approval=first_approval(case),
            needs_second_reviewer=self._needs_second(case, seller, settings),
        )

    def _documents(
        self, db: Session, case: Case
    ) -> list[tuple[CaseDocument, AppealDocument | RecoveryDocument]]:
        """The case's documents as the reviewer sees them, each with its stored row."""
        if case.kind == Case.Kind.identity_recovery:
            labels = {
                RecoveryDocument.Role.document: _("Passport or identity card"),
                RecoveryDocument.Role.selfie: _("Selfie holding the document"),
            }
            return [
                (
                    CaseDocument(
                        stored.id,
                        labels.get(RecoveryDocument.Role(stored.role), stored.role),
                        UploadKind(stored.kind),
                    ),
                    stored,
                )
                for stored in recovery_service.files(db, case.id)
            ]
        return [
            (CaseDocument(stored.id, stored.label, UploadKind(stored.file_kind)), stored)
            for stored in appeal_service.documents(db, case.id)
        ]

    def view_document(
        self, db: Session, case: Case, document_id: str, reviewer: Account, settings: Settings
    ) -> tuple[CaseDocument, bytes]:
        """The decrypted document; the view is written to the audit trail before it is shown."""
        matching = [pair for pair in self._documents(db, case) if pair[0].id == document_id]
        if not matching:
            raise NotFound(_("There is no such document."))
        [(document, stored)] = matching
        audit_log.record(
            db,
            Action.document_viewed,
            actor_id=reviewer.id,
            subject_type="case",
            subject_id=case.id,
            data={"document_id": document.id, "file_kind": document.file_kind.value},
        )
        if isinstance(stored, RecoveryDocument):
            return document, recovery_service.read_file(stored, settings)
        return document, appeal_service.read(stored, settings)

    def decide(
        self,
        db: Session,
        case: Case,
        *,
        reviewer: Account,
        decision: Decision,
        reason: str,
        refusal_reason: RefusalReason | None,
        overturn: bool,
        settings: Settings,
    ) -> None:
        if not case_service.holds_claim(case, reviewer.id):
            raise ClaimRequired(_("Claim the case before deciding it."))
        if case.kind == Case.Kind.appeal:
            self._decide_appeal(
                db, case, reviewer, decision, reason, refusal_reason, overturn, settings
            )
            return
        if decision is Decision.MORE_INFORMATION:
            raise InvalidInput(_("Only appeals can ask the seller for more information."))
        approve = decision is Decision.APPROVE
        seller = policy_repository.seller_of_account(db, case.subject_account_id)
        if approve and self._needs_second(case, seller, settings):
            if first_approval(case) is None:
                record_first_approval(
                    db,
                    case,
                    reviewer_id=reviewer.id,
                    reason=reason.strip(),
                    details={"decision": str(decision)},
                )
                return
            check_second_reviewer(case, reviewer.id)
        self._decide_other(db, case, reviewer, approve, reason, settings)

    def _decide_appeal(
        self,
        db: Session,
        case: Case,
        reviewer: Account,
        decision: Decision,
        reason: str,
        refusal_reason: RefusalReason | None,
        overturn: bool,
        settings: Settings,
    ) -> None:
        if decision is Decision.APPROVE:
            appeal_service.reinstate(
                db,
                case.id,
                reviewer=reviewer,
                reason=reason,
                overturn=overturn,
                settings=settings,
            )
        elif decision is Decision.MORE_INFORMATION:
            appeal_service.ask_for_information(
                db, case.id, reviewer=reviewer, message=reason, settings=settings
            )
        else:
            appeal_service.refuse(
                db,
                case.id,
                reviewer=reviewer,
                reason=refusal_reason or RefusalReason.OTHER,
                text=reason,
                settings=settings,
            )

    def _decide_other(
        self,
        db: Session,
        case: Case,
        reviewer: Account,
        approve: bool,
        reason: str,
        settings: Settings,
    ) -> None:
        outcome = Case.Status.approved if approve else Case.Status.rejected
        if case.kind == Case.Kind.identity_recovery:
            decide = recovery_service.approve if approve else recovery_service.reject
            decide(db, case.id, reviewer=reviewer, reason=reason, settings=settings)
            return
        if case.kind == Case.Kind.listing_review:
            listing = listing_screening.listing_of_case(db, case.id)
            if listing is not None:
                case_service.decide(
                    db, case.id, reviewer_id=reviewer.id, outcome=outcome, reason=reason
                )
                listing_screening.decide_held(
                    db, listing.id, block=not approve, reviewer_id=reviewer.id, reason=reason
                )
                return
        if case.kind == Case.Kind.additional_account:
            request = policy_repository.additional_account_request_of_case(db, case.id)
            if request is not None:
                additional_account_service.decide(
                    db, request.id, approved=approve, reviewer_id=reviewer.id, reason=reason
                )
                return
        case_service.decide(db, case.id, reviewer_id=reviewer.id, outcome=outcome, reason=reason)
        violation_id = case.payload.get("violation_id")
        if case.kind == Case.Kind.policy_review and isinstance(violation_id, str):
            actor = f"account:{reviewer.id}"
            if approve:
                policy_service.confirm_violation(db, violation_id, actor=actor)
            else:
                policy_service.overturn_violation(
                    db, violation_id, actor=actor, platform_error=False
                )

    def _needs_second(self, case: Case, seller: Seller | None, settings: Settings) -> bool:
        action = case.payload.get("action")
        return needs_second_reviewer(
            case.kind,
            action=str(action) if action else None,
            seller_orders=seller.orders_in_lookback if seller else None,
            threshold=settings.four_eyes_orders_threshold,
        )


def _strings(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


console_service = ConsoleService()
