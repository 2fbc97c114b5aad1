"""Pages of two-step verification: the second sign-in step, and managing factors and trusted
browsers under /account/security/. They only call the flows and services."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from goodstanding.accounts.deps import signed_in_account
from goodstanding.accounts.devices import describe_device
from goodstanding.accounts.errors import StepMissing
from goodstanding.accounts.flows import FlowContext
from goodstanding.accounts.flows.manage import is_fresh
from goodstanding.accounts.web import flow_call
from goodstanding.kit.errors import DomainError
from goodstanding.kit.i18n import gettext as _
from goodstanding.kit.i18n import use_locale
from goodstanding.mfa import second_step, trusted_devices
from goodstanding.mfa.backup_codes.service import backup_code_service
from goodstanding.mfa.codes.service import PURPOSES, code_factor_service
from goodstanding.mfa.errors import NoPendingStep
from goodstanding.mfa.service import kind_name, mfa_service
from goodstanding.mfa.totp.service import totp_service
from goodstanding.models.account import Account
from goodstanding.models.mfa_authenticator import MfaAuthenticator
from goodstanding.recovery.service import recovery_service
from goodstanding.web.deps import Browser, CsrfChecked, DbSession, request_locale
from goodstanding.web.templating import add_template_dir, render

add_template_dir(Path(__file__).resolve().parent / "templates")
router = APIRouter(include_in_schema=False)

Kind = MfaAuthenticator.Kind
AFTER_SIGN_IN = "/account"
SECURITY_PAGE = "/account/security/two-step"
SIGN_IN_PAGE = "/sign-in"
CONFIRM_PAGE = "/account/confirm"  # accounts: enter the password again


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# ---- the second step ------------------------------------------------------------------------


def _second_step_page(
    request: Request,
    ctx: FlowContext,
    account: Account,
    method: str | None,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    kinds = second_step.methods(ctx, account)
    chosen = Kind(method) if method in kinds else kinds[0] if kinds else None
    with use_locale(request_locale(request)):
        others = [(kind.value, kind_name(kind)) for kind in kinds if kind != chosen]
    return render(
        request,
        "mfa/second_step.html",
        {
            "csrf_token": ctx.browser.csrf_token,
            "method": chosen.value if chosen else None,
            "others": others,
            "recovery": recovery_service.current_case(ctx.db, account.id) is not None,
            "error": error,
            "notice": notice,
        },
        status_code=status_code,
    )


@router.get("/sign-in/second-step")
def second_step_page(
    request: Request, db: DbSession, browser: Browser, method: str | None = None
) -> Response:
    ctx = FlowContext(db, browser, request)
    try:
        account = second_step.pending_account(ctx)
    except (StepMissing, NoPendingStep):
        return _redirect(SIGN_IN_PAGE)
    if not second_step.methods(ctx, account):  # e.g. a recovery just wiped them
        second_step.finish(ctx, account, None, trust_this_browser=False)
        return _redirect(AFTER_SIGN_IN)
    return _second_step_page(request, ctx, account, method)


@router.post("/sign-in/second-step", dependencies=[CsrfChecked])
def second_step_answer(
    request: Request,
    db: DbSession,
    browser: Browser,
    method: Annotated[str, Form()],
    code: Annotated[str, Form()] = "",
    trust: Annotated[str | None, Form()] = None,
) -> Response:
    ctx = FlowContext(db, browser, request)
    try:
        account = second_step.pending_account(ctx)
    except (StepMissing, NoPendingStep):
        return _redirect(SIGN_IN_PAGE)
    try:
        with flow_call(request, db):
            kind = Kind(method) if method in set(Kind) else Kind.totp
            second_step.check_code(ctx, account, kind, code)
            second_step.finish(ctx, account, kind, trust_this_browser=trust == "1")
    except DomainError as error:
        return _second_step_page(
            request, ctx, account, method, error=error.detail, status_code=error.status
        )
    return _redirect(AFTER_SIGN_IN)


@router.post("/sign-in/second-step/send-code", dependencies=[CsrfChecked])
def second_step_send_code(
    request: Request, db: DbSession, browser: Browser, method: Annotated[str, Form()]
) -> Response:
    ctx = FlowContext(db, browser, request)
    try:
        account = second_step.pending_account(ctx)
    except (StepMissing, NoPendingStep):
        return _redirect(SIGN_IN_PAGE)
    try:
        with flow_call(request, db):
            second_step.send_code(ctx, account, Kind(method) if method in PURPOSES else Kind.totp)
            notice = _("We sent you a code. It works for 10 minutes.")
    except DomainError as error:
        return _second_step_page(
            request, ctx, account, method, error=error.detail, status_code=error.status
        )
    return _second_step_page(request, ctx, account, method, notice=notice)


@router.get("/sign-in/passkey")
def passkey_sign_in_page(request: Request, browser: Browser) -> Response:
    return render(request, "mfa/passkey_sign_in.html", {"csrf_token": browser.csrf_token})


# ---- managing factors -----------------------------------------------------------------------


def _account_or_redirect(
    request: Request, db: DbSession, browser: Browser, *, fresh: bool = False
) -> Account | Response:
    account = signed_in_account(db, browser)
    path = request.url.path
    if account is None:
        return _redirect(f"{SIGN_IN_PAGE}?next={path}")
    if fresh and not is_fresh(browser.row):
        return _redirect(f"{CONFIRM_PAGE}?next={path}")
    return account


def _security_page(
    request: Request,
    db: DbSession,
    browser: Browser,
    account: Account,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    with use_locale(request_locale(request)):
        factors = [
            {
                "id": factor.id,
                "kind": factor.kind,
                "kind_name": kind_name(factor.kind),
                "label": factor.label,
                "created": factor.created_at.strftime("%Y-%m-%d"),
            }
            for factor in mfa_service.factors(db, account.id)
        ]
        enrolled = {factor["kind"] for factor in factors}
        code_kinds = [
            (
                kind.value,
                _("Get codes by text message")
                if kind == Kind.sms_code
                else _("Get codes by e-mail"),
            )
            for kind in PURPOSES
            if kind not in enrolled
        ]
        devices = [
            {
                "id": device.id,
                "name": describe_device(device.user_agent),
                "until": device.expires_at.strftime("%Y-%m-%d"),
            }
            for device in trusted_devices.active_devices(db, account.id)
        ]
    return render(
        request,
        "mfa/security.html",
        {
            "csrf_token": browser.csrf_token,
            "factors": factors,
            "backup_left": backup_code_service.remaining(db, account.id),
            "code_kinds": code_kinds,
            "devices": devices,
            "error": error,
            "notice": notice,
        },
        status_code=status_code,
    )


@router.get("/account/security/two-step")
def security_page(request: Request, db: DbSession, browser: Browser) -> Response:
    account = _account_or_redirect(request, db, browser)
    if not isinstance(account, Account):
        return account
    return _security_page(request, db, browser, account)


@router.get("/account/security/two-step/totp")
def totp_page(request: Request, db: DbSession, browser: Browser) -> Response:
    account = _account_or_redirect(request, db, browser, fresh=True)
    if not isinstance(account, Account):
        return account
    enrolment = totp_service.begin(FlowContext(db, browser, request), account)
    return render(
        request, "mfa/totp.html", {"csrf_token": browser.csrf_token, "enrolment": enrolment}
    )


@router.post("/account/security/two-step/totp", dependencies=[CsrfChecked])
def totp_confirm(
    request: Request,
    db: DbSession,
    browser: Browser,
    code: Annotated[str, Form()],
    label: Annotated[str, Form()] = "",
) -> Response:
    account = _account_or_redirect(request, db, browser, fresh=True)
    if not isinstance(account, Account):
        return account
    ctx = FlowContext(db, browser, request)
    try:
        with flow_call(request, db):
            totp_service.confirm(ctx, account, code, label)
    except DomainError as error:
        enrolment = totp_service.begin(ctx, account)
        return render(
            request,
            "mfa/totp.html",
            {"csrf_token": browser.csrf_token, "enrolment": enrolment, "error": error.detail},
            status_code=error.status,
        )
    return _after_adding(request, db, browser, account)


def _after_adding(request: Request, db: DbSession, browser: Browser, account: Account) -> Response:
    """The first factor comes with backup codes, shown once right away."""
    if backup_code_service.remaining(db, account.id) == 0:
        with use_locale(request_locale(request)):
            codes = backup_code_service.regenerate(db, account)
        return render(request, "mfa/backup_codes.html", {"codes": codes})
    return _redirect(SECURITY_PAGE)


@router.get("/account/security/two-step/passkey")
def passkey_add_page(request: Request, db: DbSession, browser: Browser) -> Response:
    account = _account_or_redirect(request, db, browser, fresh=True)
    if not isinstance(account, Account):
        return account
    return render(request, "mfa/passkey_add.html", {"csrf_token": browser.csrf_token})


@router.post("/account/security/two-step/codes/{kind}", dependencies=[CsrfChecked])
def code_factor_add(kind: str, request: Request, db: DbSession, browser: Browser) -> Response:
    account = _account_or_redirect(request, db, browser, fresh=True)
    if not isinstance(account, Account):
        return account
    try:
        with flow_call(request, db):
            if kind not in PURPOSES:
                raise StepMissing(_("This kind of sign-in method is not sent by message."))
            code_factor_service.enrol(FlowContext(db, browser, request), account, Kind(kind))
    except DomainError as error:
        return _security_page(
            request, db, browser, account, error=error.detail, status_code=error.status
        )
    return _after_adding(request, db, browser, account)


@router.post("/account/security/two-step/backup-codes", dependencies=[CsrfChecked])
def backup_codes_regenerate(request: Request, db: DbSession, browser: Browser) -> Response:
    account = _account_or_redirect(request, db, browser, fresh=True)
    if not isinstance(account, Account):
        return account
    try:
        with flow_call(request, db):
            codes = backup_code_service.regenerate(db, account)
    except DomainError as error:
        return _security_page(
            request, db, browser, account, error=error.detail, status_code=error.status
        )
    return render(request, "mfa/backup_codes.html", {"codes": codes})


@router.post("/account/security/two-step/{factor_id}/rename", dependencies=[CsrfChecked])
def factor_rename(
    factor_id: str,
    request: Request,
    db: DbSession,
    browser: Browser,
    label: Annotated[str, Form()],
) -> Response:
    account = _account_or_redirect(request, db, browser)
    if not isinstance(account, Account):
        return account
    try:
        with flow_call(request, db):
            mfa_service.rename(db, account.id, factor_id, label)
    except DomainError as error:
        return _security_page(
            request, db, browser, account, error=error.detail, status_code=error.status
        )
    return _redirect(SECURITY_PAGE)


@router.post("/account/security/two-step/{factor_id}/remove", dependencies=[CsrfChecked])
def factor_remove(factor_id: str, request: Request, db: DbSession, browser: Browser) -> Response:
    account = _account_or_redirect(request, db, browser)
    if not isinstance(account, Account):
        return account
    try:
        with flow_call(request, db):
            if mfa_service.would_remove_last(db, account.id, factor_id) and not is_fresh(
                browser.row
            ):
                return _redirect(f"{CONFIRM_PAGE}?next={SECURITY_PAGE}")
            mfa_service.remove(db, account, factor_id, fresh_sign_in=is_fresh(browser.row))
    except DomainError as error:
        return _security_page(
            request, db, browser, account, error=error.detail, status_code=error.status
        )
    return _redirect(SECURITY_PAGE)


@router.post("/account/security/trusted-devices/{device_id}/revoke", dependencies=[CsrfChecked])
def trusted_device_revoke(
    device_id: str, request: Request, db: DbSession, browser: Browser
) -> Response:
    account = _account_or_redirect(request, db, browser)
    if not isinstance(account, Account):
        return account
    trusted_devices.revoke(db, account.id, device_id)
    return _redirect(SECURITY_PAGE)
