"""Every message the accounts domain sends: one ``send_<name>`` function each.

E-mails have a template folder in ``notify/templates/email/<name>/``; texts are one translated
sentence. All are rendered now, in the person's language, and leave only after commit.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from goodstanding.accounts.codes import CODE_LIFETIME, Channel, CodePurpose
from goodstanding.kit.i18n import gettext as _
from goodstanding.kit.i18n import use_locale
from goodstanding.kit.jobs import enqueue
from goodstanding.models.account import Account
from goodstanding.notify.email import RenderedEmail, queue_email, render_email
from goodstanding.notify.tasks import send_sms_task


def purpose_words(purpose: CodePurpose) -> str:
    return {
        CodePurpose.signup_email: _("to confirm your e-mail address for your new account"),
        CodePurpose.signup_phone: _("to confirm your phone number for your new account"),
        CodePurpose.password_reset: _("to choose a new password"),
        CodePurpose.username_recovery: _("to see which e-mail address your account uses"),
        CodePurpose.change_email: _("to confirm your new e-mail address"),
        CodePurpose.change_phone: _("to confirm your new phone number"),
        CodePurpose.second_factor_email: _("to finish signing in"),
        CodePurpose.second_factor_sms: _("to finish signing in"),
    }[purpose]


def _code_context(code: str, purpose: CodePurpose) -> dict[str, object]:
    return {
        "code": code,
        "purpose": purpose_words(purpose),
        "minutes": int(CODE_LIFETIME.total_seconds() // 60),
    }


def send_code(
    db: Session,
    *,
    channel: Channel,
    destination: str,
    code: str,
    purpose: CodePurpose,
    locale: str,
) -> None:
    with use_locale(locale):
        context = _code_context(code, purpose)
        if channel == "email":
            queue_email(db, "account_code", to=destination, locale=locale, context=context)
        else:
            body = (
                _(
                    "Your goodstanding code is %(code)s, %(purpose)s. It works for %(minutes)d "
                    "minutes. Never share it: we will never ask you for it."
                )
                % context
            )
            enqueue(db, send_sms_task, destination, body)


def render_code_without_sending(*, destination: str, purpose: CodePurpose, locale: str) -> None:
    """The same rendering work as :func:`send_code`, for an address no account has.

    Nothing is sent (no mail to strangers), but the reply takes as long as a real one.
    """
    with use_locale(locale):
        render_email(
            "account_code",
            to=destination,
            locale=locale,
            context=_code_context("000000", purpose),
        )


def send_account_exists_email(db: Session, *, to: str, locale: str, base_url: str) -> None:
    queue_email(
        db,
        "account_exists",
        to=to,
        locale=locale,
        context={"sign_in_url": f"{base_url}/sign-in", "reset_url": f"{base_url}/forgot-password"},
    )


def send_phone_in_use_sms(db: Session, *, to: str, locale: str) -> None:
    with use_locale(locale):
        body = _(
            "Someone tried to create a goodstanding account with this phone number, which already "
            "has one. If it was you, sign in or reset your password instead."
        )
    enqueue(db, send_sms_task, to, body)


def account_locale(account: Account, fallback: str) -> str:
    return account.locale or fallback


def send_password_changed(db: Session, account: Account, *, not_me_url: str, locale: str) -> None:
    """Tell every verified channel, each with the "this wasn't me" link."""
    locale = account_locale(account, locale)
    if account.email_verified_at is not None:
        queue_email(
            db,
            "password_changed",
            to=account.email,
            locale=locale,
            context={"name": account.name, "not_me_url": not_me_url},
        )
    if account.phone and account.phone_verified_at is not None:
        with use_locale(locale):
            body = _(
                "Your goodstanding password was just changed. If this wasn't you, open %(url)s "
                "to lock your account."
            ) % {"url": not_me_url}
        enqueue(db, send_sms_task, account.phone, body)


def send_identifier_changed(
    db: Session,
    *,
    account: Account,
    channel: Channel,
    old_destination: str,
    new_masked: str,
    undo_url: str,
    locale: str,
) -> None:
    """Tell the old address or phone about the change, with a link that undoes it for 7 days."""
    locale = account_locale(account, locale)
    if channel == "email":
        queue_email(
            db,
            "identifier_changed",
            to=old_destination,
            locale=locale,
            context={"name": account.name, "new_value": new_masked, "undo_url": undo_url},
        )
        return
    with use_locale(locale):
        body = _(
            "The phone number of your goodstanding account was changed to %(new)s. If this "
            "wasn't you, open %(url)s within 7 days to undo it."
        ) % {"new": new_masked, "url": undo_url}
    enqueue(db, send_sms_task, old_destination, body)


def send_account_closed_email(db: Session, account: Account, *, locale: str) -> RenderedEmail:
    return queue_email(
        db,
        "account_closed",
        to=account.email,
        locale=account_locale(account, locale),
        context={"name": account.name},
    )
