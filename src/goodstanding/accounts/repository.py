"""Account lookups by e-mail or phone (all SQL of the accounts domain that is not a flow's own)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.models.account import Account


def by_email(db: Session, email: str) -> Account | None:
    return db.scalars(select(Account).where(Account.email == email)).first()


def by_phone(db: Session, phone: str) -> Account | None:
    return db.scalars(select(Account).where(Account.phone == phone)).first()


def email_taken(db: Session, email: str, *, besides: str | None = None) -> bool:
    account = by_email(db, email)
    return account is not None and account.id != besides


def phone_taken(db: Session, phone: str, *, besides: str | None = None) -> bool:
    account = by_phone(db, phone)
    return account is not None and account.id != besides
