"""The state of one order, folded from its events, and what it contributes to the metrics.

``apply_event`` is a join: every field keeps the earliest or the latest of something by
(occurred_at, event_id), or a set union. So the state does not depend on the order the events
arrive in, and a repeated event changes nothing: a shipment before its order, a claim decision
before its claim, a retried batch all end in the state the events describe.

``contributions`` turns a state into counter increments per (seller, measure, channel, day). The
online engine keeps those counters: when an event changes an order it applies
``contributions(new) - contributions(old)``, so a claim later denied or a replaced feedback moves
the counters exactly. A metric over a window is the sum of its counter over the window's days
(``window_totals``). The exact semantics are documented in ``definitions``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import NamedTuple, TypeVar

from goodstanding.events.schemas import (
    CancelledBy,
    Channel,
    ChargebackFiled,
    ChargebackKind,
    ClaimDecided,
    ClaimOpened,
    ClaimOutcome,
    FeedbackLeft,
    OrderCancelled,
    OrderDelivered,
    OrderEvent,
    OrderPlaced,
    OrderShipped,
    OrderTrackingScanned,
)
from goodstanding.metrics.definitions import Measure, MetricDefinition

Stamp = tuple[int, str]
"""(occurred_at, event_id): the order in which an order's events happened, ties broken by id.

Times in a state are whole microseconds since the Unix epoch (UTC), not datetimes: intake decodes,
compares and encodes a state for every order of a batch, and with datetimes that took 18 and 10 us
on the benchmark machine against 7 and 3-4 now (``state_codec``, with its enumeration lookups)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_MICROSECOND = timedelta(microseconds=1)
_DAY = 86_400_000_000


def micros(moment: datetime) -> int:
    """A time as whole microseconds since the Unix epoch."""
    return (moment - _EPOCH) // _MICROSECOND


def moment(micros: int) -> datetime:
    """The UTC time ``micros`` microseconds after the Unix epoch."""
    return _EPOCH + timedelta(0, 0, micros)  # positional: a third faster than by keyword


_T = TypeVar("_T")


def _earliest(current: tuple[Stamp, _T] | None, stamp: Stamp, value: _T) -> tuple[Stamp, _T]:
    return (stamp, value) if current is None or stamp < current[0] else current


def _latest(current: tuple[Stamp, _T] | None, stamp: Stamp, value: _T) -> tuple[Stamp, _T]:
    return (stamp, value) if current is None or stamp > current[0] else current


class PlacedOrder(NamedTuple):
    seller_id: str
    buyer_id: str
    channel: Channel
    expected_ship_by: int
    expected_delivery_by: int


class Claim(NamedTuple):
    opened: Stamp | None = None
    decision: tuple[Stamp, ClaimOutcome] | None = None

    @property
    def outcome(self) -> ClaimOutcome | None:
        """The latest decision; None while the claim is open."""
        return None if self.decision is None else self.decision[1]

    @property
    def counts_as_defect(self) -> bool:
        return self.outcome in (None, ClaimOutcome.GRANTED)


NO_CLAIMS: Mapping[str, Claim] = MappingProxyType({})
"""The claims of an order that has none, shared by all such states."""


class OrderState(NamedTuple):
    """What an order's events have said so far.

    The state and its parts are named tuples rather than frozen dataclasses: intake builds a few
    of them for every order of a batch, and a frozen dataclass sets each field through
    ``object.__setattr__`` (building an ``OrderState`` took 2.9 us against 0.7 for a named tuple).
    """

    order_id: str
    placed: tuple[Stamp, PlacedOrder] | None = None
    first_shipment: tuple[Stamp, None] | None = None
    latest_shipment: tuple[Stamp, str | None] | None = None
    """The latest confirmation's tracking number: a later confirmation corrects the number."""
    first_scan: tuple[Stamp, None] | None = None
    first_delivery: tuple[Stamp, None] | None = None
    first_cancellation: tuple[Stamp, CancelledBy] | None = None
    latest_feedback: tuple[Stamp, int] | None = None
    claims: Mapping[str, Claim] = NO_CLAIMS
    chargebacks: frozenset[tuple[str, ChargebackKind]] = frozenset()
    """(event_id, kind) of every chargeback."""

    @property
    def cancelled_by(self) -> CancelledBy | None:
        """Who cancelled, if a cancellation came before any shipment confirmation."""
        if self.first_cancellation is None:
            return None
        stamp, by = self.first_cancellation
        if self.first_shipment is not None and self.first_shipment[0] < stamp:
            return None
        return by

    @property
    def is_defective(self) -> bool:
        """Negative feedback, a claim open or granted, or a service chargeback."""
        # Most orders have no claim and no chargeback: those are looked at without building a
        # generator, as intake asks this twice for every order a batch changes.
        if self.latest_feedback is not None and self.latest_feedback[1] <= 2:
            return True
        for claim in self.claims.values():
            if claim.counts_as_defect:
                return True
        if not self.chargebacks:
            return False
        return any(kind is ChargebackKind.SERVICE for _, kind in self.chargebacks)


def order_id_of(event: OrderEvent) -> str:
    return event.data.order_id


def fold(state: OrderState, events: Iterable[OrderEvent]) -> OrderState:
    """The state after also seeing ``events`` (events of this order, in any order)."""
    return fold_with_latest(state, events)[0]


def fold_with_latest(state: OrderState, events: Iterable[OrderEvent]) -> tuple[OrderState, int]:
    """``fold``, and the latest occurred_at among ``events`` in microseconds (-1 for none).

    Intake keeps the latest in the order's record, and takes it here from the times the fold
    converts anyway rather than converting each event's time a second time. The fields are
    folded in locals and the state built once: intake folds each batch's events of an order at
    once, and a copy of the state per event was most of the fold's time.
    """
    placed = state.placed
    first_shipment = state.first_shipment
    latest_shipment = state.latest_shipment
    first_scan = state.first_scan
    first_delivery = state.first_delivery
    first_cancellation = state.first_cancellation
    latest_feedback = state.latest_feedback
    claims = state.claims
    chargebacks = state.chargebacks
    latest = -1
    for event in events:
        occurred = (event.occurred_at - _EPOCH) // _MICROSECOND  # micros(), without the call
        if occurred > latest:
            latest = occurred
        stamp: Stamp = (occurred, event.event_id)
        match event:
            case OrderPlaced(data=data):
                if placed is None or stamp < placed[0]:
                    placed = (
                        stamp,
                        PlacedOrder(
                            data.seller_id,
                            data.buyer_id,
                            data.channel,
                            micros(data.expected_ship_by),
                            micros(data.expected_delivery_by),
                        ),
                    )
            case OrderShipped(data=data):
                first_shipment = _earliest(first_shipment, stamp, None)
                latest_shipment = _latest(latest_shipment, stamp, data.tracking_number)
            case OrderTrackingScanned():
                first_scan = _earliest(first_scan, stamp, None)
            case OrderDelivered():
                first_delivery = _earliest(first_delivery, stamp, None)
            case OrderCancelled(data=data):
                first_cancellation = _earliest(first_cancellation, stamp, data.by)
            case FeedbackLeft(data=data):
                latest_feedback = _latest(latest_feedback, stamp, data.stars)
            case ClaimOpened(data=data):
                claim = claims.get(data.claim_id, Claim())
                claim = claim._replace(opened=min(claim.opened or stamp, stamp))
                claims = {**claims, data.claim_id: claim}
            case ClaimDecided(data=data):
                claim = claims.get(data.claim_id, Claim())
                claim = claim._replace(decision=_latest(claim.decision, stamp, data.outcome))
                claims = {**claims, data.claim_id: claim}
            case ChargebackFiled(data=data):
                chargebacks = chargebacks | {(event.event_id, data.kind)}
            case _:
                raise TypeError(f"not an order event: {event.type}")
    folded = OrderState(
        state.order_id,
        placed,
        first_shipment,
        latest_shipment,
        first_scan,
        first_delivery,
        first_cancellation,
        latest_feedback,
        claims,
        chargebacks,
    )
    return folded, latest


def apply_event(state: OrderState, event: OrderEvent) -> OrderState:
    """The state after also seeing ``event`` (an event of this order)."""
    return fold(state, (event,))


def reduce_orders(events: Iterable[OrderEvent]) -> dict[str, OrderState]:
    """Every order's state from its events, given in any order and with repeats."""
    by_order: dict[str, list[OrderEvent]] = {}
    for event in events:
        by_order.setdefault(order_id_of(event), []).append(event)
    return {order_id: fold(OrderState(order_id), found) for order_id, found in by_order.items()}


class Observation(NamedTuple):
    """What one order counts for one measure: on which day, adding what to the numerator and the
    denominator."""

    day: date
    numerator: int
    denominator: int


_COUNTED_CANCELLATIONS = (CancelledBy.SELLER, CancelledBy.SYSTEM)

_MEASURES: tuple[Measure, ...] = (
    Measure.ORDER_DEFECT,
    Measure.SELLER_CANCEL,
    Measure.SALES,
    Measure.ON_TIME_DELIVERY,
    Measure.LATE_SHIPMENT,
    Measure.VALID_TRACKING,
    Measure.FEEDBACK_STARS,
    Measure.NEGATIVE_FEEDBACK,
)
"""The measures an order counts for, in the order of ``_observed``'s slots."""

_Slot = tuple[date, int, int] | None
"""One measure's (day, numerator, denominator), or None when the order does not count for it."""

_NOTHING_OBSERVED: tuple[_Slot, ...] = (None,) * len(_MEASURES)


def observations(state: OrderState) -> dict[Measure, Observation]:
    """The order's observation for each measure it counts for (none before it is placed)."""
    return {
        measure: Observation(*slot)
        for measure, slot in zip(_MEASURES, _observed(state), strict=True)
        if slot is not None
    }


_days: dict[int, date] = {}
"""Dates by day number since the epoch, as met: a lookup costs a quarter of building the date."""


def _day(micros: int) -> date:
    """The UTC day of a time in microseconds."""
    number = micros // _DAY
    found = _days.get(number)
    if found is None:
        found = _days[number] = date.fromordinal(_EPOCH_ORDINAL + number)
    return found


def _observed(state: OrderState) -> tuple[_Slot, ...]:
    """``observations`` as one slot per measure of ``_MEASURES``, in that order.

    One pass over the state for all measures, with the properties' rules inlined: intake computes
    this twice for every order an event changes (before and after), and compares the two slot by
    slot (``counter_changes``).
    """
    if state.placed is None:
        return _NOTHING_OBSERVED
    (placed_at, _), order = state.placed
    placed_day = _day(placed_at)
    cancelled_by = state.cancelled_by
    sales = on_time = late = valid = stars = negative = None
    if cancelled_by is None:
        sales = (placed_day, 1, 0)
        delivery = state.first_delivery
        delivered_on_time = delivery is not None and delivery[0][0] <= order.expected_delivery_by
        on_time = (_day(order.expected_delivery_by), int(delivered_on_time), 1)
        shipment = state.first_shipment
        if shipment is not None:
            assert state.latest_shipment is not None  # a confirmed shipment has a latest one
            shipped_at = shipment[0][0]
            shipped_day = _day(shipped_at)
            tracked = state.latest_shipment[1] is not None and state.first_scan is not None
            late = (shipped_day, int(shipped_at > order.expected_ship_by), 1)
            valid = (shipped_day, int(tracked), 1)
    if state.latest_feedback is not None:
        (feedback_at, _), given = state.latest_feedback
        feedback_day = _day(feedback_at)
        stars = (feedback_day, given, 1)
        negative = (feedback_day, int(given <= 2), 1)
    return (
        (placed_day, int(state.is_defective), 1),
        (placed_day, int(cancelled_by in _COUNTED_CANCELLATIONS), 1),
        sales,
        on_time,
        late,
        valid,
        stars,
        negative,
    )


def observe(state: OrderState, measure: Measure) -> Observation | None:
    """The order's observation for ``measure``, or None when the order does not count for it."""
    return observations(state).get(measure)


class CounterKey(NamedTuple):
    """One per-day counter of one seller: the online engine keeps it as the measure's column pair
    in the row of (seller, day, channel) (``models.metric_counter``)."""

    seller_id: str
    measure: Measure
    channel: Channel
    day: date


class Contribution(NamedTuple):
    key: CounterKey
    numerator: int
    denominator: int


def contributions(state: OrderState) -> list[Contribution]:
    """What this order adds to its seller's per-day counters; nothing before it is placed."""
    return [
        Contribution(CounterKey(*key), numerator, denominator)
        for key, (numerator, denominator) in _counts(state).items()
    ]


def _counts(state: OrderState) -> dict[tuple[str, Measure, Channel, date], tuple[int, int]]:
    """``contributions`` keyed by plain tuples, which equal and hash as their ``CounterKey``."""
    if state.placed is None:
        return {}
    order = state.placed[1]
    seller_id, channel = order.seller_id, order.channel
    return {
        (seller_id, measure, channel, slot[0]): (slot[1], slot[2])
        for measure, slot in zip(_MEASURES, _observed(state), strict=True)
        if slot is not None
    }


def counter_changes(
    before: OrderState | None, after: OrderState
) -> dict[CounterKey, tuple[int, int]]:
    """The (numerator, denominator) to add to each counter when an order moves from ``before``
    (None: not seen yet) to ``after``; counters that do not change are left out."""
    if before is None or before.placed is None:
        if after.placed is None:
            return {}
        return _slot_changes(after.placed[1], _NOTHING_OBSERVED, _observed(after))
    if after.placed is not None:
        order, earlier = after.placed[1], before.placed[1]
        if order.seller_id == earlier.seller_id and order.channel is earlier.channel:
            return _slot_changes(order, _observed(before), _observed(after))
    changes = _counts(after)
    for key, (numerator, denominator) in _counts(before).items():
        added_numerator, added_denominator = changes.get(key, (0, 0))
        changes[key] = (added_numerator - numerator, added_denominator - denominator)
    return {CounterKey(*key): change for key, change in changes.items() if change != (0, 0)}


def _slot_changes(
    order: PlacedOrder, before: tuple[_Slot, ...], after: tuple[_Slot, ...]
) -> dict[CounterKey, tuple[int, int]]:
    """``counter_changes`` of an order that keeps its seller and channel (or was not counted
    before), from its slots before and after: the usual case, where most slots are equal and
    cost one comparison each."""
    changes: dict[CounterKey, tuple[int, int]] = {}
    for measure, old, new in zip(_MEASURES, before, after, strict=True):
        if old == new:
            continue
        if new is not None:
            changes[CounterKey(order.seller_id, measure, order.channel, new[0])] = new[1:]
        if old is not None:
            key = CounterKey(order.seller_id, measure, order.channel, old[0])
            numerator, denominator = changes.pop(key, (0, 0))
            change = (numerator - old[1], denominator - old[2])
            if change != (0, 0):
                changes[key] = change
    return changes


def window_totals(
    counters: Mapping[CounterKey, tuple[int, int]], metric: MetricDefinition, as_of: date
) -> dict[str, tuple[int, int]]:
    """Each seller's (numerator, denominator) of ``metric`` as of ``as_of``, summed from per-day
    counters. Sellers with no counter in the window are left out."""
    first, last = metric.window(as_of)
    sums: dict[str, tuple[int, int]] = {}
    for key, (numerator, denominator) in counters.items():
        if key.measure is not metric.measure or not first <= key.day <= last:
            continue
        if metric.channel is not None and key.channel is not metric.channel:
            continue
        seller_numerator, seller_denominator = sums.get(key.seller_id, (0, 0))
        sums[key.seller_id] = (seller_numerator + numerator, seller_denominator + denominator)
    return {
        seller: (numerator, metric.denominator_of(denominator))
        for seller, (numerator, denominator) in sums.items()
    }
