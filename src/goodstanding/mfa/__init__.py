"""Two-step verification: second factors, the second sign-in step, trusted devices.

Each kind of factor has its own subpackage with the same shape (``totp/``, ``webauthn/``,
``codes/``, ``backup_codes/``); what they share (listing, renaming, removing, telling the person)
is in ``service.py``.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from goodstanding.models.mfa_authenticator import MfaAuthenticator


def has_second_factor(db: Session, account_id: str) -> bool:
    """Whether the account must pass a second step to sign in.

    Backup codes alone do not count: they are a fallback issued beside a real factor, and removing
    the last real factor removes them too.
    """
    query = select(
        exists().where(
            MfaAuthenticator.account_id == account_id,
            MfaAuthenticator.kind != MfaAuthenticator.Kind.backup_codes,
        )
    )
    return bool(db.scalar(query))
