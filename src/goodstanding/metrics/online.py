"""The online engine: each order event moves its order's state and its seller's per-day counters
in the intake's transaction; a seller's metrics are read back by summing counters.

Writing, in two steps: ``plan_order_events`` loads the states of the batch's orders in one query,
folds the new events in (``order_state.fold``) and adds up ``counter_changes(before, after)`` per
counter row (seller, day, channel: a column pair per measure) over the whole batch, writing
nothing; once the batch's events are stored, ``apply_order_plan`` checks under the write lock
(SQLite) or the orders' locks (PostgreSQL) that no order moved meanwhile (folding again those that
did) and writes each record and counter row once. A late or reordered event therefore
moves the counters exactly as if the events had come in order.

Reading as of a day D: counters hold what is known *now*, keyed by each order's basis day. An order
whose events continue after the end of D (a cancellation on D+1 of an order placed on D-3) counts
differently as of D, so the orders with an event after D are corrected: their state as of D is
refolded from their stored events and ``counter_changes(now, as of D)`` is applied to the sums.
For today that is usually no order at all, and for yesterday only the orders touched today, so
any past day is answered exactly and cheaply.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from goodstanding.events.repository import event_repository
from goodstanding.events.schemas import (
    OrderEvent,
    format_stored_time,
    is_order_event,
    parse_event,
    raw_from_stored,
)
from goodstanding.kit.bulk_sql import BoundRows
from goodstanding.metrics.definitions import MetricsConfig
from goodstanding.metrics.order_state import (
    CounterKey,
    OrderState,
    counter_changes,
    fold_with_latest,
    reduce_orders,
)
from goodstanding.metrics.reference import end_of_day
from goodstanding.metrics.repository import (
    COUNTER_MEASURES,
    CounterRowKey,
    StoredOrder,
    metrics_repository,
)
from goodstanding.metrics.results import MetricRow
from goodstanding.metrics.state_codec import decode_state, encode_state
from goodstanding.metrics.status import classify


class _FoldedOrder(NamedTuple):
    seen: StoredOrder | None
    """The order's record the events were folded into (None: no record yet)."""
    events: tuple[OrderEvent, ...]
    changes: dict[CounterKey, tuple[int, int]]
    record: tuple[object, ...] | None
    """The record to save, in ``ORDER_RECORD_COLUMNS`` order (None: nothing to save)."""


@dataclass(frozen=True, slots=True)
class OrderPlan:
    """A batch's order events folded into their orders as stored when they were read, with the
    counter changes of the whole batch added up: what ``apply_order_plan`` writes unless the
    orders moved in between. A plan is applied once."""

    folded: dict[str, _FoldedOrder]
    changes: dict[CounterRowKey, list[int]]
    """The counter rows' deltas (``COUNTER_MEASURES`` order)."""
    records: dict[str, tuple[object, ...]]
    """The records to save by order, their values already bound for the store."""


def _fold_order(
    order_id: str, record: StoredOrder | None, events: Sequence[OrderEvent]
) -> _FoldedOrder:
    before = None if record is None else decode_state(order_id, record.state)
    after, last_event = fold_with_latest(before or OrderState(order_id), events)
    if record is not None:
        if after == before and last_event <= record.last_event_micros:
            return _FoldedOrder(record, tuple(events), {}, None)
        last_event = max(last_event, record.last_event_micros)
    placed = after.placed
    saved = (
        order_id,
        None if placed is None else placed[1].seller_id,
        None if placed is None else placed[0][0],
        last_event,
        encode_state(after),
    )
    return _FoldedOrder(record, tuple(events), counter_changes(before, after), saved)


def _bound_records(db: Session, folded: Collection[_FoldedOrder]) -> dict[str, tuple[object, ...]]:
    saved = [order.record for order in folded if order.record is not None]
    return {str(record[0]): record for record in metrics_repository.bind_order_records(db, saved)}


_NUMERATOR_COLUMN = {measure: 2 * position for position, measure in enumerate(COUNTER_MEASURES)}
"""Where a measure's numerator is in a counter row's values (its denominator follows)."""
_ROW_WIDTH = 2 * len(COUNTER_MEASURES)


def _add_changes(
    total: dict[CounterRowKey, list[int]], changes: dict[CounterKey, tuple[int, int]], sign: int
) -> None:
    """Add ``sign`` times each counter's change to its counter row's deltas in ``total``."""
    for (seller_id, measure, channel, day), (numerator, denominator) in changes.items():
        row_key = (seller_id, day, channel)
        row = total.get(row_key)
        if row is None:
            row = total[row_key] = [0] * _ROW_WIDTH
        column = _NUMERATOR_COLUMN[measure]
        row[column] += sign * numerator
        row[column + 1] += sign * denominator


def plan_order_events(db: Session, events: Sequence[OrderEvent]) -> OrderPlan:
    """Fold order events into their orders as stored now, writing and locking nothing, so that
    another batch can write meanwhile: on SQLite, which has one writer, intake does this before it
    takes the write lock (1M events over HTTP, two server workers: the fold was two thirds of the
    time a batch held the lock); on PostgreSQL before it locks the orders, which consecutive
    batches share (``apply_order_plan``)."""
    by_order: dict[str, list[OrderEvent]] = defaultdict(list)
    for event in events:
        by_order[event.data.order_id].append(event)
    stored = metrics_repository.orders(db, by_order.keys())
    folded: dict[str, _FoldedOrder] = {}
    changes: dict[CounterRowKey, list[int]] = {}
    for order_id, order_events in by_order.items():
        folded[order_id] = _fold_order(order_id, stored.get(order_id), order_events)
        _add_changes(changes, folded[order_id].changes, 1)
    return OrderPlan(folded, changes, _bound_records(db, folded.values()))


def apply_order_plan(
    db: Session, plan: OrderPlan, stored_first_elsewhere: Collection[str]
) -> set[str]:
    """Write a plan's order records and counter changes, leaving out the events in
    ``stored_first_elsewhere`` (another batch stored them first and applies them; each event is
    applied once). An order whose record changed since the plan read it, or with such an event,
    is folded again here from its current record, so concurrent batches add up exactly as if
    they had come one after the other. Returns the sellers whose counters changed.

    On PostgreSQL the orders are locked first, until commit, so that no other batch changes them
    between this read and the writes; SQLite's write lock, which intake holds by now, does that
    there."""
    metrics_repository.lock_orders(db, plan.folded.keys())
    current = metrics_repository.orders(db, plan.folded.keys())
    changes, records = plan.changes, plan.records
    refolded: list[_FoldedOrder] = []
    for order_id, folded in plan.folded.items():
        events = folded.events
        if stored_first_elsewhere:
            events = tuple(
                event for event in events if event.event_id not in stored_first_elsewhere
            )
        record = current.get(order_id)
        if len(events) == len(folded.events) and record == folded.seen:
            continue
        _add_changes(changes, folded.changes, -1)
        records.pop(order_id, None)
        if events:
            refolded.append(_fold_order(order_id, record, events))
            _add_changes(changes, refolded[-1].changes, 1)
    records.update(_bound_records(db, refolded))
    metrics_repository.save_orders(db, BoundRows(records.values()))
    metrics_repository.add_to_counters(db, changes)
    return {seller_id for (seller_id, _, _), deltas in changes.items() if any(deltas)}


def _add_rows(
    sums: dict[str, list[tuple[int, int]]],
    rows: Iterable[Sequence[Any]],
    as_of: date,
    config: MetricsConfig,
) -> None:
    """Add counter rows (seller_id, day, channel, then their values in ``COUNTER_MEASURES``
    order) to each seller's (numerator, counted orders) per metric over its window as of
    ``as_of``; a seller with a row gets its sums even where the row counts for no metric."""
    covered = [
        (metric.channel, *metric.window(as_of), 3 + _NUMERATOR_COLUMN[metric.measure])
        for metric in config.metrics
    ]
    for row in rows:
        seller_id, day, channel = row[0], row[1], row[2]
        seller_sums = sums.setdefault(seller_id, [(0, 0)] * len(covered))
        for index, (metric_channel, first, last, column) in enumerate(covered):
            # the channel as stored text or as its enumeration, which equals it
            if (metric_channel is None or channel == metric_channel) and first <= day <= last:
                numerator, counted = seller_sums[index]
                seller_sums[index] = (numerator + row[column], counted + row[column + 1])


def _correct_for_later_events(
    db: Session,
    sums: dict[str, list[tuple[int, int]]],
    as_of: date,
    config: MetricsConfig,
    seller_ids: Collection[str] | None,
) -> None:
    """Take out of ``sums`` what events after the end of ``as_of`` added (see the module doc)."""
    end = end_of_day(as_of)
    changed = metrics_repository.orders_changed_since(db, end, seller_ids)
    if not changed:
        return
    stored_events = event_repository.order_events(
        db, [order_id for order_id, _ in changed], before=format_stored_time(end)
    )
    corrections: dict[CounterRowKey, list[int]] = {}
    for order_id, state in changed:
        events = [
            parse_event(raw_from_stored(stored)) for stored in stored_events.get(order_id, [])
        ]
        past = reduce_orders(event for event in events if is_order_event(event)).get(
            order_id
        ) or OrderState(order_id)
        _add_changes(corrections, counter_changes(decode_state(order_id, state), past), 1)
    _add_rows(sums, [(*key, *values) for key, values in corrections.items()], as_of, config)


def _sum_counters(
    db: Session, seller_ids: Collection[str], as_of: date, config: MetricsConfig
) -> dict[str, list[tuple[int, int]]]:
    """``window_sums`` for a few sellers: their counter rows, one per day and channel, read with
    one range query and added up here, which is cheaper than the database's grouped sums."""
    windows = [metric.window(as_of) for metric in config.metrics]
    rows = metrics_repository.seller_counters(
        db,
        seller_ids,
        min(first for first, _ in windows),
        max(last for _, last in windows),
    )
    sums: dict[str, list[tuple[int, int]]] = {}
    _add_rows(sums, rows, as_of, config)
    return sums


def metric_rows(
    db: Session, as_of: date, config: MetricsConfig, seller_ids: Collection[str] | None = None
) -> list[MetricRow]:
    """Every metric of the given sellers (None: of every seller with an order placed by the end
    of ``as_of``) as of ``as_of``, ordered by seller then the configuration's order of metrics."""
    if seller_ids is None:
        sums = metrics_repository.window_sums(db, config, as_of)
    else:
        sums = _sum_counters(db, seller_ids, as_of, config)
    _correct_for_later_events(db, sums, as_of, config, seller_ids)
    if seller_ids is None:
        seller_ids = metrics_repository.sellers_with_orders(db, end_of_day(as_of))
    return _rows(sums, seller_ids, as_of, config)


def seller_metric_rows(
    db: Session, seller_id: str, as_of: date, config: MetricsConfig
) -> tuple[list[MetricRow], bool]:
    """``metric_rows`` of one seller, and whether the seller has a counter in the windows (one
    that has is known; one that has none may be unknown, which the caller finds out)."""
    sums = _sum_counters(db, [seller_id], as_of, config)
    counted = seller_id in sums
    _correct_for_later_events(db, sums, as_of, config, [seller_id])
    return _rows(sums, [seller_id], as_of, config), counted


def _rows(
    sums: dict[str, list[tuple[int, int]]],
    seller_ids: Collection[str],
    as_of: date,
    config: MetricsConfig,
) -> list[MetricRow]:
    windows = [metric.window(as_of) for metric in config.metrics]
    empty = [(0, 0)] * len(config.metrics)
    rows = []
    for seller_id in sorted(seller_ids):
        seller_sums = sums.get(seller_id, empty)
        for metric, (first, last), (numerator, counted) in zip(
            config.metrics, windows, seller_sums, strict=True
        ):
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
