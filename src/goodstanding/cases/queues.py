"""The review queues: which staff work which kind of case, the SLA clock, the order items are
shown in (overdue first, then oldest), the median time to a decision, and claiming the next one.

The core (``service.py``) holds claims and decisions; this module adds what the console needs on
top, without changing how a claim is taken.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.cases.four_eyes import first_approval
from goodstanding.cases.repository import CLOSED_STATUSES, case_repository
from goodstanding.cases.service import CLAIM_IDLE_LAPSE, EventType, case_service
from goodstanding.config import Settings
from goodstanding.kit.clock import utcnow
from goodstanding.models.account import Account
from goodstanding.models.case import Case

Role = Account.Role
AWAITING = "awaiting"  # payload key: "seller" while the case waits for the seller's answer
MEDIAN_WINDOW = timedelta(days=90)
CLAIMABLE_LOOKAHEAD = 200


@dataclass(frozen=True)
class Queue:
    kind: Case.Kind
    roles: frozenset[Role]  # who works it; admins work every queue


STAFF_ROLES = frozenset({Role.reviewer, Role.senior_reviewer, Role.admin})
_SENIOR = frozenset({Role.senior_reviewer, Role.admin})

QUEUES: tuple[Queue, ...] = (
    Queue(Case.Kind.appeal, STAFF_ROLES),
    Queue(Case.Kind.identity_recovery, _SENIOR),
    Queue(Case.Kind.listing_review, STAFF_ROLES),
    Queue(Case.Kind.linked_accounts, _SENIOR),
    Queue(Case.Kind.additional_account, STAFF_ROLES),
    Queue(Case.Kind.document_check, STAFF_ROLES),
    Queue(Case.Kind.policy_review, STAFF_ROLES),
)
QUEUE_BY_KIND = {queue.kind.value: queue for queue in QUEUES}


def is_staff(account: Account) -> bool:
    return any(account.has_role(role) for role in STAFF_ROLES)


def queues_for(account: Account) -> list[Queue]:
    return [queue for queue in QUEUES if any(account.has_role(role) for role in queue.roles)]


def works_queue(account: Account, kind: str) -> bool:
    queue = QUEUE_BY_KIND.get(kind)
    return queue is not None and any(account.has_role(role) for role in queue.roles)


@dataclass(frozen=True)
class QueueItem:
    case: Case
    due_at: datetime
    overdue: bool
    awaiting_seller: bool
    claimed_by_id: str | None  # a live claim only; a lapsed one is shown as free


def queue_items(cases: Iterable[Case], *, sla: timedelta, now: datetime) -> list[QueueItem]:
    """The open cases as the queue shows them: overdue first, each group oldest first; cases
    waiting for the seller last, since nobody can act on them."""
    items = []
    for case in cases:
        due_at = case.created_at + sla
        live_claim = (
            case.claimed_by_id
            if case.last_activity_at is not None and case.last_activity_at >= now - CLAIM_IDLE_LAPSE
            else None
        )
        items.append(
            QueueItem(
                case=case,
                due_at=due_at,
                overdue=due_at <= now,
                awaiting_seller=case.payload.get(AWAITING) == "seller",
                claimed_by_id=live_claim,
            )
        )
    return sorted(
        items, key=lambda item: (item.awaiting_seller, not item.overdue, item.case.created_at)
    )


def median_time_to_decision(durations: Sequence[timedelta]) -> timedelta | None:
    if not durations:
        return None
    return timedelta(seconds=statistics.median(d.total_seconds() for d in durations))


@dataclass(frozen=True)
class QueueSummary:
    queue: Queue
    open_count: int
    overdue_count: int
    median_to_decision: timedelta | None


class QueueService:
    def items(self, db: Session, kind: Case.Kind, settings: Settings) -> list[QueueItem]:
        return queue_items(case_service.queue(db, kind), sla=settings.queue_sla(kind), now=utcnow())

    def summary(self, db: Session, queue: Queue, settings: Settings) -> QueueSummary:
        items = self.items(db, queue.kind, settings)
        return QueueSummary(
            queue=queue,
            open_count=len(items),
            overdue_count=sum(1 for item in items if item.overdue and not item.awaiting_seller),
            median_to_decision=median_time_to_decision(self.decision_times(db, queue.kind)),
        )

    def decision_times(self, db: Session, kind: Case.Kind) -> list[timedelta]:
        """Opening to closing of the cases of ``kind`` closed in the last 90 days."""
        rows = db.execute(
            select(Case.created_at, Case.closed_at).where(
                Case.kind == kind,
                Case.status.in_([str(status) for status in CLOSED_STATUSES]),
                Case.closed_at.is_not(None),
                Case.closed_at >= utcnow() - MEDIAN_WINDOW,
            )
        ).all()
        return [closed - opened for opened, closed in rows if closed is not None]

    def claim_next(
        self, db: Session, reviewer: Account, kind: Case.Kind, settings: Settings
    ) -> Case | None:
        """Claim the case the reviewer should do next: overdue first, then oldest; never one
        that waits for the seller, nor one whose first approval this reviewer gave."""
        now = utcnow()
        candidates = case_repository.claimable(
            db,
            kind=kind,
            reviewer_id=reviewer.id,
            lapsed_before=now - CLAIM_IDLE_LAPSE,
            limit=CLAIMABLE_LOOKAHEAD,
        )
        cases = [case_service.get(db, case_id) for case_id in candidates]
        for item in queue_items(cases, sla=settings.queue_sla(kind), now=now):
            first = first_approval(item.case)
            if item.awaiting_seller or (first is not None and first["reviewer_id"] == reviewer.id):
                continue
            claimed = case_repository.claim(
                db, item.case.id, reviewer.id, now=now, lapsed_before=now - CLAIM_IDLE_LAPSE
            )
            if claimed is not None:  # else another reviewer took it a moment ago
                case_service.log(db, claimed.id, EventType.claimed, actor_id=reviewer.id)
                return claimed
        return None

    def touch(self, case: Case, reviewer_id: str) -> None:
        """The claimant did something: the idle clock restarts."""
        if case_service.holds_claim(case, reviewer_id):
            case.last_activity_at = utcnow()


queue_service = QueueService()
