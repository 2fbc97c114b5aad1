from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.clock import utcnow
from goodstanding.kit.db import Base


class Seller(Base):
    """A seller (or affiliate) of the marketplace, keyed by the marketplace's own seller id, the one
    its events carry.

    ``account_id`` links the goodstanding account that signs in as this seller (at most one account
    per seller and one seller per account); a seller known only from events has none, and notices
    then go to ``contact_email``. ``standing`` is never assigned in code: the policy service moves
    it with one conditional UPDATE (``policy/repository.py``) and records a ``StandingEvent``.
    """

    __tablename__ = "sellers"

    class Kind(StrEnum):
        seller = "seller"
        affiliate = "affiliate"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    account_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), unique=True, default=None
    )
    kind: Mapped[str] = mapped_column(String(16), default=Kind.seller)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str | None] = mapped_column(String(320), default=None)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    standing: Mapped[str] = mapped_column(String(24), default="active", index=True)
    standing_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Orders of the last 180 days as last measured: the rating's bonus and the ladder's volume.
    orders_in_lookback: Mapped[int] = mapped_column(Integer, default=0)
    # Affiliates only: what the inactivity policies read.
    signed_up_on: Mapped[date | None] = mapped_column(default=None)
    first_qualifying_sale_on: Mapped[date | None] = mapped_column(default=None)
    last_commission_on: Mapped[date | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    modified_at: Mapped[datetime | None] = mapped_column(default=None, onupdate=utcnow)
