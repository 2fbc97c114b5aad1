"""Pages of identity recovery: the person's upload, status and withdrawal; the owner's cancel link.

Reviewers decide these cases in the console (``/console``), where approving needs a second,
different reviewer (four eyes)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from goodstanding.accounts.errors import StepMissing
from goodstanding.accounts.flows import FlowContext
from goodstanding.accounts.web import flow_call
from goodstanding.kit.errors import DomainError
from goodstanding.kit.files import MAX_UPLOAD_BYTES, RefusedUpload
from goodstanding.kit.i18n import gettext as _
from goodstanding.kit.i18n import use_locale
from goodstanding.mfa.errors import NoPendingStep
from goodstanding.mfa.second_step import pending_account
from goodstanding.models.account import Account
from goodstanding.models.case import Case
from goodstanding.recovery.service import recovery_service
from goodstanding.web.deps import AppSettings, Browser, CsrfChecked, DbSession, request_locale
from goodstanding.web.templating import add_template_dir, render

add_template_dir(Path(__file__).resolve().parent / "templates")
router = APIRouter(include_in_schema=False)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _person(request: Request, db: DbSession, browser: Browser) -> Account | None:
    """Who may use identity recovery: the account whose password this browser just proved."""
    try:
        return pending_account(FlowContext(db, browser, request))
    except (StepMissing, NoPendingStep):
        return None


def _identity_page(
    request: Request,
    db: DbSession,
    browser: Browser,
    account: Account,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    case = recovery_service.current_case(db, account.id)
    until = recovery_service.waiting_until(case) if case else None
    return render(
        request,
        "recovery/identity.html",
        {
            "csrf_token": browser.csrf_token,
            "case": case,
            "waiting_until": until.strftime("%Y-%m-%d %H:%M") if until else None,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/recovery")
def recovery_start(request: Request, db: DbSession, browser: Browser) -> Response:
    """Where "I lost my two-step verification" leads: the password comes first."""
    if _person(request, db, browser) is not None:
        return _redirect("/recovery/identity")
    return render(request, "recovery/start.html")


@router.get("/recovery/identity")
def identity_page(request: Request, db: DbSession, browser: Browser) -> Response:
    account = _person(request, db, browser)
    if account is None:
        return _redirect("/sign-in")
    return _identity_page(request, db, browser, account)


def _read_limited(upload: UploadFile | None) -> bytes | None:
    """At most one byte over the limit is read: enough for inspect_upload to refuse it."""
    if upload is None or not upload.filename:
        return None
    return upload.file.read(MAX_UPLOAD_BYTES + 1)


@router.post("/recovery/identity", dependencies=[CsrfChecked])
def identity_upload(
    request: Request,
    db: DbSession,
    browser: Browser,
    settings: AppSettings,
    document: Annotated[UploadFile | None, File()] = None,
    selfie: Annotated[UploadFile | None, File()] = None,
) -> Response:
    account = _person(request, db, browser)
    if account is None:
        return _redirect("/sign-in")
    with use_locale(request_locale(request)):
        missing = _("Choose the file of your passport or identity card.")
    document_bytes = _read_limited(document)
    try:
        with flow_call(request, db):
            if document_bytes is None:
                raise StepMissing(missing)
            recovery_service.start(
                db,
                account,
                document=document_bytes,
                selfie=_read_limited(selfie),
                settings=settings,
            )
    except RefusedUpload as refused:
        return _identity_page(request, db, browser, account, error=refused.message, status_code=422)
    except DomainError as error:
        return _identity_page(
            request, db, browser, account, error=error.detail, status_code=error.status
        )
    return _redirect("/recovery/identity")


@router.post("/recovery/identity/withdraw", dependencies=[CsrfChecked])
def identity_withdraw(request: Request, db: DbSession, browser: Browser) -> Response:
    account = _person(request, db, browser)
    if account is None:
        return _redirect("/sign-in")
    case = recovery_service.current_case(db, account.id)
    if case is not None:
        with flow_call(request, db):
            recovery_service.withdraw(db, case.id, account, request.app.state.settings)
    return _redirect("/recovery/identity")


@router.get("/recovery/cancel/{case_id}/{token}")
def cancel_page(
    case_id: str, token: str, request: Request, db: DbSession, browser: Browser
) -> Response:
    with flow_call(request, db):
        case = recovery_service.case_for_cancel_link(db, case_id, token)
    closed = case.status not in (Case.Status.open, Case.Status.approved)
    return render(
        request,
        "recovery/cancel.html",
        {"csrf_token": browser.csrf_token, "closed": closed, "done": False},
    )


@router.post("/recovery/cancel/{case_id}/{token}", dependencies=[CsrfChecked])
def cancel(
    case_id: str,
    token: str,
    request: Request,
    db: DbSession,
    browser: Browser,
    settings: AppSettings,
) -> Response:
    with flow_call(request, db):
        recovery_service.cancel_by_link(db, case_id, token, settings)
    return render(request, "recovery/cancel.html", {"done": True, "closed": True})
