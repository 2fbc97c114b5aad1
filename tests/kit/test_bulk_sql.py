"""Bulk upserts write their rows in key order, so concurrent writers cannot deadlock; rows bound
ahead of time are written as the raw rows are."""

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from goodstanding.events.repository import STORED_EVENT_COLUMNS
from goodstanding.kit.bulk_sql import BulkUpsert
from goodstanding.kit.db import Database
from goodstanding.models.stored_event import StoredEventRow

# The intake's event-log insert: DO NOTHING on a known event_id.
insert_events = BulkUpsert(StoredEventRow.__table__, STORED_EVENT_COLUMNS, key=("event_id",))


def event_row(event_id: str) -> tuple[object, ...]:
    received_at = datetime(2024, 6, 1, tzinfo=UTC)
    return (
        event_id,
        "listing.removed",
        "2024-06-01T00:00:00.000000Z",
        "f",
        "{}",
        None,
        received_at,
    )


def test_rows_are_written_in_key_order(database: Database) -> None:
    with database.transaction() as db:
        written = insert_events.insert_returning(
            db, [event_row(event_id) for event_id in ["c", "a", "b"]], returning="event_id"
        )
    assert written == ["a", "b", "c"]


def test_rows_bound_ahead_read_back_as_raw_rows_do(database: Database) -> None:
    with database.transaction() as db:
        bound = insert_events.bind(db, [event_row("b"), event_row("a")])
        insert_events.insert_returning(db, [event_row("r")], returning="event_id")
        written = insert_events.insert_returning(db, bound, returning="event_id")
    with database.transaction() as db:
        received = {row.event_id: row.received_at for row in db.query(StoredEventRow)}

    assert written == ["a", "b"]
    assert received == dict.fromkeys(["a", "b", "r"], datetime(2024, 6, 1, tzinfo=UTC))


@pytest.mark.parametrize("store", ["postgresql"])
def test_two_writers_of_the_same_keys_in_opposite_orders_do_not_deadlock(
    database: Database, store: str
) -> None:
    """Writer A holds "x"; writer B asks for "y" and "x" and must wait for A; then A asks for
    "y". Had B taken "y" before waiting for "x", A and B would each wait for the other."""
    outcome: dict[str, object] = {}
    with database.transaction() as first:
        first.execute(text("SET LOCAL deadlock_timeout = '100ms'"))
        insert_events.insert_returning(first, [event_row("x")], returning="event_id")

        def second_writer() -> None:
            try:
                with database.transaction() as second:
                    second.execute(text("SET LOCAL deadlock_timeout = '100ms'"))
                    outcome["written"] = insert_events.insert_returning(
                        second, [event_row("y"), event_row("x")], returning="event_id"
                    )
            except Exception as error:  # the deadlock, had there been one
                outcome["error"] = error

        writer = threading.Thread(target=second_writer)
        writer.start()
        time.sleep(0.5)  # B is now waiting for A's "x"
        insert_events.insert_returning(first, [event_row("y")], returning="event_id")
    writer.join(timeout=30)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["written"] == []  # A stored both; B's rows were duplicates
