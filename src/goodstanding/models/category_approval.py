from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class CategoryApproval(RecordMixin, Base):
    """A seller's approval to list in a gated (needs-approval) restricted-product category."""

    __tablename__ = "category_approvals"
    __table_args__ = (UniqueConstraint("seller_id", "category"),)

    seller_id: Mapped[str] = mapped_column(String(200), index=True)
    # A ``detectors.categories.Category`` id.
    category: Mapped[str] = mapped_column(String(32))
    approved_by: Mapped[str] = mapped_column(String(120))
    approved_at: Mapped[datetime]
