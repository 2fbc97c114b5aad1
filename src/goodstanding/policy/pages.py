"""Pages of the policy engine: the public policy center with the capabilities table, and the
seller's documents and additional-account requests (the account-health page itself belongs to
``account_health``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from goodstanding.accounts.deps import signed_in_account
from goodstanding.kit.errors import DomainError
from goodstanding.kit.files import MAX_UPLOAD_BYTES, RefusedUpload
from goodstanding.kit.i18n import gettext as _
from goodstanding.kit.i18n import use_locale
from goodstanding.models.seller import Seller
from goodstanding.policy.additional_accounts import additional_account_service
from goodstanding.policy.documents import document_service
from goodstanding.policy.endpoints import loaded_policies
from goodstanding.policy.enums import DocumentKind, Language
from goodstanding.policy.messaging import seller_language
from goodstanding.policy.policy_center import describe_policies
from goodstanding.policy.repository import policy_repository
from goodstanding.policy.standing import STANDING_TABLE, Standing
from goodstanding.policy.wording import WORDING
from goodstanding.web.deps import AppSettings, Browser, CsrfChecked, DbSession, request_locale
from goodstanding.web.templating import add_template_dir, render

add_template_dir(Path(__file__).resolve().parent / "templates")
router = APIRouter(include_in_schema=False)


def standing_label(standing: Standing) -> str:
    labels = {
        Standing.ACTIVE: _("Active"),
        Standing.AT_RISK: _("At risk"),
        Standing.UNDER_REVIEW: _("Under review"),
        Standing.PRIVILEGES_WITHDRAWN: _("Selling privileges withdrawn"),
        Standing.SUSPENDED: _("Suspended"),
        Standing.REINSTATED: _("Reinstated"),
        Standing.CLOSED: _("Closed"),
    }
    return labels[standing]


def payouts_label(payouts: str) -> str:
    labels = {"paid": _("Paid"), "held": _("Held"), "none": _("None")}
    return labels[payouts]


def capabilities_rows(language: Language) -> list[dict[str, Any]]:
    """The standing table as the page shows it (call inside the page's locale)."""
    yes, no = _("Yes"), _("No")
    return [
        {
            "standing": standing.value,
            "label": standing_label(standing),
            "meaning": rules.meaning[language],
            "can_list": yes if rules.can_list else no,
            "can_sell": yes if rules.can_sell else no,
            "payouts": payouts_label(rules.payouts.value),
            "can_buy": yes if rules.can_buy else no,
        }
        for standing, rules in STANDING_TABLE.items()
    ]


@router.get("/policies")
def policy_center(request: Request) -> Response:
    locale = request_locale(request)
    language = seller_language(locale)
    with use_locale(locale):
        rows = capabilities_rows(language)
    return render(
        request,
        "policy/policies.html",
        {
            "policies": describe_policies(loaded_policies(request), language),
            "capabilities": rows,
        },
    )


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _own_seller(db: DbSession, browser: Browser) -> tuple[bool, Seller | None]:
    """(signed in, the seller this account sells as)."""
    account = signed_in_account(db, browser)
    if account is None:
        return False, None
    return True, policy_repository.seller_of_account(db, account.id)


def _documents_page(
    request: Request,
    db: DbSession,
    browser: Browser,
    seller: Seller,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    language = seller_language(request_locale(request))
    names = WORDING[language].documents
    return render(
        request,
        "policy/documents.html",
        {
            "csrf_token": browser.csrf_token,
            "kinds": [(kind.value, names[kind]) for kind in DocumentKind],
            "names": {kind.value: names[kind] for kind in DocumentKind},
            "requests": document_service.requests(db, seller.id),
            "documents": document_service.documents(db, seller.id),
            "error": error,
            "notice": notice,
        },
        status_code=status_code,
    )


@router.get("/account-health/documents")
def documents_page(request: Request, db: DbSession, browser: Browser) -> Response:
    signed_in, seller = _own_seller(db, browser)
    if not signed_in:
        return _redirect("/sign-in")
    if seller is None:
        return render(request, "policy/no_seller.html")
    return _documents_page(request, db, browser, seller)


@router.post("/account-health/documents", dependencies=[CsrfChecked])
def documents_upload(
    request: Request,
    db: DbSession,
    browser: Browser,
    settings: AppSettings,
    kind: Annotated[str, Form()] = "",
    expires_on: Annotated[str, Form()] = "",
    document: Annotated[UploadFile | None, File()] = None,
) -> Response:
    signed_in, seller = _own_seller(db, browser)
    if not signed_in:
        return _redirect("/sign-in")
    if seller is None:
        return render(request, "policy/no_seller.html")
    with use_locale(request_locale(request)):
        problem = _document_form_problem(kind, expires_on, document)
    if problem is not None:
        return _documents_page(request, db, browser, seller, error=problem, status_code=422)
    assert document is not None
    data = document.file.read(MAX_UPLOAD_BYTES + 1)
    try:
        document_service.upload(
            db,
            seller.id,
            DocumentKind(kind),
            data,
            expires_on=date.fromisoformat(expires_on) if expires_on else None,
            settings=settings,
        )
    except RefusedUpload as refused:
        return _documents_page(request, db, browser, seller, error=refused.message, status_code=422)
    except DomainError as error:
        return _documents_page(
            request, db, browser, seller, error=error.detail, status_code=error.status
        )
    with use_locale(request_locale(request)):
        done = _("Thank you: the document is on file.")
    return _documents_page(request, db, browser, seller, notice=done)


def _document_form_problem(kind: str, expires_on: str, document: UploadFile | None) -> str | None:
    if kind not in {k.value for k in DocumentKind}:
        return _("Choose which document this is.")
    if expires_on:
        try:
            date.fromisoformat(expires_on)
        except ValueError:
            return _("Write the expiry date as year-month-day, for example 2027-03-31.")
    if document is None or not document.filename:
        return _("Choose the file of the document.")
    return None


def _additional_page(
    request: Request,
    db: DbSession,
    browser: Browser,
    seller: Seller,
    *,
    error: str | None = None,
    notice: str | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "policy/additional_accounts.html",
        {
            "csrf_token": browser.csrf_token,
            "requests": additional_account_service.requests(db, seller.id),
            "error": error,
            "notice": notice,
            "values": values or {},
        },
        status_code=status_code,
    )


@router.get("/account-health/additional-accounts")
def additional_accounts_page(request: Request, db: DbSession, browser: Browser) -> Response:
    signed_in, seller = _own_seller(db, browser)
    if not signed_in:
        return _redirect("/sign-in")
    if seller is None:
        return render(request, "policy/no_seller.html")
    return _additional_page(request, db, browser, seller)


@router.post("/account-health/additional-accounts", dependencies=[CsrfChecked])
def additional_accounts_ask(
    request: Request,
    db: DbSession,
    browser: Browser,
    additional_seller_id: Annotated[str, Form()] = "",
    business_reason: Annotated[str, Form()] = "",
) -> Response:
    signed_in, seller = _own_seller(db, browser)
    if not signed_in:
        return _redirect("/sign-in")
    if seller is None:
        return render(request, "policy/no_seller.html")
    values = {"additional_seller_id": additional_seller_id, "business_reason": business_reason}
    try:
        with use_locale(request_locale(request)):
            additional_account_service.ask(
                db,
                seller.id,
                additional_seller_id=additional_seller_id,
                business_reason=business_reason,
            )
    except DomainError as error:
        return _additional_page(
            request,
            db,
            browser,
            seller,
            error=error.detail,
            values=values,
            status_code=error.status,
        )
    with use_locale(request_locale(request)):
        done = _("Your request is with our review team; we will write to you with the decision.")
    return _additional_page(request, db, browser, seller, notice=done)
