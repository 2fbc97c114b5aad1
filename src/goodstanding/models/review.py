from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base


class StoredReview(Base):
    """A posted review and its screening verdict, keyed by the marketplace's review id.

    The relation layers (single-seller reviewers, rating shifts, bursts after sales spikes) read
    a seller's earlier reviews from here.
    """

    __tablename__ = "reviews"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    listing_id: Mapped[str] = mapped_column(String(200))
    seller_id: Mapped[str] = mapped_column(String(200), index=True)
    reviewer_id: Mapped[str] = mapped_column(String(200), index=True)
    order_id: Mapped[str | None] = mapped_column(String(200), default=None)
    stars: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[datetime]
    is_fake: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
