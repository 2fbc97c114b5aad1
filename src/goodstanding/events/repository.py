"""All SQL of event intake: the stored event log, read back by id, by order and in full."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from goodstanding.events.schemas import StoredEvent
from goodstanding.kit.bulk_sql import BoundRows, BulkUpsert, chunks, json_text_values
from goodstanding.models.stored_event import StoredEventRow

_events: Table = StoredEventRow.__table__  # type: ignore[assignment]

STORED_EVENT_COLUMNS = (
    "event_id", "type", "occurred_at", "fingerprint", "data", "order_id", "received_at",
)  # fmt: skip
_insert_events = BulkUpsert(_events, STORED_EVENT_COLUMNS, key=("event_id",))


class EventRepository:
    def fingerprints(self, db: Session, event_ids: Collection[str]) -> dict[str, str]:
        """The fingerprint of each of ``event_ids`` already stored."""
        rows = db.execute(
            select(_events.c.event_id, _events.c.fingerprint).where(
                _events.c.event_id.in_(json_text_values(db, event_ids))
            )
        )
        return {event_id: fingerprint for event_id, fingerprint in rows}

    def by_ids(self, db: Session, event_ids: Sequence[str]) -> list[StoredEvent]:
        """The stored events with these ids, in the order of ``event_ids``."""
        rows = db.execute(
            select(
                StoredEventRow.event_id,
                StoredEventRow.type,
                StoredEventRow.occurred_at,
                StoredEventRow.data,
            ).where(StoredEventRow.event_id.in_(event_ids))
        ).tuples()
        found = {row[0]: StoredEvent(*row) for row in rows}
        return [found[event_id] for event_id in event_ids if event_id in found]

    def bind(self, db: Session, rows: Sequence[tuple[Any, ...]]) -> BoundRows:
        """Stored-event rows (in ``STORED_EVENT_COLUMNS`` order) bound for ``insert_new``."""
        return _insert_events.bind(db, rows)

    def insert_new(self, db: Session, rows: Sequence[tuple[Any, ...]]) -> set[str]:
        """Store the events whose id is not stored yet (rows in ``STORED_EVENT_COLUMNS`` order,
        or bound by ``bind``); returns the ids actually inserted.

        Another batch may store the same id between the caller's lookup and this insert; the
        conflict is skipped here, so the caller applies only what it really stored.
        """
        return set(_insert_events.insert_returning(db, rows, returning="event_id"))

    def order_events(
        self, db: Session, order_ids: Collection[str], before: str
    ) -> dict[str, list[StoredEvent]]:
        """Each order's stored events with occurred_at before ``before`` (stored time text)."""
        found: dict[str, list[StoredEvent]] = {}
        for part in chunks(sorted(order_ids)):
            rows = db.execute(
                select(
                    _events.c.order_id,
                    _events.c.event_id,
                    _events.c.type,
                    _events.c.occurred_at,
                    _events.c.data,
                ).where(_events.c.order_id.in_(part), _events.c.occurred_at < before)
            )
            for order_id, event_id, kind, occurred_at, data in rows:
                found.setdefault(order_id, []).append(
                    StoredEvent(event_id, kind, occurred_at, data)
                )
        return found

    def stream(self, db: Session, batch_size: int = 50_000) -> Iterator[list[StoredEvent]]:
        """Every stored event, in batches, for a full batch recompute."""
        result = db.execute(
            select(_events.c.event_id, _events.c.type, _events.c.occurred_at, _events.c.data)
            .order_by(_events.c.event_id)
            .execution_options(yield_per=batch_size)
        )
        for part in result.partitions(batch_size):
            yield [StoredEvent(*row) for row in part]


event_repository = EventRepository()
