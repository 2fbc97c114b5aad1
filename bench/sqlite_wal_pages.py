"""Where SQLite intake's writes go: the pages each intake commit logs, by table and index.

SQLite has one writer, and a batch holds the write lock from storing its events to its commit, so
intake's ceiling on SQLite follows from how much each commit writes. This runs intake in-process
(no HTTP) on a fresh SQLite file, batch by batch, one transaction each, like ``bench_ingest``
(same events), empties the write-ahead log before every batch, and after each commit reads the
page number of every frame in the log and names the table or index that owns it (``dbstat``). It
prints, per commit over the second half of the batches (when the tables have grown), the frames
logged, the distinct pages, and the distinct pages of each table and index.

``--sql`` statements run on the fresh schema first, to try a change to it (drop an index, make a
table ``WITHOUT ROWID``) and compare.

    .venv/bin/python bench/sqlite_wal_pages.py --events 300000
    .venv/bin/python bench/sqlite_wal_pages.py --events 300000 \\
        --sql "DROP INDEX ix_stored_events_order_id"
"""

from __future__ import annotations

import argparse
import struct
import tempfile
from collections import Counter
from pathlib import Path

from bench_ingest import fresh_database, make_events

from goodstanding.config import Settings
from goodstanding.events.service import event_service
from goodstanding.kit.db import Database
from goodstanding.kit.jobs import configure_jobs

_WAL_HEADER = 32
_FRAME_HEADER = 24


def logged_pages(wal: bytes) -> list[int]:
    """The page number of every frame of a write-ahead log file, in order."""
    if len(wal) < _WAL_HEADER:
        return []
    (page_size,) = struct.unpack(">I", wal[8:12])
    frame = _FRAME_HEADER + page_size
    return [
        struct.unpack(">I", wal[start : start + 4])[0]
        for start in range(_WAL_HEADER, len(wal) - frame + 1, frame)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--sql", action="append", default=[], help="run on the schema first")
    args = parser.parse_args()
    events = make_events(args.events)
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database("sqlite", "pages", Path(folder))
        wal_file = Path(folder) / "pages.db-wal"
        database = Database(url)
        # Jobs (hooks, re-evaluation) are enqueued to memory and never run, as in bench_ingest.
        configure_jobs(Settings(database_url=url, job_store="memory"), database)
        with database.engine.connect() as connection:
            for statement in args.sql:
                connection.exec_driver_sql(statement)
            connection.commit()
        frames: list[int] = []
        distinct: list[int] = []
        owners: Counter[str] = Counter()
        starts = range(0, len(events), args.batch)
        for number, start in enumerate(starts):
            with database.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            with database.transaction() as db:
                event_service.ingest(db, events[start : start + args.batch], reevaluate=False)
            if number < len(starts) // 2:
                continue
            pages = logged_pages(wal_file.read_bytes())
            with database.engine.connect() as connection:
                rows = connection.exec_driver_sql("SELECT pageno, name FROM dbstat")
                owner = {page: name for page, name in rows}
            frames.append(len(pages))
            distinct.append(len(set(pages)))
            owners.update(owner.get(page, "(free)") for page in set(pages))
        database.dispose()
    commits = len(frames)
    print(
        f"{commits} commits of {args.batch:,} events: {sum(frames) / commits:,.0f} frames, "
        f"{sum(distinct) / commits:,.0f} distinct pages per commit"
    )
    for name, count in owners.most_common():
        print(f"  {name:<40}{count / commits:>8,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
