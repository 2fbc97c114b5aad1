"""Appeals: a seller asks to be reinstated with a plan of action, or disputes an action as the
marketplace's mistake; a reviewer reinstates, asks for more information, or refuses.

An appeal is a case of kind ``appeal`` about the seller's account; its payload holds the
violations it is about, the plan or the dispute, and the conversation. One appeal may be open per
set of violations; after ``appeal_refusals_before_new_evidence`` refusals for the same set, a new
appeal must bring a document not sent before. A dispute that succeeds overturns the violations as
a platform error: their rating points come back and the transparency report counts an overturn.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.cases.errors import ClaimRequired
from goodstanding.cases.four_eyes import (
    check_second_reviewer,
    first_approval,
    needs_second_reviewer,
    record_first_approval,
)
from goodstanding.cases.plan_of_action import (
    Concern,
    PlanOfAction,
    Shortfall,
    check_plan,
    concern_terms,
)
from goodstanding.cases.queues import AWAITING
from goodstanding.cases.service import case_service
from goodstanding.config import Settings
from goodstanding.kit.clock import utcnow
from goodstanding.kit.crypto import Keyring
from goodstanding.kit.db import new_id
from goodstanding.kit.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from goodstanding.kit.files import inspect_upload
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.account import Account
from goodstanding.models.appeal_document import AppealDocument
from goodstanding.models.case import Case
from goodstanding.models.seller import Seller
from goodstanding.models.violation import Violation
from goodstanding.notify.email import queue_email
from goodstanding.policy.enums import Action, ViolationStatus
from goodstanding.policy.messaging import recipient
from goodstanding.policy.repository import policy_repository
from goodstanding.policy.schema import PolicySet
from goodstanding.policy.service import policy_service
from goodstanding.policy.standing import Standing
from goodstanding.webhooks.outbox import publish

MIN_STATEMENT_LENGTH = 20
MAX_MESSAGE_LENGTH = 6000
MAX_DOCUMENTS = 10
RESTRICTING_ACTIONS = frozenset({Action.PRIVILEGES_WITHDRAWN, Action.SUSPENSION})
DECISION_TEMPLATE = "appeal_decision"
MORE_INFORMATION_TEMPLATE = "appeal_more_information"


class EventType:
    more_information_requested = "more_information_requested"
    seller_answered = "seller_answered"
    reinstated = "reinstated"


class AppealPath(StrEnum):
    PLAN = "plan"  # the seller accepts the violation and explains how it is fixed
    DISPUTE = "dispute"  # "this is a mistake": the seller says the action itself is wrong


class RefusalReason(StrEnum):
    PLAN_INCOMPLETE = "plan_incomplete"
    ACTIONS_NOT_IMPLEMENTED = "actions_not_implemented"
    DOCUMENTS_INVALID = "documents_invalid"
    VIOLATION_CONFIRMED = "violation_confirmed"
    OTHER = "other"


def refusal_label(reason: RefusalReason) -> str:
    labels = {
        RefusalReason.PLAN_INCOMPLETE: _("The plan of action does not explain every root cause."),
        RefusalReason.ACTIONS_NOT_IMPLEMENTED: _(
            "The corrective actions have not been carried out."
        ),
        RefusalReason.DOCUMENTS_INVALID: _("The documents sent are not valid."),
        RefusalReason.VIOLATION_CONFIRMED: _("We checked again and the violation stands."),
        RefusalReason.OTHER: _("Other reason."),
    }
    return labels[reason]


class AppealAlreadyOpen(Conflict):
    slug = "appeal-already-open"
    title = "An appeal about these violations is already open"


class NewEvidenceRequired(Conflict):
    slug = "appeal-needs-new-evidence"
    title = "After repeated refusals a new appeal must bring a new document"


class PlanIncomplete(InvalidInput):
    slug = "plan-of-action-incomplete"
    title = "The plan of action is not complete"


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def _keyring(settings: Settings) -> Keyring:
    return Keyring.single(settings.encryption_key_bytes)


def _clean(text: str, *, minimum: int, what: str) -> str:
    cleaned = text.strip()
    if not minimum <= len(cleaned) <= MAX_MESSAGE_LENGTH:
        raise InvalidInput(
            _("Write %(what)s in %(min)d to %(max)d characters.")
            % {"what": what, "min": minimum, "max": MAX_MESSAGE_LENGTH}
        )
    return cleaned


class AppealService:
    # --- the seller ------------------------------------------------------------------------

    def seller_of(self, db: Session, account: Account) -> Seller:
        seller = policy_repository.seller_of_account(db, account.id)
        if seller is None:
            raise NotFound(_("This account does not sell on the marketplace."))
        return seller

    def appealable(self, db: Session, seller: Seller) -> list[Violation]:
        return policy_repository.violations(db, seller.id, open_only=True)

    def concerns(self, violations: Sequence[Violation], policies: PolicySet) -> list[Concern]:
        concerns = []
        for violation in violations:
            policy = policies.by_id.get(violation.policy_id)
            titles = [policy.text.en.title, policy.text.es.title] if policy else []
            metric = violation.facts.get("metric")
            concerns.append(
                Concern(
                    violation_id=violation.id,
                    label=titles[0] if titles else violation.policy_id,
                    terms=concern_terms(
                        violation.policy_id, str(metric) if metric else None, titles
                    ),
                )
            )
        return concerns

    def check(
        self,
        db: Session,
        account: Account,
        violation_ids: Sequence[str],
        plan: PlanOfAction,
        policies: PolicySet,
    ) -> tuple[Shortfall, ...]:
        """What the plan still lacks for these violations (the page's "check my plan")."""
        violations = self._own_open_violations(db, self.seller_of(db, account), violation_ids)
        return check_plan(plan, self.concerns(violations, policies))

    def submit(
        self,
        db: Session,
        *,
        account: Account,
        violation_ids: Sequence[str],
        path: AppealPath,
        plan: PlanOfAction | None,
        statement: str,
        uploads: Sequence[Upload],
        settings: Settings,
        policies: PolicySet,
    ) -> Case:
        seller = self.seller_of(db, account)
        violations = self._own_open_violations(db, seller, violation_ids)
        chosen = sorted(violation.id for violation in violations)
        if self._open_appeal_about(db, account.id, set(chosen)) is not None:
            raise AppealAlreadyOpen(
                _("You already have an open appeal about these violations; follow it instead.")
            )
        if len(uploads) > MAX_DOCUMENTS:
            raise InvalidInput(_("Send at most %(count)d documents.") % {"count": MAX_DOCUMENTS})
        payload: dict[str, Any] = {
            "seller_id": seller.id,
            "violation_ids": chosen,
            "path": str(path),
            "messages": [],
        }
        if path is AppealPath.PLAN:
            if plan is None:
                raise InvalidInput(_("Write the three parts of your plan of action."))
            shortfalls = check_plan(plan, self.concerns(violations, policies))
            if shortfalls:
                raise PlanIncomplete(
                    _("Your plan of action is not complete yet: see what is missing."),
                    shortfalls=[
                        {
                            "part": str(s.part),
                            "gap": str(s.gap),
                            "violation_id": s.concern.violation_id if s.concern else None,
                        }
                        for s in shortfalls
                    ],
                )
            payload["plan"] = {
                "root_cause": plan.root_cause.strip(),
                "corrective_actions": plan.corrective_actions.strip(),
                "preventive_measures": plan.preventive_measures.strip(),
            }
        else:
            payload["statement"] = _clean(
                statement, minimum=MIN_STATEMENT_LENGTH, what=_("why the action is a mistake")
            )
            if not uploads:
                raise InvalidInput(_("Send at least one document that shows the mistake."))
        fingerprints = {hashlib.sha256(upload.data).hexdigest() for upload in uploads}
        refused = self._refused_appeals_about(db, account.id, chosen)
        if len(refused) >= settings.appeal_refusals_before_new_evidence:
            seen = self._fingerprints_of(db, [case.id for case in refused])
            if not fingerprints - seen:
                raise NewEvidenceRequired(
                    _(
                        "Your appeals about these violations were refused %(count)d times: "
                        "send at least one new supporting document with this one."
                    )
                    % {"count": len(refused)}
                )
        case = case_service.open(
            db,
            kind=Case.Kind.appeal,
            subject_account_id=account.id,
            payload=payload,
            sla=settings.queue_sla(Case.Kind.appeal),
            actor_id=account.id,
        )
        self._store_uploads(db, case, account, uploads, settings)
        return case

    def answer(
        self,
        db: Session,
        case_id: str,
        *,
        account: Account,
        message: str,
        uploads: Sequence[Upload],
        settings: Settings,
    ) -> Case:
        """The seller's answer to "more information needed": the case goes back to the queue."""
        case = self.for_account(db, case_id, account.id)
        if case.status != Case.Status.open or case.payload.get(AWAITING) != "seller":
            raise IllegalTransition(_("This appeal is not waiting for an answer from you."))
        text = _clean(message, minimum=1, what=_("your answer"))
        documents = self._store_uploads(db, case, account, uploads, settings)
        self._add_message(
            db, case, "seller", text, [document.id for document in documents], awaiting=None
        )
        case_service.log(
            db,
            case.id,
            EventType.seller_answered,
            actor_id=account.id,
            data={"documents": len(documents)},
        )
        return case

    def of_account(self, db: Session, account_id: str) -> list[Case]:
        return list(
            db.scalars(
                select(Case)
                .where(Case.kind == Case.Kind.appeal, Case.subject_account_id == account_id)
                .order_by(Case.created_at.desc())
            ).all()
        )

    def for_account(self, db: Session, case_id: str, account_id: str) -> Case:
        """The appeal if it is this account's; NotFound otherwise (never telling it exists)."""
        case = db.get(Case, case_id)
        if case is None or case.kind != Case.Kind.appeal or case.subject_account_id != account_id:
            raise NotFound(_("There is no such appeal."))
        return case

    def documents(self, db: Session, case_id: str) -> list[AppealDocument]:
        return list(
            db.scalars(
                select(AppealDocument)
                .where(AppealDocument.case_id == case_id)
                .order_by(AppealDocument.created_at)
            ).all()
        )

    def document(self, db: Session, case_id: str, document_id: str) -> AppealDocument:
        document = db.get(AppealDocument, document_id)
        if document is None or document.case_id != case_id:
            raise NotFound(_("There is no such document."))
        return document

    def read(self, document: AppealDocument, settings: Settings) -> bytes:
        return _keyring(settings).decrypt(document.content, document.id.encode())

    # --- the reviewer ----------------------------------------------------------------------

    def ask_for_information(
        self, db: Session, case_id: str, *, reviewer: Account, message: str, settings: Settings
    ) -> Case:
        case = self._open_claimed(db, case_id, reviewer)
        text = _clean(message, minimum=1, what=_("what you need from the seller"))
        self._add_message(db, case, "reviewer", text, [], awaiting="seller")
        case_service.log(
            db,
            case.id,
            EventType.more_information_requested,
            actor_id=reviewer.id,
            data={"message": text},
        )
        case_service.release(db, case.id, reviewer.id)
        self._tell_seller(db, case, MORE_INFORMATION_TEMPLATE, {"message": text}, settings)
        return case

    def reinstate(
        self,
        db: Session,
        case_id: str,
        *,
        reviewer: Account,
        reason: str,
        overturn: bool,
        settings: Settings,
    ) -> Case:
        """Reinstate the seller; with ``overturn`` (always for a dispute) the violations are
        undone and their rating points come back. High-impact: may need a second reviewer, in
        which case the first call records an approval and the case waits."""
        case = self._open_claimed(db, case_id, reviewer)
        seller = policy_service.seller(db, str(case.payload["seller_id"]))
        if needs_second_reviewer(
            case.kind,
            action=None,
            seller_orders=seller.orders_in_lookback,
            threshold=settings.four_eyes_orders_threshold,
        ):
            approval = first_approval(case)
            if approval is None:
                record_first_approval(
                    db,
                    case,
                    reviewer_id=reviewer.id,
                    reason=reason.strip(),
                    details={"decision": "reinstate", "overturn": overturn},
                )
                return case
            check_second_reviewer(case, reviewer.id)
            overturn = overturn or bool(approval.get("overturn"))
        decided = case_service.decide(
            db, case.id, reviewer_id=reviewer.id, outcome=Case.Status.approved, reason=reason
        )
        platform_error = case.payload.get("path") == AppealPath.DISPUTE
        self._restore_seller(
            db,
            seller,
            decided,
            actor=f"account:{reviewer.id}",
            overturn=overturn or platform_error,
            platform_error=platform_error,
        )
        completed = case_service.transition(
            db,
            case.id,
            allowed_from=(Case.Status.approved,),
            to=Case.Status.completed,
            actor_id=reviewer.id,
            event_type=EventType.reinstated,
            data={"overturned": overturn or platform_error, "platform_error": platform_error},
        )
        self._tell_seller(
            db,
            completed,
            DECISION_TEMPLATE,
            {"reinstated": True, "reason": reason.strip()},
            settings,
        )
        return completed

    def refuse(
        self,
        db: Session,
        case_id: str,
        *,
        reviewer: Account,
        reason: RefusalReason,
        text: str,
        settings: Settings,
    ) -> Case:
        case = self._open_claimed(db, case_id, reviewer)
        explanation = f"{refusal_label(reason)} {text.strip()}".strip()
        case_service.update_payload(db, case, refusal_reason=str(reason))
        decided = case_service.decide(
            db, case.id, reviewer_id=reviewer.id, outcome=Case.Status.rejected, reason=explanation
        )
        self._tell_seller(
            db, decided, DECISION_TEMPLATE, {"reinstated": False, "reason": explanation}, settings
        )
        return decided

    # --- helpers ---------------------------------------------------------------------------

    def _own_open_violations(
        self, db: Session, seller: Seller, violation_ids: Sequence[str]
    ) -> list[Violation]:
        wanted = set(violation_ids)
        if not wanted:
            raise InvalidInput(_("Choose the violations this appeal is about."))
        found = [v for v in self.appealable(db, seller) if v.id in wanted]
        if len(found) != len(wanted):
            raise NotFound(_("There is no such open violation on your account."))
        return found

    def _open_appeal_about(self, db: Session, account_id: str, chosen: set[str]) -> Case | None:
        for case in self.of_account(db, account_id):
            if case.status == Case.Status.open and chosen & set(_ids(case)):
                return case
        return None

    def _refused_appeals_about(self, db: Session, account_id: str, chosen: list[str]) -> list[Case]:
        return [
            case
            for case in self.of_account(db, account_id)
            if case.status == Case.Status.rejected and sorted(_ids(case)) == chosen
        ]

    def _fingerprints_of(self, db: Session, case_ids: list[str]) -> set[str]:
        if not case_ids:
            return set()
        return set(
            db.scalars(
                select(AppealDocument.sha256).where(AppealDocument.case_id.in_(case_ids))
            ).all()
        )

    def _store_uploads(
        self,
        db: Session,
        case: Case,
        account: Account,
        uploads: Sequence[Upload],
        settings: Settings,
    ) -> list[AppealDocument]:
        """Type-check, re-encode and encrypt each file (kit/files refuses what is unsafe)."""
        stored = []
        for upload in uploads:
            safe = inspect_upload(upload.data)
            document_id = new_id()
            document = AppealDocument(
                id=document_id,
                case_id=case.id,
                account_id=account.id,
                label=(upload.filename or "document")[:200],
                file_kind=safe.kind,
                size_bytes=len(safe.data_reencoded),
                content=_keyring(settings).encrypt(safe.data_reencoded, document_id.encode()),
                sha256=hashlib.sha256(upload.data).hexdigest(),
            )
            db.add(document)
            stored.append(document)
        db.flush()
        return stored

    def _add_message(
        self,
        db: Session,
        case: Case,
        author: str,
        text: str,
        document_ids: list[str],
        *,
        awaiting: str | None,
    ) -> None:
        messages = [
            *_messages(case),
            {
                "from": author,
                "text": text,
                "at": utcnow().isoformat(),
                "documents": document_ids,
            },
        ]
        case_service.update_payload(db, case, messages=messages, **{AWAITING: awaiting})
        db.flush()

    def _open_claimed(self, db: Session, case_id: str, reviewer: Account) -> Case:
        case = case_service.get(db, case_id)
        if case.kind != Case.Kind.appeal:
            raise NotFound(_("There is no such appeal."))
        if case.status != Case.Status.open:
            raise IllegalTransition(_("This case is already decided."))
        if not case_service.holds_claim(case, reviewer.id):
            raise ClaimRequired(_("Claim the case before deciding it."))
        return case

    def _restore_seller(
        self,
        db: Session,
        seller: Seller,
        case: Case,
        *,
        actor: str,
        overturn: bool,
        platform_error: bool,
    ) -> None:
        """Undo what the appealed violations did: overturned (points back) or, for an accepted
        plan, their actions reversed while the violation stays on record until the metric
        recovers. Selling comes back unless another violation still restricts it."""
        appealed = set(_ids(case))
        now = utcnow()
        for violation_id in sorted(appealed):
            violation = policy_repository.violation(db, violation_id)
            if violation is None or violation.status != ViolationStatus.OPEN:
                continue
            if overturn:
                policy_service.overturn_violation(
                    db, violation_id, actor=actor, platform_error=platform_error
                )
                continue
            for taken in policy_repository.actions_of(db, violation_id):
                if taken.reversible and taken.reversed_at is None:
                    taken.reversed_at = now
        db.flush()
        if self._still_restricted(db, seller.id, appealed):
            return
        current = Standing(policy_repository.current_standing(db, seller.id) or "")
        target = {
            Standing.SUSPENDED: Standing.REINSTATED,
            Standing.PRIVILEGES_WITHDRAWN: Standing.REINSTATED,
            Standing.UNDER_REVIEW: Standing.ACTIVE,
        }.get(current)
        if target is not None:
            policy_service.transition(db, seller.id, target, reason="appeal accepted", actor=actor)
        publish(
            db,
            "seller.listings_restored",
            seller.id,
            {"seller_id": seller.id, "appeal_id": case.id, "violation_ids": sorted(appealed)},
        )

    def _still_restricted(self, db: Session, seller_id: str, appealed: set[str]) -> bool:
        for other in policy_repository.violations(db, seller_id, open_only=True):
            if other.id in appealed:
                continue
            for taken in policy_repository.actions_of(db, other.id):
                if taken.reversed_at is None and taken.action in RESTRICTING_ACTIONS:
                    return True
        return False

    def _tell_seller(
        self, db: Session, case: Case, template: str, context: dict[str, Any], settings: Settings
    ) -> None:
        seller = policy_repository.seller(db, str(case.payload["seller_id"]))
        to = recipient(db, seller) if seller is not None else None
        if seller is None or to is None:
            return
        address, language = to
        queue_email(
            db,
            template,
            to=address,
            locale=language.value,
            context={
                "seller_name": seller.display_name or seller.id,
                "appeal_url": f"{settings.base_url}/account-health/appeals/{case.id}",
                **context,
            },
        )


def _ids(case: Case) -> list[str]:
    found = case.payload.get("violation_ids")
    return [str(item) for item in found] if isinstance(found, list) else []


def _messages(case: Case) -> list[dict[str, Any]]:
    found = case.payload.get("messages")
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


appeal_service = AppealService()
