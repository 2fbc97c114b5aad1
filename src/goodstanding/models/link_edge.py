from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from goodstanding.kit.db import Base


class LinkEdgeRecord(Base):
    """One account has used one canonical identifier (``detectors.links.identifiers``) since
    ``first_seen``. The exact-link graph is these rows; clusters are derived from them.

    ``account_id`` is the marketplace's account id as events carry it (a seller id for sellers).
    The primary key serves "what does this account hold"; the (kind, value) index serves "who
    holds this identifier".
    """

    __tablename__ = "link_edges"
    __table_args__ = (Index("ix_link_edges_identifier", "kind", "value"),)

    account_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(320), primary_key=True)
    first_seen: Mapped[datetime]
