"""The reviewer console: queues with their SLA clocks, claiming, the case view, decisions, and
documents shown inline with the reviewer's name over them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from goodstanding.accounts.web import flow_call
from goodstanding.cases.appeals import RefusalReason, refusal_label
from goodstanding.cases.queues import QUEUE_BY_KIND, queue_service, queues_for, works_queue
from goodstanding.cases.service import case_service
from goodstanding.cases.transparency import COLUMNS, transparency_report
from goodstanding.config import Settings
from goodstanding.console.deps import Staff
from goodstanding.console.service import Decision, console_service
from goodstanding.console.watermark import is_image, watermark
from goodstanding.kit.clock import utcnow
from goodstanding.kit.db import Database
from goodstanding.kit.errors import DomainError, InvalidInput, NotFound
from goodstanding.kit.files import UploadKind
from goodstanding.kit.i18n import gettext as _
from goodstanding.kit.i18n import use_locale
from goodstanding.models.account import Account
from goodstanding.models.case import Case
from goodstanding.recovery.service import recovery_service
from goodstanding.web.deps import AppSettings, Browser, CsrfChecked, DbSession, request_locale
from goodstanding.web.templating import add_template_dir, render

add_template_dir(Path(__file__).resolve().parent / "templates")
router = APIRouter(include_in_schema=False)

TIME_FORMAT = "%Y-%m-%d %H:%M"


def queue_title(kind: str) -> str:
    titles = {
        Case.Kind.appeal: _("Appeals"),
        Case.Kind.identity_recovery: _("Identity recovery"),
        Case.Kind.listing_review: _("Listings held for review"),
        Case.Kind.linked_accounts: _("Linked-account clusters"),
        Case.Kind.additional_account: _("Additional-account requests"),
        Case.Kind.document_check: _("Document checks"),
        Case.Kind.policy_review: _("Policy reviews"),
    }
    return titles.get(Case.Kind(kind), kind) if kind in QUEUE_BY_KIND else kind


def _duration(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    hours, rest = divmod(int(seconds), 3600)
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest // 60}


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/console")
def console_home(
    request: Request, db: DbSession, reviewer: Staff, settings: AppSettings
) -> Response:
    with use_locale(request_locale(request)):
        queues = []
        for queue in queues_for(reviewer):
            summary = queue_service.summary(db, queue, settings)
            median = summary.median_to_decision
            queues.append(
                {
                    "kind": queue.kind.value,
                    "title": queue_title(queue.kind),
                    "open": summary.open_count,
                    "overdue": summary.overdue_count,
                    "sla_hours": int(settings.queue_sla(queue.kind).total_seconds() // 3600),
                    "median": _duration(median.total_seconds() if median else None),
                }
            )
    return render(request, "console/index.html", {"reviewer": reviewer, "queues": queues})


def _queue_kind(kind: str, reviewer: Account) -> Case.Kind:
    if not works_queue(reviewer, kind):
        raise NotFound(_("There is no such queue."))
    return Case.Kind(kind)


@router.get("/console/queues/{kind}")
def queue_page(
    kind: str,
    request: Request,
    db: DbSession,
    browser: Browser,
    reviewer: Staff,
    settings: AppSettings,
) -> Response:
    with flow_call(request, db):
        case_kind = _queue_kind(kind, reviewer)
        title = queue_title(case_kind)
    names: dict[str, str] = {}
    rows = []
    for item in queue_service.items(db, case_kind, settings):
        subject = db.get(Account, item.case.subject_account_id)
        holder = item.claimed_by_id
        if holder and holder not in names:
            holder_account = db.get(Account, holder)
            names[holder] = holder_account.name if holder_account else ""
        rows.append(
            {
                "id": item.case.id,
                "opened": item.case.created_at.strftime(TIME_FORMAT),
                "due": item.due_at.strftime(TIME_FORMAT),
                "overdue": item.overdue,
                "awaiting_seller": item.awaiting_seller,
                "second_approval": "first_approval" in item.case.payload,
                "subject": subject.name if subject else "",
                "claimed_by": names.get(holder) if holder else None,
            }
        )
    return render(
        request,
        "console/queue.html",
        {"csrf_token": browser.csrf_token, "kind": case_kind.value, "title": title, "rows": rows},
    )


@router.post("/console/queues/{kind}/claim-next", dependencies=[CsrfChecked])
def claim_next(
    kind: str, request: Request, db: DbSession, reviewer: Staff, settings: AppSettings
) -> Response:
    with flow_call(request, db):
        case_kind = _queue_kind(kind, reviewer)
    case = queue_service.claim_next(db, reviewer, case_kind, settings)
    if case is None:
        return _redirect(f"/console/queues/{case_kind.value}")
    return _redirect(f"/console/cases/{case.id}")


def _case_page(
    request: Request,
    db: DbSession,
    browser: Browser,
    reviewer: Account,
    settings: Settings,
    case_id: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with flow_call(request, db):
        case = console_service.case_for(db, case_id, reviewer)
        file = console_service.case_file(db, case, reviewer, settings)
        refusal_reasons = [(reason.value, refusal_label(reason)) for reason in RefusalReason]
        title = queue_title(case.kind)
    people: dict[str, str] = {}

    def name(account_id: str | None) -> str:
        if account_id is None:
            return _("the system")
        if account_id not in people:
            account = db.get(Account, account_id)
            people[account_id] = account.name if account else account_id
        return people[account_id]

    recovery = case.kind == Case.Kind.identity_recovery
    takes_effect = recovery_service.waiting_until(case) if recovery else None
    context: dict[str, Any] = {
        "csrf_token": browser.csrf_token,
        "title": title,
        "file": file,
        "case": case,
        "payload": case.payload,
        "claimed_by_me": case_service.holds_claim(case, reviewer.id),
        "metrics": [
            {
                "metric": row.metric,
                "value": f"{float(row.value):.2%}" if row.value is not None else "—",
                "numerator": row.numerator,
                "denominator": row.denominator,
                "target": row.target,
                "status": row.status.value,
            }
            for row in file.metrics
        ],
        "timeline": [
            {"at": e.created_at.strftime(TIME_FORMAT), "type": e.type, "who": name(e.actor_id)}
            for e in file.timeline
        ],
        "decisions": [
            {
                "at": d.created_at.strftime(TIME_FORMAT),
                "who": name(d.reviewer_id),
                "outcome": d.outcome,
                "reason": d.reason,
            }
            for d in file.decisions
        ],
        "first_approver": name(str(file.first_approval["reviewer_id"]))
        if file.first_approval
        else None,
        "refusal_reasons": refusal_reasons,
        "error": error,
        "image_kinds": (UploadKind.JPEG.value, UploadKind.PNG.value),
        # Identity recovery: the automatic pre-check (None while it runs) and, once approved,
        # when the recovery takes effect unless the owner cancels it.
        "recovery": recovery,
        "precheck": case.payload.get("precheck") if recovery else None,
        "takes_effect": takes_effect.strftime(TIME_FORMAT) if takes_effect else None,
    }
    return render(request, "console/case.html", context, status_code=status_code)


@router.get("/console/cases/{case_id}")
def case_page(
    case_id: str,
    request: Request,
    db: DbSession,
    browser: Browser,
    reviewer: Staff,
    settings: AppSettings,
) -> Response:
    return _case_page(request, db, browser, reviewer, settings, case_id)


@router.post("/console/cases/{case_id}/claim", dependencies=[CsrfChecked])
def claim(
    case_id: str,
    request: Request,
    db: DbSession,
    browser: Browser,
    reviewer: Staff,
    settings: AppSettings,
) -> Response:
    try:
        with flow_call(request, db):
            console_service.case_for(db, case_id, reviewer)
            case_service.claim(db, case_id, reviewer.id)
    except DomainError as error:
        return _case_page(
            request,
            db,
            browser,
            reviewer,
            settings,
            case_id,
            error=error.detail,
            status_code=error.status,
        )
    return _redirect(f"/console/cases/{case_id}")


@router.post("/console/cases/{case_id}/release", dependencies=[CsrfChecked])
def release(case_id: str, request: Request, db: DbSession, reviewer: Staff) -> Response:
    with flow_call(request, db):
        case = console_service.case_for(db, case_id, reviewer)
        case_service.release(db, case.id, reviewer.id)
    return _redirect(f"/console/queues/{case.kind}")


@router.post("/console/cases/{case_id}/decide", dependencies=[CsrfChecked])
def decide(
    case_id: str,
    request: Request,
    db: DbSession,
    browser: Browser,
    settings: AppSettings,
    reviewer: Staff,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    refusal_reason: Annotated[str, Form()] = "",
    overturn: Annotated[str, Form()] = "",
) -> Response:
    try:
        with flow_call(request, db):
            case = console_service.case_for(db, case_id, reviewer)
            if decision not in {d.value for d in Decision}:
                raise InvalidInput(_("Choose a decision."))
            console_service.decide(
                db,
                case,
                reviewer=reviewer,
                decision=Decision(decision),
                reason=reason,
                refusal_reason=RefusalReason(refusal_reason)
                if refusal_reason in {r.value for r in RefusalReason}
                else None,
                overturn=overturn == "yes",
                settings=settings,
            )
    except DomainError as error:
        db.rollback()
        return _case_page(
            request,
            db,
            browser,
            reviewer,
            settings,
            case_id,
            error=error.detail,
            status_code=error.status,
        )
    return _redirect(f"/console/cases/{case_id}")


@router.get("/console/cases/{case_id}/documents/{document_id}")
def document(
    case_id: str,
    document_id: str,
    request: Request,
    db: DbSession,
    settings: AppSettings,
    reviewer: Staff,
) -> Response:
    """Shown inline, never cached; images carry the reviewer's name and the time burnt in."""
    with flow_call(request, db):
        case = console_service.case_for(db, case_id, reviewer)
        stored, data = console_service.view_document(db, case, document_id, reviewer, settings)
    disposition = "inline"
    if settings.console_documents_downloadable:
        disposition = f'attachment; filename="{stored.id}.{stored.file_kind}"'
    headers = {"content-disposition": disposition, "cache-control": "no-store"}
    if is_image(stored.file_kind):
        stamp = f"{reviewer.name} · {utcnow().strftime(TIME_FORMAT)} UTC · {case.id[:8]}"
        return Response(watermark(data, stamp), media_type="image/png", headers=headers)
    return Response(data, media_type="application/pdf", headers=headers)


# ---- the public transparency report ---------------------------------------------------------


@router.get("/transparency")
def transparency_page(request: Request, db: DbSession) -> Response:
    return render(request, "console/transparency.html", {"rows": transparency_report(db)})


def _csv_lines(database: Database) -> Iterator[str]:
    """The report as CSV, one line at a time, from its own transaction (the request's has
    ended by the time a streamed body is sent)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(values: Sequence[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line(COLUMNS)
    with database.transaction() as db:
        for row in transparency_report(db):
            yield line(row.as_csv())


@router.get("/transparency.csv")
def transparency_csv(request: Request) -> StreamingResponse:
    return StreamingResponse(
        _csv_lines(request.app.state.database),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="transparency.csv"'},
    )
