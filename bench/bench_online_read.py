"""Online read benchmark: one seller's metrics (``metrics_service.seller_metrics``) with many
sellers loaded.

Counters are seeded directly in bulk (``--sellers`` sellers, a counter row for each of ``--days``
recent days with two measures counted in it, every measure on some days) rather than through
intake, which would take far longer to load. Each read is its own transaction, as an API request
is. Baseline, in the same run: reading one seller's row by primary key in its own transaction.

    .venv/bin/python bench/bench_online_read.py --sellers 200000 --store sqlite
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import psycopg
from sqlalchemy import insert

from goodstanding.kit.clock import utcnow
from goodstanding.kit.db import Base, Database
from goodstanding.metrics.definitions import Measure
from goodstanding.metrics.repository import counter_columns
from goodstanding.metrics.service import metrics_service
from goodstanding.models import load_all_models
from goodstanding.models.metric_counter import MetricCounter
from goodstanding.models.seller import Seller

POSTGRES_SERVER = os.environ.get("GOODSTANDING_TEST_POSTGRES", "postgresql://127.0.0.1:5432")


def fresh_database(store: str, workdir: Path) -> str:
    if store == "sqlite":
        url = f"sqlite:///{workdir / 'read.db'}"
    else:
        name = "gs_bench_read"
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", user="postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql+psycopg://postgres@{POSTGRES_SERVER.split('://', 1)[1]}/{name}"
    database = Database(url)
    Base.metadata.create_all(database.engine)
    database.dispose()
    return url


def seed(database: Database, sellers: int, days: int) -> int:
    rng = random.Random(3)
    today = utcnow().date()
    measures = list(Measure)
    rows = 0
    for start in range(0, sellers, 2000):
        ids = [f"seller-{n:07d}" for n in range(start, min(start + 2000, sellers))]
        counters = []
        for seller_id in ids:
            for offset in range(days):
                row: dict[str, object] = {
                    "seller_id": seller_id,
                    "day": today - timedelta(days=offset),
                    "channel": "seller",
                }
                for measure in measures:
                    numerator, denominator = counter_columns(measure)
                    row[numerator] = row[denominator] = 0
                for measure in rng.sample(measures, 2):
                    numerator, denominator = counter_columns(measure)
                    row[numerator] = rng.randint(0, 3)
                    row[denominator] = 0 if measure is Measure.SALES else rng.randint(1, 5)
                counters.append(row)
        with database.transaction() as db:
            db.execute(insert(Seller), [{"id": seller_id} for seller_id in ids])
            db.execute(insert(MetricCounter), counters)
        rows += len(counters)
    return rows


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(reads: int, sellers: int, read: object) -> list[float]:
    rng = random.Random(5)
    samples = []
    for _ in range(reads):
        seller_id = f"seller-{rng.randrange(sellers):07d}"
        start = time.perf_counter()
        read(seller_id)  # type: ignore[operator]
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def measure(store: str, workdir: Path, sellers: int, days: int, reads: int) -> str:
    database = Database(fresh_database(store, workdir))
    today = utcnow().date()
    start = time.perf_counter()
    rows = seed(database, sellers, days)
    load_seconds = time.perf_counter() - start

    def read_metrics(seller_id: str) -> None:
        with database.transaction() as db:
            metrics_service.seller_metrics(db, seller_id, today)

    def read_row(seller_id: str) -> None:
        with database.transaction() as db:
            db.get(Seller, seller_id)

    timed(200, sellers, read_metrics)  # warm caches and compiled statements
    metrics_p99 = percentile(metrics_ms := timed(reads, sellers, read_metrics), 0.99)
    baseline_p99 = percentile(baseline_ms := timed(reads, sellers, read_row), 0.99)
    database.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        f"{store}: {sellers} sellers, {rows} counter rows (loaded in {load_seconds:.0f} s); "
        f"seller_metrics p50 {statistics.median(metrics_ms):.2f} ms, p99 {metrics_p99:.2f} ms; "
        f"baseline primary-key read p50 {statistics.median(baseline_ms):.2f} ms, "
        f"p99 {baseline_p99:.2f} ms; p99 ratio {metrics_p99 / baseline_p99:.1f}; "
        f"process peak RSS {peak:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sellers", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--store", action="append", choices=["sqlite", "postgresql"])
    arguments = parser.parse_args()
    load_all_models()
    with tempfile.TemporaryDirectory() as directory:
        for store in arguments.store or ["sqlite"]:
            print(
                measure(store, Path(directory), arguments.sellers, arguments.days, arguments.reads)
            )


if __name__ == "__main__":
    main()
