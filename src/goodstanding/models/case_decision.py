from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class CaseDecision(RecordMixin, Base):
    """A reviewer's decision on a case, with the reason given to the person.

    One row per reviewer: a four-eyes rule adds a second row before the case's status moves.
    """

    __tablename__ = "case_decisions"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    outcome: Mapped[str] = mapped_column(String(16))  # a Case.Status: approved or rejected
    reason: Mapped[str] = mapped_column(Text)
