"""Who may use the console: staff (reviewer, senior reviewer, admin) whose session was signed in
with a passkey or an authenticator app; everyone else is told the page does not exist."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from goodstanding.accounts.deps import signed_in_account
from goodstanding.cases.queues import is_staff
from goodstanding.kit.errors import Forbidden, NotFound, Unauthorized
from goodstanding.kit.i18n import gettext as _
from goodstanding.kit.i18n import use_locale
from goodstanding.mfa.second_step import signed_in_with
from goodstanding.models.account import Account
from goodstanding.models.mfa_authenticator import MfaAuthenticator
from goodstanding.web.deps import Browser, DbSession, request_locale

# Codes by text message or e-mail can be intercepted, and backup codes are for emergencies;
# staff decide about other people's accounts.
STRONG_FACTORS = frozenset({MfaAuthenticator.Kind.webauthn, MfaAuthenticator.Kind.totp})


class StrongSignInRequired(Forbidden):
    slug = "console-strong-sign-in-required"
    title = "Sign in with a passkey or an authenticator app"


def require_staff(request: Request, db: DbSession, browser: Browser) -> Account:
    """The signed-in staff member, if this session's sign-in took a strong factor.

    What counts is how this session was signed in, not what the account has enrolled: a
    reviewer with a passkey who signed in with a code by text message is refused.
    """
    with use_locale(request_locale(request)):
        account = signed_in_account(db, browser)
        if account is None:
            raise Unauthorized(_("Sign in to continue."))
        if not is_staff(account):
            raise NotFound(_("There is no such page."))
        if signed_in_with(browser) not in STRONG_FACTORS:
            raise StrongSignInRequired(
                _(
                    "The review console needs a sign-in with your passkey or your authenticator "
                    "app. Sign out, then sign in again and choose one of them (add one in your "
                    "security settings if you have neither)."
                )
            )
    return account


Staff = Annotated[Account, Depends(require_staff)]
