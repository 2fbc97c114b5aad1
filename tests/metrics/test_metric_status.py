"""Status classification at the exact boundaries, in Python and in SQL."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodstanding.metrics.definitions import DEFAULT_CONFIG, MetricDefinition
from goodstanding.metrics.status import Status, classify, status_sql

GOOD, AT_RISK, FAILING, NOT_ENOUGH = (
    Status.GOOD,
    Status.AT_RISK,
    Status.FAILING,
    Status.NOT_ENOUGH_ORDERS,
)


def metric(name: str) -> MetricDefinition:
    return DEFAULT_CONFIG.by_name(name)


class TestClassify:
    @pytest.mark.parametrize(
        ("numerator", "denominator", "expected"),
        [
            (10, 1000, FAILING),  # exactly 1%: "below 1%" is missed
            (9, 1000, AT_RISK),  # 0.9% >= 0.8%
            (8, 1000, AT_RISK),  # exactly 0.8%: the band starts here
            (7, 1000, GOOD),
            (0, 9, NOT_ENOUGH),  # below the minimum of 10 orders
            (0, 0, NOT_ENOUGH),
        ],
    )
    def test_order_defect_rate(self, numerator: int, denominator: int, expected: Status) -> None:
        assert classify(numerator, denominator, metric("order_defect_rate_seller")) == expected

    @pytest.mark.parametrize(
        ("numerator", "denominator", "expected"),
        [
            (95, 100, FAILING),  # "above 95%": exactly 95% misses
            (955, 1000, AT_RISK),  # shortfall 4.5% >= 0.8 * 5%
            (96, 100, AT_RISK),  # shortfall exactly 4%
            (961, 1000, GOOD),
        ],
    )
    def test_valid_tracking_rate(self, numerator: int, denominator: int, expected: Status) -> None:
        assert classify(numerator, denominator, metric("valid_tracking_rate")) == expected

    @pytest.mark.parametrize(
        ("numerator", "denominator", "expected"),
        [
            (89, 100, FAILING),
            (90, 100, AT_RISK),
            (92, 100, AT_RISK),
            (93, 100, GOOD),
        ],
    )
    def test_on_time_delivery_rate(
        self, numerator: int, denominator: int, expected: Status
    ) -> None:
        assert classify(numerator, denominator, metric("on_time_delivery_rate")) == expected

    @pytest.mark.parametrize(
        ("numerator", "expected"),
        [
            (0, FAILING),
            (7, FAILING),
            (8, AT_RISK),
            (9, AT_RISK),
            (10, GOOD),
        ],
    )
    def test_sales_per_week_over_four_weeks(self, numerator: int, expected: Status) -> None:
        assert classify(numerator, 4, metric("sales_per_week")) == expected

    def test_feedback_rating_needs_twenty_ratings(self) -> None:
        rating = metric("feedback_rating")
        assert classify(19 * 5, 19, rating) == NOT_ENOUGH
        assert classify(59, 20, rating) == FAILING  # 2.95 stars
        assert classify(60, 20, rating) == AT_RISK  # 3.0: shortfall 2.0 >= 0.8 * 2.0
        assert classify(68, 20, rating) == AT_RISK  # 3.4: shortfall exactly 1.6
        assert classify(69, 20, rating) == GOOD  # 3.45


class TestStatusSql:
    @settings(max_examples=60, deadline=None)
    @given(
        name=st.sampled_from([m.name for m in DEFAULT_CONFIG.metrics]),
        denominator=st.integers(0, 2000),
        share=st.fractions(0, 1),
    )
    def test_sql_classifies_like_python(self, name: str, denominator: int, share: object) -> None:
        definition = metric(name)
        numerator = int(share * denominator * (5 if name == "feedback_rating" else 1))  # type: ignore[operator]
        query = f"SELECT {status_sql(definition, str(numerator), str(denominator))}"
        with duckdb.connect() as connection:
            ((status,),) = connection.execute(query).fetchall()
        assert status == classify(numerator, denominator, definition)
