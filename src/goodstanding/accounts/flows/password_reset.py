"""Forgot password: e-mail or phone, captcha, a code to that channel, then a new password.

The first step does the same work and gives the same reply whether or not the address has an
account (the web faces also pad it to a constant time: ``accounts.web.same_time_reply``); nothing
is sent to an address nobody owns. After the new password, every session
and trusted device of the account ends and every verified channel is told, with a "this wasn't
me" link. There is no automatic sign-in: the next sign-in asks for the second factor, if any.
"""

from __future__ import annotations

from goodstanding.accounts import limits
from goodstanding.accounts.captcha import captcha_solved
from goodstanding.accounts.codes import Channel, CodePurpose, check_code
from goodstanding.accounts.errors import CaptchaRequired, CodeUnusable, StepMissing
from goodstanding.accounts.flows import FlowContext
from goodstanding.accounts.flows.sending import check_code_limits, send_code_to
from goodstanding.accounts.flows.sign_in import find_account, normalize_identifier
from goodstanding.accounts.flows.sign_up import check_new_password
from goodstanding.accounts.identifiers import mask_email, mask_phone
from goodstanding.accounts.links import NOT_ME_LIFETIME, make_link
from goodstanding.accounts.notifications import send_password_changed
from goodstanding.accounts.password_policy import PersonalDetails
from goodstanding.accounts.passwords import hash_password
from goodstanding.accounts.second_factor import revoke_trusted_devices
from goodstanding.accounts.security_events import EventTag, record_event
from goodstanding.accounts.sessions import SessionService
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.account import Account
from goodstanding.models.account_link import AccountLink

RESET = "password_reset"


def masked(destination: str) -> str:
    return mask_phone(destination) if destination.startswith("+") else mask_email(destination)


def require_captcha(ctx: FlowContext, captcha: str | None) -> None:
    if not captcha_solved(ctx.db, ctx.settings.secret_key, captcha):
        raise CaptchaRequired(
            _(
                "We could not confirm you are not a robot. Wait for the check to finish and send "
                "the form again."
            )
        )


def can_receive_reset(account: Account | None, channel: str) -> bool:
    """Only an active account, through a channel it has proven, gets a reset code."""
    if account is None or account.status != Account.Status.active:
        return False
    proven = account.phone_verified_at if channel == "sms" else account.email_verified_at
    return proven is not None


def request_reset(ctx: FlowContext, identifier: str, captcha: str | None) -> str:
    """Send a code if the address has an account; returns the masked address either way."""
    destination = normalize_identifier(identifier)
    require_captcha(ctx, captcha)
    channel: Channel = "sms" if destination.startswith("+") else "email"
    account = find_account(ctx.db, destination)
    deliver = can_receive_reset(account, channel)
    send_code_to(
        ctx,
        purpose=CodePurpose.password_reset,
        channel=channel,
        destination=destination,
        account_id=account.id if account is not None and deliver else None,
        deliver=deliver,
    )
    shown = masked(destination)
    ctx.save_step(RESET, channel=channel, sent_to=shown, verified=False)
    return shown


def verify_reset_code(ctx: FlowContext, code: str) -> None:
    ctx.step(RESET)
    check_code_limits(ctx)
    row = check_code(
        ctx.db,
        secret=ctx.settings.secret_key,
        purpose=CodePurpose.password_reset,
        web_session_id=ctx.session_id,
        code=code,
    )
    if row.account_id is None:
        raise CodeUnusable(_("This code can no longer be used. Ask for a new code."))
    mark_identity_proven(ctx, row.account_id, row.channel)


def mark_identity_proven(ctx: FlowContext, account_id: str, channel: str) -> None:
    """The person proved the channel: the next step may set a new password for this account."""
    ctx.save_step(RESET, channel=channel, verified=True, account_id=account_id)


def proven_account(ctx: FlowContext) -> Account:
    state = ctx.step(RESET)
    account = ctx.db.get(Account, str(state.get("account_id") or ""))
    if not state.get("verified") or account is None:
        raise StepMissing(_("Enter the code we sent you first."))
    return account


def choose_new_password(ctx: FlowContext, password: str) -> None:
    account = proven_account(ctx)
    db = ctx.db
    busy = _("This password was reset several times today. Wait before trying again.")
    check_new_password(
        db,
        password,
        PersonalDetails(account.name, account.email, account.phone or ""),
        account_id=account.id,
        ctx=ctx,
    )
    limits.RESET_ACCOUNT.take(db, account.id, busy)
    limits.RESET_IP.take(db, ctx.info.ip or "unknown", busy)
    account.password_hash = hash_password(password)
    after_password_change(ctx, account, EventTag.password_reset)
    ctx.forget_step(RESET)


def after_password_change(ctx: FlowContext, account: Account, tag: EventTag) -> None:
    """End every session and trusted device, reopen password sign-in, tell every channel."""
    service: SessionService = ctx.request.app.state.session_service
    current = ctx.browser.row.id if ctx.browser.row is not None else None
    service.revoke_all(ctx.db, account_id=account.id, keep=current)
    revoke_trusted_devices(ctx.db, account.id)
    for identifier in (account.email, account.phone):
        if identifier:
            limits.CONSECUTIVE_FAILURES.clear(ctx.db, identifier)
            limits.SIGN_IN_ACCOUNT.clear(ctx.db, identifier)
    token = make_link(
        ctx.db, account_id=account.id, purpose=AccountLink.Purpose.not_me, lifetime=NOT_ME_LIFETIME
    )
    send_password_changed(
        ctx.db, account, not_me_url=f"{ctx.settings.base_url}/not-me/{token}", locale=ctx.locale
    )
    record_event(ctx.db, tag, account.id, ctx.info)
