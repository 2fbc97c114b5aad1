from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class RecoveryDocument(RecordMixin, Base):
    """A file sent for identity recovery: re-encoded by kit/files, then AES-GCM encrypted here
    (bound to the row's id). ``delete_after`` is set when the case closes; a periodic job deletes
    the row then."""

    __tablename__ = "recovery_documents"

    class Role(StrEnum):
        document = "document"  # passport or national identity card
        selfie = "selfie"  # the person holding the document

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(8))  # kit.files.UploadKind
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    delete_after: Mapped[datetime | None] = mapped_column(default=None, index=True)
