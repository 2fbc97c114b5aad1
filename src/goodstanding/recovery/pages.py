"""Pages of identity recovery: the person's upload, status and withdrawal; the owner's cancel link;
and a minimal reviewer queue under /console/recovery (the console will fold it in)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from goodstanding.accounts.deps import signed_in_account
from goodstanding.accounts.errors import StepMissing
from goodstanding.accounts.flows import FlowContext
from goodstanding.accounts.web import flow_call
from goodstanding.cases.service import case_service
from goodstanding.kit.errors import DomainError, Forbidden
from goodstanding.kit.files import MAX_UPLOAD_BYTES, RefusedUpload, UploadKind
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

STAFF_ROLES = (Account.Role.reviewer, Account.Role.senior_reviewer, Account.Role.admin)
IMAGE_TYPES = {UploadKind.JPEG: "image/jpeg", UploadKind.PNG: "image/png"}
CONTENT_TYPES = {**IMAGE_TYPES, UploadKind.PDF: "application/pdf"}


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# ---- the person ---------------------------------------------------------------------------


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


# ---- the reviewer -------------------------------------------------------------------------


def _staff(request: Request, db: DbSession, browser: Browser) -> Account:
    account = signed_in_account(db, browser)
    if account is None or not any(account.has_role(role) for role in STAFF_ROLES):
        with use_locale(request_locale(request)):
            raise Forbidden(_("This page is for the review team."))
    return account


@router.get("/console/recovery")
def console_queue(request: Request, db: DbSession, browser: Browser) -> Response:
    _staff(request, db, browser)
    rows = []
    for case in case_service.queue(db, Case.Kind.identity_recovery):
        subject = db.get(Account, case.subject_account_id)
        claimant = db.get(Account, case.claimed_by_id) if case.claimed_by_id else None
        rows.append(
            {
                "id": case.id,
                "opened": case.created_at.strftime("%Y-%m-%d %H:%M"),
                "account": subject.name if subject else "",
                "due": case.sla_due_at.strftime("%Y-%m-%d %H:%M") if case.sla_due_at else "",
                "claimed": claimant.name if claimant else None,
            }
        )
    return render(
        request, "recovery/console_queue.html", {"csrf_token": browser.csrf_token, "cases": rows}
    )


@router.post("/console/recovery/claim-next", dependencies=[CsrfChecked])
def console_claim_next(request: Request, db: DbSession, browser: Browser) -> Response:
    reviewer = _staff(request, db, browser)
    case = case_service.claim_next(db, reviewer.id, Case.Kind.identity_recovery)
    if case is None:
        return _redirect("/console/recovery")
    return _redirect(f"/console/recovery/{case.id}")


def _case_page(
    request: Request,
    db: DbSession,
    browser: Browser,
    reviewer: Account,
    case_id: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    settings = request.app.state.settings
    case = recovery_service.case(db, case_id)
    files = []
    for document in recovery_service.files(db, case.id):
        image = None
        if document.kind in IMAGE_TYPES:
            data = base64.b64encode(recovery_service.read_file(document, settings)).decode()
            image = f"data:{IMAGE_TYPES[UploadKind(document.kind)]};base64,{data}"
        files.append(
            {"id": document.id, "role": document.role, "kind": document.kind, "image": image}
        )
    until = recovery_service.waiting_until(case)
    return render(
        request,
        "recovery/console_case.html",
        {
            "csrf_token": browser.csrf_token,
            "case": case,
            "account": db.get(Account, case.subject_account_id),
            "precheck": case.payload.get("precheck"),
            "files": files,
            "claimed_by_me": case_service.holds_claim(case, reviewer.id),
            "waiting_until": until.strftime("%Y-%m-%d %H:%M") if until else None,
            "timeline": [
                {"at": event.created_at.strftime("%Y-%m-%d %H:%M"), "type": event.type}
                for event in case_service.timeline(db, case.id)
            ],
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/console/recovery/{case_id}")
def console_case(case_id: str, request: Request, db: DbSession, browser: Browser) -> Response:
    reviewer = _staff(request, db, browser)
    return _case_page(request, db, browser, reviewer, case_id)


@router.get("/console/recovery/{case_id}/files/{document_id}")
def console_file(
    case_id: str, document_id: str, request: Request, db: DbSession, browser: Browser
) -> Response:
    _staff(request, db, browser)
    for document in recovery_service.files(db, case_id):
        if document.id == document_id:
            data = recovery_service.read_file(document, request.app.state.settings)
            return Response(
                data,
                media_type=CONTENT_TYPES[UploadKind(document.kind)],
                headers={"content-disposition": "inline", "cache-control": "no-store"},
            )
    return _redirect(f"/console/recovery/{case_id}")


@router.post("/console/recovery/{case_id}/claim", dependencies=[CsrfChecked])
def console_claim(case_id: str, request: Request, db: DbSession, browser: Browser) -> Response:
    reviewer = _staff(request, db, browser)
    try:
        with flow_call(request, db):
            case_service.claim(db, case_id, reviewer.id)
    except DomainError as error:
        return _case_page(
            request, db, browser, reviewer, case_id, error=error.detail, status_code=error.status
        )
    return _redirect(f"/console/recovery/{case_id}")


@router.post("/console/recovery/{case_id}/decide", dependencies=[CsrfChecked])
def console_decide(
    case_id: str,
    request: Request,
    db: DbSession,
    browser: Browser,
    settings: AppSettings,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form()],
) -> Response:
    reviewer = _staff(request, db, browser)
    try:
        with flow_call(request, db):
            if decision == "approve":
                recovery_service.approve(
                    db, case_id, reviewer=reviewer, reason=reason, settings=settings
                )
            else:
                recovery_service.reject(
                    db, case_id, reviewer=reviewer, reason=reason, settings=settings
                )
    except DomainError as error:
        return _case_page(
            request, db, browser, reviewer, case_id, error=error.detail, status_code=error.status
        )
    return _redirect(f"/console/recovery/{case_id}")
