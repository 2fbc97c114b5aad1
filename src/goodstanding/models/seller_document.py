from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class SellerDocument(RecordMixin, Base):
    """A document a seller sent (identity, proof of address, bank statement, business
    registration): re-encoded by kit/files, then AES-GCM encrypted, bound to the row's id."""

    __tablename__ = "seller_documents"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # policy.enums.DocumentKind
    file_kind: Mapped[str] = mapped_column(String(8))  # kit.files.UploadKind
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_on: Mapped[date]
    expires_on: Mapped[date | None] = mapped_column(default=None)
