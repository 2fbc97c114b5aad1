"""What accounts asks of ``goodstanding.mfa``.

The imports are deferred because mfa finishes sign-ins through accounts (``complete_sign_in``):
importing it at module level here would make the two packages import each other.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from goodstanding.models.account import Account


def has_second_factor(db: Session, account_id: str) -> bool:
    from goodstanding.mfa import has_second_factor as mfa_has_second_factor

    return mfa_has_second_factor(db, account_id)


def second_step_needed(db: Session, account: Account, request: Request) -> bool:
    from goodstanding.mfa.stages import second_step_needed as mfa_second_step_needed

    return mfa_second_step_needed(db, account, request)


def revoke_trusted_devices(db: Session, account_id: str) -> None:
    from goodstanding.mfa.trusted_devices import revoke_all

    revoke_all(db, account_id)
