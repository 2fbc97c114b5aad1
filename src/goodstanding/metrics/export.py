"""The metrics CSV contract: ``seller_id,metric,numerator,denominator,value,target,status``.

One row per seller and metric for every seller with at least one order, in the order the engines
return them (seller_id, then the configuration's order of metrics). ``value`` is the exact quotient
rounded half-even to 6 decimal places with trailing zeros dropped (``0.0125``, ``0.333333``, ``2``),
and empty when the denominator is 0.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TextIO

from goodstanding.metrics.results import MetricRow

CSV_HEADER = ("seller_id", "metric", "numerator", "denominator", "value", "target", "status")
_SIX_PLACES = Decimal("0.000001")


def format_value(numerator: int, denominator: int) -> str:
    if denominator == 0:
        return ""
    exact = (Decimal(numerator) / Decimal(denominator)).quantize(_SIX_PLACES, ROUND_HALF_EVEN)
    text = format(exact, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def write_csv(rows: Iterable[MetricRow], out: TextIO) -> int:
    """Write the header and ``rows``; returns the number of rows written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    count = 0
    for row in rows:
        writer.writerow(
            (
                row.seller_id,
                row.metric,
                row.numerator,
                row.denominator,
                format_value(row.numerator, row.denominator),
                format(row.target, "f"),
                row.status.value,
            )
        )
        count += 1
    return count
