"""The metrics CSV contract."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from goodstanding.metrics.export import CSV_HEADER, format_value, write_csv
from goodstanding.metrics.results import MetricRow
from goodstanding.metrics.status import Status


@pytest.mark.parametrize(
    ("numerator", "denominator", "text"),
    [
        (1, 3, "0.333333"),
        (2, 3, "0.666667"),
        (1, 80, "0.0125"),
        (8, 4, "2"),
        (0, 7, "0"),
        (3, 0, ""),
        (1, 2_000_000, "0"),
        (3, 2_000_000, "0.000002"),
    ],
)
def test_value_is_exact_rounded_and_empty_without_denominator(
    numerator: int, denominator: int, text: str
) -> None:
    assert format_value(numerator, denominator) == text


def test_rows_are_written_in_contract_columns() -> None:
    rows = [
        MetricRow(
            "s,1",
            "cancel_rate",
            1,
            40,
            Decimal("0.025"),
            Status.FAILING,
            date(2024, 6, 24),
            date(2024, 6, 30),
        ),
        MetricRow(
            "s2",
            "cancel_rate",
            0,
            0,
            Decimal("0.025"),
            Status.NOT_ENOUGH_ORDERS,
            date(2024, 6, 24),
            date(2024, 6, 30),
        ),
    ]
    out = io.StringIO()
    assert write_csv(rows, out) == 2
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        list(CSV_HEADER),
        ["s,1", "cancel_rate", "1", "40", "0.025", "0.025", "failing"],
        ["s2", "cancel_rate", "0", "0", "", "0.025", "not_enough_orders"],
    ]
