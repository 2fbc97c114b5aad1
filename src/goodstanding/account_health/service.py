"""Everything the Account Health page and API show, gathered once for both faces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from goodstanding.account_health.charts import TrendPoint
from goodstanding.account_health.next_step import NextStep, Situation, next_step
from goodstanding.cases.appeals import appeal_service
from goodstanding.cases.queues import AWAITING
from goodstanding.metrics.results import MetricRow
from goodstanding.models.account import Account
from goodstanding.models.case import Case
from goodstanding.models.document_request import DocumentRequest
from goodstanding.models.seller import Seller
from goodstanding.models.violation import Violation
from goodstanding.policy.documents import document_service
from goodstanding.policy.enums import Action, Language, Metric
from goodstanding.policy.policy_center import describe_policies
from goodstanding.policy.rating import AccountHealth
from goodstanding.policy.schema import PolicySet
from goodstanding.policy.service import policy_service, stored_metrics
from goodstanding.policy.standing import Standing, StandingRules
from goodstanding.policy.wording import WORDING

TREND_DAYS = 90
TREND_STEP_DAYS = 7


@dataclass(frozen=True)
class MetricView:
    row: MetricRow
    name: str
    trend: tuple[TrendPoint, ...]

    @property
    def value(self) -> float | None:
        return float(self.row.value) if self.row.value is not None else None


@dataclass(frozen=True)
class ViolationView:
    violation: Violation
    title: str
    rule: str
    notice: str
    action: str


@dataclass(frozen=True)
class HealthView:
    seller: Seller
    standing: Standing
    rules: StandingRules
    health: AccountHealth
    violations: tuple[ViolationView, ...]
    metrics: tuple[MetricView, ...]
    documents_due: tuple[DocumentRequest, ...]
    appeals: tuple[Case, ...]
    next_step: NextStep
    titles: dict[str, str]

    @property
    def open_appeal(self) -> Case | None:
        return next((case for case in self.appeals if case.status == Case.Status.open), None)


def trend_days(as_of: date) -> list[date]:
    """The days the 90-day trend is drawn from, oldest first, the last being ``as_of``."""
    backs = range(0, TREND_DAYS, TREND_STEP_DAYS)
    return [as_of - timedelta(days=back) for back in reversed(backs)]


class AccountHealthService:
    def view(
        self,
        db: Session,
        seller: Seller,
        account: Account,
        *,
        language: Language,
        policies: PolicySet,
        today: date,
    ) -> HealthView:
        report = policy_service.standing_report(db, seller.id, today)
        descriptions = {p.id: p for p in describe_policies(policies, language)}
        wording = WORDING[language]
        violations = tuple(
            ViolationView(
                violation=violation,
                title=descriptions[violation.policy_id].title
                if violation.policy_id in descriptions
                else violation.policy_id,
                rule=descriptions[violation.policy_id].rule
                if violation.policy_id in descriptions
                else "",
                notice=violation.notices.get(language.value, ""),
                action=wording.actions[Action(violation.action)],
            )
            for violation in report.open_violations
        )
        appeals = tuple(appeal_service.of_account(db, account.id))
        documents_due = tuple(
            request
            for request in document_service.requests(db, seller.id)
            if request.fulfilled_at is None
        )
        open_appeal = next((c for c in appeals if c.status == Case.Status.open), None)
        situation = Situation(
            standing=report.standing,
            appeal_awaiting_answer=open_appeal is not None
            and open_appeal.payload.get(AWAITING) == "seller",
            appeal_open=open_appeal is not None,
            documents_due=len(documents_due),
            open_warnings=sum(1 for v in violations if v.violation.action == Action.WARNING),
        )
        return HealthView(
            seller=seller,
            standing=report.standing,
            rules=report.rules,
            health=report.health,
            violations=violations,
            metrics=tuple(self._metrics(db, seller.id, today, language)),
            documents_due=documents_due,
            appeals=appeals,
            next_step=next_step(situation),
            titles={policy_id: d.title for policy_id, d in descriptions.items()},
        )

    def _metrics(
        self, db: Session, seller_id: str, today: date, language: Language
    ) -> list[MetricView]:
        """Today's metrics, each with its value on the trend days (from the metrics engine)."""
        history: dict[str, dict[date, float | None]] = {}
        days = trend_days(today)
        for day in days:
            for row in stored_metrics(db, seller_id, day):
                history.setdefault(row.metric, {})[day] = (
                    float(row.value) if row.value is not None else None
                )
        names = WORDING[language].metric_names
        views = []
        for row in stored_metrics(db, seller_id, today):
            known = history.get(row.metric, {})
            name = names.get(Metric(row.metric), row.metric) if _is_metric(row.metric) else ""
            views.append(
                MetricView(
                    row=row,
                    name=name or row.metric,
                    trend=tuple(TrendPoint(day, known.get(day)) for day in days),
                )
            )
        return views


def _is_metric(name: str) -> bool:
    return name in {metric.value for metric in Metric}


def health_json(view: HealthView, next_step_text: str) -> dict[str, Any]:
    """The API's form of the view."""
    return {
        "seller_id": view.seller.id,
        "standing": str(view.standing),
        "capabilities": {
            "can_list": view.rules.can_list,
            "can_sell": view.rules.can_sell,
            "payouts": str(view.rules.payouts),
        },
        "rating": {
            "value": view.health.rating,
            "band": str(view.health.band),
            "items": [
                {
                    "kind": str(item.kind),
                    "points": item.points,
                    "policy_id": item.violation.policy_id if item.violation else None,
                }
                for item in view.health.items
            ],
        },
        "metrics": [
            {
                "metric": m.row.metric,
                "value": m.value,
                "numerator": m.row.numerator,
                "denominator": m.row.denominator,
                "target": str(m.row.target),
                "status": str(m.row.status),
                "trend": [
                    {"day": point.day.isoformat(), "value": point.value} for point in m.trend
                ],
            }
            for m in view.metrics
        ],
        "violations": [
            {
                "id": v.violation.id,
                "policy_id": v.violation.policy_id,
                "title": v.title,
                "rule": v.rule,
                "notice": v.notice,
                "evidence": list(v.violation.evidence),
                "action": v.violation.action,
                "deadline": v.violation.deadline.isoformat() if v.violation.deadline else None,
                "ahr_points": v.violation.ahr_points,
            }
            for v in view.violations
        ],
        "documents_due": [
            {"kind": request.kind, "deadline": request.deadline.isoformat()}
            for request in view.documents_due
        ],
        "appeals": [appeal_summary(case) for case in view.appeals],
        "next_step": {"code": str(view.next_step), "text": next_step_text},
    }


def appeal_summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "status": case.status,
        "path": case.payload.get("path"),
        "violation_ids": case.payload.get("violation_ids", []),
        "awaiting_your_answer": case.payload.get(AWAITING) == "seller",
        "opened_at": case.created_at.isoformat(),
    }


account_health_service = AccountHealthService()
