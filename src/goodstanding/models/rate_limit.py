from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base


class RateLimitCounter(Base):
    """One counter per limiter and subject (``sign_in.account:<id>``), shared by every process.

    Updated only through one atomic upsert (``kit.ratelimit``), so parallel requests in different
    server processes can never both read the same count and slip past a limit.
    """

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime]
    last_hit_at: Mapped[datetime]
