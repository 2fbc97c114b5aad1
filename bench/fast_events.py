"""A fast, seeded stand-in for the demo generator's stored event table, built set-wise in DuckDB.

The pure-Python demo generator (``goodstanding.demo.generator``) writes ~5,000 orders/s and holds
the whole table in memory, so the issue's 50M orders would take ~3 hours and more memory than a
small machine has. This module (~29,000 orders/s on 2 shared cores, one time slice in memory at a
time) writes the same stored table (columns
``event_id, type, occurred_at, data``; ``data`` compact JSON with sorted keys and every field
present, times in the canonical ``2024-06-01T09:30:00.000000Z`` form) with the same event types and
the same per-order life as the generator: most sellers healthy, 14% failing one metric and 7% right
at a metric's threshold (the generator's own rate tables), buyer and seller/system cancellations,
late shipments, missing tracking numbers and scans, late deliveries, feedback, defect claims
decided later, denied/withdrawn claims, service and fraud chargebacks, reviews, and the sellers'
sign-in, payout and listing events. Every random draw is a hash of (seed, order or seller number,
draw name), so the same options give the same file whatever the thread count. Events after the end
of ``as_of`` are dropped; the file is written in time order (occurred_at, event_id), as ingest
appends them.

Differences from the demo generator: the draws differ, so the same seed gives other events; a
seller's order count over the window is drawn once (normal approximation of the Poisson) rather
than day by day, and a seller's orders are numbered consecutively; none of these is read by the
metrics: no linked accounts, restricted listings or incentivised reviews are planted, a seller's
listings are one product, reviews carry one text.

    .venv/bin/python bench/fast_events.py --sellers 200000 --orders-per-seller-per-day 2.1 \\
        --out /tmp/events-50m.parquet
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from goodstanding.demo.generator import (
    _BORDERLINE,
    _BRANDS,
    _FAILING,
    _PRODUCTS,
    _USER_AGENTS,
    PLAYED_METRICS,
    _Rates,
)

AS_OF = date(2024, 6, 30)
# Event numbers per order (the k in event number = 16 * order number + k): the generator's order.
_SLOTS = 16
_MAX_LIFE_DAYS = 45
ROW_GROUP = 122_880
STORED_SCHEMA = pa.schema(
    [(name, pa.string()) for name in ("event_id", "type", "occurred_at", "data")]
)


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _rates_values() -> str:
    rows = [("healthy", "", _Rates())]
    rows += [("failing", metric, _FAILING[metric]) for metric in PLAYED_METRICS]
    rows += [("borderline", metric, _BORDERLINE[metric]) for metric in PLAYED_METRICS]
    return ",\n    ".join(
        f"({_text(kind)}, {_text(metric)}, {r.defect}, {r.seller_cancel}, {r.buyer_cancel}, "
        f"{r.late_shipment}, {r.invalid_tracking}, {r.late_delivery}, {r.low_stars})"
        for kind, metric, r in rows
    )


def _list(values: list[str]) -> str:
    return "[" + ", ".join(_text(v) for v in values) + "]"


def _pick(values: list[str], draw: str) -> str:
    """One of ``values``, uniformly by the draw (a uniform in [0, 1))."""
    return f"{_list(values)}[1 + floor({draw} * {len(values)})::INTEGER]"


def events_query(
    *,
    sellers: int,
    days: int,
    orders_per_seller_per_day: float,
    buyers: int,
    seed: int,
    as_of: date = AS_OF,
    failing_share: float = 0.14,
    borderline_share: float = 0.07,
    first_second: int = 0,
    end_second: int | None = None,
) -> str:
    """The SQL producing the stored events table, unordered; ``t, number`` give the time order.

    Only the events from ``first_second`` to before ``end_second`` (seconds from the start of the
    window) come out, so a large table can be written a slice of time at a time.
    """
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    start_us = int((end - timedelta(days=days)).timestamp()) * 1_000_000
    span = days * 86_400
    lo, hi = first_second, min(span, span if end_second is None else end_second)
    played = _list(list(PLAYED_METRICS))
    categories = [p[0] for p in _PRODUCTS]
    products = [p[1] for p in _PRODUCTS]
    variants = [p[2][0] for p in _PRODUCTS]

    def u(key: str, name: str) -> str:
        # A uniform draw in [0, 1): 53 bits of the hash of (key, draw name, seed).
        return f"((hash({key}, '{name}', {seed}) >> 11)::DOUBLE / 9007199254740992.0)"

    def randint(key: str, name: str, low: int, high: int) -> str:
        return f"({low} + floor({u(key, name)} * {high - low + 1})::BIGINT)"

    def ts(seconds: str) -> str:
        return (
            f"strftime(make_timestamp({start_us} + ({seconds}) * 1000000), '%Y-%m-%dT%H:%M:%S')"
            " || '.000000Z'"
        )

    def ev(k: int, cond: str, t: str, kind: str, data: str) -> str:
        return (
            f"CASE WHEN {cond} AND ({t}) >= {lo} AND ({t}) < {hi} "
            f"THEN {{'k': {k}, 't': {t}, 'type': '{kind}', 'data': {data}}} END"
        )

    oid = "order_id"
    order_events = [
        ev(
            0,
            "TRUE",
            "p",
            "order.placed",
            f"""'{{"amount":"' || {randint("o", "amount", 5, 300)} || '.'
              || lpad({randint("o", "cents", 0, 99)}::VARCHAR, 2, '0')
              || '","buyer_id":"' || buyer_id || '","channel":"' || channel
              || '","currency":"EUR","expected_delivery_by":"' || {ts("p + 604800")}
              || '","expected_ship_by":"' || {ts("p + 172800")}
              || '","items":[{{"listing_id":"listing-' || seller_id || '-'
              || floor({u("o", "listing")} * listings)::BIGINT
              || '","quantity":' || (CASE WHEN {u("o", "qty")} < 0.25 THEN 2 ELSE 1 END)
              || '}}],"order_id":"' || {oid} || '","seller_id":"' || seller_id || '"}}'""",
        ),
        ev(
            1,
            "cancelled_by IS NOT NULL",
            "cancel_t",
            "order.cancelled",
            f"""'{{"by":"' || cancelled_by || '","order_id":"' || {oid} || '"}}'""",
        ),
        ev(
            2,
            "cancelled_by IS NULL",
            "ship_t",
            "order.shipped",
            f"""'{{"carrier":"' || {_pick(["UPS", "DHL", "USPS", "GLS"], u("o", "carrier"))}
              || '","order_id":"' || {oid} || '","tracking_number":'
              || CASE WHEN no_number THEN 'null' ELSE '"1Z'
                   || lpad(floor({u("o", "tracking")} * 1e12)::BIGINT::VARCHAR, 12, '0') || '"'
                 END || '}}'""",
        ),
        ev(
            3,
            "cancelled_by IS NULL AND NOT invalid",
            f"ship_t + 3600 * {randint('o', 'scan', 2, 20)}",
            "order.tracking_scanned",
            f"""'{{"order_id":"' || {oid} || '"}}'""",
        ),
        ev(
            4,
            "cancelled_by IS NULL",
            "delivered_t",
            "order.delivered",
            f"""'{{"order_id":"' || {oid} || '"}}'""",
        ),
        ev(
            5,
            "cancelled_by IS NULL AND ((is_defect AND defect_kind = 0) OR feedback)",
            "later_t",
            "feedback.left",
            f"""'{{"comment":"' || CASE WHEN is_defect THEN 'Item arrived broken.'
                  WHEN stars > 3 THEN 'Thanks!' ELSE 'Okay.' END
              || '","order_id":"' || {oid} || '","stars":' || stars || '}}'""",
        ),
        ev(
            6,
            "cancelled_by IS NULL AND is_defect AND defect_kind = 1",
            "later_t",
            "claim.opened",
            f"""'{{"claim_id":"claim-' || {oid} || '","order_id":"' || {oid} || '"}}'""",
        ),
        ev(
            7,
            "cancelled_by IS NULL AND is_defect AND defect_kind = 1",
            f"later_t + 86400 * {randint('o', 'decided', 2, 9)}",
            "claim.decided",
            f"""'{{"claim_id":"claim-' || {oid} || '","order_id":"' || {oid}
              || '","outcome":"granted"}}'""",
        ),
        ev(
            8,
            "cancelled_by IS NULL AND is_defect AND defect_kind = 2",
            "later_t + 15 * 86400",
            "chargeback.filed",
            f"""'{{"kind":"service","order_id":"' || {oid} || '"}}'""",
        ),
        ev(
            9,
            f"cancelled_by IS NULL AND {u('o', 'denied')} < 0.004",
            "later_t",
            "claim.opened",
            f"""'{{"claim_id":"claim-' || {oid} || '-denied","order_id":"' || {oid} || '"}}'""",
        ),
        ev(
            10,
            f"cancelled_by IS NULL AND {u('o', 'denied')} < 0.004",
            "later_t + 4 * 86400",
            "claim.decided",
            f"""'{{"claim_id":"claim-' || {oid} || '-denied","order_id":"' || {oid}
              || '","outcome":"' || {_pick(["denied", "withdrawn"], u("o", "outcome"))}
              || '"}}'""",
        ),
        ev(
            11,
            f"cancelled_by IS NULL AND {u('o', 'fraud')} < 0.002",
            "later_t + 20 * 86400",
            "chargeback.filed",
            f"""'{{"kind":"fraud","order_id":"' || {oid} || '"}}'""",
        ),
        ev(
            12,
            f"cancelled_by IS NULL AND {u('o', 'review')} < 0.08",
            "later_t + 86400",
            "review.posted",
            f"""'{{"listing_id":"listing-' || seller_id || '-'
              || floor({u("o", "listing")} * listings)::BIGINT
              || '","order_id":"' || {oid} || '","review_id":"review-' || {oid}
              || '","reviewer_id":"' || buyer_id || '","seller_id":"' || seller_id
              || '","stars":'
              || {_pick(["5", "4", "4", "3", "2"], u("o", "review_stars"))}
              || ',"text":"Works exactly as described and arrived quickly."}}'""",
        ),
    ]
    listing_events = [
        ev(
            2 + item,
            f"{item} < listings",
            f"i * 60 + 60 * {1 + item}",
            "listing.created",
            f"""'{{"brand":"' || brand || '","category":"' || category
              || '","description":"' || product || ' by ' || brand
              || '. Ships from our warehouse.","listing_id":"listing-' || seller_id
              || '-{item}","seller_id":"' || seller_id || '","title":"' || brand || ' '
              || product || ', ' || variant || '"}}'""",
        )
        for item in range(8)
    ]
    seller_events = [
        ev(
            0,
            "TRUE",
            "i * 60",
            "account.signed_in",
            f"""'{{"account_id":"' || seller_id || '","device_id":"device-' || seller_id
              || '","ip":"10.' || (i // 65536 % 256) || '.' || (i // 256 % 256) || '.'
              || (i % 256) || '","user_agent":"'
              || {_pick(list(_USER_AGENTS), u("i", "agent"))} || '"}}'""",
        ),
        ev(
            1,
            "TRUE",
            "i * 60 + 30",
            "payout_account.set",
            """'{"account_id":"' || seller_id || '","bank_account_hash":"'
              || sha256('bank-' || seller_id) || '"}'""",
        ),
        *listing_events,
    ]
    return f"""
WITH rates(kind, metric, defect, seller_cancel, buyer_cancel, late_shipment, invalid_tracking,
    late_delivery, low_stars) AS (VALUES
    {_rates_values()}
),
planned AS (
  SELECT i, printf('seller-%06d', i) AS seller_id, {u("i", "plan")} AS plan,
    CASE WHEN plan < {failing_share} THEN 'failing'
         WHEN plan < {failing_share + borderline_share} THEN 'borderline'
         ELSE 'healthy' END AS kind,
    CASE WHEN kind = 'healthy' THEN ''
         WHEN kind = 'failing' THEN {played}[1 + floor(plan / {failing_share} * 7)::INTEGER]
         ELSE {played}[1 + floor((plan - {failing_share}) / {borderline_share} * 7)::INTEGER]
    END AS metric,
    {randint("i", "listings", 3, 8)} AS listings,
    {u("i", "product")} AS product_draw,
    {_pick(list(_BRANDS), u("i", "brand"))} AS brand,
    sqrt(-2 * ln(1 - {u("i", "z1")})) * cos(2 * pi() * {u("i", "z2")}) AS z_volume,
    sqrt(-2 * ln(1 - {u("i", "z3")})) * cos(2 * pi() * {u("i", "z4")}) AS z_count
  FROM range({sellers}) AS r(i)
),
sellers AS (
  SELECT p.*, r.* EXCLUDE (kind, metric),
    {_pick(categories, "product_draw")} AS category,
    {_pick(products, "product_draw")} AS product,
    {_pick(variants, "product_draw")} AS variant,
    CASE WHEN p.metric = 'sales_per_week' AND p.kind = 'failing' THEN 1 / 7
         WHEN p.metric = 'sales_per_week' THEN 2 / 7
         ELSE {orders_per_seller_per_day} * exp(0.6 * z_volume) / 1.2 END * {days} AS mean,
    greatest(0, round(mean + sqrt(mean) * z_count))::BIGINT AS n
  FROM planned p JOIN rates r ON r.kind = p.kind AND r.metric = p.metric
),
numbered AS (
  SELECT *, sum(n) OVER (ORDER BY i) - n AS first_order FROM sellers
),
orders AS (
  SELECT *, floor({u("o", "placed")} * {span})::BIGINT AS p
  FROM (SELECT *, first_order + unnest(range(n)) AS o FROM numbered)
),
lives AS (
  SELECT *, printf('order-%010d', o) AS order_id,
    printf('buyer-%07d', floor({u("o", "buyer")} * {buyers})::BIGINT) AS buyer_id,
    CASE WHEN {u("o", "channel")} < 0.25 THEN 'marketplace' ELSE 'seller' END AS channel,
    {u("o", "roll")} AS roll,
    CASE WHEN roll < buyer_cancel THEN 'buyer'
         WHEN roll < buyer_cancel + seller_cancel THEN
           CASE WHEN {u("o", "by_system")} < 0.3 THEN 'system' ELSE 'seller' END
    END AS cancelled_by,
    CASE WHEN cancelled_by = 'buyer' THEN p + 60 * {randint("o", "cancel", 5, 300)}
         WHEN cancelled_by = 'system' THEN p + 259200
         ELSE p + 60 * {randint("o", "cancel", 30, 1400)} END AS cancel_t,
    CASE WHEN {u("o", "late")} < late_shipment
         THEN p + 172800 + 60 * {randint("o", "ship", 1, 2880)}
         ELSE p + 60 * {randint("o", "ship", 60, 2800)} END AS ship_t,
    {u("o", "invalid")} < invalid_tracking AS invalid,
    invalid AND {u("o", "no_number")} < 0.5 AS no_number,
    CASE WHEN {u("o", "late_delivery")} < late_delivery
         THEN p + 604800 + 3600 * {randint("o", "deliver", 1, 96)}
         ELSE least(p + 604800, ship_t + 3600 * {randint("o", "deliver", 24, 96)})
    END AS delivered_t,
    delivered_t + 86400 * {randint("o", "later_days", 1, 10)}
      + floor({u("o", "later_s")} * 86400)::BIGINT AS later_t,
    {u("o", "defect")} < defect AS is_defect,
    floor({u("o", "defect_kind")} * 3)::INTEGER AS defect_kind,
    NOT is_defect AND {u("o", "feedback")} < 0.3 AS feedback,
    CASE WHEN is_defect THEN 1 + floor({u("o", "stars")} * 2)::INTEGER
         WHEN {u("o", "low")} < low_stars
           THEN {_pick(["2", "3", "3", "3"], u("o", "stars"))}::INTEGER
         ELSE {_pick(["5", "5", "5", "4", "4", "3"], u("o", "stars"))}::INTEGER
    END AS stars
  FROM orders
  -- An order's last event comes at most 43 days after it was placed.
  WHERE p >= {lo} - {_MAX_LIFE_DAYS} * 86400 AND p < {hi}
),
events AS (
  SELECT {_SLOTS} * {sellers} + {_SLOTS} * o AS base, unnest(list_filter([
    {", ".join(order_events)}
  ], lambda e: e IS NOT NULL)) AS e
  FROM lives
  UNION ALL
  SELECT {_SLOTS} * i AS base, unnest(list_filter([
    {", ".join(seller_events)}
  ], lambda e: e IS NOT NULL)) AS e
  FROM sellers
)
SELECT 'evt-' || lpad((base + e.k)::VARCHAR, 12, '0') AS event_id, e.type AS type,
  {ts("e.t")} AS occurred_at, e.data AS data, e.t AS t, base + e.k AS number
FROM events
"""


def write_events(
    out: Path,
    *,
    sellers: int,
    days: int = 120,
    orders_per_seller_per_day: float = 1.7,
    buyers: int | None = None,
    seed: int = 7,
    as_of: date = AS_OF,
    memory_limit: str = "8GB",
    temp_directory: Path = Path("/tmp/goodstanding-duckdb-spill"),
    slice_days: int = 12,
) -> int:
    """Write the events to ``out`` (Parquet, zstd, 122,880-row groups); returns how many.

    The table is built ``slice_days`` of event time at a time, each slice sorted on its own, so no
    sort has to hold the whole table (each slice ends with a short row group).
    """
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": memory_limit,
        "temp_directory": str(temp_directory),
    }
    partial = out.with_name(out.name + ".partial")
    rows = 0
    with (
        duckdb.connect(config=config) as con,
        pq.ParquetWriter(partial, STORED_SCHEMA, compression="zstd") as writer,
    ):
        for first_day in range(0, days, slice_days):
            query = events_query(
                sellers=sellers,
                days=days,
                orders_per_seller_per_day=orders_per_seller_per_day,
                buyers=buyers if buyers is not None else max(1000, sellers * 20),
                seed=seed,
                as_of=as_of,
                first_second=first_day * 86_400,
                end_second=(first_day + slice_days) * 86_400,
            )
            # Sorted here rather than by DuckDB: a slice's sort with its text payload did not
            # spill within the memory limit (DuckDB 2.0.1). Column by column, as one large_string
            # array (a slice's text passes 2 GiB), so this holds one slice plus one column.
            table = con.sql(query).to_arrow_reader(ROW_GROUP).read_all()
            order = pc.sort_indices(table, [("t", "ascending"), ("number", "ascending")])
            columns = {name: table.column(name) for name in STORED_SCHEMA.names}
            del table
            for name in STORED_SCHEMA.names:
                whole = columns.pop(name).cast(pa.large_string()).combine_chunks()
                columns[name] = whole.take(order)
                del whole
            table = pa.table(columns)
            del columns
            for start in range(0, table.num_rows, ROW_GROUP):
                # A slice keeps the offsets of the whole column, which pass 2 GiB at 2 orders a
                # seller a day; taking its rows copies them into arrays a 32-bit column holds.
                part = table.slice(start, ROW_GROUP)
                part = part.take(pa.array(range(part.num_rows)))
                writer.write_table(part.cast(STORED_SCHEMA))
            rows += table.num_rows
            del table, order
    partial.rename(out)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sellers", type=int, default=1000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--orders-per-seller-per-day", type=float, default=1.7)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--memory-limit", default="8GB")
    parser.add_argument("--temp-dir", type=Path, default=Path("/tmp/goodstanding-duckdb-spill"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--slice-days", type=int, default=12)
    parser.add_argument("--print-sql", action="store_true")
    args = parser.parse_args()
    if args.print_sql:
        print(
            events_query(
                sellers=args.sellers,
                days=args.days,
                orders_per_seller_per_day=args.orders_per_seller_per_day,
                buyers=max(1000, args.sellers * 20),
                seed=args.seed,
            )
        )
        return 0
    started = time.perf_counter()
    rows = write_events(
        args.out,
        sellers=args.sellers,
        days=args.days,
        orders_per_seller_per_day=args.orders_per_seller_per_day,
        seed=args.seed,
        memory_limit=args.memory_limit,
        temp_directory=args.temp_dir,
        slice_days=args.slice_days,
    )
    print(
        f"wrote {rows:,} events to {args.out} in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
