from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base


class FuzzyLinkRecord(Base):
    """Two accounts whose names (and, where known, addresses) matched in the periodic fuzzy pass.

    Evidence for reviewers only: fuzzy links never merge clusters or raise a policy. Each pass
    replaces the rows. ``agreements`` lists ``{"comparison", "level"}`` for the fields that agreed.
    """

    __tablename__ = "fuzzy_links"

    account_a: Mapped[str] = mapped_column(String(200), primary_key=True)
    account_b: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    match_probability: Mapped[float] = mapped_column(Float)
    agreements: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    found_at: Mapped[datetime]
