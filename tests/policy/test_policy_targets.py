"""The policy file is the single enforced source of metric targets; the metrics engine's own
targets (for its export and status) must say the same."""

from __future__ import annotations

from goodstanding.metrics.definitions import DEFAULT_CONFIG
from goodstanding.metrics.definitions import Comparison as MetricComparison
from goodstanding.policy.enums import Comparison
from goodstanding.policy.schema import MetricCondition
from tests.policy.policy_factories import default_policies

SAME_COMPARISON = {
    Comparison.BELOW: MetricComparison.LT,
    Comparison.AT_MOST: MetricComparison.LE,
    Comparison.ABOVE: MetricComparison.GT,
    Comparison.AT_LEAST: MetricComparison.GE,
}


def test_default_targets_agree_with_the_metrics_engine() -> None:
    compared = 0
    for policy in default_policies().policies:
        condition = policy.condition
        if not isinstance(condition, MetricCondition):
            continue
        metric = DEFAULT_CONFIG.by_name(condition.metric.value)
        assert metric.target == condition.threshold, policy.id
        assert metric.comparison is SAME_COMPARISON[condition.target], policy.id
        assert metric.window_days == condition.window_days, policy.id
        compared += 1
    assert compared >= 9
