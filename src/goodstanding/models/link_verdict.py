from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base


class LinkVerdict(Base):
    """A reviewer found two linked accounts not related: their direct link no longer counts.

    The pair is stored once, in order (``account_a < account_b``).
    """

    __tablename__ = "link_verdicts"
    __table_args__ = (CheckConstraint("account_a < account_b", name="ordered_pair"),)

    account_a: Mapped[str] = mapped_column(String(200), primary_key=True)
    account_b: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime]
