"""The online engine equals the reference and DuckDB on random event streams fed through intake in
random batches, with repeats and any arrival order, for any as-of day (past days included)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodstanding.events.schemas import OrderEvent, raw_from_stored, to_stored
from goodstanding.events.service import event_service
from goodstanding.kit.db import Database
from goodstanding.metrics import batch_duckdb, reference
from goodstanding.metrics.definitions import Measure, MetricsConfig
from goodstanding.metrics.online import metric_rows
from goodstanding.metrics.repository import counter_columns
from goodstanding.metrics.service import stored_events_table
from goodstanding.models.metric_counter import MetricCounter
from tests.metrics.event_streams import as_of_days, configs, event_streams


@st.composite
def split(draw: st.DrawFn, events: list[OrderEvent]) -> list[list[OrderEvent]]:
    """``events`` cut into consecutive batches at random points."""
    cuts = sorted(draw(st.sets(st.integers(1, max(len(events) - 1, 1)), max_size=4)))
    bounds = [0, *cuts, len(events)]
    return [events[start:end] for start, end in zip(bounds, bounds[1:], strict=False)]


class TestOnlineMatchesReference:
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(data=st.data(), config=configs())
    def test_same_rows(
        self, database: Database, data: st.DataObject, config: MetricsConfig
    ) -> None:
        events = data.draw(event_streams())
        batches = data.draw(split(events))
        # Days inside the stream often have later events: the counters are then corrected.
        event_days = sorted({event.occurred_at.date() for event in events})
        days = st.one_of(as_of_days, st.sampled_from(event_days)) if events else as_of_days
        as_of = data.draw(days)
        # Every example runs in one transaction that is rolled back, so examples do not mix.
        db = database.sessions()
        try:
            for batch in batches:
                raws = [raw_from_stored(to_stored(event)) for event in batch]
                event_service.ingest(db, raws, reevaluate=False)

            online = metric_rows(db, as_of, config)
            expected = reference.compute_metrics(events, as_of, config)
            from_log = batch_duckdb.compute_metrics(stored_events_table(db), as_of, config)
            # One seller's read sums its counter rows itself rather than in the database.
            sellers = sorted({row.seller_id for row in expected})[:2]
            one_by_one = [
                row for seller in sellers for row in metric_rows(db, as_of, config, [seller])
            ]
        finally:
            db.rollback()
            db.close()

        assert online == expected
        assert from_log == expected
        assert one_by_one == [row for row in expected if row.seller_id in sellers]


def test_every_measure_has_its_counter_columns() -> None:
    stored = {column.name for column in MetricCounter.__table__.columns}
    for measure in Measure:
        assert set(counter_columns(measure)) <= stored
