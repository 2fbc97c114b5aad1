"""The second stage of sign-in: after the password, ask for a factor unless the browser is trusted.

The accounts engineer's sign-in flow calls :func:`second_step_needed` once the password is right;
when it is true, it stores ``browser.row.data["pending_sign_in"]`` and sends the person to
``/sign-in/second-step`` (this package's page), which finishes with ``complete_sign_in``.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from goodstanding.cases.queues import is_staff
from goodstanding.mfa import has_second_factor
from goodstanding.mfa.trusted_devices import is_trusted_browser
from goodstanding.models.account import Account
from goodstanding.recovery.service import recovery_service

SECOND_STEP_PATH = "/sign-in/second-step"


def second_step_needed(db: Session, account: Account, request: Request) -> bool:
    """True when the account has a second factor and this browser is not a valid trusted device
    (or the account is staff's).

    An identity recovery whose waiting period is over is completed first (it wipes every factor),
    so the person who recovered signs in with the password alone and then enrols a new factor.
    """
    recovery_service.complete_if_due(db, account, request.app.state.settings)
    if not has_second_factor(db, account.id):
        return False
    # Staff always answer: the console asks which factor signed the session in, and a trusted
    # browser's sign-in took none.
    return is_staff(account) or not is_trusted_browser(db, account, request)
