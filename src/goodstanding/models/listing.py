from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base


class StoredListing(Base):
    """A marketplace listing as last screened, keyed by the marketplace's listing id.

    ``decision``/``label``/``score``/``evidence`` are the screening's result for the listing's
    latest content; ``status`` is what the marketplace should do with it, and changes only
    through the listing screening service (a reviewer's decision or a ``listing.removed`` event).
    """

    __tablename__ = "listings"

    class Status(StrEnum):
        active = "active"
        held = "held"  # waiting for a reviewer (a listing_review case)
        blocked = "blocked"
        removed = "removed"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    seller_id: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(200), default="")
    brand: Mapped[str] = mapped_column(String(200), default="")
    decision: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), index=True)
    screened_at: Mapped[datetime]
    case_id: Mapped[str | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), default=None
    )
