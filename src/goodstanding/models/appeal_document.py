from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class AppealDocument(RecordMixin, Base):
    """A supporting document sent with an appeal or an answer (an invoice, a letter from a
    supplier, a tracking report): re-encoded by kit/files, AES-GCM encrypted bound to its id."""

    __tablename__ = "appeal_documents"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(200))  # the file name the seller sent, for people
    file_kind: Mapped[str] = mapped_column(String(8))  # kit.files.UploadKind
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # The fingerprint of the re-encoded file: a repeated appeal must bring one not seen before.
    sha256: Mapped[str] = mapped_column(String(64))
