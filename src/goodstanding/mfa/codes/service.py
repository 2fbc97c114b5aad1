"""Enrolling a verified phone or e-mail address as a second factor, and sending/checking its codes.

Codes are the accounts one-time codes (6 digits, 10 minutes, single use, bound to this browser,
five tries, send limits per address and IP); this module only picks the purpose and the channel.
"""

from __future__ import annotations

from goodstanding.accounts.codes import Channel, CodePurpose, check_code
from goodstanding.accounts.flows import FlowContext
from goodstanding.accounts.flows.sending import check_code_limits, send_code_to
from goodstanding.kit.errors import Conflict
from goodstanding.kit.i18n import gettext as _
from goodstanding.mfa.service import mfa_service
from goodstanding.models.account import Account
from goodstanding.models.mfa_authenticator import MfaAuthenticator

Kind = MfaAuthenticator.Kind
PURPOSES = {
    Kind.sms_code: CodePurpose.second_factor_sms,
    Kind.email_code: CodePurpose.second_factor_email,
}


def mask_phone(phone: str) -> str:
    return f"\u2022\u2022\u2022 {phone[-2:]}"


def mask_email(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:1]}\u2022\u2022\u2022@{domain}"


def destination(account: Account, kind: Kind) -> tuple[Channel, str]:
    """The verified channel a code of this kind goes to."""
    if kind == Kind.sms_code:
        if account.phone is None or account.phone_verified_at is None:
            raise Conflict(_("Add and verify a phone number first."))
        return "sms", account.phone
    if account.email_verified_at is None:
        raise Conflict(_("Verify your e-mail address first."))
    return "email", account.email


class CodeFactorService:
    def enrol(self, ctx: FlowContext, account: Account, kind: Kind) -> MfaAuthenticator:
        """Use the account's verified phone or e-mail address (proved when it was verified)."""
        if kind not in PURPOSES:
            raise Conflict(_("This kind of sign-in method is not sent by message."))
        channel, address = destination(account, kind)
        if any(existing.kind == kind for existing in mfa_service.factors(ctx.db, account.id)):
            raise Conflict(_("This sign-in method is already set up."))
        label = mask_phone(address) if channel == "sms" else mask_email(address)
        factor = MfaAuthenticator(account_id=account.id, kind=kind, label=label)
        return mfa_service.add(ctx.db, account, factor)

    def send(self, ctx: FlowContext, account: Account, kind: Kind) -> None:
        channel, address = destination(account, kind)
        send_code_to(
            ctx,
            purpose=PURPOSES[kind],
            channel=channel,
            destination=address,
            account_id=account.id,
            deliver=True,
        )

    def verify(self, ctx: FlowContext, kind: Kind, code: str) -> None:
        check_code_limits(ctx)
        check_code(
            ctx.db,
            secret=ctx.settings.secret_key,
            purpose=PURPOSES[kind],
            web_session_id=ctx.session_id,
            code=code,
        )


code_factor_service = CodeFactorService()
