"""Telling the person, on every verified channel, that their sign-in protection changed.

Changes to how an account is protected are exactly what a thief with the password would make, so
the notice goes to every verified address and phone, not only to the one being changed.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from goodstanding.kit.i18n import DEFAULT_LOCALE, use_locale
from goodstanding.kit.jobs import enqueue
from goodstanding.models.account import Account
from goodstanding.notify.email import queue_email
from goodstanding.notify.tasks import send_sms_task


@dataclass(frozen=True)
class SecurityNotice:
    """Already-translated words of one notice; ``action_url`` is an absolute link, if any."""

    subject: str
    message: str
    action_url: str | None = None
    action_label: str | None = None

    def as_sms(self) -> str:
        return f"{self.message} {self.action_url}" if self.action_url else self.message


def account_locale(account: Account) -> str:
    return account.locale or DEFAULT_LOCALE


def tell_every_verified_channel(db: Session, account: Account, notice: SecurityNotice) -> int:
    """Queue the notice to the verified e-mail and the verified phone; returns how many."""
    sent = 0
    if account.email_verified_at is not None:
        queue_email(
            db,
            "security_notice",
            to=account.email,
            locale=account_locale(account),
            context={
                "name": account.name,
                "subject": notice.subject,
                "message": notice.message,
                "action_url": notice.action_url,
                "action_label": notice.action_label,
            },
        )
        sent += 1
    if account.phone and account.phone_verified_at is not None:
        enqueue(db, send_sms_task, account.phone, notice.as_sms())
        sent += 1
    return sent


def in_account_locale(account: Account) -> AbstractContextManager[None]:
    """Translate a notice's words in the account's language, not the request's."""
    return use_locale(account_locale(account))
