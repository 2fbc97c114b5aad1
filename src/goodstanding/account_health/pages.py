"""The seller's pages: Account Health, "Reactivate your account" (plan of action or "this is a
mistake"), and each appeal with its timeline and the answer form."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from goodstanding.account_health.charts import gauge_svg, trend_svg
from goodstanding.account_health.service import HealthView, account_health_service
from goodstanding.account_health.wording import (
    next_step_text,
    part_guidance,
    part_label,
    shortfall_text,
    timeline_text,
)
from goodstanding.accounts.deps import signed_in_account
from goodstanding.cases.appeals import AppealPath, PlanIncomplete, Upload, appeal_service
from goodstanding.cases.plan_of_action import Part, PlanOfAction, Shortfall
from goodstanding.cases.queues import AWAITING
from goodstanding.cases.service import case_service
from goodstanding.kit.clock import utcnow
from goodstanding.kit.errors import DomainError
from goodstanding.kit.files import MAX_UPLOAD_BYTES, RefusedUpload, UploadKind
from goodstanding.kit.i18n import gettext as _
from goodstanding.kit.i18n import use_locale
from goodstanding.models.account import Account
from goodstanding.models.case import Case
from goodstanding.models.seller import Seller
from goodstanding.policy.endpoints import loaded_policies
from goodstanding.policy.enums import Metric, MetricUnit
from goodstanding.policy.messaging import seller_language
from goodstanding.policy.pages import standing_label
from goodstanding.policy.repository import policy_repository
from goodstanding.web.deps import AppSettings, Browser, CsrfChecked, DbSession, request_locale
from goodstanding.web.templating import add_template_dir, render

add_template_dir(Path(__file__).resolve().parent / "templates")
router = APIRouter(include_in_schema=False)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _seller(db: DbSession, browser: Browser) -> tuple[Account | None, Seller | None]:
    account = signed_in_account(db, browser)
    if account is None:
        return None, None
    return account, policy_repository.seller_of_account(db, account.id)


def _view(request: Request, db: DbSession, seller: Seller, account: Account) -> HealthView:
    return account_health_service.view(
        db,
        seller,
        account,
        language=seller_language(request_locale(request)),
        policies=loaded_policies(request),
        today=utcnow().date(),
    )


@router.get("/account-health")
def account_health_page(request: Request, db: DbSession, browser: Browser) -> Response:
    account, seller = _seller(db, browser)
    if account is None:
        return _redirect("/sign-in")
    if seller is None:
        return render(request, "policy/no_seller.html")
    view = _view(request, db, seller, account)
    with use_locale(request_locale(request)):
        band = {"healthy": _("Healthy"), "at_risk": _("At risk"), "unhealthy": _("Unhealthy")}[
            str(view.health.band)
        ]
        gauge = gauge_svg(
            view.health.rating,
            title=_("Account Health Rating"),
            description=_(
                "%(rating)d of 1000: %(band)s. Below 200 is at risk, below 100 is unhealthy."
            )
            % {"rating": view.health.rating, "band": band},
        )
        metrics = [
            {
                "view": metric,
                "value": _formatted(metric.row.metric, metric.value),
                "status": metric_status_label(metric.row.status),
                "chart": trend_svg(
                    metric.trend,
                    target=float(metric.row.target),
                    title=_("%(metric)s over the last 90 days") % {"metric": metric.name},
                    description=_("Weekly values; the dashed line is the target %(target)s.")
                    % {"target": metric.row.target},
                ),
            }
            for metric in view.metrics
        ]
        context: dict[str, Any] = {
            "view": view,
            "standing_label": standing_label(view.standing),
            "meaning": view.rules.meaning[seller_language(request_locale(request))],
            "band": band,
            "gauge": gauge,
            "metrics": metrics,
            "next_step": next_step_text(view.next_step),
            "can_reactivate": bool(view.violations) and view.open_appeal is None,
        }
    return render(request, "account_health/health.html", context)


def _formatted(metric: str, value: float | None) -> str:
    """A share as a percentage; sales a week and stars as plain numbers."""
    if value is None:
        return _("not enough orders")
    ratio = metric not in {m.value for m in Metric} or Metric(metric).unit is MetricUnit.RATIO
    return f"{value:.2%}" if ratio else f"{value:.2f}"


def metric_status_label(status: str) -> str:
    labels = {
        "good": _("Good"),
        "at_risk": _("At risk"),
        "failing": _("Failing"),
        "not_enough_orders": _("Not enough orders to measure"),
    }
    return labels.get(status, status)


def _uploads(files: list[UploadFile]) -> list[Upload]:
    """The files actually chosen (an empty file input still sends an empty part)."""
    chosen = []
    for file in files:
        if file.filename:
            chosen.append(Upload(file.filename, file.file.read(MAX_UPLOAD_BYTES + 1)))
    return chosen


def _appeal_form(
    request: Request,
    db: DbSession,
    browser: Browser,
    seller: Seller,
    account: Account,
    *,
    values: dict[str, Any],
    shortfalls: tuple[Shortfall, ...] = (),
    checked: bool = False,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    view = _view(request, db, seller, account)
    with use_locale(request_locale(request)):
        problems: dict[str, list[str]] = {}
        for shortfall in shortfalls:
            problems.setdefault(shortfall.part.value, []).append(shortfall_text(shortfall))
        parts = [
            {
                "name": part.value,
                "label": part_label(part),
                "guidance": part_guidance(part),
                "problems": problems.get(part.value, []),
            }
            for part in Part
        ]
    return render(
        request,
        "account_health/appeal.html",
        {
            "csrf_token": browser.csrf_token,
            "view": view,
            "parts": parts,
            "values": values,
            "checked": checked and not shortfalls,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/account-health/appeal")
def appeal_page(
    request: Request, db: DbSession, browser: Browser, violation: str = "", path: str = "plan"
) -> Response:
    account, seller = _seller(db, browser)
    if account is None:
        return _redirect("/sign-in")
    if seller is None:
        return render(request, "policy/no_seller.html")
    open_appeal = next(
        (c for c in appeal_service.of_account(db, account.id) if c.status == Case.Status.open),
        None,
    )
    if open_appeal is not None:
        return _redirect(f"/account-health/appeals/{open_appeal.id}")
    values = {"violation_ids": [violation] if violation else [], "path": path}
    return _appeal_form(request, db, browser, seller, account, values=values)


@router.post("/account-health/appeal", dependencies=[CsrfChecked])
def appeal_submit(
    request: Request,
    db: DbSession,
    browser: Browser,
    settings: AppSettings,
    violation_ids: Annotated[list[str], Form()] = [],  # noqa: B006  (FastAPI copies defaults)
    path: Annotated[str, Form()] = "plan",
    root_cause: Annotated[str, Form()] = "",
    corrective_actions: Annotated[str, Form()] = "",
    preventive_measures: Annotated[str, Form()] = "",
    statement: Annotated[str, Form()] = "",
    intent: Annotated[str, Form()] = "submit",
    documents: Annotated[list[UploadFile], File()] = [],  # noqa: B006
) -> Response:
    account, seller = _seller(db, browser)
    if account is None:
        return _redirect("/sign-in")
    if seller is None:
        return render(request, "policy/no_seller.html")
    values = {
        "violation_ids": violation_ids,
        "path": path,
        "root_cause": root_cause,
        "corrective_actions": corrective_actions,
        "preventive_measures": preventive_measures,
        "statement": statement,
    }
    plan = PlanOfAction(root_cause, corrective_actions, preventive_measures)
    appeal_path = AppealPath.DISPUTE if path == AppealPath.DISPUTE else AppealPath.PLAN
    try:
        with use_locale(request_locale(request)):
            if intent == "check" and appeal_path is AppealPath.PLAN:
                shortfalls = appeal_service.check(
                    db, account, violation_ids, plan, loaded_policies(request)
                )
                return _appeal_form(
                    request,
                    db,
                    browser,
                    seller,
                    account,
                    values=values,
                    shortfalls=shortfalls,
                    checked=True,
                )
            case = appeal_service.submit(
                db,
                account=account,
                violation_ids=violation_ids,
                path=appeal_path,
                plan=plan if appeal_path is AppealPath.PLAN else None,
                statement=statement,
                uploads=_uploads(documents),
                settings=settings,
                policies=loaded_policies(request),
            )
    except PlanIncomplete as incomplete:
        with use_locale(request_locale(request)):
            shortfalls = appeal_service.check(
                db, account, violation_ids, plan, loaded_policies(request)
            )
        return _appeal_form(
            request,
            db,
            browser,
            seller,
            account,
            values=values,
            shortfalls=shortfalls,
            error=incomplete.detail,
            status_code=incomplete.status,
        )
    except RefusedUpload as refused:
        db.rollback()
        return _appeal_form(
            request,
            db,
            browser,
            seller,
            account,
            values=values,
            error=refused.message,
            status_code=422,
        )
    except DomainError as error:
        db.rollback()
        return _appeal_form(
            request,
            db,
            browser,
            seller,
            account,
            values=values,
            error=error.detail,
            status_code=error.status,
        )
    return _redirect(f"/account-health/appeals/{case.id}")


def _case_page(
    request: Request,
    db: DbSession,
    browser: Browser,
    account: Account,
    case_id: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with use_locale(request_locale(request)):
        case = appeal_service.for_account(db, case_id, account.id)
        timeline = [
            {"at": event.created_at.strftime("%Y-%m-%d %H:%M"), "text": text}
            for event in case_service.timeline(db, case.id)
            if (text := timeline_text(event.type)) is not None
        ]
        decisions = case_service.decisions(db, case.id)
        status = {
            Case.Status.open: _("Waiting for your answer")
            if case.payload.get(AWAITING) == "seller"
            else _("With our review team"),
            Case.Status.approved: _("Accepted"),
            Case.Status.completed: _("Accepted: selling restored"),
            Case.Status.rejected: _("Not accepted"),
            Case.Status.cancelled: _("Withdrawn"),
        }[Case.Status(case.status)]
    return render(
        request,
        "account_health/appeal_case.html",
        {
            "csrf_token": browser.csrf_token,
            "case": case,
            "payload": case.payload,
            "status": status,
            "awaiting_answer": case.status == Case.Status.open
            and case.payload.get(AWAITING) == "seller",
            "timeline": timeline,
            "decision": decisions[-1] if decisions and case.status != Case.Status.open else None,
            "documents": appeal_service.documents(db, case.id),
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/account-health/appeals/{case_id}")
def appeal_case_page(case_id: str, request: Request, db: DbSession, browser: Browser) -> Response:
    account = signed_in_account(db, browser)
    if account is None:
        return _redirect("/sign-in")
    return _case_page(request, db, browser, account, case_id)


@router.post("/account-health/appeals/{case_id}/answer", dependencies=[CsrfChecked])
def appeal_answer(
    case_id: str,
    request: Request,
    db: DbSession,
    browser: Browser,
    settings: AppSettings,
    message: Annotated[str, Form()] = "",
    documents: Annotated[list[UploadFile], File()] = [],  # noqa: B006
) -> Response:
    account = signed_in_account(db, browser)
    if account is None:
        return _redirect("/sign-in")
    try:
        with use_locale(request_locale(request)):
            appeal_service.answer(
                db,
                case_id,
                account=account,
                message=message,
                uploads=_uploads(documents),
                settings=settings,
            )
    except RefusedUpload as refused:
        db.rollback()
        return _case_page(
            request, db, browser, account, case_id, error=refused.message, status_code=422
        )
    except DomainError as error:
        if error.status == 404:
            raise
        db.rollback()
        return _case_page(
            request, db, browser, account, case_id, error=error.detail, status_code=error.status
        )
    return _redirect(f"/account-health/appeals/{case_id}")


@router.get("/account-health/appeals/{case_id}/documents/{document_id}")
def appeal_document(
    case_id: str,
    document_id: str,
    request: Request,
    db: DbSession,
    browser: Browser,
    settings: AppSettings,
) -> Response:
    """The seller's own document, as they sent it (after re-encoding)."""
    account = signed_in_account(db, browser)
    if account is None:
        return _redirect("/sign-in")
    with use_locale(request_locale(request)):
        case = appeal_service.for_account(db, case_id, account.id)
        document = appeal_service.document(db, case.id, document_id)
    media = {UploadKind.JPEG: "image/jpeg", UploadKind.PNG: "image/png"}.get(
        UploadKind(document.file_kind), "application/pdf"
    )
    return Response(
        appeal_service.read(document, settings),
        media_type=media,
        headers={"content-disposition": "inline", "cache-control": "no-store"},
    )
