"""Sign-in with e-mail or phone and password, then (if set up) the second step, then the session.

Unknown identifiers cost the same time (a throw-away hash check) and escalate the same way
(captcha, then waits) as known ones, so the answers never tell whether an account exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from sqlalchemy.orm import Session

from goodstanding.accounts import limits, repository
from goodstanding.accounts.captcha import captcha_solved
from goodstanding.accounts.errors import (
    AccountNotUsable,
    CaptchaRequired,
    InvalidField,
    SignInFailed,
)
from goodstanding.accounts.flows import FlowContext
from goodstanding.accounts.identifiers import (
    IdentifierProblem,
    looks_like_phone,
    normalize_email,
    normalize_phone,
)
from goodstanding.accounts.passwords import (
    hash_password,
    needs_rehash,
    spend_verification_time,
    verify_password,
)
from goodstanding.accounts.second_factor import second_step_needed
from goodstanding.accounts.security_events import EventTag, RequestInfo, record_event
from goodstanding.kit import ratelimit
from goodstanding.kit.clock import utcnow
from goodstanding.kit.errors import TooManyAttempts
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.account import Account
from goodstanding.web.deps import BrowserSession

PENDING_SIGN_IN = "pending_sign_in"
# The session data key naming the kind of second factor the sign-in took.
SECOND_FACTOR = "second_factor"


@dataclass(frozen=True)
class SignInResult:
    next: Literal["done", "second_factor"]
    account_id: str


def normalize_identifier(raw: str) -> str:
    try:
        return normalize_phone(raw) if looks_like_phone(raw) else normalize_email(raw)
    except IdentifierProblem as problem:
        raise InvalidField("identifier", problem.message) from None


def find_account(db: Session, identifier: str) -> Account | None:
    if identifier.startswith("+"):
        return repository.by_phone(db, identifier)
    return repository.by_email(db, identifier)


def escalation_for(db: Session, subject: str) -> ratelimit.Decision:
    counter = ratelimit.peek(db, limits.SIGN_IN_ACCOUNT.key(subject), limits.SIGN_IN_ACCOUNT.window)
    consecutive = limits.CONSECUTIVE_FAILURES.count(db, subject)
    failures = counter.count if counter else 0
    decision = limits.SIGN_IN_ESCALATION.decide(
        failures, counter.last_hit_at if counter else None, utcnow()
    )
    if consecutive >= limits.SIGN_IN_ESCALATION.hard_stop:
        return ratelimit.Decision(captcha_required=True, wait_seconds=0, stopped=True)
    return decision


def sign_in(ctx: FlowContext, identifier: str, password: str, captcha: str | None) -> SignInResult:
    db = ctx.db
    ip = ctx.info.ip or "unknown"
    normalized = normalize_identifier(identifier)
    if not password:
        raise InvalidField("password", _("Enter your password."))
    busy = _("Too many sign-in attempts. Wait a moment and try again.")
    ip_attempts_before = limits.SIGN_IN_IP.count(db, ip)
    limits.SIGN_IN_GLOBAL.take(db, "all", busy)
    limits.SIGN_IN_IP.take(db, ip, busy)
    # Escalation is counted per identifier typed, known or not, so it behaves the same for both.
    decision = escalation_for(db, normalized)
    if decision.stopped:
        raise AccountNotUsable(
            _(
                "Sign-in with this password is stopped after 100 failed attempts in a row. "
                'Choose a new password with "Forgot password" to open it again.'
            )
        )
    if decision.wait_seconds:
        raise TooManyAttempts(
            _("Too many wrong passwords. Wait %(seconds)d seconds and try again.")
            % {"seconds": decision.wait_seconds},
            retry_after_seconds=decision.wait_seconds,
        )
    ip_captcha = ip_attempts_before >= limits.SIGN_IN_IP_CAPTCHA_AFTER
    if (decision.captcha_required or ip_captcha) and not captcha_solved(
        db, ctx.settings.secret_key, captcha
    ):
        raise CaptchaRequired(
            _(
                "After several wrong passwords we need to check you are not a robot. "
                "Wait for the check below to finish, then sign in again."
            )
        )

    account = find_account(db, normalized)
    usable = account is not None and account.status != Account.Status.closed
    if account is None or not usable:
        spend_verification_time(password)
        verified = False
    else:
        verified = verify_password(account.password_hash, password)
    if account is None or not verified or not usable:
        limits.SIGN_IN_ACCOUNT.hit(db, normalized)
        limits.CONSECUTIVE_FAILURES.hit(db, normalized)
        if account is not None and usable:
            record_event(db, EventTag.sign_in_failed, account.id, ctx.info)
        raise SignInFailed(
            _("That e-mail address or phone number and password do not match an account.")
        )
    if account.status == Account.Status.locked:
        raise AccountNotUsable(
            _(
                "This account is locked because a recent change was reported as not made by its "
                "owner. Start account recovery to open it again."
            )
        )
    limits.SIGN_IN_ACCOUNT.clear(db, normalized)
    limits.CONSECUTIVE_FAILURES.clear(db, normalized)
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    if second_step_needed(db, account, ctx.request):
        ctx.save_step(PENDING_SIGN_IN, account_id=account.id)
        return SignInResult(next="second_factor", account_id=account.id)
    complete_sign_in(db, ctx.browser, account, ctx.request)
    return SignInResult(next="done", account_id=account.id)


def complete_sign_in(
    db: Session,
    browser: BrowserSession,
    account: Account,
    request: Request,
    *,
    second_factor: str | None = None,
) -> None:
    """Finish any sign-in (password alone, or after the second step): a new session id bound to
    the account, the time of authentication for re-authentication checks, and the event.

    ``second_factor`` is the kind of factor this sign-in took (none for a password alone or a
    trusted browser); it is kept in the session, replacing any earlier sign-in's, so pages that
    need a strong sign-in (the staff console) can ask how this session was signed in."""
    row = browser.rotate()
    row.account_id = account.id
    row.authenticated_at = utcnow()
    data = {
        key: value for key, value in row.data.items() if key not in (PENDING_SIGN_IN, SECOND_FACTOR)
    }
    if second_factor is not None:
        data[SECOND_FACTOR] = second_factor
    row.data = data
    if account.locale:
        request.state.locale = account.locale
    record_event(db, EventTag.sign_in_succeeded, account.id, RequestInfo.of(request))


def sign_out(ctx: FlowContext) -> None:
    row = ctx.browser.row
    if row is None or row.account_id is None:
        return
    record_event(ctx.db, EventTag.signed_out, row.account_id, ctx.info)
    row.revoked_at = utcnow()


def reauthenticate(ctx: FlowContext, account: Account, password: str) -> None:
    """Confirm the password again before a sensitive change (fresh sign-in)."""
    limits.REAUTHENTICATE_ACCOUNT.take(
        ctx.db, account.id, _("Too many attempts. Wait a few minutes and try again.")
    )
    if not verify_password(account.password_hash, password):
        record_event(ctx.db, EventTag.sign_in_failed, account.id, ctx.info)
        raise SignInFailed(_("That password is not right."))
    ctx.browser.ensure().authenticated_at = utcnow()
