"""Small builders for policy-engine inputs, so each test states only what matters to it."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from goodstanding.policy.enums import Metric, Signal, ViolationStatus
from goodstanding.policy.inputs import DetectorSignal, MetricValue, SellerInputs, ViolationRecord
from goodstanding.policy.schema import PolicySet, load_policies

AS_OF = date(2024, 11, 16)


@cache
def default_policies() -> PolicySet:
    return load_policies()


def with_override(tmp_path: Path, text: str) -> PolicySet:
    override = tmp_path / "override.toml"
    override.write_text(text, encoding="utf-8")
    return load_policies(override)


def measured(numerator: int, denominator: int, *, window_days: int = 365) -> MetricValue:
    """A metric over the ``window_days`` days ending on AS_OF."""
    return MetricValue(
        numerator=numerator,
        denominator=denominator,
        window_start=AS_OF - timedelta(days=window_days - 1),
        window_end=AS_OF,
    )


def seller(**fields: Any) -> SellerInputs:
    values: dict[str, Any] = {"seller_id": "seller-1", "as_of": AS_OF, "orders_in_lookback": 500}
    values.update(fields)
    return SellerInputs(**values)


def with_metric(metric: Metric, value: MetricValue, **fields: Any) -> SellerInputs:
    return seller(metrics={metric: value}, **fields)


def signal(
    kind: Signal, *, subject: str = "listing-1", confidence: float = 0.99, days_ago: int = 0
) -> DetectorSignal:
    return DetectorSignal(
        signal=kind,
        subject=subject,
        confidence=confidence,
        detected_on=AS_OF - timedelta(days=days_ago),
    )


def violation(
    policy_id: str,
    *,
    days_ago: int = 10,
    status: ViolationStatus = ViolationStatus.RESOLVED,
    points: int = 50,
    step_index: int = 0,
    deadline: date | None = None,
) -> ViolationRecord:
    return ViolationRecord(
        policy_id=policy_id,
        opened_on=AS_OF - timedelta(days=days_ago),
        status=status,
        points=points,
        step_index=step_index,
        deadline=deadline,
    )
