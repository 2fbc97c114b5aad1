"""All SQL of cases. Status and claim changes are single conditional UPDATEs with RETURNING, so two
reviewers (or a reviewer and a job) acting at once cannot both succeed."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from goodstanding.models.case import Case
from goodstanding.models.case_decision import CaseDecision
from goodstanding.models.case_event import CaseEvent

CLOSED_STATUSES = (Case.Status.rejected, Case.Status.cancelled, Case.Status.completed)


class CaseRepository:
    def get(self, db: Session, case_id: str) -> Case | None:
        return db.get(Case, case_id)

    def set_status(
        self,
        db: Session,
        case_id: str,
        *,
        allowed_from: Collection[str],
        to: str,
        now: datetime,
        extra: dict[str, Any] | None = None,
    ) -> Case | None:
        """Move the case to ``to`` only if its status is one of ``allowed_from``; None if not."""
        values: dict[str, Any] = {"status": to, "modified_at": now, **(extra or {})}
        if to in CLOSED_STATUSES:
            values.update(closed_at=now, claimed_by_id=None, claimed_at=None)
        statement = (
            update(Case)
            .where(Case.id == case_id, Case.status.in_(list(allowed_from)))
            .values(**values)
            .returning(Case)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        return db.scalars(statement).first()

    def claim(
        self, db: Session, case_id: str, reviewer_id: str, *, now: datetime, lapsed_before: datetime
    ) -> Case | None:
        """Claim an open case that nobody holds, that this reviewer holds, or whose claim lapsed."""
        statement = (
            update(Case)
            .where(
                Case.id == case_id,
                Case.status == Case.Status.open,
                or_(
                    Case.claimed_by_id.is_(None),
                    Case.claimed_by_id == reviewer_id,
                    Case.last_activity_at < lapsed_before,
                ),
            )
            .values(claimed_by_id=reviewer_id, claimed_at=now, last_activity_at=now)
            .returning(Case)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        return db.scalars(statement).first()

    def release(self, db: Session, case_id: str, reviewer_id: str) -> bool:
        result = db.execute(
            update(Case)
            .where(Case.id == case_id, Case.claimed_by_id == reviewer_id)
            .values(claimed_by_id=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def claimable(
        self,
        db: Session,
        *,
        kind: str | None,
        reviewer_id: str,
        lapsed_before: datetime,
        limit: int,
    ) -> list[str]:
        """Ids of open cases this reviewer could claim now, oldest first."""
        statement = (
            select(Case.id)
            .where(
                Case.status == Case.Status.open,
                or_(
                    Case.claimed_by_id.is_(None),
                    Case.claimed_by_id == reviewer_id,
                    Case.last_activity_at < lapsed_before,
                ),
            )
            .order_by(Case.created_at, Case.id)
            .limit(limit)
        )
        if kind is not None:
            statement = statement.where(Case.kind == kind)
        return list(db.scalars(statement).all())

    def queue(self, db: Session, *, kind: str | None) -> list[Case]:
        statement = select(Case).where(Case.status == Case.Status.open).order_by(Case.created_at)
        if kind is not None:
            statement = statement.where(Case.kind == kind)
        return list(db.scalars(statement).all())

    def with_status(self, db: Session, *, kind: str, status: str) -> list[Case]:
        return list(
            db.scalars(
                select(Case)
                .where(Case.kind == kind, Case.status == status)
                .order_by(Case.created_at)
            ).all()
        )

    def open_for_subject(self, db: Session, *, kind: str, subject_account_id: str) -> Case | None:
        """The account's case of this kind that is not closed yet (open or approved), if any."""
        return db.scalars(
            select(Case)
            .where(
                Case.kind == kind,
                Case.subject_account_id == subject_account_id,
                Case.status.not_in(list(CLOSED_STATUSES)),
            )
            .order_by(Case.created_at.desc())
        ).first()

    def timeline(self, db: Session, case_id: str) -> list[CaseEvent]:
        return list(
            db.scalars(
                select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
            ).all()
        )

    def decisions(self, db: Session, case_id: str) -> list[CaseDecision]:
        return list(
            db.scalars(
                select(CaseDecision)
                .where(CaseDecision.case_id == case_id)
                .order_by(CaseDecision.created_at)
            ).all()
        )


case_repository = CaseRepository()
