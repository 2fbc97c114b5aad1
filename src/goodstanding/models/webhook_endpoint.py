from __future__ import annotations

from sqlalchemy import JSON, Boolean, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class WebhookEndpoint(RecordMixin, Base):
    """Where the marketplace wants events. The signing secret is stored encrypted (AES-GCM)."""

    __tablename__ = "webhook_endpoints"

    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    # Event types delivered here; an empty list means every type.
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
