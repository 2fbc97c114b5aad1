"""The seller's Account Health as JSON: the same view as the page, the plan check, appeals."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from goodstanding.account_health.schemas import AnswerIn, AppealIn, PlanCheckIn, PlanIn
from goodstanding.account_health.service import (
    account_health_service,
    appeal_summary,
    health_json,
)
from goodstanding.account_health.wording import next_step_text, shortfall_text, timeline_text
from goodstanding.accounts.deps import SignedIn
from goodstanding.cases.appeals import AppealPath, appeal_service
from goodstanding.cases.plan_of_action import PlanOfAction
from goodstanding.cases.service import case_service
from goodstanding.kit.clock import utcnow
from goodstanding.kit.i18n import use_locale
from goodstanding.policy.endpoints import loaded_policies
from goodstanding.policy.messaging import seller_language
from goodstanding.web.deps import AppSettings, CsrfChecked, DbSession, request_locale

router = APIRouter(prefix="/api/v1/account-health", tags=["account health"])


def _plan(plan: PlanIn | None) -> PlanOfAction:
    plan = plan or PlanIn()
    return PlanOfAction(plan.root_cause, plan.corrective_actions, plan.preventive_measures)


@router.get("")
def get_account_health(request: Request, db: DbSession, account: SignedIn) -> dict[str, Any]:
    """Standing, rating with its items, metrics with 90-day trends, violations, documents due,
    appeals and the next thing to do."""
    with use_locale(request_locale(request)):
        seller = appeal_service.seller_of(db, account)
        view = account_health_service.view(
            db,
            seller,
            account,
            language=seller_language(request_locale(request)),
            policies=loaded_policies(request),
            today=utcnow().date(),
        )
        return health_json(view, next_step_text(view.next_step))


@router.post("/plan-check", dependencies=[CsrfChecked])
def check_plan(
    body: PlanCheckIn, request: Request, db: DbSession, account: SignedIn
) -> dict[str, Any]:
    """What the plan of action still lacks for these violations (empty when complete)."""
    with use_locale(request_locale(request)):
        shortfalls = appeal_service.check(
            db, account, body.violation_ids, _plan(body.plan), loaded_policies(request)
        )
        return {
            "complete": not shortfalls,
            "shortfalls": [
                {
                    "part": str(s.part),
                    "gap": str(s.gap),
                    "violation_id": s.concern.violation_id if s.concern else None,
                    "message": shortfall_text(s),
                }
                for s in shortfalls
            ],
        }


@router.get("/appeals")
def list_appeals(db: DbSession, account: SignedIn) -> list[dict[str, Any]]:
    return [appeal_summary(case) for case in appeal_service.of_account(db, account.id)]


@router.post("/appeals", status_code=201, dependencies=[CsrfChecked])
def create_appeal(
    body: AppealIn,
    request: Request,
    db: DbSession,
    account: SignedIn,
    settings: AppSettings,
) -> dict[str, Any]:
    """Open an appeal: a plan of action, or a dispute (which needs documents: use the page)."""
    with use_locale(request_locale(request)):
        path = AppealPath(body.path)
        case = appeal_service.submit(
            db,
            account=account,
            violation_ids=body.violation_ids,
            path=path,
            plan=_plan(body.plan) if path is AppealPath.PLAN else None,
            statement=body.statement,
            uploads=[],
            settings=settings,
            policies=loaded_policies(request),
        )
    return appeal_summary(case)


@router.get("/appeals/{case_id}")
def get_appeal(case_id: str, request: Request, db: DbSession, account: SignedIn) -> dict[str, Any]:
    with use_locale(request_locale(request)):
        case = appeal_service.for_account(db, case_id, account.id)
        timeline = [
            {"at": event.created_at.isoformat(), "type": event.type, "text": text}
            for event in case_service.timeline(db, case.id)
            if (text := timeline_text(event.type)) is not None
        ]
    decisions = case_service.decisions(db, case.id)
    return {
        **appeal_summary(case),
        "plan": case.payload.get("plan"),
        "statement": case.payload.get("statement"),
        "messages": case.payload.get("messages", []),
        "timeline": timeline,
        "decision": decisions[-1].reason if decisions and case.status != "open" else None,
        "documents": [
            {"id": d.id, "label": d.label, "file_kind": d.file_kind}
            for d in appeal_service.documents(db, case.id)
        ],
    }


@router.post("/appeals/{case_id}/answer", dependencies=[CsrfChecked])
def answer_appeal(
    case_id: str,
    body: AnswerIn,
    request: Request,
    db: DbSession,
    account: SignedIn,
    settings: AppSettings,
) -> dict[str, Any]:
    with use_locale(request_locale(request)):
        case = appeal_service.answer(
            db, case_id, account=account, message=body.message, uploads=[], settings=settings
        )
    return appeal_summary(case)
