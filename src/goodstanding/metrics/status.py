"""Classify a metric value: good, at_risk, failing or not_enough_orders.

The rule, for a value v = numerator / denominator and a target t:

- ``not_enough_orders``: the denominator is 0 or below the metric's ``min_orders``.
- ``failing``: v misses the target (``lt``: v >= t; ``le``: v > t; ``gt``: v <= t; ``ge``: v < t).
- ``at_risk``: v meets the target but has used at least 80% (1 - ``at_risk_band``) of what the
  target allows. Lower is better: v >= 0.8 t. Higher is better with a ceiling c (a rate's 1,
  five stars): the shortfall c - v is at least 0.8 (c - t), i.e. v <= c - 0.8 (c - t); so against
  "above 95%" a valid tracking rate of 95.5% is at risk and 96.5% is good. Higher is better
  without a ceiling (sales per week): v <= 1.2 t.
- ``good`` otherwise.

Every comparison is exact: both sides are cross-multiplied integers (n * q against p * d for a
fraction p/q), never floats, so Python, DuckDB and Spark classify a boundary value identically.
``status_sql`` writes the same rule as a SQL expression for the batch engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import cache

from goodstanding.metrics.definitions import Comparison, MetricDefinition


class Status(StrEnum):
    GOOD = "good"
    AT_RISK = "at_risk"
    FAILING = "failing"
    NOT_ENOUGH_ORDERS = "not_enough_orders"


@dataclass(frozen=True, slots=True)
class _Bound:
    """``value <op> fraction`` where op is one of <, <=, >, >=."""

    op: str
    fraction: Fraction

    def holds(self, numerator: int, denominator: int) -> bool:
        left = numerator * self.fraction.denominator
        right = self.fraction.numerator * denominator
        return _COMPARE[self.op](left, right)

    def sql(self, numerator: str, denominator: str) -> str:
        return (
            f"({numerator} * {self.fraction.denominator} {self.op} "
            f"{self.fraction.numerator} * {denominator})"
        )


_COMPARE = {
    "<": int.__lt__,
    "<=": int.__le__,
    ">": int.__gt__,
    ">=": int.__ge__,
}
_OPERATOR = {Comparison.LT: "<", Comparison.LE: "<=", Comparison.GT: ">", Comparison.GE: ">="}


@dataclass(frozen=True, slots=True)
class Cutoffs:
    min_orders: int
    meets_target: _Bound
    at_risk: _Bound


@cache  # a read of one seller's metrics classifies each of them; definitions are few and frozen
def cutoffs(metric: MetricDefinition) -> Cutoffs:
    target = Fraction(metric.target)
    used = 1 - Fraction(metric.at_risk_band)
    if metric.comparison.lower_is_better:
        at_risk = _Bound(">=", used * target)
    elif metric.ceiling is not None:
        ceiling = Fraction(metric.ceiling)
        at_risk = _Bound("<=", ceiling - used * (ceiling - target))
    else:
        at_risk = _Bound("<=", (2 - used) * target)
    return Cutoffs(
        min_orders=metric.min_orders,
        meets_target=_Bound(_OPERATOR[metric.comparison], target),
        at_risk=at_risk,
    )


def classify(numerator: int, denominator: int, metric: MetricDefinition) -> Status:
    rule = cutoffs(metric)
    if denominator == 0 or denominator < rule.min_orders:
        return Status.NOT_ENOUGH_ORDERS
    if not rule.meets_target.holds(numerator, denominator):
        return Status.FAILING
    if rule.at_risk.holds(numerator, denominator):
        return Status.AT_RISK
    return Status.GOOD


def status_sql(metric: MetricDefinition, numerator: str, denominator: str) -> str:
    """``classify`` as a SQL CASE expression over two integer column expressions."""
    rule = cutoffs(metric)
    return (
        f"CASE WHEN {denominator} = 0 OR {denominator} < {rule.min_orders} "
        f"THEN '{Status.NOT_ENOUGH_ORDERS}' "
        f"WHEN NOT {rule.meets_target.sql(numerator, denominator)} THEN '{Status.FAILING}' "
        f"WHEN {rule.at_risk.sql(numerator, denominator)} THEN '{Status.AT_RISK}' "
        f"ELSE '{Status.GOOD}' END"
    )


def value(numerator: int, denominator: int) -> Fraction | None:
    """The exact value, or None when the denominator is 0."""
    return Fraction(numerator, denominator) if denominator else None
