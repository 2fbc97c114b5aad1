from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class DocumentRequest(RecordMixin, Base):
    """We asked a seller for a document by a deadline; past it, the documents policy applies."""

    __tablename__ = "document_requests"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # policy.enums.DocumentKind
    requested_on: Mapped[date]
    deadline: Mapped[date]
    requested_by: Mapped[str] = mapped_column(String(120))
    fulfilled_at: Mapped[datetime | None] = mapped_column(default=None)
