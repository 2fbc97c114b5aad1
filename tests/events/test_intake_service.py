"""Event intake: validation, exactly-once effects, order state and counters, hooks, jobs."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from goodstanding.events import hooks, service, tasks
from goodstanding.events.readers import Unreadable
from goodstanding.events.schemas import Event, OrderEvent, parse_event
from goodstanding.events.service import CONFLICT_REASON, IntakeResult, event_service
from goodstanding.kit.db import Database
from goodstanding.metrics import online, reference
from goodstanding.metrics.definitions import DEFAULT_CONFIG, Measure
from goodstanding.metrics.online import metric_rows
from goodstanding.metrics.order_state import micros, reduce_orders
from goodstanding.metrics.repository import counter_columns
from goodstanding.metrics.state_codec import decode_state
from goodstanding.models.metric_counter import MetricCounter
from goodstanding.models.order_record import OrderRecord
from goodstanding.models.seller import Seller
from goodstanding.models.stored_event import StoredEventRow
from tests.events.factories import placed, raw


def ingest(database: Database, raws: list[Any], **options: Any) -> IntakeResult:
    with database.transaction() as db:
        return event_service.ingest(db, raws, **options)


def counters(database: Database) -> dict[tuple[str, str, date], tuple[int, int]]:
    """Every non-zero counter, by (seller, measure, day), from the stored counter rows."""
    found = {}
    with database.transaction() as db:
        for row in db.scalars(select(MetricCounter)):
            for measure in Measure:
                numerator, denominator = (getattr(row, name) for name in counter_columns(measure))
                if (numerator, denominator) != (0, 0):
                    found[(row.seller_id, measure.value, row.day)] = (numerator, denominator)
    return found


AS_OF = date(2024, 6, 30)
SHIPPED = raw(
    "e-ship", "order.shipped", "2024-06-02T09:00:00Z", order_id="o1", carrier="ups",
    tracking_number="1Z",
)  # fmt: skip


class TestValidation:
    def test_invalid_events_are_refused_by_index_and_the_rest_kept(
        self, database: Database
    ) -> None:
        batch = [
            placed("e1", "o1"),
            raw("e2", "feedback.left", "2024-06-02T09:00:00Z", order_id="o1", stars=9, comment=""),
            "not an object",
            Unreadable(4, "line 4: invalid JSON: Expecting value"),
            raw("e3", "order.delivered", "2024-06-05T09:00:00Z", order_id="o1"),
        ]

        result = ingest(database, batch)

        assert result.accepted == 2
        assert [(r.index, r.event_id) for r in result.refused] == [
            (1, "e2"),
            (2, None),
            (3, None),
        ]
        assert "data.stars" in result.refused[0].reason
        assert result.refused[2].reason == "line 4: invalid JSON: Expecting value"
        with database.transaction() as db:
            assert set(db.scalars(select(StoredEventRow.event_id))) == {"e1", "e3"}


class TestExactlyOnce:
    def test_a_retried_batch_is_all_duplicates_and_changes_nothing(
        self, database: Database
    ) -> None:
        batch = [placed("e1", "o1"), SHIPPED]
        first = ingest(database, batch)
        after_first = counters(database)

        retry = ingest(database, batch)

        assert (first.accepted, first.duplicate) == (2, 0)
        assert (retry.accepted, retry.duplicate, retry.refused) == (0, 2, [])
        assert counters(database) == after_first
        assert after_first[("s1", Measure.LATE_SHIPMENT.value, date(2024, 6, 2))] == (0, 1)

    def test_same_time_in_another_offset_is_a_duplicate(self, database: Database) -> None:
        ingest(database, [SHIPPED])
        moved = {**SHIPPED, "occurred_at": "2024-06-02T11:00:00+02:00"}

        assert ingest(database, [moved]).duplicate == 1

    def test_same_id_with_other_content_is_refused_as_a_conflict(self, database: Database) -> None:
        ingest(database, [SHIPPED])
        changed = {**SHIPPED, "data": {**SHIPPED["data"], "tracking_number": None}}

        result = ingest(database, [placed("e1", "o1"), changed])

        assert result.accepted == 1
        assert [(r.index, r.event_id, r.reason) for r in result.refused] == [
            (1, "e-ship", CONFLICT_REASON)
        ]

    def test_repeats_within_one_batch(self, database: Database) -> None:
        changed = {**SHIPPED, "data": {**SHIPPED["data"], "carrier": "dhl"}}

        result = ingest(database, [SHIPPED, placed("e1", "o1"), SHIPPED, changed])

        assert (result.accepted, result.duplicate) == (2, 1)
        assert [(r.index, r.reason) for r in result.refused] == [(3, CONFLICT_REASON)]


class TestOrderState:
    def test_events_before_the_order_count_once_it_is_placed(self, database: Database) -> None:
        shipped_at = micros(datetime(2024, 6, 2, 9, tzinfo=UTC))
        ingest(database, [SHIPPED])
        assert counters(database) == {}
        with database.transaction() as db:
            record = db.get(OrderRecord, "o1")
            assert record is not None and record.seller_id is None
            assert (record.placed_micros, record.last_event_micros) == (None, shipped_at)

        ingest(database, [placed("e1", "o1", ship_by="2024-06-01T12:00:00Z")])

        # shipped on June 2 after a June 1 deadline: one late shipment, counted by ship day
        assert counters(database)[("s1", Measure.LATE_SHIPMENT.value, date(2024, 6, 2))] == (1, 1)
        with database.transaction() as db:
            record = db.get(OrderRecord, "o1")
            assert record is not None and record.seller_id == "s1"
            placed_at = micros(datetime(2024, 6, 1, 10, tzinfo=UTC))
            assert (record.placed_micros, record.last_event_micros) == (placed_at, shipped_at)

    def test_a_claim_later_denied_leaves_the_defect_count(self, database: Database) -> None:
        key = ("s1", Measure.ORDER_DEFECT.value, date(2024, 6, 1))
        opened = raw("c1", "claim.opened", "2024-06-04T00:00:00Z", order_id="o1", claim_id="k")
        ingest(database, [placed("e1", "o1"), opened])
        assert counters(database)[key] == (1, 1)

        denied = raw(
            "c2", "claim.decided", "2024-06-09T00:00:00Z", order_id="o1", claim_id="k",
            outcome="denied",
        )  # fmt: skip
        ingest(database, [denied])

        assert counters(database)[key] == (0, 1)

    def test_sellers_of_orders_get_a_seller_row(self, database: Database) -> None:
        with database.transaction() as db:
            db.add(Seller(id="s1", display_name="Known"))
        ingest(database, [placed("e1", "o1"), placed("e2", "o2", seller_id="s2")])

        with database.transaction() as db:
            names = {s.id: s.display_name for s in db.scalars(select(Seller))}
        assert names == {"s1": "Known", "s2": ""}


class TestBatchesThatOverlap:
    """A batch folds its orders before it stores or locks anything (so that SQLite's one writer,
    or PostgreSQL's locks on the orders, are free meanwhile); what another batch committed in
    between is taken into account."""

    def test_a_batch_committed_while_another_was_taken_in_adds_up_as_if_in_turn(
        self, database: Database, store: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        first = [
            placed("e1", "o1", ship_by="2024-06-01T12:00:00Z"),
            SHIPPED,
            placed("e3", "o3", seller_id="s2"),
        ]
        cancelled = raw("e4", "order.cancelled", "2024-06-01T11:00:00Z", order_id="o1", by="seller")
        feedback = raw(
            "e5", "feedback.left", "2024-06-05T00:00:00Z", order_id="o3", stars=1, comment=""
        )
        meanwhile = [cancelled, SHIPPED, feedback, placed("e6", "o2")]
        plan_first = service.plan_order_events

        def plan_while_another_batch_commits(db: Session, events: Any) -> Any:
            monkeypatch.setattr(service, "plan_order_events", plan_first)
            plan = plan_first(db, events)
            with database.transaction() as other:
                if store == "postgresql":
                    # Fail rather than wait for ever should the plan hold its orders' locks.
                    other.execute(text("SET LOCAL lock_timeout = '10s'"))
                event_service.ingest(other, meanwhile)
            return plan

        monkeypatch.setattr(service, "plan_order_events", plan_while_another_batch_commits)
        result = ingest(database, first)

        assert (result.accepted, result.duplicate) == (2, 1)
        events = [parse_event(event) for event in [*first, *meanwhile]]
        order_events = [event for event in events if isinstance(event, OrderEvent)]
        with database.transaction() as db:
            assert metric_rows(db, AS_OF, DEFAULT_CONFIG) == reference.compute_metrics(
                order_events, AS_OF, DEFAULT_CONFIG
            )
            states = {
                record.order_id: decode_state(record.order_id, record.state)
                for record in db.scalars(select(OrderRecord))
            }
        assert states == reduce_orders(order_events)

    def test_another_writer_is_not_held_up_while_a_batch_folds(
        self, database: Database, store: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        if store != "sqlite":
            pytest.skip("SQLite has one writer; PostgreSQL locks only the rows written")
        path = database.url.removeprefix("sqlite:///")
        other_writer_could_start: list[bool] = []
        fold_state = online.fold_with_latest

        def fold_while_another_writer_starts(*arguments: Any) -> Any:
            if not other_writer_could_start:
                other = sqlite3.connect(path, timeout=0, isolation_level=None)
                try:
                    other.execute("BEGIN IMMEDIATE")
                    other.execute("ROLLBACK")
                    other_writer_could_start.append(True)
                except sqlite3.OperationalError:
                    other_writer_could_start.append(False)
                finally:
                    other.close()
            return fold_state(*arguments)

        monkeypatch.setattr(online, "fold_with_latest", fold_while_another_writer_starts)
        ingest(database, [placed("e1", "o1"), SHIPPED])

        assert other_writer_could_start == [True]


@pytest.fixture
def seen_listings() -> Iterator[list[str]]:
    seen: list[str] = []

    def hook(db: Session, event: Event) -> None:
        seen.append(event.event_id)

    hooks.register("listing.created", hook)
    yield seen
    hooks.unregister("listing.created", hook)


def test_text_a_store_cannot_hold_is_refused_and_the_rest_kept(database: Database) -> None:
    signed_in = {"account_id": "a1", "ip": "203.0.113.9", "device_id": "d1", "user_agent": "x"}
    result = ingest(
        database,
        [
            raw("bad\x00id", "account.signed_in", "2024-06-01T00:00:00Z", **signed_in),
            raw("e2", "account.signed_in", "2024-06-01T00:00:00Z",
                **{**signed_in, "user_agent": "nul \x00 inside"}),
            raw("e3", "account.signed_in", "2024-06-01T00:00:00Z",
                **{**signed_in, "user_agent": "a backslash-u0000 written out: \\u0000"}),
            placed("e4", "o1"),
        ],
        reevaluate=False,
    )  # fmt: skip
    assert [(refusal.index, refusal.reason) for refusal in result.refused] == [
        (0, "event: text must not contain the NUL character (\\u0000)"),
        (1, "event: text must not contain the NUL character (\\u0000)"),
    ]
    assert result.accepted == 2
    with database.transaction() as db:
        assert set(db.scalars(select(StoredEventRow.event_id))) == {"e3", "e4"}


class TestHooksAndJobs:
    def test_other_events_are_stored_and_handed_to_their_hooks(
        self, database: Database, seen_listings: list[str]
    ) -> None:
        listing = raw(
            "l1", "listing.created", "2024-06-01T00:00:00Z", listing_id="L", seller_id="s1",
            title="Lamp", description="", category="home", brand="",
        )  # fmt: skip

        ingest(database, [listing, listing])

        assert seen_listings == ["l1"]

    def test_one_job_reevaluates_the_sellers_whose_metrics_moved(
        self, database: Database, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        evaluated: list[str] = []
        monkeypatch.setattr(
            tasks, "reevaluate_seller", lambda db, seller_id, as_of: evaluated.append(seller_id)
        )
        ingest(database, [placed("e1", "o1", seller_id="s2"), placed("e2", "o2")])
        assert evaluated == ["s1", "s2"]

        ingest(database, [placed("e1", "o1", seller_id="s2")])  # a duplicate moves nothing
        assert evaluated == ["s1", "s2"]

    def test_a_failed_batch_schedules_nothing(
        self, database: Database, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        evaluated: list[str] = []
        monkeypatch.setattr(
            tasks, "reevaluate_seller", lambda db, seller_id, as_of: evaluated.append(seller_id)
        )
        with pytest.raises(RuntimeError), database.transaction() as db:
            event_service.ingest(db, [placed("e1", "o1")])
            raise RuntimeError("the request failed after intake")

        assert evaluated == []
        with database.transaction() as db:
            assert db.scalars(select(StoredEventRow)).all() == []


class TestHooksAfterCommit:
    def test_a_preparer_sees_the_whole_batch_before_each_hook_sees_its_event(
        self, database: Database, seen_listings: list[str]
    ) -> None:
        prepared: list[list[str]] = []

        def prepare(events: Sequence[Event]) -> None:
            assert seen_listings == []  # before any hook
            prepared.append([event.event_id for event in events])

        listings = [
            raw(f"l{n}", "listing.created", "2024-06-01T00:00:00Z", listing_id=f"L{n}",
                seller_id="s1", title="Lamp", description="", category="home", brand="")
            for n in (1, 2, 3)
        ]  # fmt: skip
        hooks.register_preparer(["listing.created"], prepare)
        try:
            ingest(database, [*listings, placed("e1", "o1")])
        finally:
            hooks.unregister_preparer(prepare)
        assert prepared == [["l1", "l2", "l3"]]
        assert seen_listings == ["l1", "l2", "l3"]

    def test_hooks_run_after_commit_and_one_failure_spares_the_rest(
        self, database: Database
    ) -> None:
        seen: list[str] = []

        def flaky(db: object, event: Event) -> None:
            if event.event_id == "bad":
                raise RuntimeError("detector broke")
            seen.append(event.event_id)

        hooks.register("payout_account.set", flaky)
        try:
            payout = [
                raw(
                    event_id,
                    "payout_account.set",
                    "2024-06-01T10:00:00Z",
                    account_id="a1",
                    bank_account_hash="h" * 64,
                )
                for event_id in ("bad", "good")
            ]
            with database.transaction() as db:
                result = event_service.ingest(db, payout)
                assert seen == []  # nothing screened inside the intake's transaction
            assert result.accepted == 2
            assert seen == ["good"]
        finally:
            hooks.unregister("payout_account.set", flaky)


def test_intake_of_hooked_events_does_not_load_the_detectors(tmp_path: Path) -> None:
    # The first batch after a start must not wait seconds for the detectors' models to import;
    # the job that runs the hooks loads them.
    probe = f"""
import sys
from goodstanding.kit.db import Base, Database
from goodstanding.models import load_all_models
from goodstanding.events.service import event_service
load_all_models()
database = Database("sqlite:///{tmp_path / "intake.db"}")
Base.metadata.create_all(database.engine)
event = {{"event_id": "l1", "type": "listing.created", "occurred_at": "2024-06-01T00:00:00Z",
          "data": {{"listing_id": "L", "seller_id": "s1", "title": "Lamp", "description": "",
                    "category": "", "brand": ""}}}}
with database.transaction() as db:
    assert event_service.ingest(db, [event], reevaluate=False).accepted == 1
print(" ".join(sorted(m for m in sys.modules if m.endswith(".service")
                      and m.startswith("goodstanding.detectors") or m in ("sklearn", "splink"))))
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.split() == []
