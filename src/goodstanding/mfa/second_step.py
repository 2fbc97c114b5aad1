"""The second step of sign-in: which methods to offer, checking the answer, finishing.

The password step (accounts) left ``pending_sign_in`` in the browser session, with its time; it
expires like every flow step. Wrong codes count against the second-step limits (limits.py), never
against the password's.
"""

from __future__ import annotations

from typing import Any

from goodstanding.accounts import errors as account_errors
from goodstanding.accounts.flows import FlowContext
from goodstanding.accounts.flows.sign_in import PENDING_SIGN_IN, SECOND_FACTOR, complete_sign_in
from goodstanding.kit.errors import DomainError
from goodstanding.kit.i18n import gettext as _
from goodstanding.mfa import limits
from goodstanding.mfa.backup_codes.service import backup_code_service
from goodstanding.mfa.codes.service import PURPOSES, code_factor_service
from goodstanding.mfa.errors import NoPendingStep, WrongCode
from goodstanding.mfa.service import mfa_service
from goodstanding.mfa.totp.service import totp_service
from goodstanding.mfa.trusted_devices import trust_browser
from goodstanding.mfa.webauthn.service import webauthn_service
from goodstanding.models.account import Account
from goodstanding.models.mfa_authenticator import MfaAuthenticator
from goodstanding.web.deps import BrowserSession

Kind = MfaAuthenticator.Kind


def pending_account(ctx: FlowContext) -> Account:
    """The account whose password was just proved in this browser (StepMissing if none/expired)."""
    state = ctx.step(PENDING_SIGN_IN)
    account = ctx.db.get(Account, str(state.get("account_id")))
    if account is None:
        ctx.forget_step(PENDING_SIGN_IN)
        raise NoPendingStep(_("Please sign in again."))
    return account


def methods(ctx: FlowContext, account: Account) -> list[Kind]:
    """The kinds this account can answer with, strongest first (the first is asked by default)."""
    kinds: list[Kind] = []
    for factor in mfa_service.factors(ctx.db, account.id):
        kind = Kind(factor.kind)
        if kind not in kinds:
            kinds.append(kind)
    return kinds


def check_code(ctx: FlowContext, account: Account, kind: Kind, code: str) -> None:
    """Check a typed code of ``kind`` (counted against the second-step limits); raises when it
    is not right."""
    limits.take_code_attempt(ctx.db, account.id, ctx.session_id, ctx.info.ip)
    if kind == Kind.totp:
        _check_totp(ctx, account, code)
    elif kind == Kind.backup_codes:
        backup_code_service.use(ctx.db, account.id, code)
    elif kind in PURPOSES:
        code_factor_service.verify(ctx, kind, code)
    else:
        raise WrongCode(_("Choose a way to confirm it's you."))


def _check_totp(ctx: FlowContext, account: Account, code: str) -> None:
    apps = [f for f in mfa_service.factors(ctx.db, account.id) if f.kind == Kind.totp]
    failure: DomainError = WrongCode(_("That code is not right. Check the app and try again."))
    for app in apps:
        try:
            totp_service.verify(ctx.db, app, code, ctx.settings)
            return
        except WrongCode as error:
            failure = error
    raise failure


def passkey_options(ctx: FlowContext, account: Account) -> dict[str, Any]:
    return webauthn_service.begin_authentication(ctx, account)


def check_passkey(ctx: FlowContext, account: Account, response: dict[str, Any]) -> None:
    webauthn_service.finish_authentication(ctx, response, account)


def send_code(ctx: FlowContext, account: Account, kind: Kind) -> None:
    if kind not in PURPOSES or kind not in methods(ctx, account):
        raise WrongCode(_("Choose a way to confirm it's you."))
    code_factor_service.send(ctx, account, kind)


def finish(
    ctx: FlowContext, account: Account, factor: Kind | None, *, trust_this_browser: bool
) -> None:
    """The second step passed with ``factor`` (None when no factor is left to ask for):
    optionally trust this browser, then sign in, remembering which kind of factor it took."""
    if trust_this_browser:
        trust_browser(ctx.db, account, ctx.request)
    complete_sign_in(
        ctx.db, ctx.browser, account, ctx.request, second_factor=factor.value if factor else None
    )


def signed_in_with(browser: BrowserSession) -> Kind | None:
    """The kind of second factor this browser session was signed in with, if any."""
    recorded = browser.row.data.get(SECOND_FACTOR) if browser.row is not None else None
    return Kind(recorded) if isinstance(recorded, str) and recorded in set(Kind) else None


def passwordless_options(ctx: FlowContext) -> dict[str, Any]:
    return webauthn_service.begin_authentication(ctx, None)


def passwordless_sign_in(ctx: FlowContext, response: dict[str, Any]) -> Account:
    """A discoverable passkey with user verification stands for both factors."""
    account = webauthn_service.finish_authentication(ctx, response, None)
    if account.status != Account.Status.active:
        raise account_errors.AccountNotUsable(_("This account cannot be signed in to right now."))
    complete_sign_in(ctx.db, ctx.browser, account, ctx.request, second_factor=Kind.webauthn.value)
    return account
