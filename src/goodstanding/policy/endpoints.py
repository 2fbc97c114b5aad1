"""The policy API: the public policy list, and per seller its standing, violations, transitions,
document requests and additional-account requests (API keys with the sellers scopes)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from goodstanding.integrations.deps import require_api_key
from goodstanding.integrations.service import Scope
from goodstanding.kit.clock import utcnow
from goodstanding.models.api_key import ApiKey
from goodstanding.models.violation import Violation
from goodstanding.policy.additional_accounts import additional_account_service
from goodstanding.policy.documents import document_service
from goodstanding.policy.enums import Language
from goodstanding.policy.messaging import seller_language
from goodstanding.policy.policy_center import describe_policies
from goodstanding.policy.repository import policy_repository
from goodstanding.policy.schema import PolicySet
from goodstanding.policy.schemas import (
    AdditionalAccountIn,
    AdditionalAccountOut,
    CapabilitiesOut,
    DocumentOut,
    DocumentRequestIn,
    DocumentRequestOut,
    PoliciesOut,
    PolicyOut,
    RatingItemOut,
    RatingOut,
    StandingEventOut,
    StandingOut,
    TransitionIn,
    ViolationOut,
)
from goodstanding.policy.service import StandingReport, capabilities, policy_service
from goodstanding.web.deps import DbSession, request_locale

router = APIRouter(prefix="/api/v1", tags=["policies"])

SellersRead = Annotated[ApiKey, Depends(require_api_key(Scope.sellers_read))]
SellersWrite = Annotated[ApiKey, Depends(require_api_key(Scope.sellers_write))]


def loaded_policies(request: Request) -> PolicySet:
    policies: PolicySet = request.app.state.policies
    return policies


def _language(request: Request, lang: str | None) -> Language:
    return seller_language(lang or request_locale(request))


def _actor(key: ApiKey) -> str:
    return f"api-key:{key.name}"


@router.get("/policies", response_model=PoliciesOut)
def list_policies(
    request: Request, lang: Annotated[str | None, Query(pattern="^(en|es)$")] = None
) -> PoliciesOut:
    """Every enforced policy in plain words, generated from the loaded policy file."""
    language = _language(request, lang)
    described = describe_policies(loaded_policies(request), language)
    return PoliciesOut(
        language=language.value,
        policies=[PolicyOut.model_validate(asdict(item)) for item in described],
    )


def violation_out(violation: Violation, language: Language) -> ViolationOut:
    return ViolationOut(
        id=violation.id,
        policy_id=violation.policy_id,
        status=violation.status,
        opened_at=violation.opened_at,
        ahr_points=violation.ahr_points,
        step=violation.step_index + 1,
        action=violation.action,
        deadline=violation.deadline,
        awaiting_review=violation.awaiting_review,
        facts=violation.facts,
        evidence=violation.evidence,
        notice=violation.notices.get(language.value, ""),
        resolved_at=violation.resolved_at,
        overturned_by_platform_error=violation.overturned_by_platform_error,
    )


def rating_out(report: StandingReport) -> RatingOut:
    health = report.health
    return RatingOut(
        rating=health.rating,
        band=health.band,
        as_of=health.as_of,
        items=[
            RatingItemOut(
                kind=item.kind,
                points=item.points,
                violation_id=source.id if (source := report.violation_of(item)) else None,
                orders_fulfilled=item.orders_fulfilled,
            )
            for item in health.items
        ],
    )


@router.get("/sellers/{seller_id}/standing", response_model=StandingOut)
def seller_standing(
    seller_id: str,
    request: Request,
    db: DbSession,
    _key: SellersRead,
    lang: Annotated[str | None, Query(pattern="^(en|es)$")] = None,
) -> StandingOut:
    """Standing, what it allows, the Account Health Rating with every contributing violation, and
    the open violations with their evidence."""
    language = _language(request, lang)
    report = policy_service.standing_report(db, seller_id, utcnow().date())
    return StandingOut(
        seller_id=seller_id,
        standing=report.standing,
        meaning=report.rules.meaning[language],
        standing_changed_at=report.seller.standing_changed_at,
        capabilities=CapabilitiesOut(**capabilities(report.standing)),
        rating=rating_out(report),
        open_violations=[violation_out(v, language) for v in report.open_violations],
    )


@router.get("/sellers/{seller_id}/violations", response_model=list[ViolationOut])
def seller_violations(
    seller_id: str,
    request: Request,
    db: DbSession,
    _key: SellersRead,
    lang: Annotated[str | None, Query(pattern="^(en|es)$")] = None,
) -> list[ViolationOut]:
    policy_service.seller(db, seller_id)
    language = _language(request, lang)
    return [violation_out(v, language) for v in policy_repository.violations(db, seller_id)]


@router.post(
    "/sellers/{seller_id}/transitions",
    response_model=StandingEventOut,
    status_code=201,
    responses={409: {"description": "Not allowed from the current standing, or it changed."}},
)
def seller_transition(
    seller_id: str, body: TransitionIn, db: DbSession, key: SellersWrite
) -> StandingEventOut:
    """An operator suspends, reinstates or otherwise moves a seller, with a reason."""
    event = policy_service.transition(
        db, seller_id, body.to, reason=body.reason, actor=_actor(key), policy_id=body.policy_id
    )
    return StandingEventOut.model_validate(event)


@router.get("/sellers/{seller_id}/documents", response_model=list[DocumentOut])
def seller_documents(seller_id: str, db: DbSession, _key: SellersRead) -> list[DocumentOut]:
    policy_service.seller(db, seller_id)
    return [DocumentOut.model_validate(d) for d in document_service.documents(db, seller_id)]


@router.post(
    "/sellers/{seller_id}/document-requests", response_model=DocumentRequestOut, status_code=201
)
def request_document(
    seller_id: str, body: DocumentRequestIn, db: DbSession, key: SellersWrite
) -> DocumentRequestOut:
    """Ask the seller for a document by a deadline; past it, the documents policy applies."""
    made = document_service.request(
        db, seller_id, body.kind, deadline=body.deadline, actor=_actor(key)
    )
    return DocumentRequestOut.model_validate(made)


@router.get("/sellers/{seller_id}/document-requests", response_model=list[DocumentRequestOut])
def document_requests(seller_id: str, db: DbSession, _key: SellersRead) -> list[DocumentRequestOut]:
    policy_service.seller(db, seller_id)
    return [DocumentRequestOut.model_validate(r) for r in document_service.requests(db, seller_id)]


@router.post(
    "/sellers/{seller_id}/additional-accounts",
    response_model=AdditionalAccountOut,
    status_code=201,
)
def ask_additional_account(
    seller_id: str, body: AdditionalAccountIn, db: DbSession, _key: SellersWrite
) -> AdditionalAccountOut:
    """The marketplace forwards a seller's request for an additional selling account."""
    made = additional_account_service.ask(
        db,
        seller_id,
        additional_seller_id=body.additional_seller_id,
        business_reason=body.business_reason,
    )
    return AdditionalAccountOut.model_validate(made)


@router.get("/sellers/{seller_id}/additional-accounts", response_model=list[AdditionalAccountOut])
def additional_accounts(
    seller_id: str, db: DbSession, _key: SellersRead
) -> list[AdditionalAccountOut]:
    policy_service.seller(db, seller_id)
    return [
        AdditionalAccountOut.model_validate(r)
        for r in additional_account_service.requests(db, seller_id)
    ]
