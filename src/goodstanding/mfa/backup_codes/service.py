"""Generating and spending backup codes.

Each code is 12 characters from a 32-symbol alphabet (60 random bits), so it cannot be guessed
online under the second-step rate limits, and it is stored as an Argon2id hash with its own salt
(ASVS 6.5.2). The hash is lighter than the password hash: the code is random, not chosen by a
person, and checking one presented code may take up to ten verifications.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from goodstanding.kit.clock import utcnow
from goodstanding.kit.errors import Conflict
from goodstanding.kit.i18n import gettext as _
from goodstanding.mfa import has_second_factor
from goodstanding.mfa.errors import WrongCode
from goodstanding.mfa.service import mfa_service
from goodstanding.models.account import Account
from goodstanding.models.mfa_authenticator import MfaAuthenticator
from goodstanding.models.mfa_backup_code import MfaBackupCode

CODE_COUNT = 10
# No 0/O or 1/I: a code read off paper is typed right.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
GROUP = 4
GROUPS = 3
CODE_HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUP * GROUPS))
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalise(code: str) -> str:
    """What people type: any case, with or without dashes and spaces."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def _matches(code_hash: str, code: str) -> bool:
    try:
        return CODE_HASHER.verify(code_hash, code)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class BackupCodeService:
    def regenerate(self, db: Session, account: Account) -> list[str]:
        """Replace any earlier set with ten new codes; the plain codes are returned only here."""
        if not has_second_factor(db, account.id):
            raise Conflict(_("Backup codes come with another sign-in method: add one first."))
        db.execute(
            delete(MfaAuthenticator).where(
                MfaAuthenticator.account_id == account.id,
                MfaAuthenticator.kind == MfaAuthenticator.Kind.backup_codes,
            )
        )
        codes = [new_code() for _ in range(CODE_COUNT)]
        factor = MfaAuthenticator(
            account_id=account.id, kind=MfaAuthenticator.Kind.backup_codes, label=_("Backup codes")
        )
        mfa_service.add(db, account, factor)
        db.add_all(
            MfaBackupCode(authenticator_id=factor.id, code_hash=CODE_HASHER.hash(code))
            for code in codes
        )
        db.flush()
        return codes

    def remaining(self, db: Session, account_id: str) -> int:
        return len(self._unused(db, account_id))

    def use(self, db: Session, account_id: str, code: str) -> int:
        """Burn the code if it is one of the account's unused ones; returns how many are left."""
        presented = normalise(code)
        unused = self._unused(db, account_id)
        for row in unused:
            if _matches(row.code_hash, presented):
                burned = db.execute(
                    update(MfaBackupCode)
                    .where(MfaBackupCode.id == row.id, MfaBackupCode.used_at.is_(None))
                    .values(used_at=utcnow())
                    .execution_options(synchronize_session="fetch")
                )
                if burned.rowcount:  # type: ignore[attr-defined]
                    return len(unused) - 1
        raise WrongCode(_("That backup code is not right, or it was already used."))

    def _unused(self, db: Session, account_id: str) -> list[MfaBackupCode]:
        return list(
            db.scalars(
                select(MfaBackupCode)
                .join(MfaAuthenticator, MfaAuthenticator.id == MfaBackupCode.authenticator_id)
                .where(MfaAuthenticator.account_id == account_id, MfaBackupCode.used_at.is_(None))
            ).all()
        )


backup_code_service = BackupCodeService()
