"""The order state reducer and the counter contributions the online engine keeps."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from goodstanding.events.schemas import OrderEvent, parse_event
from goodstanding.metrics import reference
from goodstanding.metrics.definitions import DEFAULT_CONFIG, Measure, MetricsConfig
from goodstanding.metrics.order_state import (
    CounterKey,
    OrderState,
    apply_event,
    contributions,
    counter_changes,
    fold,
    fold_with_latest,
    micros,
    observe,
    order_id_of,
    reduce_orders,
    window_totals,
)
from goodstanding.metrics.status import classify
from tests.metrics.event_streams import AS_OF, as_of_days, configs, event_streams


def event(event_id: str, event_type: str, at: str, **data: Any) -> OrderEvent:
    parsed = parse_event(
        {
            "event_id": event_id,
            "type": event_type,
            "occurred_at": at,
            "data": {"order_id": "o1", **data},
        }
    )
    assert isinstance(parsed, OrderEvent)
    return parsed


def placed(event_id: str = "p", at: str = "2024-06-01T10:00:00Z", **overrides: Any) -> OrderEvent:
    data = {
        "seller_id": "s1",
        "buyer_id": "b1",
        "channel": "seller",
        "amount": "10.00",
        "currency": "EUR",
        "expected_ship_by": "2024-06-03T10:00:00Z",
        "expected_delivery_by": "2024-06-08T10:00:00Z",
        "items": [{"listing_id": "l1", "quantity": 1}],
        **overrides,
    }
    return event(event_id, "order.placed", at, **data)


def state_of(*events: OrderEvent) -> OrderState:
    return reduce_orders(events)["o1"]


class TestReduceOrders:
    @settings(max_examples=50, deadline=None)
    @given(events=event_streams(), seed=st.randoms())
    def test_arrival_order_and_repeats_do_not_matter(
        self, events: list[OrderEvent], seed: Any
    ) -> None:
        shuffled = list(events) + list(events[: len(events) // 3])
        seed.shuffle(shuffled)
        assert reduce_orders(shuffled) == reduce_orders(events)

    @settings(max_examples=50, deadline=None)
    @given(events=event_streams(), split=st.integers(min_value=0, max_value=200))
    def test_folding_in_batches_equals_applying_one_event_at_a_time(
        self, events: list[OrderEvent], split: int
    ) -> None:
        # Intake folds each batch's events of an order at once onto the stored state.
        one_by_one: dict[str, OrderState] = {}
        for item in events:
            order_id = order_id_of(item)
            one_by_one[order_id] = apply_event(
                one_by_one.get(order_id) or OrderState(order_id), item
            )
        in_batches: dict[str, OrderState] = {}
        for batch in (events[:split], events[split:]):
            for order_id in {order_id_of(item) for item in batch}:
                stored = in_batches.get(order_id) or OrderState(order_id)
                in_batches[order_id] = fold(
                    stored, [item for item in batch if order_id_of(item) == order_id]
                )
        assert in_batches == one_by_one

    @settings(max_examples=50, deadline=None)
    @given(events=event_streams())
    def test_fold_notes_the_latest_time_of_the_events_it_folds(
        self, events: list[OrderEvent]
    ) -> None:
        for order_id, state in reduce_orders(events).items():
            own = [item for item in events if order_id_of(item) == order_id]
            folded, latest = fold_with_latest(OrderState(order_id), own)
            assert folded == state
            assert latest == max(micros(item.occurred_at) for item in own)
        assert fold_with_latest(OrderState("o"), []) == (OrderState("o"), -1)

    def test_shipment_before_its_order_still_counts(self) -> None:
        shipped = event(
            "s", "order.shipped", "2024-06-04T10:00:00Z", carrier="ups", tracking_number="1Z"
        )
        state = state_of(shipped, placed())
        late = observe(state, Measure.LATE_SHIPMENT)
        assert late is not None and late.numerator == 1 and late.day == date(2024, 6, 4)

    def test_events_of_an_order_not_placed_count_for_nothing(self) -> None:
        state = state_of(event("f", "feedback.left", "2024-06-04T10:00:00Z", stars=1, comment=""))
        assert all(observe(state, measure) is None for measure in Measure)
        assert contributions(state) == []

    def test_earliest_placement_defines_the_order(self) -> None:
        state = state_of(placed("p2", "2024-06-02T10:00:00Z", seller_id="s2"), placed())
        assert state.placed is not None and state.placed[1].seller_id == "s1"

    def test_cancellation_after_confirmed_shipment_is_not_a_cancellation(self) -> None:
        state = state_of(
            placed(),
            event("c", "order.cancelled", "2024-06-02T12:00:00Z", by="seller"),
            event(
                "s", "order.shipped", "2024-06-02T11:00:00Z", carrier="ups", tracking_number=None
            ),
        )
        assert state.cancelled_by is None
        assert observe(state, Measure.LATE_SHIPMENT) is not None

    def test_shipment_after_cancellation_is_ignored(self) -> None:
        state = state_of(
            placed(),
            event(
                "s", "order.shipped", "2024-06-02T13:00:00Z", carrier="ups", tracking_number="1Z"
            ),
            event("c", "order.cancelled", "2024-06-02T12:00:00Z", by="system"),
        )
        assert state.cancelled_by == "system"
        assert observe(state, Measure.LATE_SHIPMENT) is None
        cancel = observe(state, Measure.SELLER_CANCEL)
        assert cancel is not None and cancel.numerator == 1

    def test_buyer_cancellation_is_not_counted_against_the_seller(self) -> None:
        state = state_of(
            placed(), event("c", "order.cancelled", "2024-06-01T12:00:00Z", by="buyer")
        )
        cancel = observe(state, Measure.SELLER_CANCEL)
        assert cancel is not None and (cancel.numerator, cancel.denominator) == (0, 1)

    def test_later_feedback_replaces_the_earlier(self) -> None:
        bad = event("f1", "feedback.left", "2024-06-05T10:00:00Z", stars=1, comment="")
        good = event("f2", "feedback.left", "2024-06-06T10:00:00Z", stars=5, comment="")
        assert state_of(good, placed(), bad).is_defective is False
        assert state_of(placed(), bad).is_defective is True

    def test_claim_decision_before_its_opening_decides_it(self) -> None:
        decided = event(
            "d", "claim.decided", "2024-06-09T10:00:00Z", claim_id="c", outcome="denied"
        )
        opened = event("o", "claim.opened", "2024-06-07T10:00:00Z", claim_id="c")
        assert state_of(decided, placed()).is_defective is False
        assert state_of(decided, opened, placed()).is_defective is False
        assert state_of(opened, placed()).is_defective is True

    def test_latest_claim_decision_wins(self) -> None:
        opened = event("o", "claim.opened", "2024-06-07T10:00:00Z", claim_id="c")
        denied = event(
            "d1", "claim.decided", "2024-06-09T10:00:00Z", claim_id="c", outcome="denied"
        )
        granted = event(
            "d2", "claim.decided", "2024-06-12T10:00:00Z", claim_id="c", outcome="granted"
        )
        assert state_of(granted, denied, opened, placed()).is_defective is True

    def test_fraud_chargeback_is_not_a_defect(self) -> None:
        fraud = event("x", "chargeback.filed", "2024-06-09T10:00:00Z", kind="fraud")
        service = event("y", "chargeback.filed", "2024-06-09T10:00:00Z", kind="service")
        assert state_of(placed(), fraud).is_defective is False
        assert state_of(placed(), fraud, service).is_defective is True

    def test_shipment_exactly_at_the_deadline_is_on_time(self) -> None:
        at_deadline = event(
            "s", "order.shipped", "2024-06-03T12:00:00+02:00", carrier="ups", tracking_number="1Z"
        )
        late = observe(state_of(placed(), at_deadline), Measure.LATE_SHIPMENT)
        assert late is not None and late.numerator == 0

    def test_tracking_needs_a_number_and_a_scan(self) -> None:
        shipped = event(
            "s", "order.shipped", "2024-06-02T10:00:00Z", carrier="ups", tracking_number="1Z"
        )
        corrected = event(
            "s2", "order.shipped", "2024-06-02T11:00:00Z", carrier="ups", tracking_number=None
        )
        scan = event("t", "order.tracking_scanned", "2024-06-02T15:00:00Z")

        def valid(*events: OrderEvent) -> int:
            observation = observe(state_of(placed(), *events), Measure.VALID_TRACKING)
            assert observation is not None
            return observation.numerator

        assert (valid(shipped, scan), valid(shipped), valid(shipped, corrected, scan)) == (1, 0, 0)


def _counters(states: list[OrderState]) -> dict[CounterKey, tuple[int, int]]:
    counters: dict[CounterKey, tuple[int, int]] = {}
    for state in states:
        for item in contributions(state):
            numerator, denominator = counters.get(item.key, (0, 0))
            counters[item.key] = (numerator + item.numerator, denominator + item.denominator)
    return counters


class TestContributions:
    @settings(max_examples=60, deadline=None)
    @given(events=event_streams(), as_of=as_of_days, config=configs())
    def test_summed_counters_equal_the_reference(
        self, events: list[OrderEvent], as_of: date, config: MetricsConfig
    ) -> None:
        states = reduce_orders(reference.order_events_until(events, as_of))
        counters = _counters(list(states.values()))
        expected = reference.compute_metrics(events, as_of, config)
        for row in expected:
            metric = config.by_name(row.metric)
            totals = window_totals(counters, metric, as_of)
            numerator, denominator = totals.get(row.seller_id, (0, metric.denominator_of(0)))
            assert (numerator, denominator) == (row.numerator, row.denominator)
            assert classify(numerator, denominator, metric) == row.status

    @settings(max_examples=50, deadline=None)
    @given(events=event_streams())
    def test_applying_changes_event_by_event_keeps_counters_exact(
        self, events: list[OrderEvent]
    ) -> None:
        counters: dict[CounterKey, tuple[int, int]] = {}
        states: dict[str, OrderState] = {}
        for item in events:
            order_id = order_id_of(item)
            before = states.get(order_id)
            after = apply_event(before or OrderState(order_id), item)
            states[order_id] = after
            changes = counter_changes(before, after)
            assert (0, 0) not in changes.values()  # counters that do not change are left out
            for key, (numerator, denominator) in changes.items():
                old = counters.get(key, (0, 0))
                counters[key] = (old[0] + numerator, old[1] + denominator)
        counters = {key: value for key, value in counters.items() if value != (0, 0)}
        assert counters == _counters(list(reduce_orders(events).values()))

    def test_replaced_feedback_moves_the_counter_day_and_value(self) -> None:
        bad = event("f1", "feedback.left", "2024-06-05T10:00:00Z", stars=1, comment="")
        good = event("f2", "feedback.left", "2024-06-06T10:00:00Z", stars=5, comment="")
        before = state_of(placed(), bad)
        changes = counter_changes(before, apply_event(before, good))
        stars = {
            key.day: change
            for key, change in changes.items()
            if key.measure is Measure.FEEDBACK_STARS
        }
        defects = [change for key, change in changes.items() if key.measure is Measure.ORDER_DEFECT]
        assert stars == {date(2024, 6, 5): (-1, -1), date(2024, 6, 6): (5, 1)}
        assert defects == [(-1, 0)]


def test_windows_end_offset_days_before_as_of() -> None:
    odr = DEFAULT_CONFIG.by_name("order_defect_rate_seller")
    assert odr.window(AS_OF) == (AS_OF - timedelta(days=73), AS_OF - timedelta(days=14))
