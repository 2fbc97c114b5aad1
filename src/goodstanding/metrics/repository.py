"""All SQL of the online metrics engine: order records, per-day counters, snapshots.

Writes are bulk: one ``INSERT ... ON CONFLICT DO UPDATE`` per batch of keys, never a
read-modify-write per row (``kit.bulk_sql.BulkUpsert``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Row,
    Table,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from goodstanding.events.schemas import Channel
from goodstanding.kit.bulk_sql import (
    BoundRows,
    BulkUpsert,
    chunks,
    dialect_insert,
    json_text_values,
)
from goodstanding.metrics.definitions import Measure, MetricsConfig
from goodstanding.metrics.order_state import micros
from goodstanding.models.metric_counter import MetricCounter
from goodstanding.models.metric_snapshot import MetricSnapshot
from goodstanding.models.order_record import OrderRecord
from goodstanding.models.seller import Seller

_counters: Table = MetricCounter.__table__  # type: ignore[assignment]
_orders: Table = OrderRecord.__table__  # type: ignore[assignment]
_snapshots: Table = MetricSnapshot.__table__  # type: ignore[assignment]
_sellers: Table = Seller.__table__  # type: ignore[assignment]


StoredOrder = Row[str, int, str]
"""An order's record as read: ``order_id``, ``last_event_micros``, ``state``. The database's
row itself, named and compared like a tuple: intake reads two for every order of a batch."""


COUNTER_MEASURES: tuple[Measure, ...] = tuple(Measure)
"""The measures of a counter row's (numerator, denominator) column pairs, in column order: a row
of values is ``[m0 numerator, m0 denominator, m1 numerator, ...]``."""

CounterRowKey = tuple[str, date, Channel]
"""A counter row's key: seller_id, day, channel."""


def counter_columns(measure: Measure) -> tuple[str, str]:
    """The names of ``measure``'s (numerator, denominator) columns in ``metric_counters``."""
    return f"{measure.value}_numerator", f"{measure.value}_denominator"


_COUNTER_VALUES = tuple(name for measure in COUNTER_MEASURES for name in counter_columns(measure))

ORDER_RECORD_COLUMNS = ("order_id", "seller_id", "placed_micros", "last_event_micros", "state")
_save_orders = BulkUpsert(
    _orders,
    ORDER_RECORD_COLUMNS,
    key=("order_id",),
    update={name: f"excluded.{name}" for name in ORDER_RECORD_COLUMNS[1:]},
)
_add_to_counters = BulkUpsert(
    _counters,
    ("seller_id", "day", "channel", *_COUNTER_VALUES),
    key=("seller_id", "day", "channel"),
    update={name: f"{_counters.name}.{name} + excluded.{name}" for name in _COUNTER_VALUES},
)

# The online read of one seller's metrics runs these two; built once, as building a statement
# (its columns and conditions) took about a fifth of a read's time.
_changed_since = select(_orders.c.order_id, _orders.c.state).where(
    _orders.c.seller_id.is_not(None), _orders.c.last_event_micros >= bindparam("since")
)
_sellers_changed_since = _changed_since.where(
    _orders.c.seller_id.in_(bindparam("seller_ids", expanding=True))
)
_seller_counters = select(
    _counters.c.seller_id,
    _counters.c.day,
    _counters.c.channel,
    *(_counters.c[name] for name in _COUNTER_VALUES),
).where(
    _counters.c.seller_id.in_(bindparam("seller_ids", expanding=True)),
    _counters.c.day >= bindparam("first"),
    _counters.c.day <= bindparam("last"),
)


class MetricsRepository:
    # --- order records ---------------------------------------------------------------------------

    def lock_orders(self, db: Session, order_ids: Collection[str]) -> None:
        """Serialise the writes of concurrent batches that touch the same orders (PostgreSQL;
        SQLite already serialises writers). Transaction-scoped advisory locks, which also cover
        orders with no row yet, taken in one sorted pass. A batch takes its locks in one order,
        each kind sorted: the event log's keys, sellers, these, then order records and counters;
        and it takes no event or seller key after these. So two batches never wait on each other
        in a cycle."""
        if db.get_bind().dialect.name != "postgresql" or not order_ids:
            return
        db.execute(
            text(
                "SELECT count(pg_advisory_xact_lock(lock_key)) FROM ("
                "SELECT DISTINCT hashtextextended(order_id, 0) AS lock_key "
                "FROM unnest(CAST(:order_ids AS text[])) AS order_id ORDER BY lock_key) AS keys"
            ),
            {"order_ids": sorted(order_ids)},
        )

    def orders(self, db: Session, order_ids: Collection[str]) -> dict[str, StoredOrder]:
        rows = db.execute(
            select(_orders.c.order_id, _orders.c.last_event_micros, _orders.c.state).where(
                _orders.c.order_id.in_(json_text_values(db, order_ids))
            )
        )
        return {row[0]: row for row in rows}

    def bind_order_records(self, db: Session, rows: Sequence[tuple[Any, ...]]) -> BoundRows:
        """Order records (tuples in ``ORDER_RECORD_COLUMNS`` order) bound for ``save_orders``."""
        return _save_orders.bind(db, rows)

    def save_orders(self, db: Session, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert or replace order records, given as tuples in ``ORDER_RECORD_COLUMNS`` order
        (or bound by ``bind_order_records``)."""
        _save_orders.execute(db, rows)

    def orders_changed_since(
        self, db: Session, moment: datetime, seller_ids: Collection[str] | None
    ) -> list[tuple[str, str]]:
        """(order_id, state) of placed orders with an event at or after ``moment``, of the given
        sellers (None: of every seller)."""
        since = {"since": micros(moment)}
        if seller_ids is None:
            return [(order_id, state) for order_id, state in db.execute(_changed_since, since)]
        found: list[tuple[str, str]] = []
        for part in chunks(sorted(seller_ids)):
            rows = db.execute(_sellers_changed_since, {**since, "seller_ids": part})
            found += [(order_id, state) for order_id, state in rows]
        return found

    def sellers_with_orders(self, db: Session, placed_before: datetime) -> list[str]:
        """Every seller with at least one order placed before ``placed_before``, sorted."""
        rows = db.execute(
            select(_orders.c.seller_id)
            .where(_orders.c.placed_micros < micros(placed_before))
            .distinct()
            .order_by(_orders.c.seller_id)
        )
        return [seller_id for (seller_id,) in rows]

    def is_known_seller(self, db: Session, seller_id: str) -> bool:
        """A seller of the marketplace: registered, or the seller of at least one order."""
        registered = select(_sellers.c.id).where(_sellers.c.id == seller_id)
        has_orders = select(_orders.c.order_id).where(_orders.c.seller_id == seller_id)
        return bool(db.scalar(select(or_(registered.exists(), has_orders.exists()))))

    def register_sellers(self, db: Session, seller_ids: Collection[str]) -> None:
        """Give every seller seen in an order a ``sellers`` row (left alone when it exists), so
        the policy engine can judge sellers known only from events. (A few rows per batch, so the
        model's Python-side column defaults are worth SQLAlchemy's insert.)"""
        for part in chunks(sorted(seller_ids)):
            db.execute(
                dialect_insert(db, _sellers).on_conflict_do_nothing(index_elements=[_sellers.c.id]),
                [{"id": seller_id} for seller_id in part],
            )

    # --- counters --------------------------------------------------------------------------------

    def add_to_counters(self, db: Session, changes: Mapping[CounterRowKey, Sequence[int]]) -> None:
        """Add each row of deltas (in ``COUNTER_MEASURES`` order) to its counter row, creating
        missing rows; rows of zeros are left out."""
        _add_to_counters.execute(
            db,
            [
                (seller_id, day, channel.value, *deltas)
                for (seller_id, day, channel), deltas in changes.items()
                if any(deltas)
            ],
        )

    def window_sums(
        self, db: Session, config: MetricsConfig, as_of: date
    ) -> dict[str, list[tuple[int, int]]]:
        """Per seller, the summed (numerator, counted orders) of each configured metric over its
        window as of ``as_of`` (in the configuration's order), added up by the database from every
        seller's counters. Sellers with no counter in any window are left out."""
        c = _counters.c
        windows = [metric.window(as_of) for metric in config.metrics]
        sums = []
        for metric, (first, last) in zip(config.metrics, windows, strict=True):
            conditions = [c.day >= first, c.day <= last]
            if metric.channel is not None:
                conditions.append(c.channel == metric.channel.value)
            counted = and_(*conditions)
            for name in counter_columns(metric.measure):
                sums.append(func.sum(case((counted, c[name]), else_=0)))
        query = (
            select(c.seller_id, *sums)
            .where(
                c.day >= min(first for first, _ in windows),
                c.day <= max(last for _, last in windows),
            )
            .group_by(c.seller_id)
        )
        found: dict[str, list[tuple[int, int]]] = {}
        for row in db.execute(query):
            values = [int(value or 0) for value in row[1:]]
            found[row[0]] = list(zip(values[::2], values[1::2], strict=True))
        return found

    def seller_counters(
        self, db: Session, seller_ids: Collection[str], first: date, last: date
    ) -> list[tuple[Any, ...]]:
        """(seller_id, day, channel, values...) of the given sellers' counter rows from ``first``
        to ``last``, values in ``COUNTER_MEASURES`` order: a range of the primary key per seller,
        a row per day and channel, for the online read of one seller's metrics."""
        found: list[tuple[Any, ...]] = []
        for part in chunks(sorted(seller_ids)):
            rows = db.execute(_seller_counters, {"seller_ids": part, "first": first, "last": last})
            found += [tuple(row) for row in rows]
        return found

    # --- snapshots -------------------------------------------------------------------------------

    def save_snapshots(self, db: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert or replace snapshot rows (one per seller, metric and day)."""
        for part in chunks(rows, 2000):
            statement = dialect_insert(db, _snapshots)
            db.execute(
                statement.on_conflict_do_update(
                    index_elements=[_snapshots.c.seller_id, _snapshots.c.metric, _snapshots.c.day],
                    set_={
                        name: statement.excluded[name]
                        for name in (
                            "numerator",
                            "denominator",
                            "target",
                            "status",
                            "window_start",
                            "window_end",
                            "taken_at",
                        )
                    },
                ),
                list(part),
            )

    def snapshots(
        self, db: Session, seller_id: str, metric: str, first: date, last: date
    ) -> list[MetricSnapshot]:
        return list(
            db.scalars(
                select(MetricSnapshot)
                .where(
                    MetricSnapshot.seller_id == seller_id,
                    MetricSnapshot.metric == metric,
                    MetricSnapshot.day >= first,
                    MetricSnapshot.day <= last,
                )
                .order_by(MetricSnapshot.day)
            )
        )


metrics_repository = MetricsRepository()
