"""Who is calling: the signed-in account, and whether they signed in recently enough.

``require_account`` and ``require_fresh_sign_in`` are FastAPI dependencies for API routes (401 when
not met); pages use :func:`signed_in_account` and redirect to the sign-in page themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from goodstanding.accounts.errors import FreshSignInRequired
from goodstanding.accounts.flows.manage import is_fresh
from goodstanding.kit.errors import Unauthorized
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.account import Account
from goodstanding.web.deps import Browser, BrowserSession, DbSession


def signed_in_account(db: Session, browser: BrowserSession) -> Account | None:
    if browser.account_id is None:
        return None
    account = db.get(Account, browser.account_id)
    if account is None or account.status != Account.Status.active:
        return None
    return account


def require_account(db: DbSession, browser: Browser) -> Account:
    account = signed_in_account(db, browser)
    if account is None:
        raise Unauthorized(_("Sign in to continue."))
    return account


SignedIn = Annotated[Account, Depends(require_account)]


def require_fresh_sign_in(minutes: int = 5) -> Callable[[Account, BrowserSession], Account]:
    """A dependency: the account, if its password was entered within ``minutes``."""

    def dependency(account: SignedIn, browser: Browser) -> Account:
        if not is_fresh(browser.row, timedelta(minutes=minutes)):
            raise FreshSignInRequired(_("For your safety, enter your password again to continue."))
        return account

    return dependency
