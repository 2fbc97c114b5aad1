"""Managing a signed-in account: name, e-mail and phone changes (each undoable by the old address
for 7 days), sessions, "this wasn't me", and closing the account."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.accounts import repository
from goodstanding.accounts.codes import CodePurpose, check_code
from goodstanding.accounts.errors import (
    CodeUnusable,
    FreshSignInRequired,
    InvalidField,
    SettleFirst,
)
from goodstanding.accounts.flows import FlowContext
from goodstanding.accounts.flows.sending import check_code_limits, send_code_to
from goodstanding.accounts.flows.sign_up import checked_email, checked_phone, clean_name
from goodstanding.accounts.identifiers import mask_email, mask_phone
from goodstanding.accounts.links import UNDO_LIFETIME, find_link, make_link, use_link
from goodstanding.accounts.notifications import (
    send_account_closed_email,
    send_account_exists_email,
    send_identifier_changed,
    send_phone_in_use_sms,
)
from goodstanding.accounts.second_factor import revoke_trusted_devices
from goodstanding.accounts.security_events import EventTag, record_event
from goodstanding.accounts.sessions import SessionService
from goodstanding.kit.clock import utcnow
from goodstanding.kit.i18n import gettext as _
from goodstanding.kit.i18n import ngettext
from goodstanding.metrics.obligations import open_orders
from goodstanding.models.account import Account
from goodstanding.models.account_link import AccountLink
from goodstanding.models.web_session import WebSession

FRESH_SIGN_IN = timedelta(minutes=5)
Kind = Literal["email", "phone"]
CHANGE_STEP = {"email": "change_email", "phone": "change_phone"}
CHANGE_PURPOSE = {"email": CodePurpose.change_email, "phone": CodePurpose.change_phone}
UNDO_PURPOSE = {
    "email": AccountLink.Purpose.undo_email_change,
    "phone": AccountLink.Purpose.undo_phone_change,
}


def is_fresh(row: WebSession | None, within: timedelta = FRESH_SIGN_IN) -> bool:
    authenticated = row.authenticated_at if row is not None else None
    return authenticated is not None and utcnow() - authenticated <= within


def require_fresh(ctx: FlowContext) -> None:
    if not is_fresh(ctx.browser.row):
        raise FreshSignInRequired(_("For your safety, enter your password again to continue."))


def sessions(ctx: FlowContext) -> SessionService:
    service: SessionService = ctx.request.app.state.session_service
    return service


def end_everything(ctx: FlowContext, account_id: str, *, keep_current: bool) -> None:
    keep = ctx.browser.row.id if keep_current and ctx.browser.row is not None else None
    sessions(ctx).revoke_all(ctx.db, account_id=account_id, keep=keep)
    revoke_trusted_devices(ctx.db, account_id)


def change_name(ctx: FlowContext, account: Account, name: str) -> None:
    require_fresh(ctx)
    account.name = clean_name(name)
    record_event(ctx.db, EventTag.name_changed, account.id, ctx.info)


def start_identifier_change(ctx: FlowContext, account: Account, kind: Kind, value: str) -> str:
    """Send a code to the new address or phone; nothing changes until it comes back."""
    require_fresh(ctx)
    new = checked_email(value) if kind == "email" else checked_phone(value)
    current = account.email if kind == "email" else account.phone
    if new == current:
        raise InvalidField(kind, _("That is already the one on your account."))
    taken = (
        repository.email_taken(ctx.db, new)
        if kind == "email"
        else repository.phone_taken(ctx.db, new)
    )
    send_code_to(
        ctx,
        purpose=CHANGE_PURPOSE[kind],
        channel="email" if kind == "email" else "sms",
        destination=new,
        account_id=account.id,
        deliver=not taken,
        payload={"value": new},
    )
    if taken and kind == "email":
        send_account_exists_email(ctx.db, to=new, locale=ctx.locale, base_url=ctx.settings.base_url)
    elif taken:
        send_phone_in_use_sms(ctx.db, to=new, locale=ctx.locale)
    shown = mask_email(new) if kind == "email" else mask_phone(new)
    ctx.save_step(CHANGE_STEP[kind], sent_to=shown)
    return shown


def confirm_identifier_change(ctx: FlowContext, account: Account, kind: Kind, code: str) -> None:
    require_fresh(ctx)
    ctx.step(CHANGE_STEP[kind])
    check_code_limits(ctx)
    row = check_code(
        ctx.db,
        secret=ctx.settings.secret_key,
        purpose=CHANGE_PURPOSE[kind],
        web_session_id=ctx.session_id,
        code=code,
    )
    new = str(row.payload.get("value", ""))
    if row.account_id != account.id or not new:
        raise CodeUnusable(_("This code can no longer be used. Ask for a new code."))
    now = utcnow()
    old = account.email if kind == "email" else account.phone
    if kind == "email":
        account.email, account.email_verified_at = new, now
    else:
        account.phone, account.phone_verified_at = new, now
    ctx.forget_step(CHANGE_STEP[kind])
    record_event(
        ctx.db,
        EventTag.email_changed if kind == "email" else EventTag.phone_changed,
        account.id,
        ctx.info,
    )
    if old:
        token = make_link(
            ctx.db,
            account_id=account.id,
            purpose=UNDO_PURPOSE[kind],
            lifetime=UNDO_LIFETIME,
            data={"kind": kind, "old": old, "new": new},
        )
        send_identifier_changed(
            ctx.db,
            account=account,
            channel="email" if kind == "email" else "sms",
            old_destination=old,
            new_masked=mask_email(new) if kind == "email" else mask_phone(new),
            undo_url=f"{ctx.settings.base_url}/undo-change/{token}",
            locale=ctx.locale,
        )


def undo_identifier_change(ctx: FlowContext, token: str) -> Account:
    """Put the old address back and sign everyone out; the person then resets the password."""
    undo_purposes = (AccountLink.Purpose.undo_email_change, AccountLink.Purpose.undo_phone_change)
    link = find_link(ctx.db, token, undo_purposes)
    account = ctx.db.get(Account, link.account_id)
    if account is None or account.status == Account.Status.closed:
        raise CodeUnusable(_("This account no longer exists."))
    use_link(ctx.db, link)
    old = str(link.data["old"])
    if link.data["kind"] == "email":
        if repository.email_taken(ctx.db, old, besides=account.id):
            raise InvalidField("email", _("The old address now belongs to another account."))
        account.email, account.email_verified_at = old, utcnow()
    else:
        if repository.phone_taken(ctx.db, old, besides=account.id):
            raise InvalidField("phone", _("The old number now belongs to another account."))
        account.phone, account.phone_verified_at = old, utcnow()
    end_everything(ctx, account.id, keep_current=False)
    record_event(ctx.db, EventTag.identifier_change_undone, account.id, ctx.info)
    return account


def report_not_me(ctx: FlowContext, token: str) -> Account:
    """ "This wasn't me": lock the account, end every session; only recovery opens it again."""
    link = find_link(ctx.db, token, (AccountLink.Purpose.not_me,))
    account = ctx.db.get(Account, link.account_id)
    if account is None or account.status == Account.Status.closed:
        raise CodeUnusable(_("This account no longer exists."))
    use_link(ctx.db, link)
    account.status = Account.Status.locked
    end_everything(ctx, account.id, keep_current=False)
    record_event(ctx.db, EventTag.reported_not_me, account.id, ctx.info)
    record_event(ctx.db, EventTag.account_locked, account.id, ctx.info)
    return account


def end_session(ctx: FlowContext, account: Account, session_id: str) -> bool:
    ended = sessions(ctx).revoke(ctx.db, session_id, account_id=account.id)
    if ended:
        record_event(ctx.db, EventTag.session_ended, account.id, ctx.info)
    return ended


def end_other_sessions(ctx: FlowContext, account: Account) -> int:
    current = ctx.browser.row.id if ctx.browser.row is not None else None
    ended = sessions(ctx).revoke_all(ctx.db, account_id=account.id, keep=current)
    revoke_trusted_devices(ctx.db, account.id)
    record_event(ctx.db, EventTag.other_sessions_ended, account.id, ctx.info, {"ended": ended})
    return ended


def open_obligations(db: Session, account: Account) -> list[str]:
    """What a seller must settle before closing, in plain words; empty when nothing is open."""
    if not account.has_role(Account.Role.seller):
        return []
    count = open_orders(db, account.id)
    if not count:
        return []
    return [
        ngettext(
            "You have %(count)d open order: ship or cancel it first.",
            "You have %(count)d open orders: ship or cancel them first.",
            count,
        )
        % {"count": count}
    ]


def close_account(ctx: FlowContext, account: Account, confirmation: str) -> None:
    require_fresh(ctx)
    if confirmation.strip().lower() != account.email:
        raise InvalidField(
            "confirmation", _("Type the e-mail address of this account exactly to confirm.")
        )
    obligations = open_obligations(ctx.db, account)
    if obligations:
        raise SettleFirst(
            _("Settle these first, then close the account: %(items)s")
            % {"items": "; ".join(obligations)}
        )
    account.status = Account.Status.closed
    account.closed_at = utcnow()
    end_everything(ctx, account.id, keep_current=False)
    record_event(ctx.db, EventTag.account_closed, account.id, ctx.info)
    send_account_closed_email(ctx.db, account, locale=ctx.locale)


def scrub_closed_accounts(db: Session, retention: timedelta) -> int:
    """Erase the personal details of accounts closed longer ago than ``retention``."""
    cutoff = utcnow() - retention
    closed = db.scalars(
        select(Account).where(
            Account.status == Account.Status.closed,
            Account.closed_at <= cutoff,
            Account.email.not_like("%@closed.invalid"),
        )
    ).all()
    for account in closed:
        account.name = "Closed account"
        account.email = f"closed-{account.id}@closed.invalid"
        account.phone = None
        account.password_hash = "!"  # no hash matches: sign-in impossible
        account.locale = None
    return len(closed)
