"""One-time codes: the one service every flow that sends a code uses (sign-up, recovery, changes,
and the second-factor codes of ``goodstanding.mfa``).

A code is 6 random digits (``secrets``), valid 10 minutes, used once, void after 5 wrong tries,
bound to the browser session that asked for it and to one purpose. Only a keyed hash is stored
(HMAC with the server's secret key), so a copy of the table does not reveal live codes.

Usage::

    issued = issue_code(db, secret=settings.secret_key, purpose=CodePurpose.password_reset,
                        web_session_id=browser.ensure().id, channel="email",
                        destination=account.email, account_id=account.id)
    send(issued.code)           # the only place the plain code exists
    row = check_code(db, secret=settings.secret_key, purpose=CodePurpose.password_reset,
                     web_session_id=browser.ensure().id, code=typed)   # or raises
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any, Literal, NoReturn

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from goodstanding.accounts.errors import CodeUnusable, WrongCode
from goodstanding.kit.clock import utcnow
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.one_time_code import OneTimeCode

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_WRONG_TRIES = 5

Channel = Literal["email", "sms"]


class CodePurpose(StrEnum):
    signup_email = "signup_email"
    signup_phone = "signup_phone"
    password_reset = "password_reset"
    username_recovery = "username_recovery"
    change_email = "change_email"
    change_phone = "change_phone"
    second_factor_email = "second_factor_email"
    second_factor_sms = "second_factor_sms"


@dataclass(frozen=True)
class IssuedCode:
    row: OneTimeCode
    code: str


def _digest(secret: str, code_id: str, code: str) -> str:
    message = f"{code_id}:{code}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def issue_code(
    db: Session,
    *,
    secret: str,
    purpose: CodePurpose,
    web_session_id: str,
    channel: Channel,
    destination: str,
    account_id: str | None,
    payload: dict[str, Any] | None = None,
) -> IssuedCode:
    """Make a new code for this browser and purpose; any earlier one for them stops working."""
    now = utcnow()
    db.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.web_session_id == web_session_id,
            OneTimeCode.purpose == purpose.value,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.voided_at.is_(None),
        )
        .values(voided_at=now)
    )
    code = new_code()
    row = OneTimeCode(
        purpose=purpose.value,
        web_session_id=web_session_id,
        account_id=account_id,
        channel=channel,
        destination=destination,
        code_hash="",
        expires_at=now + CODE_LIFETIME,
        payload=payload or {},
        created_at=now,
    )
    db.add(row)
    db.flush()
    row.code_hash = _digest(secret, row.id, code)
    db.flush()
    return IssuedCode(row=row, code=code)


def latest_code(db: Session, *, purpose: CodePurpose, web_session_id: str) -> OneTimeCode | None:
    return db.scalars(
        select(OneTimeCode)
        .where(
            OneTimeCode.web_session_id == web_session_id,
            OneTimeCode.purpose == purpose.value,
        )
        .order_by(OneTimeCode.created_at.desc())
        .limit(1)
    ).first()


def check_code(
    db: Session, *, secret: str, purpose: CodePurpose, web_session_id: str, code: str
) -> OneTimeCode:
    """Use the browser's code for ``purpose``; raises :class:`WrongCode` or :class:`CodeUnusable`.

    Wrong tries are counted with one atomic UPDATE, so parallel guesses cannot exceed five.
    """
    row = latest_code(db, purpose=purpose, web_session_id=web_session_id)
    now = utcnow()
    if row is None:
        raise CodeUnusable(_("There is no code for this page. Ask for a new code."))
    if row.used_at is not None or row.voided_at is not None or row.expires_at <= now:
        raise CodeUnusable(
            _(
                "This code can no longer be used: it expired, was used, or was mistyped five "
                "times. Ask for a new code."
            )
        )
    typed = "".join(code.split())
    well_formed = typed.isascii() and typed.isdigit() and len(typed) == CODE_DIGITS
    if not well_formed or not hmac.compare_digest(row.code_hash, _digest(secret, row.id, typed)):
        count_wrong_try(db, row)
    used = db.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.id == row.id,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.voided_at.is_(None),
        )
        .values(used_at=now)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise CodeUnusable(_("This code was already used. Ask for a new code."))
    db.refresh(row)
    return row


def count_wrong_try(db: Session, row: OneTimeCode) -> NoReturn:
    """Record a wrong try and raise; the fifth one voids the code."""
    failed = db.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == row.id)
        .values(failed_attempts=OneTimeCode.failed_attempts + 1)
        .returning(OneTimeCode.failed_attempts)
    ).scalar_one()
    left = MAX_WRONG_TRIES - int(failed)
    if left <= 0:
        db.execute(update(OneTimeCode).where(OneTimeCode.id == row.id).values(voided_at=utcnow()))
        raise CodeUnusable(
            _("That code was wrong five times, so it no longer works. Ask for a new code.")
        )
    raise WrongCode(
        _("That code is not right. Check the message and try again (%(left)d tries left).")
        % {"left": left},
        attempts_left=left,
    )
