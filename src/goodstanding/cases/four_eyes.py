"""Four eyes: high-impact decisions need a second, different reviewer.

The first reviewer's approval is written as a ``CaseDecision`` and the case goes back to the
queue, marked as waiting for a second approval; a different reviewer's approval then decides the
case through the core (which adds the second row and moves the status).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from goodstanding.cases.errors import ClaimRequired
from goodstanding.cases.service import case_service
from goodstanding.kit.clock import utcnow
from goodstanding.kit.errors import Conflict
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.case import Case
from goodstanding.models.case_decision import CaseDecision

FIRST_APPROVAL = "first_approval"
SELLING_DECISIONS = frozenset({"suspension", "closure"})


class SecondReviewerRequired(Conflict):
    slug = "case-second-reviewer-required"
    title = "A second, different reviewer must approve this decision"


def needs_second_reviewer(
    kind: str, *, action: str | None, seller_orders: int | None, threshold: int
) -> bool:
    """Whether approving a case of ``kind`` is high-impact.

    Completing an identity recovery hands an account to whoever proved it; suspending (or
    closing) a seller above the sales threshold, or reinstating one, moves a large business.
    """
    if kind == Case.Kind.identity_recovery:
        return True
    large_seller = seller_orders is not None and seller_orders >= threshold
    if kind == Case.Kind.policy_review:
        return large_seller and action in SELLING_DECISIONS
    if kind == Case.Kind.appeal:
        return large_seller
    return False


def first_approval(case: Case) -> dict[str, Any] | None:
    found = case.payload.get(FIRST_APPROVAL)
    return found if isinstance(found, dict) else None


def record_first_approval(
    db: Session, case: Case, *, reviewer_id: str, reason: str, details: dict[str, Any]
) -> None:
    """The first of two approvals: recorded, then the case waits for someone else."""
    if not case_service.holds_claim(case, reviewer_id):
        raise ClaimRequired(_("Claim the case before deciding it."))
    db.add(
        CaseDecision(
            case_id=case.id, reviewer_id=reviewer_id, outcome=Case.Status.approved, reason=reason
        )
    )
    approval = {"reviewer_id": reviewer_id, "at": utcnow().isoformat(), **details}
    case_service.update_payload(db, case, **{FIRST_APPROVAL: approval})
    case_service.log(db, case.id, FIRST_APPROVAL, actor_id=reviewer_id, data=details)
    case_service.release(db, case.id, reviewer_id)


def check_second_reviewer(case: Case, reviewer_id: str) -> dict[str, Any]:
    """The first approval, if ``reviewer_id`` may give the second; raises if it is the same
    person."""
    approval = first_approval(case)
    assert approval is not None
    if approval.get("reviewer_id") == reviewer_id:
        raise SecondReviewerRequired(
            _("You gave the first approval; a different reviewer must give the second.")
        )
    return approval
