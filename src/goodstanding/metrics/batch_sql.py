"""The metric definitions compiled to one SQL query, run by the DuckDB and the Spark engines.

Both engines run the same query text; a ``Dialect`` supplies the few spellings that differ (parsing
the JSON data, building a struct, an array, exploding it). The query reads a relation of stored
events (``event_id, type, occurred_at, data``; see ``events.schemas.StoredEvent``) and returns one
row per seller and metric: ``seller_id, metric, numerator, denominator, value, target, status``,
ordered by seller_id and then the configuration's order of metrics. The same query also comes in
three steps (parsed events split by order, per-seller partial sums per part, their total) for a
log whose per-order grouping does not fit in memory (``batch_duckdb``'s ``partitions``).

How it mirrors ``order_state``: every per-order fact is an aggregate that ignores repeats and
arrival order (the first or last by a *stamp*, "any" flags), so the events need no deduplication
pass. Times are fixed-width UTC text, so comparing two times and taking a time's day (its first 10
characters) are plain string operations, exact in both engines. The stamp is occurred_at followed
by event_id: as the time part has a fixed width, comparing two stamps as strings compares
(occurred_at, event_id) pairs, the order ``order_state`` uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from goodstanding.events.schemas import format_stored_time
from goodstanding.metrics.definitions import Measure, MetricDefinition, MetricsConfig
from goodstanding.metrics.reference import end_of_day
from goodstanding.metrics.status import status_sql

OUTPUT_COLUMNS = ("seller_id", "metric", "numerator", "denominator", "value", "target", "status")

# The fields of every order event's data that a metric reads, with their SQL types.
_DATA_FIELDS = (
    ("order_id", "VARCHAR"),
    ("seller_id", "VARCHAR"),
    ("channel", "VARCHAR"),
    ("expected_ship_by", "VARCHAR"),
    ("expected_delivery_by", "VARCHAR"),
    ("tracking_number", "VARCHAR"),
    ("by", "VARCHAR"),
    ("stars", "INTEGER"),
    ("claim_id", "VARCHAR"),
    ("outcome", "VARCHAR"),
    ("kind", "VARCHAR"),
)


@dataclass(frozen=True)
class Dialect:
    name: str
    quote: str
    """The identifier quote: ``by`` is a keyword in both dialects."""

    def parse_data(self, column: str) -> str:
        if self.name == "duckdb":
            schema = ", ".join(f'"{name}": "{kind}"' for name, kind in _DATA_FIELDS)
            return f"json_transform({column}, '{{{schema}}}')"
        schema = ", ".join(
            f"`{name}` {'INT' if kind == 'INTEGER' else 'STRING'}" for name, kind in _DATA_FIELDS
        )
        return f"from_json({column}, '{schema}')"

    def struct(self, **fields: str) -> str:
        if self.name == "duckdb":
            return "struct_pack(" + ", ".join(f"{k} := {v}" for k, v in fields.items()) + ")"
        return "named_struct(" + ", ".join(f"'{k}', {v}" for k, v in fields.items()) + ")"

    def array(self, items: list[str]) -> str:
        return ("list_value(" if self.name == "duckdb" else "array(") + ", ".join(items) + ")"

    @property
    def first_by(self) -> str:
        """``f(value, ordering)``: the value on the row with the least non-null ordering."""
        return "arg_min" if self.name == "duckdb" else "min_by"

    @property
    def last_by(self) -> str:
        return "arg_max" if self.name == "duckdb" else "max_by"

    @property
    def explode(self) -> str:
        return "unnest" if self.name == "duckdb" else "explode"


DUCKDB = Dialect("duckdb", '"')
SPARK = Dialect("spark", "`")


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


# Per measure: the order's basis day, whether it counts at all, and its numerator (SQL over the
# ``facts`` columns below).
_MEASURES: dict[Measure, tuple[str, str, str]] = {
    Measure.ORDER_DEFECT: ("placed_day", "TRUE", _flag("defective")),
    Measure.SELLER_CANCEL: ("placed_day", "TRUE", _flag("cancelled_by IN ('seller', 'system')")),
    Measure.SALES: ("placed_day", "cancelled_by IS NULL", "1"),
    Measure.LATE_SHIPMENT: (
        "shipped_day",
        "shipped_at IS NOT NULL",
        _flag("shipped_at > expected_ship_by"),
    ),
    Measure.VALID_TRACKING: (
        "shipped_day",
        "shipped_at IS NOT NULL",
        _flag("has_tracking_number AND scanned"),
    ),
    Measure.ON_TIME_DELIVERY: (
        "expected_delivery_day",
        "cancelled_by IS NULL",
        _flag("delivered_at IS NOT NULL AND delivered_at <= expected_delivery_by"),
    ),
    Measure.FEEDBACK_STARS: ("feedback_day", "feedback_stars IS NOT NULL", "feedback_stars"),
    Measure.NEGATIVE_FEEDBACK: (
        "feedback_day",
        "feedback_stars IS NOT NULL",
        _flag("feedback_stars <= 2"),
    ),
}


def _sums(metric: MetricDefinition, index: int, as_of: date) -> str:
    day, eligible, numerator = _MEASURES[metric.measure]
    first, last = metric.window(as_of)
    condition = f"{eligible} AND {day} BETWEEN '{first}' AND '{last}'"
    if metric.channel is not None:
        condition += f" AND channel = '{metric.channel}'"
    counted = f"CAST(sum(CASE WHEN {condition} THEN 1 ELSE 0 END) AS BIGINT)"
    denominator = metric.denominator_of(0) if metric.measure.per_week else counted
    return (
        f"CAST(sum(CASE WHEN {condition} THEN {numerator} ELSE 0 END) AS BIGINT) AS n{index}, "
        f"{denominator} AS d{index}"
    )


def _metric_struct(dialect: Dialect, metric: MetricDefinition, index: int) -> str:
    numerator, denominator = f"n{index}", f"d{index}"
    return dialect.struct(
        ordinal=str(index),
        metric=f"'{metric.name}'",
        numerator=numerator,
        denominator=f"CAST({denominator} AS BIGINT)",
        value=(
            f"CASE WHEN {denominator} = 0 THEN NULL "
            f"ELSE CAST({numerator} AS DOUBLE) / {denominator} END"
        ),
        target=f"'{metric.target}'",
        status=status_sql(metric, numerator, denominator),
    )


def _parsed_events(events: str, as_of: date, dialect: Dialect) -> str:
    """The order events of relation ``events`` up to the end of ``as_of``, their data parsed:
    ``type, occurred_at, stamp, j``."""
    end = end_of_day(as_of).strftime("%Y-%m-%dT%H:%M:%S")
    return f"""
  SELECT type, occurred_at, occurred_at || event_id AS stamp, {dialect.parse_data("data")} AS j
  FROM {events}
  WHERE occurred_at < '{end}'
    AND type IN ('order.placed', 'order.shipped', 'order.tracking_scanned', 'order.delivered',
                 'order.cancelled', 'feedback.left', 'claim.opened', 'claim.decided',
                 'chargeback.filed')"""


def _seller_sums(as_of: date, config: MetricsConfig, dialect: Dialect) -> str:
    """The common table expressions from ``ev`` (the parsed events) to ``per_seller``: each
    seller's ``n<i>`` and ``d<i>`` for metric i."""
    d = dialect
    q = dialect.quote
    first, last, time_width = d.first_by, d.last_by, len(format_stored_time(datetime.now(UTC)))
    sums = ",\n  ".join(_sums(metric, index, as_of) for index, metric in enumerate(config.metrics))
    return f"""
orders AS (
  SELECT j.order_id AS order_id,
    min(CASE WHEN type = 'order.placed' THEN stamp END) AS placed_stamp,
    {first}(j.seller_id, CASE WHEN type = 'order.placed' THEN stamp END) AS seller_id,
    {first}(j.channel, CASE WHEN type = 'order.placed' THEN stamp END) AS channel,
    {first}(j.expected_ship_by, CASE WHEN type = 'order.placed' THEN stamp END)
      AS expected_ship_by,
    {first}(j.expected_delivery_by, CASE WHEN type = 'order.placed' THEN stamp END)
      AS expected_delivery_by,
    min(CASE WHEN type = 'order.shipped' THEN stamp END) AS ship_stamp,
    {last}(coalesce(j.tracking_number, ''), CASE WHEN type = 'order.shipped' THEN stamp END)
      AS tracking_number,
    max(CASE WHEN type = 'order.tracking_scanned' THEN 1 ELSE 0 END) AS scanned,
    min(CASE WHEN type = 'order.delivered' THEN occurred_at END) AS delivered_at,
    min(CASE WHEN type = 'order.cancelled' THEN stamp END) AS cancel_stamp,
    {first}(j.{q}by{q}, CASE WHEN type = 'order.cancelled' THEN stamp END) AS first_cancel_by,
    max(CASE WHEN type = 'feedback.left' THEN stamp END) AS feedback_stamp,
    {last}(j.stars, CASE WHEN type = 'feedback.left' THEN stamp END) AS feedback_stars,
    max(CASE WHEN type = 'chargeback.filed' AND j.kind = 'service' THEN 1 ELSE 0 END)
      AS service_chargeback
  FROM ev
  WHERE type NOT IN ('claim.opened', 'claim.decided')
  GROUP BY j.order_id
),
claims AS (
  SELECT j.order_id AS order_id, j.claim_id AS claim_id,
    {last}(j.outcome, CASE WHEN type = 'claim.decided' THEN stamp END) AS outcome
  FROM ev
  WHERE type IN ('claim.opened', 'claim.decided')
  GROUP BY j.order_id, j.claim_id
),
claimed_orders AS (
  SELECT order_id,
    max(CASE WHEN outcome IS NULL OR outcome = 'granted' THEN 1 ELSE 0 END) AS counted_claim
  FROM claims
  GROUP BY order_id
),
decided AS (
  SELECT o.*, c.counted_claim,
    CASE WHEN cancel_stamp IS NOT NULL AND (ship_stamp IS NULL OR cancel_stamp < ship_stamp)
      THEN first_cancel_by END AS cancelled_by
  FROM orders o LEFT JOIN claimed_orders c ON c.order_id = o.order_id
  WHERE o.placed_stamp IS NOT NULL
),
facts AS (
  SELECT seller_id, channel, cancelled_by, expected_ship_by, expected_delivery_by,
    substr(placed_stamp, 1, 10) AS placed_day,
    CASE WHEN cancelled_by IS NULL THEN substr(ship_stamp, 1, {time_width}) END AS shipped_at,
    CASE WHEN cancelled_by IS NULL THEN substr(ship_stamp, 1, 10) END AS shipped_day,
    substr(expected_delivery_by, 1, 10) AS expected_delivery_day,
    tracking_number <> '' AS has_tracking_number,
    scanned = 1 AS scanned,
    delivered_at,
    feedback_stars,
    substr(feedback_stamp, 1, 10) AS feedback_day,
    coalesce(feedback_stars <= 2, FALSE) OR coalesce(counted_claim = 1, FALSE)
      OR service_chargeback = 1 AS defective
  FROM decided
),
per_seller AS (
  SELECT seller_id,
  {sums}
  FROM facts
  GROUP BY seller_id
)"""


def _metric_rows(config: MetricsConfig, dialect: Dialect) -> str:
    """The output rows from ``per_seller``, ordered."""
    metric_structs = [_metric_struct(dialect, metric, i) for i, metric in enumerate(config.metrics)]
    return f"""
per_metric AS (
  SELECT seller_id, {dialect.explode}({dialect.array(metric_structs)}) AS m
  FROM per_seller
)
SELECT seller_id, m.metric AS metric, m.numerator AS numerator, m.denominator AS denominator,
  m.value AS value, m.target AS target, m.status AS status
FROM per_metric
ORDER BY seller_id, m.ordinal
"""


def metrics_query(events: str, as_of: date, config: MetricsConfig, dialect: Dialect) -> str:
    """The query computing every metric of ``config`` as of ``as_of`` over relation ``events``."""
    return (
        f"WITH ev AS ({_parsed_events(events, as_of, dialect)}\n),"
        f"{_seller_sums(as_of, config, dialect)},{_metric_rows(config, dialect)}"
    )


# Running by order partitions. Every event the metrics read carries its order's id, so each
# order's events can be grouped apart from every other order's: the parsed events are split by a
# hash of the order id, each part gives per-seller partial sums, and the sums are added up. Used
# when the per-order grouping of the whole log does not fit in memory.


def partitioned_events_query(events: str, as_of: date, partitions: int) -> str:
    """DuckDB: the parsed events of ``events`` with the number of their part, ``part``, in
    0..partitions-1 (to be written out partitioned by it)."""
    return (
        f"SELECT *, CAST(hash(j.order_id) % {partitions} AS INTEGER) AS part "
        f"FROM ({_parsed_events(events, as_of, DUCKDB)}\n)"
    )


def partial_sums_query(parsed: str, as_of: date, config: MetricsConfig, dialect: Dialect) -> str:
    """Per seller, the sums ``n<i>, d<i>`` over relation ``parsed`` (one part of the parsed
    events): a seller's sums over all parts add up to its sums over the whole log."""
    return (
        f"WITH ev AS (SELECT type, occurred_at, stamp, j FROM {parsed}),"
        f"{_seller_sums(as_of, config, dialect)}\nSELECT * FROM per_seller"
    )


def combined_query(partial: str, config: MetricsConfig, dialect: Dialect) -> str:
    """The output rows from relation ``partial`` (the union of every part's partial sums)."""
    sums = ",\n  ".join(
        f"CAST(sum(n{index}) AS BIGINT) AS n{index}, "
        # A per-week denominator is the number of weeks, the same in every part.
        + (f"min(d{index})" if metric.measure.per_week else f"CAST(sum(d{index}) AS BIGINT)")
        + f" AS d{index}"
        for index, metric in enumerate(config.metrics)
    )
    return (
        f"WITH per_seller AS (\n  SELECT seller_id,\n  {sums}\n  FROM {partial}\n"
        f"  GROUP BY seller_id\n),{_metric_rows(config, dialect)}"
    )
