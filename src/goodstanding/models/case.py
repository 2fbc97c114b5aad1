from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class Case(RecordMixin, Base):
    """Work for staff about one account: an identity recovery, an appeal, a listing review...

    The queue is the open cases of a kind, oldest first. A reviewer claims one exclusively; the
    claim lapses after a stretch without activity so a case never stays stuck with someone who
    left. Every change of status or claim appends a ``CaseEvent``; decisions are ``CaseDecision``
    rows (one per reviewer, so a second approver can be required later).
    """

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_queue", "kind", "status", "created_at"),)

    class Kind(StrEnum):
        identity_recovery = "identity_recovery"
        appeal = "appeal"
        listing_review = "listing_review"
        linked_accounts = "linked_accounts"
        additional_account = "additional_account"
        document_check = "document_check"
        policy_review = "policy_review"  # a policy fired below its volume for automatic action

    class Status(StrEnum):
        open = "open"  # in the queue, waiting for a decision
        approved = "approved"  # decided for the person; some kinds still wait (recovery)
        rejected = "rejected"
        cancelled = "cancelled"  # withdrawn by the person, or stopped by the account owner
        completed = "completed"  # an approved case whose effect has been applied

    kind: Mapped[str] = mapped_column(String(32))
    subject_account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=Status.open)
    payload: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    sla_due_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_by_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Last time the claimant did something on the case; the claim lapses from here.
    last_activity_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
