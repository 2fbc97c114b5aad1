from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class EnforcementAction(RecordMixin, Base):
    """What was done to a seller for a violation (a warning, listing removal, withdrawn selling
    privileges, a suspension, a closure) and, if it was undone, when."""

    __tablename__ = "enforcement_actions"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    violation_id: Mapped[str | None] = mapped_column(
        ForeignKey("violations.id", ondelete="CASCADE"), index=True, default=None
    )
    action: Mapped[str] = mapped_column(String(32))  # policy.enums.Action
    actor: Mapped[str] = mapped_column(String(120))
    taken_at: Mapped[datetime]
    reversible: Mapped[bool] = mapped_column(Boolean, default=True)
    reversed_at: Mapped[datetime | None] = mapped_column(default=None)
