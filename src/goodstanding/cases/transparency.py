"""The transparency report: how many enforcement actions, appeals and overturns, by policy and
month.

Rows are read with ``yield_per`` (a server-side cursor on PostgreSQL), so the store's size never
bounds what is counted: memory holds the counters (months x policies) and the policy of each
appealed violation, whatever the number of actions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.models.case import Case
from goodstanding.models.enforcement_action import EnforcementAction
from goodstanding.models.violation import Violation
from goodstanding.policy.enums import ViolationStatus

PAGE_ROWS = 1000
COLUMNS = (
    "month", "policy_id", "actions", "appeals", "appeals_reinstated", "overturns",
    "platform_errors",
)  # fmt: skip


@dataclass
class Counts:
    actions: int = 0
    appeals: int = 0
    appeals_reinstated: int = 0
    overturns: int = 0
    platform_errors: int = 0


@dataclass(frozen=True)
class ReportRow:
    month: str  # YYYY-MM, UTC
    policy_id: str
    counts: Counts = field(default_factory=Counts)

    def as_csv(self) -> list[str]:
        c = self.counts
        return [
            self.month, self.policy_id, str(c.actions), str(c.appeals),
            str(c.appeals_reinstated), str(c.overturns), str(c.platform_errors),
        ]  # fmt: skip


def _month(moment: datetime) -> str:
    return moment.strftime("%Y-%m")


def transparency_report(db: Session) -> list[ReportRow]:
    """Every (month, policy) with something to count, newest month first."""
    table: defaultdict[tuple[str, str], Counts] = defaultdict(Counts)
    actions = select(EnforcementAction.taken_at, Violation.policy_id).join(
        Violation, Violation.id == EnforcementAction.violation_id
    )
    for taken_at, policy_id in db.execute(actions.execution_options(yield_per=PAGE_ROWS)):
        table[(_month(taken_at), policy_id)].actions += 1
    overturned = select(
        Violation.resolved_at, Violation.policy_id, Violation.overturned_by_platform_error
    ).where(Violation.status == ViolationStatus.OVERTURNED, Violation.resolved_at.is_not(None))
    for resolved_at, policy_id, platform_error in db.execute(
        overturned.execution_options(yield_per=PAGE_ROWS)
    ):
        assert resolved_at is not None  # filtered in the query
        counts = table[(_month(resolved_at), policy_id)]
        counts.overturns += 1
        counts.platform_errors += int(bool(platform_error))
    for created_at, status, policy_ids in _appeals(db):
        for policy_id in policy_ids:
            counts = table[(_month(created_at), policy_id)]
            counts.appeals += 1
            counts.appeals_reinstated += int(status == Case.Status.completed)
    return [
        ReportRow(month, policy_id, counts)
        for (month, policy_id), counts in sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1]))
    ][::-1]


def _appeals(db: Session) -> Iterator[tuple[datetime, str, set[str]]]:
    """Each appeal with the policies of the violations it was about (counted once each)."""
    cases = select(Case.created_at, Case.status, Case.payload).where(Case.kind == Case.Kind.appeal)
    policy_of: dict[str, str] = {}
    for created_at, status, payload in db.execute(cases.execution_options(yield_per=PAGE_ROWS)):
        listed = (payload or {}).get("violation_ids")
        ids = [str(i) for i in listed] if isinstance(listed, list) else []
        missing = [i for i in ids if i not in policy_of]
        if missing:
            policy_of.update(
                db.execute(
                    select(Violation.id, Violation.policy_id).where(Violation.id.in_(missing))
                )
                .tuples()
                .all()
            )
        yield created_at, status, {policy_of[i] for i in ids if i in policy_of}
