from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin
from goodstanding.policy.enums import ViolationStatus


class Violation(RecordMixin, Base):
    """A policy a seller broke, with the numbers and evidence that showed it.

    One open violation per seller and policy: a later evaluation that still finds the problem
    either holds it or, once its deadline passed, raises its ladder step in place. The seller's
    notices are rendered when it opens (``notices`` by language) so what the seller read stays on
    record even if the policy file changes later.
    """

    __tablename__ = "violations"
    __table_args__ = (Index("ix_violations_seller_status", "seller_id", "status"),)

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    policy_id: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=ViolationStatus.OPEN)
    ahr_points: Mapped[int] = mapped_column(Integer)
    facts: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    notices: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    step_index: Mapped[int] = mapped_column(Integer, default=0)
    action: Mapped[str] = mapped_column(String(32))
    deadline: Mapped[date | None] = mapped_column(default=None)
    # Below the policy's minimum volume a reviewer decides; the action waits for that decision.
    awaiting_review: Mapped[bool] = mapped_column(Boolean, default=False)
    case_id: Mapped[str | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), default=None
    )
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    overturned_by_platform_error: Mapped[bool] = mapped_column(Boolean, default=False)
