"""The reference computation of every metric: slow, plain Python, obviously correct.

It is the oracle the DuckDB and Spark engines and the online counters are tested against: it keeps
only the events up to the end of the day, folds each order's state, and for each seller and metric
walks the seller's orders one by one. The semantics are documented in ``definitions``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from goodstanding.events.schemas import Event, OrderEvent, is_order_event
from goodstanding.metrics.definitions import MetricsConfig
from goodstanding.metrics.order_state import OrderState, observe, reduce_orders
from goodstanding.metrics.results import MetricRow
from goodstanding.metrics.status import classify


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` (UTC): events at or after it do not count as of ``day``."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def order_events_until(events: Iterable[Event], as_of: date) -> list[OrderEvent]:
    end = end_of_day(as_of)
    return [event for event in events if is_order_event(event) and event.occurred_at < end]


def orders_by_seller(states: Iterable[OrderState]) -> dict[str, list[OrderState]]:
    """Placed orders grouped by seller: the sellers to report are exactly these keys."""
    grouped: dict[str, list[OrderState]] = defaultdict(list)
    for state in states:
        if state.placed is not None:
            grouped[state.placed[1].seller_id].append(state)
    return grouped


def compute_metrics(events: Iterable[Event], as_of: date, config: MetricsConfig) -> list[MetricRow]:
    """Every metric of every seller with at least one order, as of the end of ``as_of``, ordered
    by seller_id then by the configuration's order of metrics."""
    states = reduce_orders(order_events_until(events, as_of)).values()
    rows = []
    for seller_id, orders in sorted(orders_by_seller(states).items()):
        for metric in config.metrics:
            first, last = metric.window(as_of)
            numerator = counted = 0
            for state in orders:
                assert state.placed is not None
                if metric.channel is not None and state.placed[1].channel != metric.channel:
                    continue
                observation = observe(state, metric.measure)
                if observation is not None and first <= observation.day <= last:
                    numerator += observation.numerator
                    counted += observation.denominator
            denominator = metric.denominator_of(counted)
            rows.append(
                MetricRow(
                    seller_id=seller_id,
                    metric=metric.name,
                    numerator=numerator,
                    denominator=denominator,
                    target=metric.target,
                    status=classify(numerator, denominator, metric),
                    window_start=first,
                    window_end=last,
                )
            )
    return rows
