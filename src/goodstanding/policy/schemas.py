"""The JSON the policy API reads and writes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from goodstanding.policy.enums import DocumentKind, Severity
from goodstanding.policy.standing import Standing


class _Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PolicyOut(_Schema):
    id: str
    title: str
    summary: str
    severity: Severity
    severity_label: str
    ahr_points: int
    rule: str
    consequences: list[str]
    ladder_note: str
    automation: str
    shadow: bool
    shadow_note: str | None
    condition: dict[str, Any]


class PoliciesOut(_Schema):
    language: str
    policies: list[PolicyOut]


class CapabilitiesOut(_Schema):
    can_list: bool
    can_sell: bool
    payouts: str
    can_receive_payouts: bool
    can_buy: bool


class ViolationOut(_Schema):
    id: str
    policy_id: str
    status: str
    opened_at: datetime
    ahr_points: int
    step: int = Field(description="Ladder step, 1 for the first.")
    action: str
    deadline: date | None
    awaiting_review: bool
    facts: dict[str, Any]
    evidence: list[str]
    notice: str
    resolved_at: datetime | None
    overturned_by_platform_error: bool


class RatingItemOut(_Schema):
    kind: str
    points: int
    violation_id: str | None = None
    orders_fulfilled: int | None = None


class RatingOut(_Schema):
    rating: int
    band: str
    as_of: date
    items: list[RatingItemOut]


class StandingOut(_Schema):
    seller_id: str
    standing: Standing
    meaning: str
    standing_changed_at: datetime | None
    capabilities: CapabilitiesOut
    rating: RatingOut
    open_violations: list[ViolationOut]


class TransitionIn(_Schema):
    to: Standing
    reason: str = Field(min_length=1, max_length=2000)
    policy_id: str | None = None


class StandingEventOut(_Schema):
    id: str
    seller_id: str
    from_standing: str
    to_standing: str
    reason: str
    actor: str
    policy_id: str | None
    at: datetime


class DocumentRequestIn(_Schema):
    kind: DocumentKind
    deadline: date


class DocumentRequestOut(_Schema):
    id: str
    kind: str
    requested_on: date
    deadline: date
    fulfilled_at: datetime | None


class DocumentOut(_Schema):
    id: str
    kind: str
    file_kind: str
    size_bytes: int
    uploaded_on: date
    expires_on: date | None


class AdditionalAccountIn(_Schema):
    additional_seller_id: str = Field(min_length=1, max_length=200)
    business_reason: str = Field(min_length=1, max_length=4000)


class AdditionalAccountOut(_Schema):
    id: str
    seller_id: str
    additional_seller_id: str
    business_reason: str
    status: str
    case_id: str | None
    decided_at: datetime | None
