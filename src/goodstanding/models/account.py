from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base, RecordMixin


class Account(RecordMixin, Base):
    """A person's marketplace account: buyer by default, optionally seller, affiliate or staff."""

    __tablename__ = "accounts"

    class Status(StrEnum):
        active = "active"
        locked = "locked"  # "this wasn't me": only recovery opens it again
        closed = "closed"

    class Role(StrEnum):
        buyer = "buyer"
        seller = "seller"
        affiliate = "affiliate"
        reviewer = "reviewer"
        senior_reviewer = "senior_reviewer"
        admin = "admin"

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True, default=None)
    phone_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["buyer"])
    locale: Mapped[str | None] = mapped_column(String(8), default=None)
    status: Mapped[str] = mapped_column(String(16), default=Status.active)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)

    def has_role(self, role: Account.Role) -> bool:
        return role.value in self.roles
