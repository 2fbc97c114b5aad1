"""Forgot which e-mail: the phone, captcha, a code by text, then the identifiers *masked*.

Having proven the phone, the person may go straight on to choose a new password (the same proof
the password reset asks for).
"""

from __future__ import annotations

from dataclasses import dataclass

from goodstanding.accounts.codes import CodePurpose, check_code
from goodstanding.accounts.errors import CodeUnusable, InvalidField
from goodstanding.accounts.flows import FlowContext
from goodstanding.accounts.flows.password_reset import (
    can_receive_reset,
    mark_identity_proven,
    require_captcha,
)
from goodstanding.accounts.flows.sending import check_code_limits, send_code_to
from goodstanding.accounts.identifiers import (
    IdentifierProblem,
    mask_email,
    mask_phone,
    normalize_phone,
)
from goodstanding.accounts.repository import by_phone
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.account import Account

RECOVERY = "username_recovery"


@dataclass(frozen=True)
class MaskedIdentifiers:
    email: str
    phone: str


def request_username(ctx: FlowContext, phone: str, captcha: str | None) -> str:
    try:
        number = normalize_phone(phone)
    except IdentifierProblem as problem:
        raise InvalidField("phone", problem.message) from None
    require_captcha(ctx, captcha)
    account = by_phone(ctx.db, number)
    deliver = can_receive_reset(account, "sms")
    send_code_to(
        ctx,
        purpose=CodePurpose.username_recovery,
        channel="sms",
        destination=number,
        account_id=account.id if account is not None and deliver else None,
        deliver=deliver,
    )
    shown = mask_phone(number)
    ctx.save_step(RECOVERY, sent_to=shown)
    return shown


def reveal_identifiers(ctx: FlowContext, code: str) -> MaskedIdentifiers:
    ctx.step(RECOVERY)
    check_code_limits(ctx)
    row = check_code(
        ctx.db,
        secret=ctx.settings.secret_key,
        purpose=CodePurpose.username_recovery,
        web_session_id=ctx.session_id,
        code=code,
    )
    account = ctx.db.get(Account, row.account_id) if row.account_id else None
    if account is None:
        raise CodeUnusable(_("This code can no longer be used. Ask for a new code."))
    ctx.forget_step(RECOVERY)
    mark_identity_proven(ctx, account.id, "sms")
    return MaskedIdentifiers(email=mask_email(account.email), phone=mask_phone(account.phone or ""))
