"""A seller asks for an additional selling account with a business reason; a reviewer decides.

An approved request exempts exactly that pair of sellers from the one-seller-one-account policy
(see ``service.approved_pairs``, which the linked-accounts detector reads).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from goodstanding.cases.service import case_service
from goodstanding.kit.clock import utcnow
from goodstanding.kit.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.additional_account_request import AdditionalAccountRequest
from goodstanding.models.case import Case
from goodstanding.policy.repository import policy_repository
from goodstanding.policy.service import SELLER_ID_MAX_LENGTH, policy_service

MIN_REASON_LENGTH = 20
MAX_REASON_LENGTH = 4000
REVIEW_SLA = timedelta(days=5)


class AdditionalAccountService:
    def ask(
        self, db: Session, seller_id: str, *, additional_seller_id: str, business_reason: str
    ) -> AdditionalAccountRequest:
        seller = policy_service.seller(db, seller_id)
        reason = business_reason.strip()
        other = additional_seller_id.strip()
        if not MIN_REASON_LENGTH <= len(reason) <= MAX_REASON_LENGTH:
            raise InvalidInput(
                _("Explain the business reason in %(low)d to %(high)d characters.")
                % {"low": MIN_REASON_LENGTH, "high": MAX_REASON_LENGTH}
            )
        if not other or other == seller_id or len(other) > SELLER_ID_MAX_LENGTH:
            raise InvalidInput(_("Name the other selling account (its seller id), not this one."))
        for earlier in policy_repository.additional_account_requests(db, seller_id):
            if earlier.additional_seller_id == other and earlier.status != "refused":
                raise Conflict(_("There is already a request for this account."))
        request = AdditionalAccountRequest(
            seller_id=seller_id, additional_seller_id=other, business_reason=reason
        )
        db.add(request)
        db.flush()
        if seller.account_id is not None:
            case = case_service.open(
                db,
                kind=Case.Kind.additional_account,
                subject_account_id=seller.account_id,
                payload={
                    "request_id": request.id,
                    "seller_id": seller_id,
                    "additional_seller_id": other,
                    "business_reason": reason,
                },
                sla=REVIEW_SLA,
                actor_id=seller.account_id,
            )
            request.case_id = case.id
            db.flush()
        return request

    def decide(
        self,
        db: Session,
        request_id: str,
        *,
        approved: bool,
        reviewer_id: str,
        reason: str,
    ) -> AdditionalAccountRequest:
        """Record the reviewer's decision on the request and on its case (claimed for them)."""
        request = db.get(AdditionalAccountRequest, request_id)
        if request is None:
            raise NotFound(_("There is no such request."))
        if request.status != AdditionalAccountRequest.Status.pending:
            raise IllegalTransition(_("This request is already decided."))
        if request.case_id is not None:
            case_service.claim(db, request.case_id, reviewer_id)
            case_service.decide(
                db,
                request.case_id,
                reviewer_id=reviewer_id,
                outcome=Case.Status.approved if approved else Case.Status.rejected,
                reason=reason,
            )
        request.status = (
            AdditionalAccountRequest.Status.approved
            if approved
            else AdditionalAccountRequest.Status.refused
        )
        request.decided_by = f"account:{reviewer_id}"
        request.decision_reason = reason.strip()
        request.decided_at = utcnow()
        db.flush()
        return request

    def requests(self, db: Session, seller_id: str) -> list[AdditionalAccountRequest]:
        return policy_repository.additional_account_requests(db, seller_id)


additional_account_service = AdditionalAccountService()
