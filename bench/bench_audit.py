"""The audit trail and the transparency report against plain baselines, on SQLite.

- append: ``audit_log.record`` (read the head, hash, insert) against inserting the same rows with
  a precomputed hash; both in transactions of 20 entries, like a busy console. Goal: within 3x.
- verify: ``audit_log.verify`` (streamed, every hash recomputed) against streaming the same rows
  without hashing. Goal: within 3x.
- transparency: ``transparency_report`` (streamed rows, counted in Python) against one SQL
  GROUP BY over the same actions. Goal: within 5x.

    .venv/bin/python bench/bench_audit.py                    # 20k entries, 50k actions
    .venv/bin/python bench/bench_audit.py --entries 100000 --actions 500000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

import goodstanding.models  # noqa: F401  (every table)
from goodstanding.cases.audit import GENESIS_HASH, audit_log
from goodstanding.cases.transparency import transparency_report
from goodstanding.kit.db import Base, Database, new_id
from goodstanding.models.audit_entry import AuditEntry
from goodstanding.models.enforcement_action import EnforcementAction
from goodstanding.models.seller import Seller
from goodstanding.models.violation import Violation

BATCH = 20
POLICIES = ("order_defect_rate_seller", "cancel_rate", "late_shipment_rate_10d", "counterfeit")


def timed(label: str, work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    print(f"  {label:40} {seconds:8.3f} s")
    return seconds


def bench_append(database: Database, baseline_db: Database, entries: int) -> tuple[float, float]:
    def record() -> None:
        for start in range(0, entries, BATCH):
            with database.transaction() as db:
                for n in range(start, min(start + BATCH, entries)):
                    audit_log.record(
                        db,
                        "case.claimed",
                        actor_id="reviewer",
                        subject_type="case",
                        subject_id=f"case-{n}",
                        data={"n": n},
                    )

    def plain() -> None:
        now = datetime.now(UTC)
        for start in range(0, entries, BATCH):
            with baseline_db.transaction() as db:
                db.execute(
                    insert(AuditEntry),
                    [
                        {
                            "seq": n + 1,
                            "at": now,
                            "actor_id": "reviewer",
                            "action": "case.claimed",
                            "subject_type": "case",
                            "subject_id": f"case-{n}",
                            "data": {"n": n},
                            "prev_hash": GENESIS_HASH,
                            "hash": GENESIS_HASH,
                        }
                        for n in range(start, min(start + BATCH, entries))
                    ],
                )

    return timed("append: audit_log.record", record), timed("append: plain insert", plain)


def bench_verify(database: Database) -> tuple[float, float]:
    def verify() -> None:
        with database.transaction() as db:
            report = audit_log.verify(db)
        assert report.intact, report.problems[:3]

    def stream() -> None:
        with database.transaction() as db:
            for _ in db.scalars(
                select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)
            ):
                pass

    return timed("verify: audit_log.verify", verify), timed("verify: stream rows only", stream)


def bench_transparency(database: Database, actions: int) -> tuple[float, float]:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with database.transaction() as db:
        db.add(Seller(id="bench-seller"))
        db.flush()
        for first in range(0, actions, 5000):
            violations = []
            for n in range(first, min(first + 5000, actions)):
                violations.append(
                    {
                        "id": new_id(),
                        "seller_id": "bench-seller",
                        "policy_id": POLICIES[n % len(POLICIES)],
                        "opened_at": start + timedelta(hours=n),
                        "ahr_points": 10,
                        "action": "warning",
                        "status": "open",
                    }
                )
            db.execute(insert(Violation), violations)
            db.execute(
                insert(EnforcementAction),
                [
                    {
                        "id": new_id(),
                        "seller_id": "bench-seller",
                        "violation_id": v["id"],
                        "action": "warning",
                        "actor": "bench",
                        "taken_at": v["opened_at"],
                    }
                    for v in violations
                ],
            )

    def report() -> None:
        with database.transaction() as db:
            rows = transparency_report(db)
        assert sum(row.counts.actions for row in rows) == actions

    def group_by() -> None:
        month = func.strftime("%Y-%m", EnforcementAction.taken_at)
        with database.transaction() as db:
            rows = db.execute(
                select(month, Violation.policy_id, func.count())
                .join(Violation, Violation.id == EnforcementAction.violation_id)
                .group_by(month, Violation.policy_id)
            ).all()
        assert sum(count for _month, _policy, count in rows) == actions

    return (
        timed("transparency: transparency_report", report),
        timed("transparency: SQL GROUP BY", group_by),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--actions", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        databases = []
        for name in ("audit", "baseline"):
            database = Database(f"sqlite:///{Path(folder) / name}.db")
            Base.metadata.create_all(database.engine)
            databases.append(database)
        audit_db, baseline_db = databases
        print(f"{args.entries} audit entries, {args.actions} enforcement actions (SQLite)")
        append, plain = bench_append(audit_db, baseline_db, args.entries)
        verify, stream = bench_verify(audit_db)
        report, group_by = bench_transparency(baseline_db, args.actions)
        print(f"append ratio       {append / plain:6.2f}x  (goal <= 3)")
        print(f"verify ratio       {verify / stream:6.2f}x  (goal <= 3)")
        print(f"transparency ratio {report / group_by:6.2f}x  (goal <= 5)")
        print(f"verify throughput  {args.entries / verify:,.0f} entries/s")
        for database in databases:
            database.dispose()


if __name__ == "__main__":
    main()
