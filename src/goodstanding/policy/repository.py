"""All SQL of the policy engine. A standing change is one conditional UPDATE with RETURNING, so of
two workers moving one seller at once exactly one succeeds and the other sees that it lost."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from goodstanding.kit.bulk_sql import dialect_insert
from goodstanding.models.additional_account_request import AdditionalAccountRequest
from goodstanding.models.document_request import DocumentRequest
from goodstanding.models.enforcement_action import EnforcementAction
from goodstanding.models.seller import Seller
from goodstanding.models.seller_document import SellerDocument
from goodstanding.models.shadow_finding import ShadowFinding
from goodstanding.models.standing_event import StandingEvent
from goodstanding.models.violation import Violation
from goodstanding.policy.enums import ViolationStatus


class PolicyRepository:
    def seller(self, db: Session, seller_id: str) -> Seller | None:
        return db.get(Seller, seller_id)

    def seller_of_account(self, db: Session, account_id: str) -> Seller | None:
        return db.scalars(select(Seller).where(Seller.account_id == account_id)).first()

    def add_seller_if_absent(self, db: Session, seller_id: str, *, now: datetime) -> None:
        """Insert the seller unless it exists; two workers doing this at once both succeed."""
        values = {"id": seller_id, "created_at": now}
        db.execute(dialect_insert(db, Seller).values(**values).on_conflict_do_nothing())

    def move_standing(
        self,
        db: Session,
        seller_id: str,
        *,
        allowed_from: Collection[str],
        to: str,
        now: datetime,
    ) -> Seller | None:
        """Set the standing to ``to`` only if it is one of ``allowed_from``; None if it was not."""
        statement = (
            update(Seller)
            .where(Seller.id == seller_id, Seller.standing.in_(list(allowed_from)))
            .values(standing=to, standing_changed_at=now, modified_at=now)
            .returning(Seller)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        return db.scalars(statement).first()

    def current_standing(self, db: Session, seller_id: str) -> str | None:
        """Read past the session's identity map: another transaction may have moved it."""
        return db.scalar(
            select(Seller.standing)
            .where(Seller.id == seller_id)
            .execution_options(populate_existing=True)
        )

    def standing_events(self, db: Session, seller_id: str) -> list[StandingEvent]:
        return list(
            db.scalars(
                select(StandingEvent)
                .where(StandingEvent.seller_id == seller_id)
                .order_by(StandingEvent.at, StandingEvent.created_at)
            ).all()
        )

    def violations(
        self, db: Session, seller_id: str, *, open_only: bool = False
    ) -> list[Violation]:
        statement = select(Violation).where(Violation.seller_id == seller_id)
        if open_only:
            statement = statement.where(Violation.status == ViolationStatus.OPEN)
        return list(db.scalars(statement.order_by(Violation.opened_at, Violation.id)).all())

    def violation(self, db: Session, violation_id: str) -> Violation | None:
        return db.get(Violation, violation_id)

    def actions_of(self, db: Session, violation_id: str) -> list[EnforcementAction]:
        return list(
            db.scalars(
                select(EnforcementAction)
                .where(EnforcementAction.violation_id == violation_id)
                .order_by(EnforcementAction.taken_at)
            ).all()
        )

    def shadow_finding(
        self, db: Session, seller_id: str, policy_id: str, as_of: date
    ) -> ShadowFinding | None:
        return db.scalars(
            select(ShadowFinding).where(
                ShadowFinding.seller_id == seller_id,
                ShadowFinding.policy_id == policy_id,
                ShadowFinding.as_of == as_of,
            )
        ).first()

    def shadow_findings(self, db: Session, seller_id: str) -> list[ShadowFinding]:
        return list(
            db.scalars(
                select(ShadowFinding)
                .where(ShadowFinding.seller_id == seller_id)
                .order_by(ShadowFinding.as_of)
            ).all()
        )

    def documents(self, db: Session, seller_id: str) -> list[SellerDocument]:
        return list(
            db.scalars(
                select(SellerDocument)
                .where(SellerDocument.seller_id == seller_id)
                .order_by(SellerDocument.uploaded_on, SellerDocument.created_at)
            ).all()
        )

    def document_requests(self, db: Session, seller_id: str) -> list[DocumentRequest]:
        return list(
            db.scalars(
                select(DocumentRequest)
                .where(DocumentRequest.seller_id == seller_id)
                .order_by(DocumentRequest.requested_on)
            ).all()
        )

    def sellers_with_overdue_requests(self, db: Session, today: date) -> list[str]:
        return list(
            db.scalars(
                select(DocumentRequest.seller_id)
                .where(DocumentRequest.fulfilled_at.is_(None), DocumentRequest.deadline < today)
                .distinct()
            ).all()
        )

    def seller_ids(self, db: Session) -> list[str]:
        return list(db.scalars(select(Seller.id).order_by(Seller.id)).all())

    def additional_account_requests(
        self, db: Session, seller_id: str
    ) -> list[AdditionalAccountRequest]:
        return list(
            db.scalars(
                select(AdditionalAccountRequest)
                .where(AdditionalAccountRequest.seller_id == seller_id)
                .order_by(AdditionalAccountRequest.created_at)
            ).all()
        )

    def additional_account_request_of_case(
        self, db: Session, case_id: str
    ) -> AdditionalAccountRequest | None:
        return db.scalars(
            select(AdditionalAccountRequest).where(AdditionalAccountRequest.case_id == case_id)
        ).first()

    def approved_account_pairs(self, db: Session) -> list[tuple[str, str]]:
        rows = db.execute(
            select(
                AdditionalAccountRequest.seller_id, AdditionalAccountRequest.additional_seller_id
            ).where(AdditionalAccountRequest.status == AdditionalAccountRequest.Status.approved)
        ).all()
        return [(first, second) for first, second in rows]


policy_repository = PolicyRepository()
