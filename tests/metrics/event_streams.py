"""Hypothesis strategies: random order event streams with repeats and shuffled arrival.

Times are drawn on a coarse grid (whole hours over a few months around the as-of day, written with
assorted UTC offsets) so that ties, window edges and "one second after the deadline" all happen
often; ids come from small pools so that claims, orders and sellers collide.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from goodstanding.events.schemas import ORDER_EVENT_TYPES, OrderEvent, parse_event
from goodstanding.metrics.definitions import DEFAULT_CONFIG, MetricsConfig

AS_OF = date(2024, 6, 30)
_EARLIEST_ORDER = datetime(2024, 4, 5, tzinfo=UTC)  # ~85 days before AS_OF: the ODR window's start
_ORDER_HOURS = 88 * 24
_OFFSETS = (UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30)))


@st.composite
def rfc3339(draw: st.DrawFn, base: datetime, hours: tuple[int, int]) -> str:
    """A time some whole hours after ``base`` (often a tie), now and then a second off the hour."""
    instant = base + timedelta(hours=draw(st.integers(*hours)))
    instant += timedelta(seconds=draw(st.sampled_from([0, 0, 0, 1, -1])))
    zone = draw(st.sampled_from(_OFFSETS))
    text = instant.astimezone(zone).isoformat()
    return text.replace("+00:00", "Z") if draw(st.booleans()) else text


def _order_data(draw: st.DrawFn, order_id: str, base: datetime) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "seller_id": draw(st.sampled_from(["s1", "s2", "s3"])),
        "buyer_id": "b1",
        "channel": draw(st.sampled_from(["seller", "seller", "marketplace"])),
        "amount": "19.99",
        "currency": "EUR",
        "expected_ship_by": draw(rfc3339(base, (0, 72))),
        "expected_delivery_by": draw(rfc3339(base, (48, 240))),
        "items": [{"listing_id": "l1", "quantity": 1}],
    }


@st.composite
def order_event(
    draw: st.DrawFn, kind: str, order_id: str, base: datetime, event_id: str
) -> dict[str, Any]:
    """One event of the order placed around ``base``; it may happen before the placement."""
    claim_id = draw(st.sampled_from(["c1", "c2"])) + order_id
    builders: dict[str, Callable[[], dict[str, Any]]] = {
        "order.placed": lambda: _order_data(draw, order_id, base),
        "order.shipped": lambda: {
            "order_id": order_id,
            "carrier": "ups",
            "tracking_number": draw(st.sampled_from([None, "1Z999", "1Z999", "1Z999"])),
        },
        "order.tracking_scanned": lambda: {"order_id": order_id},
        "order.delivered": lambda: {"order_id": order_id},
        "order.cancelled": lambda: {
            "order_id": order_id,
            "by": draw(st.sampled_from(["seller", "buyer", "system"])),
        },
        "feedback.left": lambda: {
            "order_id": order_id,
            "stars": draw(st.integers(1, 5)),
            "comment": "",
        },
        "claim.opened": lambda: {"order_id": order_id, "claim_id": claim_id},
        "claim.decided": lambda: {
            "order_id": order_id,
            "claim_id": claim_id,
            "outcome": draw(st.sampled_from(["granted", "denied", "withdrawn"])),
        },
        "chargeback.filed": lambda: {
            "order_id": order_id,
            "kind": draw(st.sampled_from(["service", "fraud"])),
        },
    }
    data = builders[kind]()
    return {
        "event_id": event_id,
        "type": kind,
        "occurred_at": draw(rfc3339(base, (-12, 300))),
        "data": data,
    }


@st.composite
def event_streams(draw: st.DrawFn, max_orders: int = 8) -> list[OrderEvent]:
    """Order events of a few orders, some delivered twice, in a shuffled arrival order."""
    # Half the orders are recent, where the short windows (cancel rate, late shipment) look.
    placement = st.one_of(
        st.integers(0, _ORDER_HOURS), st.integers(_ORDER_HOURS - 336, _ORDER_HOURS)
    )
    bases = draw(st.lists(placement, min_size=1, max_size=max_orders))
    events: list[OrderEvent] = []
    for order, hours in enumerate(bases):
        # Each kind at most twice per order, so most orders have a life: placed, shipped, scanned...
        kinds = draw(st.lists(st.sampled_from(ORDER_EVENT_TYPES), max_size=14))
        kinds = [kind for index, kind in enumerate(kinds) if kinds[:index].count(kind) < 2]
        base = _EARLIEST_ORDER + timedelta(hours=hours)
        for kind in kinds:
            event = parse_event(draw(order_event(kind, f"o{order}", base, f"e{len(events)}")))
            assert isinstance(event, OrderEvent)
            events.append(event)
    if not events:
        return []
    repeats = draw(st.lists(st.sampled_from(events), max_size=len(events) // 2))
    return draw(st.permutations(events + repeats))


@st.composite
def configs(draw: st.DrawFn) -> MetricsConfig:
    """The default metrics, with a small minimum volume so that small streams get every status."""
    min_orders = draw(st.sampled_from([0, 1, 3]))
    band = draw(st.sampled_from([Decimal("0.2"), Decimal("0.5")]))
    return MetricsConfig(
        metrics=tuple(
            metric.model_copy(
                update={
                    "min_orders": 0 if metric.measure.per_week else min_orders,
                    "at_risk_band": band,
                }
            )
            for metric in DEFAULT_CONFIG.metrics
        )
    )


as_of_days = st.integers(-3, 3).map(lambda shift: AS_OF + timedelta(days=shift))
