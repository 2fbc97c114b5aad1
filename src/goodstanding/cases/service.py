"""Opening, claiming, deciding and moving cases; every change appends a timeline event.

Services never commit: the caller's transaction holds the case change and its event together.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from goodstanding.cases.errors import ClaimedByAnother, ClaimRequired
from goodstanding.cases.repository import case_repository
from goodstanding.kit.clock import utcnow
from goodstanding.kit.errors import IllegalTransition, InvalidInput, NotFound
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.case import Case
from goodstanding.models.case_decision import CaseDecision
from goodstanding.models.case_event import CaseEvent

CLAIM_IDLE_LAPSE = timedelta(minutes=30)
DECISIONS = (Case.Status.approved, Case.Status.rejected)
MAX_REASON_LENGTH = 4000


class EventType:
    """The timeline's generic vocabulary; each kind of case adds its own words."""

    opened = "opened"
    claimed = "claimed"
    released = "released"
    decided = "decided"
    status_changed = "status_changed"


class CaseService:
    def open(
        self,
        db: Session,
        *,
        kind: Case.Kind,
        subject_account_id: str,
        payload: dict[str, Any],
        sla: timedelta,
        actor_id: str | None,
    ) -> Case:
        now = utcnow()
        case = Case(
            kind=kind,
            subject_account_id=subject_account_id,
            status=Case.Status.open,
            payload=payload,
            sla_due_at=now + sla,
            created_at=now,
        )
        db.add(case)
        db.flush()
        self.log(db, case.id, EventType.opened, actor_id=actor_id, data={"kind": kind})
        return case

    def get(self, db: Session, case_id: str) -> Case:
        case = case_repository.get(db, case_id)
        if case is None:
            raise NotFound(_("There is no such case."))
        return case

    def queue(self, db: Session, kind: Case.Kind | None = None) -> list[Case]:
        return case_repository.queue(db, kind=kind)

    def with_status(self, db: Session, kind: Case.Kind, status: Case.Status) -> list[Case]:
        return case_repository.with_status(db, kind=kind, status=status)

    def claim(self, db: Session, case_id: str, reviewer_id: str) -> Case:
        now = utcnow()
        claimed = case_repository.claim(
            db, case_id, reviewer_id, now=now, lapsed_before=now - CLAIM_IDLE_LAPSE
        )
        if claimed is None:
            case = self.get(db, case_id)
            if case.status != Case.Status.open:
                raise IllegalTransition(_("This case is already decided."))
            raise ClaimedByAnother(_("Another reviewer is working on this case."))
        self.log(db, case_id, EventType.claimed, actor_id=reviewer_id)
        return claimed

    def claim_next(
        self, db: Session, reviewer_id: str, kind: Case.Kind | None = None
    ) -> Case | None:
        """Claim the oldest case this reviewer can take; None when the queue is empty."""
        now = utcnow()
        lapsed_before = now - CLAIM_IDLE_LAPSE
        candidates = case_repository.claimable(
            db, kind=kind, reviewer_id=reviewer_id, lapsed_before=lapsed_before, limit=20
        )
        for case_id in candidates:
            claimed = case_repository.claim(
                db, case_id, reviewer_id, now=now, lapsed_before=lapsed_before
            )
            if claimed is not None:  # else another reviewer won it a moment ago
                self.log(db, case_id, EventType.claimed, actor_id=reviewer_id)
                return claimed
        return None

    def release(self, db: Session, case_id: str, reviewer_id: str) -> None:
        if case_repository.release(db, case_id, reviewer_id):
            self.log(db, case_id, EventType.released, actor_id=reviewer_id)

    def holds_claim(self, case: Case, reviewer_id: str) -> bool:
        return (
            case.claimed_by_id == reviewer_id
            and case.last_activity_at is not None
            and case.last_activity_at >= utcnow() - CLAIM_IDLE_LAPSE
        )

    def decide(
        self, db: Session, case_id: str, *, reviewer_id: str, outcome: Case.Status, reason: str
    ) -> Case:
        """Record a reviewer's decision and move the open case to approved or rejected."""
        if outcome not in DECISIONS:
            raise InvalidInput(_("A decision is either approve or reject."))
        cleaned = reason.strip()
        if not cleaned or len(cleaned) > MAX_REASON_LENGTH:
            raise InvalidInput(_("Give a reason of 1 to 4000 characters."))
        case = self.get(db, case_id)
        if case.status != Case.Status.open:
            raise IllegalTransition(_("This case is already decided."))
        if not self.holds_claim(case, reviewer_id):
            raise ClaimRequired(_("Claim the case before deciding it."))
        db.add(
            CaseDecision(case_id=case_id, reviewer_id=reviewer_id, outcome=outcome, reason=cleaned)
        )
        decided = self.transition(
            db,
            case_id,
            allowed_from=(Case.Status.open,),
            to=outcome,
            actor_id=reviewer_id,
            event_type=EventType.decided,
            data={"outcome": str(outcome), "reason": cleaned},
        )
        return decided

    def transition(
        self,
        db: Session,
        case_id: str,
        *,
        allowed_from: Collection[Case.Status],
        to: Case.Status,
        actor_id: str | None,
        event_type: str = EventType.status_changed,
        data: dict[str, Any] | None = None,
    ) -> Case:
        """Apply a guarded status change and append its event; IllegalTransition if not allowed."""
        moved = case_repository.set_status(
            db, case_id, allowed_from=[str(s) for s in allowed_from], to=to, now=utcnow()
        )
        if moved is None:
            self.get(db, case_id)  # NotFound first, if that is the reason
            raise IllegalTransition(_("This case can no longer be changed that way."))
        self.log(db, case_id, event_type, actor_id=actor_id, data={"to": str(to), **(data or {})})
        return moved

    def update_payload(self, db: Session, case: Case, **changes: Any) -> None:
        """Merge into the payload (a new dict, so the JSON column sees the change)."""
        case.payload = {**case.payload, **changes}

    def log(
        self,
        db: Session,
        case_id: str,
        event_type: str,
        *,
        actor_id: str | None,
        data: dict[str, Any] | None = None,
    ) -> CaseEvent:
        event = CaseEvent(case_id=case_id, type=event_type, actor_id=actor_id, data=data or {})
        db.add(event)
        db.flush()
        return event

    def timeline(self, db: Session, case_id: str) -> list[CaseEvent]:
        return case_repository.timeline(db, case_id)

    def decisions(self, db: Session, case_id: str) -> list[CaseDecision]:
        return case_repository.decisions(db, case_id)

    def open_for_subject(
        self, db: Session, kind: Case.Kind, subject_account_id: str
    ) -> Case | None:
        return case_repository.open_for_subject(
            db, kind=kind, subject_account_id=subject_account_id
        )


case_service = CaseService()
