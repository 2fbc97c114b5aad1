"""Batch recompute of every seller's metrics: the DuckDB engine against two baselines.

Baselines, measured in the same run on the same stored events:
- one hand-tuned DuckDB query written for the default metrics (arg_min/arg_max, FILTER, no
  definition compiler); goal: the engine within 1.5x of it;
- a pandas groupby pipeline computing the same numbers; goal: the engine at least 5x faster. With
  ``--pandas-partitions N`` it runs out of core: one pass decodes the events batch by batch and
  spills them to N Parquet partitions by hash of order id, then each partition is grouped on its
  own and the per-seller sums are added up (an order's events all land in one partition).
With ``--partitions N`` both DuckDB runs go by N order partitions (the engine's
``batch_duckdb.compute_arrow(partitions=N)``; the hand-tuned query split the same way, written
here): one pass parses the events into Parquet parts by hash of order id, each part is summed per
seller, and the sums are added up; for logs whose per-order grouping does not fit in memory.
Every baseline's numerators and denominators are checked equal to the engine's before timing counts.
Each measurement runs in a forked child so its peak memory (max RSS) is its own. Both DuckDB runs
use the same connection settings (``--memory-limit``, ``--temp-dir`` and ``--max-spill`` for
spilling).

The events come from the demo generator, or with ``--fast-data`` from ``fast_events`` (the same
stored table built set-wise in DuckDB, ~6x faster and in bounded memory; needed for the issue's
size).

    .venv/bin/python bench/bench_batch.py                      # ~200k orders, a few minutes
    .venv/bin/python bench/bench_batch.py --fast-data --sellers 200000 \\
        --orders-per-seller-per-day 2.1 --data /tmp/events-50m.parquet --partitions 16 \\
        --pandas-partitions 64  # 50M orders
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from fast_events import write_events

from goodstanding.demo.generator import GeneratorOptions, generate_events, write_parquet
from goodstanding.events.schemas import ORDER_EVENT_TYPES
from goodstanding.metrics import batch_duckdb
from goodstanding.metrics.definitions import DEFAULT_CONFIG

AS_OF = date(2024, 6, 30)


def _window(name: str) -> tuple[str, str]:
    first, last = DEFAULT_CONFIG.by_name(name).window(AS_OF)
    return str(first), str(last)


def hand_tuned_parse(source: str) -> str:
    return f"""
  SELECT event_id, type, occurred_at, json_transform(data, '{{"order_id": "VARCHAR",
    "seller_id": "VARCHAR", "channel": "VARCHAR", "expected_ship_by": "VARCHAR",
    "expected_delivery_by": "VARCHAR", "tracking_number": "VARCHAR", "by": "VARCHAR",
    "stars": "INTEGER", "claim_id": "VARCHAR", "outcome": "VARCHAR", "kind": "VARCHAR"}}') AS j
  FROM {source} WHERE occurred_at < '{AS_OF + timedelta(days=1)}'"""


def hand_tuned_sums() -> str:
    """From ``ev`` (the parsed events) to ``s``: per seller, d<i> and n<i>."""
    odr, cancel = _window("order_defect_rate_seller"), _window("cancel_rate")
    late10, late30 = _window("late_shipment_rate_10d"), _window("late_shipment_rate_30d")
    otd, sales, feedback = (
        _window("on_time_delivery_rate"),
        _window("sales_per_week"),
        _window("feedback_rating"),
    )
    return f"""
o AS (
  SELECT j.order_id AS order_id,
    arg_min(j.seller_id, occurred_at || event_id) FILTER (type = 'order.placed') AS seller_id,
    arg_min(j.channel, occurred_at || event_id) FILTER (type = 'order.placed') AS channel,
    min(occurred_at || event_id) FILTER (type = 'order.placed') AS placed_key,
    arg_min(j.expected_ship_by, occurred_at || event_id) FILTER (type = 'order.placed') AS ship_by,
    arg_min(j.expected_delivery_by, occurred_at || event_id) FILTER (type = 'order.placed')
      AS deliver_by,
    min(occurred_at || event_id) FILTER (type = 'order.shipped') AS ship_key,
    arg_max(coalesce(j.tracking_number, ''), occurred_at || event_id)
      FILTER (type = 'order.shipped') AS tracking,
    bool_or(type = 'order.tracking_scanned') AS scanned,
    min(occurred_at) FILTER (type = 'order.delivered') AS delivered_at,
    min(occurred_at || event_id) FILTER (type = 'order.cancelled') AS cancel_key,
    arg_min(j."by", occurred_at || event_id) FILTER (type = 'order.cancelled') AS cancelled_by,
    arg_max(j.stars, occurred_at || event_id) FILTER (type = 'feedback.left') AS stars,
    max(occurred_at) FILTER (type = 'feedback.left') AS feedback_at,
    bool_or(type = 'chargeback.filed' AND j.kind = 'service') AS service_cb
  FROM ev WHERE type NOT LIKE 'claim.%' GROUP BY 1
),
c AS (
  SELECT order_id, bool_or(outcome IS NULL OR outcome = 'granted') AS claimed FROM (
    SELECT j.order_id AS order_id, arg_max(j.outcome, occurred_at || event_id)
      FILTER (type = 'claim.decided') AS outcome
    FROM ev WHERE type LIKE 'claim.%' GROUP BY j.order_id, j.claim_id) GROUP BY 1
),
f AS (
  SELECT o.*, left(placed_key, 10) AS placed_day, left(ship_key, 27) AS shipped_at,
    cancel_key IS NOT NULL AND (ship_key IS NULL OR cancel_key < ship_key) AS cancelled,
    coalesce(stars <= 2, false) OR coalesce(c.claimed, false) OR service_cb AS defective
  FROM o LEFT JOIN c USING (order_id) WHERE seller_id IS NOT NULL
),
s AS (
  SELECT seller_id,
    count(*) FILTER (channel = 'seller' AND placed_day BETWEEN '{odr[0]}' AND '{odr[1]}') AS d0,
    count(*) FILTER (channel = 'seller' AND placed_day BETWEEN '{odr[0]}' AND '{odr[1]}'
      AND defective) AS n0,
    count(*) FILTER (channel = 'marketplace' AND placed_day BETWEEN '{odr[0]}' AND '{odr[1]}')
      AS d1,
    count(*) FILTER (channel = 'marketplace' AND placed_day BETWEEN '{odr[0]}' AND '{odr[1]}'
      AND defective) AS n1,
    count(*) FILTER (channel = 'seller' AND placed_day BETWEEN '{cancel[0]}' AND '{cancel[1]}')
      AS d2,
    count(*) FILTER (channel = 'seller' AND placed_day BETWEEN '{cancel[0]}' AND '{cancel[1]}'
      AND cancelled AND cancelled_by <> 'buyer') AS n2,
    count(*) FILTER (channel = 'seller' AND NOT cancelled AND ship_key IS NOT NULL
      AND left(ship_key, 10) BETWEEN '{late10[0]}' AND '{late10[1]}') AS d3,
    count(*) FILTER (channel = 'seller' AND NOT cancelled AND shipped_at > ship_by
      AND left(ship_key, 10) BETWEEN '{late10[0]}' AND '{late10[1]}') AS n3,
    count(*) FILTER (channel = 'seller' AND NOT cancelled AND ship_key IS NOT NULL
      AND left(ship_key, 10) BETWEEN '{late30[0]}' AND '{late30[1]}') AS d4,
    count(*) FILTER (channel = 'seller' AND NOT cancelled AND shipped_at > ship_by
      AND left(ship_key, 10) BETWEEN '{late30[0]}' AND '{late30[1]}') AS n4,
    count(*) FILTER (channel = 'seller' AND NOT cancelled AND tracking <> '' AND scanned
      AND left(ship_key, 10) BETWEEN '{late30[0]}' AND '{late30[1]}') AS n5,
    count(*) FILTER (channel = 'seller' AND NOT cancelled
      AND left(deliver_by, 10) BETWEEN '{otd[0]}' AND '{otd[1]}') AS d6,
    count(*) FILTER (channel = 'seller' AND NOT cancelled AND delivered_at <= deliver_by
      AND left(deliver_by, 10) BETWEEN '{otd[0]}' AND '{otd[1]}') AS n6,
    count(*) FILTER (NOT cancelled AND placed_day BETWEEN '{sales[0]}' AND '{sales[1]}') AS n7,
    count(stars) FILTER (left(feedback_at, 10) BETWEEN '{feedback[0]}' AND '{feedback[1]}')
      AS d8,
    coalesce(sum(stars) FILTER (left(feedback_at, 10) BETWEEN '{feedback[0]}'
      AND '{feedback[1]}'), 0) AS n8,
    count(*) FILTER (stars <= 2 AND left(feedback_at, 10) BETWEEN '{feedback[0]}'
      AND '{feedback[1]}') AS n9
  FROM f GROUP BY seller_id
)"""


HAND_TUNED_ROWS = """
SELECT seller_id, unnest([
  {'metric': 'order_defect_rate_seller', 'n': n0, 'd': d0, 't': 0.01, 'lower': true},
  {'metric': 'order_defect_rate_marketplace', 'n': n1, 'd': d1, 't': 0.01, 'lower': true},
  {'metric': 'cancel_rate', 'n': n2, 'd': d2, 't': 0.025, 'lower': true},
  {'metric': 'late_shipment_rate_10d', 'n': n3, 'd': d3, 't': 0.04, 'lower': true},
  {'metric': 'late_shipment_rate_30d', 'n': n4, 'd': d4, 't': 0.04, 'lower': true},
  {'metric': 'valid_tracking_rate', 'n': n5, 'd': d4, 't': 0.95, 'lower': false},
  {'metric': 'on_time_delivery_rate', 'n': n6, 'd': d6, 't': 0.90, 'lower': false},
  {'metric': 'sales_per_week', 'n': n7, 'd': 4, 't': 2.0, 'lower': false},
  {'metric': 'feedback_rating', 'n': n8, 'd': d8, 't': 3.0, 'lower': false},
  {'metric': 'negative_feedback_rate', 'n': n9, 'd': d8, 't': 0.02, 'lower': true}
], recursive := true)
FROM s ORDER BY seller_id
"""
HAND_TUNED_SUMS = (
    "d0", "n0", "d1", "n1", "d2", "n2", "d3", "n3", "d4", "n4", "n5", "d6", "n6", "n7", "d8", "n8",
    "n9",
)  # fmt: skip


def hand_tuned_query(source: str) -> str:
    return f"WITH ev AS ({hand_tuned_parse(source)}),{hand_tuned_sums()}{HAND_TUNED_ROWS}"


Results = dict[tuple[str, str], tuple[int, int]]
DuckConfig = dict[str, str | bool | int | float | list[str]]  # duckdb.connect(config=...)


def run_engine(path: Path, config: DuckConfig, partitions: int) -> Results:
    with duckdb.connect(config=config) as con:
        table = batch_duckdb.compute_arrow(
            path, AS_OF, DEFAULT_CONFIG, con, partitions=partitions, work_dir=_work_dir(config)
        )
    return {
        (s, m): (n, d)
        for s, m, n, d in zip(
            *(
                table.column(c).to_pylist()
                for c in ("seller_id", "metric", "numerator", "denominator")
            ),
            strict=True,
        )
    }


def _work_dir(config: DuckConfig) -> Path:
    folder = Path(str(config["temp_directory"]))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_hand_tuned(path: Path, config: DuckConfig, partitions: int) -> Results:
    with duckdb.connect(config=config) as con:
        if partitions == 1:
            table = con.sql(hand_tuned_query(f"read_parquet('{path}')")).to_arrow_table()
        else:
            table = _hand_tuned_by_partitions(con, path, partitions, _work_dir(config))
    return {
        (s, m): (int(n), int(d))
        for s, m, n, d in zip(
            *(table.column(c).to_pylist() for c in ("seller_id", "metric", "n", "d")), strict=True
        )
    }


def _hand_tuned_by_partitions(
    con: duckdb.DuckDBPyConnection, path: Path, partitions: int, work_dir: Path
) -> pa.Table:
    """The hand-tuned query split the same way as the engine's partitioned run: parse once into
    Parquet parts by hash of order id, sum each part per seller, add the sums up."""
    parsed = hand_tuned_parse(f"read_parquet('{path}')")
    with tempfile.TemporaryDirectory(dir=work_dir) as folder:
        con.execute(
            f"COPY (SELECT *, hash(j.order_id) % {partitions} AS part FROM ({parsed})) "
            f"TO '{folder}' (FORMAT parquet, PARTITION_BY (part))"
        )
        partial_sums = pa.concat_tables(
            con.sql(
                f"WITH ev AS (SELECT * EXCLUDE (part) FROM read_parquet('{part}/*.parquet')),"
                f"{hand_tuned_sums()} SELECT * FROM s"
            ).to_arrow_table()
            for part in Path(folder).glob("part=*")
        )
    con.register("partial_sums", partial_sums)
    sums = ", ".join(f"sum({name}) AS {name}" for name in HAND_TUNED_SUMS)
    return con.sql(
        f"WITH s AS (SELECT seller_id, {sums} FROM partial_sums GROUP BY seller_id)"
        f"{HAND_TUNED_ROWS}"
    ).to_arrow_table()


# The data fields the pandas pipeline uses.
DATA_COLUMNS = (
    "order_id",
    "seller_id",
    "channel",
    "expected_ship_by",
    "expected_delivery_by",
    "tracking_number",
    "by",
    "stars",
    "claim_id",
    "outcome",
    "kind",
)
METRICS = tuple(metric.name for metric in DEFAULT_CONFIG.metrics)
SPILL_SCHEMA = pa.schema(
    [
        (name, pa.float64() if name == "stars" else pa.string())
        for name in ("event_id", "type", "occurred_at", *DATA_COLUMNS)
    ]
)


def decode(events: pd.DataFrame) -> pd.DataFrame:
    """Stored events up to the as-of day with their JSON data decoded into columns."""
    events = events[
        (events["occurred_at"] < str(AS_OF + timedelta(days=1)))
        & events["type"].isin(ORDER_EVENT_TYPES)
    ]
    data = pd.DataFrame.from_records(
        [json.loads(text) for text in events["data"]], index=events.index, columns=DATA_COLUMNS
    )
    data["stars"] = data["stars"].astype("float64")
    return pd.concat([events.drop(columns="data"), data], axis=1)


def seller_sums(events: pd.DataFrame) -> pd.DataFrame:
    """Per seller (index), each metric's numerator ``n:<metric>`` and denominator ``d:<metric>``."""
    events = events.assign(key=events["occurred_at"] + events["event_id"]).sort_values("key")

    def first(kind: str, columns: list[str]) -> pd.DataFrame:
        rows = events[events["type"] == kind].drop_duplicates("order_id", keep="first")
        return rows.set_index("order_id")[columns]

    def last(kind: str, columns: list[str]) -> pd.DataFrame:
        rows = events[events["type"] == kind].drop_duplicates("order_id", keep="last")
        return rows.set_index("order_id")[columns]

    orders = first(
        "order.placed", ["seller_id", "channel", "key", "expected_ship_by", "expected_delivery_by"]
    ).rename(columns={"key": "placed"})
    orders = orders.join(first("order.shipped", ["key"]).rename(columns={"key": "ship"}))
    orders = orders.join(last("order.shipped", ["tracking_number"]))
    orders = orders.join(first("order.tracking_scanned", ["key"]).rename(columns={"key": "scan"}))
    orders = orders.join(
        first("order.delivered", ["occurred_at"]).rename(columns={"occurred_at": "delivered"})
    )
    orders = orders.join(first("order.cancelled", ["key", "by"]).rename(columns={"key": "cancel"}))
    orders = orders.join(
        last("feedback.left", ["stars", "occurred_at"]).rename(
            columns={"occurred_at": "feedback_at"}
        )
    )
    claims = events[events["type"].isin(["claim.opened", "claim.decided"])]
    decisions = (
        claims[claims["type"] == "claim.decided"]
        .drop_duplicates(["order_id", "claim_id"], keep="last")
        .set_index(["order_id", "claim_id"])["outcome"]
    )
    claim_state = claims.drop_duplicates(["order_id", "claim_id"])[["order_id", "claim_id"]]
    claim_state = claim_state.join(decisions, on=["order_id", "claim_id"])
    claim_state["counts"] = claim_state["outcome"].isna() | (claim_state["outcome"] == "granted")
    orders = orders.join(claim_state.groupby("order_id")["counts"].any().rename("claimed"))
    service = events[(events["type"] == "chargeback.filed") & (events["kind"] == "service")]
    orders["service_cb"] = orders.index.isin(service["order_id"])
    orders["cancelled"] = orders["cancel"].notna() & (
        orders["ship"].isna() | (orders["cancel"] < orders["ship"])
    )
    orders["shipped_at"] = orders["ship"].str[:27].where(~orders["cancelled"])
    orders["defective"] = (orders["stars"] <= 2) | orders["claimed"].eq(True) | orders["service_cb"]
    orders["placed_day"] = orders["placed"].str[:10]
    orders["ship_day"] = orders["shipped_at"].str[:10]
    orders["feedback_day"] = orders["feedback_at"].str[:10]
    seller = orders["channel"] == "seller"
    live = ~orders["cancelled"]

    def between(column: str, name: str) -> pd.Series:
        first_day, last_day = _window(name)
        return (orders[column] >= first_day) & (orders[column] <= last_day)

    parts = {
        "order_defect_rate_seller": (
            seller & between("placed_day", "order_defect_rate_seller"),
            orders["defective"],
        ),
        "order_defect_rate_marketplace": (
            ~seller & between("placed_day", "order_defect_rate_seller"),
            orders["defective"],
        ),
        "cancel_rate": (
            seller & between("placed_day", "cancel_rate"),
            orders["cancelled"] & (orders["by"] != "buyer"),
        ),
        "late_shipment_rate_10d": (
            seller & between("ship_day", "late_shipment_rate_10d"),
            orders["shipped_at"] > orders["expected_ship_by"],
        ),
        "late_shipment_rate_30d": (
            seller & between("ship_day", "late_shipment_rate_30d"),
            orders["shipped_at"] > orders["expected_ship_by"],
        ),
        "valid_tracking_rate": (
            seller & between("ship_day", "valid_tracking_rate"),
            orders["tracking_number"].notna() & orders["scan"].notna(),
        ),
        "on_time_delivery_rate": (
            seller
            & live
            & orders["expected_delivery_by"].str[:10].between(*_window("on_time_delivery_rate")),
            orders["delivered"] <= orders["expected_delivery_by"],
        ),
        "sales_per_week": (live & between("placed_day", "sales_per_week"), live),
        "feedback_rating": (
            orders["stars"].notna() & between("feedback_day", "feedback_rating"),
            orders["stars"].fillna(0),
        ),
        "negative_feedback_rate": (
            orders["stars"].notna() & between("feedback_day", "feedback_rating"),
            orders["stars"] <= 2,
        ),
    }
    columns: dict[str, Any] = {"seller_id": orders["seller_id"]}
    for name, (counted, hit) in parts.items():
        columns[f"d:{name}"] = counted.astype(np.int64)
        columns[f"n:{name}"] = (
            (counted & hit.astype(bool)).astype(np.int64)
            if hit.dtype == bool
            else np.where(counted, hit, 0).astype(np.int64)
        )
    return pd.DataFrame(columns).groupby("seller_id").sum()


def as_results(sums: pd.DataFrame) -> Results:
    results: Results = {}
    for name in METRICS:
        weekly = name == "sales_per_week"
        for seller_id, n, d in zip(
            sums.index, sums[f"n:{name}"].tolist(), sums[f"d:{name}"].tolist(), strict=True
        ):
            results[(seller_id, name)] = (n, 4 if weekly else d)
    return results


def run_pandas(path: Path) -> Results:
    """In memory: the whole file decoded into one frame."""
    return as_results(seller_sums(decode(pd.read_parquet(path))))


def run_pandas_partitioned(path: Path, partitions: int, spill: Path) -> Results:
    """Out of core: decode batch by batch into partitions by hash of order id, then group each."""
    spill.mkdir(parents=True, exist_ok=True)
    source = pq.ParquetFile(path)
    for number, batch in enumerate(source.iter_batches(batch_size=1_000_000)):
        events = decode(batch.to_pandas())
        bucket = pd.util.hash_array(events["order_id"].to_numpy(dtype=object)) % partitions
        for part, rows in events.groupby(bucket):
            folder = spill / f"part-{part:04d}"
            folder.mkdir(exist_ok=True)
            pq.write_table(
                pa.Table.from_pandas(rows, schema=SPILL_SCHEMA, preserve_index=False),
                folder / f"{number:05d}.parquet",
            )
    sums = [seller_sums(pd.read_parquet(folder)) for folder in sorted(spill.glob("part-*"))]
    return as_results(pd.concat(sums).groupby(level=0).sum())


def _measure(job: Callable[[Path], Any], path: Path, queue: Any) -> None:
    started = time.perf_counter()
    try:
        result = job(path)
    except Exception as error:  # reported by the parent, which would otherwise wait forever
        queue.put(f"{type(error).__name__}: {str(error).splitlines()[0]}")
        return
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((elapsed, peak_kib, result))


def measure(job: Callable[[Path], Any], path: Path) -> tuple[float, float, Any]:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_measure, args=(job, path, queue))
    process.start()
    outcome = queue.get()
    process.join()
    if isinstance(outcome, str):
        raise SystemExit(f"{getattr(job, 'func', job).__name__} failed: {outcome}")
    elapsed, peak_kib, result = outcome
    return elapsed, peak_kib / 1024, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sellers", type=int, default=1000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--orders-per-seller-per-day", type=float, default=1.7)
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("/tmp/goodstanding-bench-events.parquet"),
        help="Parquet file of events; generated when absent",
    )
    parser.add_argument(
        "--fast-data", action="store_true", help="generate with fast_events (DuckDB), not the demo"
    )
    parser.add_argument("--memory-limit", default="10GB", help="DuckDB memory_limit, every run")
    parser.add_argument("--temp-dir", type=Path, default=Path("/tmp/goodstanding-duckdb-spill"))
    parser.add_argument(
        "--max-spill",
        default="90% of available disk space",
        help="DuckDB max_temp_directory_size: a query that needs more spill fails instead of "
        "filling the disk (its default)",
    )
    parser.add_argument(
        "--partitions",
        type=int,
        default=1,
        help="run both DuckDB queries by this many order partitions (for logs whose per-order "
        "grouping does not fit in memory)",
    )
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument(
        "--pandas-partitions",
        type=int,
        default=0,
        help="run pandas out of core over this many partitions (0: the whole file in memory)",
    )
    args = parser.parse_args()
    config: DuckConfig = {
        "memory_limit": args.memory_limit,
        "temp_directory": str(args.temp_dir),
        "max_temp_directory_size": args.max_spill,
    }

    if not args.data.exists():
        started = time.perf_counter()
        if args.fast_data:
            write_events(
                args.data,
                sellers=args.sellers,
                days=args.days,
                orders_per_seller_per_day=args.orders_per_seller_per_day,
                as_of=AS_OF,
                memory_limit=args.memory_limit,
                temp_directory=args.temp_dir,
            )
        else:
            options = GeneratorOptions(
                sellers=args.sellers,
                days=args.days,
                as_of=AS_OF,
                orders_per_seller_per_day=args.orders_per_seller_per_day,
                buyers=max(1000, args.sellers * 20),
            )
            write_parquet(generate_events(options), args.data)
        print(f"generated {args.data} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    metadata = pq.read_metadata(args.data)
    with duckdb.connect(config=config) as con:
        orders, sellers = con.execute(
            "SELECT count(*), count(DISTINCT data->>'$.seller_id') "
            f"FROM read_parquet('{args.data}') WHERE type = 'order.placed'"
        ).fetchall()[0]
    print(
        f"data: {metadata.num_rows:,} events, {orders:,} orders, {sellers:,} sellers; "
        f"DuckDB memory_limit {args.memory_limit}, {args.partitions} order partition(s)",
        flush=True,
    )

    by_parts = {"config": config, "partitions": args.partitions}
    engine_s, engine_mb, expected = measure(partial(run_engine, **by_parts), args.data)
    print(
        f"engine (compiled definitions, DuckDB): {engine_s:.2f} s, peak RSS {engine_mb:.0f} MiB",
        flush=True,
    )
    tuned_s, tuned_mb, tuned = measure(partial(run_hand_tuned, **by_parts), args.data)
    assert tuned == expected, "the hand-tuned query disagrees with the engine"
    print(f"hand-tuned DuckDB query:              {tuned_s:.2f} s, peak RSS {tuned_mb:.0f} MiB")
    print(f"engine / hand-tuned = {engine_s / tuned_s:.2f}x (goal <= 1.5)", flush=True)
    if not args.skip_pandas:
        if args.pandas_partitions:
            spill = args.temp_dir / f"pandas-{time.time_ns()}"
            job: Callable[[Path], Results] = partial(
                run_pandas_partitioned, partitions=args.pandas_partitions, spill=spill
            )
            label = f"pandas groupby, {args.pandas_partitions} partitions:"
        else:
            job, label = run_pandas, "pandas groupby, in memory:"
        try:
            pandas_s, pandas_mb, by_pandas = measure(job, args.data)
        finally:
            if args.pandas_partitions:
                shutil.rmtree(spill, ignore_errors=True)
        assert by_pandas == expected, "the pandas pipeline disagrees with the engine"
        print(f"{label:<38}{pandas_s:.2f} s, peak RSS {pandas_mb:.0f} MiB")
        print(f"pandas / engine = {pandas_s / engine_s:.1f}x (goal >= 5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
