"""Seller performance metrics as data: what is counted, over which days, against which target.

Semantics shared by every engine (reference, DuckDB, Spark, online counters)
--------------------------------------------------------------------------
Metrics are computed *as of a day D* (a UTC date). Only events with occurred_at up to the end of D
(UTC) count; later events are ignored as if they had not happened yet.

A metric has a window of N days ending ``offset_days`` before D: the days
``D - offset - N + 1 .. D - offset`` inclusive. The day of a time is its UTC date. Each order
falls in the window by one *basis day* that depends on the measure:

- ``order_defect`` (ODR), ``seller_cancel`` (cancel rate), ``sales``: the day the order was placed
  (occurred_at of its ``order.placed`` event).
- ``late_shipment``, ``valid_tracking``: the day its shipment was confirmed.
- ``on_time_delivery``: the day of its ``expected_delivery_by``.
- ``feedback_stars``, ``negative_feedback``: the day of its latest feedback.

The order's state is read from its events (see ``order_state``). Where the issue leaves room:

- An order exists from its ``order.placed`` event; events of an order with no ``order.placed`` up to
  D count for nothing until it arrives. If several ``order.placed`` events name one order, the
  earliest defines it.
- "Latest" and "first" order events by (occurred_at, event_id), so equal times still give one
  answer.
- Cancelled vs shipped: whichever of the first cancellation and the first shipment confirmation came
  first decides. A cancellation after the shipment was confirmed is not a cancellation (declining to
  ship a confirmed order is a refund); a shipment confirmed after the cancellation is ignored.
  Who cancelled is read from the first cancellation.
- Defective order (ODR): its latest feedback has 1 or 2 stars, or it has a claim that is open or
  whose latest decision is ``granted`` (a claim whose latest decision is denied or withdrawn does
  not count; a decision without a seen opening still decides the claim), or it has a ``service``
  chargeback. An order counts once however many defects it has.
- Late shipment: the first confirmation is strictly after ``expected_ship_by``.
- Valid tracking: the latest ``order.shipped`` of the order carries a tracking number (a later
  confirmation corrects the number) and at least one tracking scan was received.
- On-time delivery: among orders not cancelled, delivered (first ``order.delivered``) at or before
  ``expected_delivery_by``. An order not delivered by D is not on time.
- Sales per week: orders placed in the window and not cancelled (by anyone), divided by the number
  of weeks in the window; the denominator is that number of weeks.
- Feedback rating: the latest feedback of each order whose latest feedback falls in the window;
  numerator the sum of stars, denominator the number of such orders (value = average stars).
  Negative feedback rate: numerator the orders among them with 1-2 stars.

Status (see ``status``): ``not_enough_orders`` when the denominator is 0 or below ``min_orders``;
``failing`` when the value misses the target; ``at_risk`` when it meets the target but has used at
least 80% of what the target allows (``at_risk_band`` = 20%); ``good`` otherwise.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from goodstanding.events.schemas import Channel


class Measure(StrEnum):
    """What is counted per order; several metrics may count the same measure over other windows."""

    ORDER_DEFECT = "order_defect"
    SELLER_CANCEL = "seller_cancel"
    LATE_SHIPMENT = "late_shipment"
    VALID_TRACKING = "valid_tracking"
    ON_TIME_DELIVERY = "on_time_delivery"
    SALES = "sales"
    FEEDBACK_STARS = "feedback_stars"
    NEGATIVE_FEEDBACK = "negative_feedback"

    @property
    def per_week(self) -> bool:
        """Counted per week of the window rather than per order."""
        return self is Measure.SALES


class Comparison(StrEnum):
    """How the value must compare with the target to meet it."""

    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"

    @property
    def lower_is_better(self) -> bool:
        return self in (Comparison.LT, Comparison.LE)


class MetricDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
    measure: Measure
    channel: Channel | None = None
    """Only orders of this channel; None counts every channel."""
    window_days: Annotated[int, Field(ge=1, le=3650)]
    offset_days: Annotated[int, Field(ge=0, le=3650)] = 0
    target: Annotated[Decimal, Field(ge=0)]
    comparison: Comparison
    ceiling: Annotated[Decimal, Field(gt=0)] | None = None
    """Best possible value of a higher-is-better metric (1 for a rate, 5 for stars), from which the
    at-risk band is measured; None for an unbounded count (sales per week)."""
    at_risk_band: Annotated[Decimal, Field(gt=0, lt=1)] = Decimal("0.2")
    min_orders: Annotated[int, Field(ge=0)] = 10

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.measure.per_week and self.window_days % 7:
            raise ValueError(f"{self.name}: a per-week measure needs whole weeks as its window")
        if self.ceiling is not None:
            if self.comparison.lower_is_better:
                raise ValueError(f"{self.name}: a ceiling only applies to higher-is-better metrics")
            if self.ceiling <= self.target:
                raise ValueError(f"{self.name}: the ceiling must be above the target")
        return self

    def window(self, as_of: date) -> tuple[date, date]:
        """First and last day (inclusive) of the window as of day ``as_of``."""
        last = as_of - timedelta(days=self.offset_days)
        return last - timedelta(days=self.window_days - 1), last

    def denominator_of(self, counted_orders: int) -> int:
        """The metric's denominator given the orders counted in its window: the number of weeks
        for a per-week measure, else the orders."""
        return self.window_days // 7 if self.measure.per_week else counted_orders


class MetricsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    metrics: Annotated[tuple[MetricDefinition, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        names = [metric.name for metric in self.metrics]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"metric names must be unique: {', '.join(duplicates)}")
        return self

    def by_name(self, name: str) -> MetricDefinition:
        for metric in self.metrics:
            if metric.name == name:
                return metric
        raise KeyError(name)


_RATE = Decimal(1)
_DEFAULTS: tuple[dict[str, Any], ...] = (
    # Order defect rate, separately per fulfilment channel: 60 days by order date, lagged 14 days so
    # that feedback, claims and chargebacks have time to arrive (reference §1.1.4).
    {
        "name": "order_defect_rate_seller",
        "measure": Measure.ORDER_DEFECT,
        "channel": Channel.SELLER,
        "window_days": 60,
        "offset_days": 14,
        "target": Decimal("0.01"),
        "comparison": Comparison.LT,
    },
    {
        "name": "order_defect_rate_marketplace",
        "measure": Measure.ORDER_DEFECT,
        "channel": Channel.MARKETPLACE,
        "window_days": 60,
        "offset_days": 14,
        "target": Decimal("0.01"),
        "comparison": Comparison.LT,
    },
    {
        "name": "cancel_rate",
        "measure": Measure.SELLER_CANCEL,
        "channel": Channel.SELLER,
        "window_days": 7,
        "target": Decimal("0.025"),
        "comparison": Comparison.LT,
    },
    {
        "name": "late_shipment_rate_10d",
        "measure": Measure.LATE_SHIPMENT,
        "channel": Channel.SELLER,
        "window_days": 10,
        "target": Decimal("0.04"),
        "comparison": Comparison.LT,
    },
    {
        "name": "late_shipment_rate_30d",
        "measure": Measure.LATE_SHIPMENT,
        "channel": Channel.SELLER,
        "window_days": 30,
        "target": Decimal("0.04"),
        "comparison": Comparison.LT,
    },
    {
        "name": "valid_tracking_rate",
        "measure": Measure.VALID_TRACKING,
        "channel": Channel.SELLER,
        "window_days": 30,
        "target": Decimal("0.95"),
        "comparison": Comparison.GT,
        "ceiling": _RATE,
    },
    {
        "name": "on_time_delivery_rate",
        "measure": Measure.ON_TIME_DELIVERY,
        "channel": Channel.SELLER,
        "window_days": 14,
        "offset_days": 7,
        "target": Decimal("0.90"),
        "comparison": Comparison.GE,
        "ceiling": _RATE,
    },
    # The marketplace's rule: at least 2 sales a week over 4 weeks. A count, so no minimum volume.
    {
        "name": "sales_per_week",
        "measure": Measure.SALES,
        "window_days": 28,
        "target": Decimal(2),
        "comparison": Comparison.GE,
        "min_orders": 0,
    },
    # Issue 6's default for negative ratings: average below 3.0 over at least 20 ratings.
    {
        "name": "feedback_rating",
        "measure": Measure.FEEDBACK_STARS,
        "window_days": 365,
        "target": Decimal("3.0"),
        "comparison": Comparison.GE,
        "ceiling": Decimal(5),
        "min_orders": 20,
    },
    # ASSUMPTION: the issue asks for the number of 1-2 star feedbacks over 365 days without a
    # target; Walmart's negative-feedback limit (2%, reference §5.2) is the default.
    {
        "name": "negative_feedback_rate",
        "measure": Measure.NEGATIVE_FEEDBACK,
        "window_days": 365,
        "target": Decimal("0.02"),
        "comparison": Comparison.LE,
        "min_orders": 20,
    },
)

DEFAULT_CONFIG = MetricsConfig(metrics=tuple(MetricDefinition(**item) for item in _DEFAULTS))


class MetricsConfigError(ValueError):
    """The metrics configuration is invalid; the message names the metric and the field."""


def build_config(overrides: Mapping[str, Mapping[str, Any]]) -> MetricsConfig:
    """The default metrics with ``overrides`` applied.

    ``overrides`` maps a metric name to fields: for a default metric only the fields to change
    (e.g. ``{"cancel_rate": {"target": "0.02"}}``), for a new metric its full definition;
    ``{"enabled": false}`` drops a metric.
    """
    defaults = {metric.name: metric.model_dump() for metric in DEFAULT_CONFIG.metrics}
    merged: dict[str, dict[str, Any]] = dict(defaults)
    for name, fields in overrides.items():
        if not isinstance(fields, Mapping):
            raise MetricsConfigError(f"metrics.{name}: expected a table of fields")
        fields = dict(fields)
        if fields.pop("enabled", True) is False:
            merged.pop(name, None)
            continue
        merged[name] = {**defaults.get(name, {}), **fields, "name": name}
    metrics = []
    for name, fields in merged.items():
        try:
            metrics.append(MetricDefinition.model_validate(_decimals(fields)))
        except ValidationError as error:
            raise MetricsConfigError(f"metrics.{name}: {_first_problem(error)}") from None
    try:
        return MetricsConfig(metrics=tuple(metrics))
    except ValidationError as error:
        raise MetricsConfigError(_first_problem(error)) from None


def load_config(path: Path | None = None) -> MetricsConfig:
    """Read a TOML file of ``[metrics.NAME]`` tables (see ``build_config``); None: the defaults."""
    if path is None:
        return DEFAULT_CONFIG
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise MetricsConfigError(f"{path}: {error}") from None
    unknown = set(document) - {"metrics"}
    if unknown:
        raise MetricsConfigError(f"{path}: unknown top-level keys {', '.join(sorted(unknown))}")
    return build_config(document.get("metrics", {}))


def _decimals(fields: Mapping[str, Any]) -> dict[str, Any]:
    # TOML floats (0.025) would carry binary rounding into the exact status arithmetic; read them
    # through their shortest decimal text instead.
    return {
        key: Decimal(repr(value)) if isinstance(value, float) else value
        for key, value in fields.items()
    }


def _first_problem(error: ValidationError) -> str:
    detail = error.errors(include_url=False)[0]
    location = ".".join(str(part) for part in detail["loc"])
    message = str(detail["msg"]).removeprefix("Value error, ")
    return f"{location}: {message}" if location else message
