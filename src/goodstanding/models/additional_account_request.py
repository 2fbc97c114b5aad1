from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class AdditionalAccountRequest(RecordMixin, Base):
    """A seller asks to run a second selling account for a business reason; a reviewer decides.

    An approved request exempts exactly the pair (``seller_id``, ``additional_seller_id``) from the
    one-seller-one-account policy.
    """

    __tablename__ = "additional_account_requests"

    class Status(StrEnum):
        pending = "pending"
        approved = "approved"
        refused = "refused"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    additional_seller_id: Mapped[str] = mapped_column(String(200))
    business_reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=Status.pending)
    case_id: Mapped[str | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), default=None
    )
    decided_by: Mapped[str | None] = mapped_column(String(120), default=None)
    decision_reason: Mapped[str | None] = mapped_column(Text, default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
