"""The two-step verification JSON API under /api/v1/mfa: the same services as the pages.

Browser-driven calls send the session's CSRF token as ``X-CSRF-Token``; the passkey ceremonies of
the pages (static/mfa-webauthn.js) go through here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from goodstanding.accounts.deps import SignedIn, require_fresh_sign_in
from goodstanding.accounts.devices import describe_device
from goodstanding.accounts.flows import FlowContext
from goodstanding.accounts.flows.manage import is_fresh
from goodstanding.accounts.web import flow_call
from goodstanding.kit.errors import NotFound
from goodstanding.kit.i18n import gettext as _
from goodstanding.mfa import second_step, trusted_devices
from goodstanding.mfa.backup_codes.service import backup_code_service
from goodstanding.mfa.errors import WrongCode
from goodstanding.mfa.schemas import (
    BackupCodesView,
    FactorView,
    Label,
    Next,
    PasskeyAnswer,
    PasskeyRegistration,
    SecondStepCode,
    SecondStepSend,
    TotpConfirm,
    TotpEnrolmentView,
    TrustedDeviceView,
)
from goodstanding.mfa.service import mfa_service
from goodstanding.mfa.totp.service import totp_service
from goodstanding.mfa.webauthn.service import webauthn_service
from goodstanding.models.account import Account
from goodstanding.models.mfa_authenticator import MfaAuthenticator
from goodstanding.web.deps import Browser, CsrfChecked, DbSession

router = APIRouter(prefix="/api/v1/mfa", tags=["two-step verification"])
Fresh = Depends(require_fresh_sign_in())
Kind = MfaAuthenticator.Kind
AFTER_SIGN_IN = "/account"
AFTER_ADDING = "/account/security/two-step"


def _factor_view(factor: MfaAuthenticator) -> FactorView:
    return FactorView(
        id=factor.id,
        kind=factor.kind,
        label=factor.label,
        created_at=factor.created_at,
        last_used_at=factor.last_used_at,
    )


def _kind(method: str) -> Kind:
    if method not in set(Kind):
        raise WrongCode(_("Choose a way to confirm it's you."))
    return Kind(method)


@router.get("/factors")
def list_factors(db: DbSession, account: SignedIn) -> list[FactorView]:
    return [_factor_view(factor) for factor in mfa_service.factors(db, account.id)]


@router.patch("/factors/{factor_id}", dependencies=[CsrfChecked])
def rename_factor(
    factor_id: str, body: Label, request: Request, db: DbSession, account: SignedIn
) -> FactorView:
    with flow_call(request, db):
        return _factor_view(mfa_service.rename(db, account.id, factor_id, body.label))


@router.delete("/factors/{factor_id}", status_code=204, dependencies=[CsrfChecked])
def remove_factor(
    factor_id: str, request: Request, db: DbSession, browser: Browser, account: SignedIn
) -> Response:
    with flow_call(request, db):
        mfa_service.remove(db, account, factor_id, fresh_sign_in=is_fresh(browser.row))
    return Response(status_code=204)


@router.post("/totp/enrolment", dependencies=[CsrfChecked])
def begin_totp(
    request: Request, db: DbSession, browser: Browser, account: Account = Fresh
) -> TotpEnrolmentView:
    with flow_call(request, db):
        enrolment = totp_service.begin(FlowContext(db, browser, request), account)
    return TotpEnrolmentView(secret=enrolment.secret, qr_code=enrolment.qr_code)


@router.post("/totp/enrolment/confirm", status_code=201, dependencies=[CsrfChecked])
def confirm_totp(
    body: TotpConfirm,
    request: Request,
    db: DbSession,
    browser: Browser,
    account: Account = Fresh,
) -> FactorView:
    with flow_call(request, db):
        factor = totp_service.confirm(
            FlowContext(db, browser, request), account, body.code, body.label
        )
    return _factor_view(factor)


@router.post("/passkeys/registration/options", dependencies=[CsrfChecked])
def passkey_registration_options(
    request: Request, db: DbSession, browser: Browser, account: Account = Fresh
) -> dict[str, Any]:
    with flow_call(request, db):
        return webauthn_service.begin_registration(FlowContext(db, browser, request), account)


@router.post("/passkeys/registration/verify", dependencies=[CsrfChecked])
def passkey_registration_verify(
    body: PasskeyRegistration,
    request: Request,
    db: DbSession,
    browser: Browser,
    account: Account = Fresh,
) -> Next:
    with flow_call(request, db):
        webauthn_service.finish_registration(
            FlowContext(db, browser, request), account, body.credential, body.label or ""
        )
    return Next(next=AFTER_ADDING)


@router.post("/passkeys/sign-in/options", dependencies=[CsrfChecked])
def passkey_sign_in_options(request: Request, db: DbSession, browser: Browser) -> dict[str, Any]:
    with flow_call(request, db):
        return second_step.passwordless_options(FlowContext(db, browser, request))


@router.post("/passkeys/sign-in/verify", dependencies=[CsrfChecked])
def passkey_sign_in_verify(
    body: PasskeyAnswer, request: Request, db: DbSession, browser: Browser
) -> Next:
    with flow_call(request, db):
        second_step.passwordless_sign_in(FlowContext(db, browser, request), body.credential)
    return Next(next=AFTER_SIGN_IN)


@router.post("/second-step/passkey/options", dependencies=[CsrfChecked])
def second_step_passkey_options(
    request: Request, db: DbSession, browser: Browser
) -> dict[str, Any]:
    ctx = FlowContext(db, browser, request)
    with flow_call(request, db):
        return second_step.passkey_options(ctx, second_step.pending_account(ctx))


@router.post("/second-step/passkey/verify", dependencies=[CsrfChecked])
def second_step_passkey_verify(
    body: PasskeyAnswer, request: Request, db: DbSession, browser: Browser
) -> Next:
    ctx = FlowContext(db, browser, request)
    with flow_call(request, db):
        account = second_step.pending_account(ctx)
        second_step.check_passkey(ctx, account, body.credential)
        second_step.finish(ctx, account, Kind.webauthn, trust_this_browser=body.trust)
    return Next(next=AFTER_SIGN_IN)


@router.post("/second-step/code", dependencies=[CsrfChecked])
def second_step_code(
    body: SecondStepCode, request: Request, db: DbSession, browser: Browser
) -> Next:
    ctx = FlowContext(db, browser, request)
    with flow_call(request, db):
        account = second_step.pending_account(ctx)
        kind = _kind(body.method)
        second_step.check_code(ctx, account, kind, body.code)
        second_step.finish(ctx, account, kind, trust_this_browser=body.trust)
    return Next(next=AFTER_SIGN_IN)


@router.post("/second-step/send-code", status_code=202, dependencies=[CsrfChecked])
def second_step_send_code(
    body: SecondStepSend, request: Request, db: DbSession, browser: Browser
) -> Response:
    ctx = FlowContext(db, browser, request)
    with flow_call(request, db):
        second_step.send_code(ctx, second_step.pending_account(ctx), _kind(body.method))
    return Response(status_code=202)


@router.post("/backup-codes", status_code=201, dependencies=[CsrfChecked])
def regenerate_backup_codes(
    request: Request, db: DbSession, account: Account = Fresh
) -> BackupCodesView:
    with flow_call(request, db):
        return BackupCodesView(codes=backup_code_service.regenerate(db, account))


@router.get("/trusted-devices")
def list_trusted_devices(db: DbSession, account: SignedIn) -> list[TrustedDeviceView]:
    return [
        TrustedDeviceView(
            id=device.id,
            device=describe_device(device.user_agent),
            created_at=device.created_at,
            expires_at=device.expires_at,
            last_used_at=device.last_used_at,
        )
        for device in trusted_devices.active_devices(db, account.id)
    ]


@router.delete("/trusted-devices/{device_id}", status_code=204, dependencies=[CsrfChecked])
def revoke_trusted_device(
    device_id: str, request: Request, db: DbSession, account: SignedIn
) -> Response:
    with flow_call(request, db):
        if not trusted_devices.revoke(db, account.id, device_id):
            raise NotFound(_("There is no such trusted browser."))
    return Response(status_code=204)
