from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class DetectorSignalRow(RecordMixin, Base):
    """A detector's finding about a seller, kept so the policy engine can act on it later.

    ``kind`` is a policy ``Signal`` (restricted_product, review_manipulation, ...). Open signals
    are the policy engine's input; a reviewer dismisses a wrong one (its violation then resolves)
    or confirms a right one. One open signal per seller, kind and source: screening the same
    listing again updates it instead of adding a second.
    """

    __tablename__ = "detector_signals"
    __table_args__ = (
        Index("ix_detector_signals_seller_status", "seller_id", "status"),
        Index("ix_detector_signals_source", "source_kind", "source_id"),
    )

    class Status(StrEnum):
        open = "open"
        dismissed = "dismissed"
        confirmed = "confirmed"

    class Source(StrEnum):
        listing = "listing"
        review = "review"
        cluster = "cluster"
        order = "order"  # e.g. a fraud finding about one order

    seller_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    # What a reviewer reads: matched phrases, nearest labelled examples, reasons.
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=Status.open)
    detected_at: Mapped[datetime]
    # "detector", "account:<id>": who dismissed or confirmed it, when and why.
    decided_by: Mapped[str | None] = mapped_column(String(120), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decision_reason: Mapped[str | None] = mapped_column(Text, default=None)
