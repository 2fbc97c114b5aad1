from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class ShadowFinding(RecordMixin, Base):
    """What a policy in shadow mode would have done to a seller on a day; nothing was done."""

    __tablename__ = "shadow_findings"
    __table_args__ = (UniqueConstraint("seller_id", "policy_id", "as_of"),)

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    policy_id: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date]
    action: Mapped[str] = mapped_column(String(32))
    step_index: Mapped[int] = mapped_column(Integer)
    automatic: Mapped[bool]
    facts: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
