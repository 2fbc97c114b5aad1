"""``OrderState`` to and from compact JSON text, for the online engine's ``order_records`` table.

The encoding is lossless (a decoded state equals the encoded one, so ``counter_changes`` between a
stored state and its successor is exact) and compact: times are the state's integer microseconds
since the epoch, absent facts are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from goodstanding.events.schemas import CancelledBy, Channel, ChargebackKind, ClaimOutcome
from goodstanding.metrics.order_state import NO_CLAIMS, Claim, OrderState, PlacedOrder, Stamp

# Enumerations by value: a lookup here takes a fraction of calling the enumeration with the value.
_CHANNELS = {member.value: member for member in Channel}
_CANCELLED_BY = {member.value: member for member in CancelledBy}
_OUTCOMES = {member.value: member for member in ClaimOutcome}
_CHARGEBACK_KINDS = {member.value: member for member in ChargebackKind}


def _stamp_in(raw: list[Any]) -> Stamp:
    return (raw[0], raw[1])


def encode_state(state: OrderState) -> str:
    document: dict[str, Any] = {}
    if state.placed is not None:
        stamp, order = state.placed
        document["p"] = [
            *stamp,
            order.seller_id,
            order.buyer_id,
            order.channel.value,
            order.expected_ship_by,
            order.expected_delivery_by,
        ]
    for key, fact in (
        ("s", state.first_shipment),
        ("k", state.first_scan),
        ("d", state.first_delivery),
    ):
        if fact is not None:
            document[key] = fact[0]
    if state.latest_shipment is not None:
        document["t"] = [*state.latest_shipment[0], state.latest_shipment[1]]
    if state.first_cancellation is not None:
        stamp, by = state.first_cancellation
        document["c"] = [*stamp, by.value]
    if state.latest_feedback is not None:
        stamp, stars = state.latest_feedback
        document["f"] = [*stamp, stars]
    if state.claims:
        document["q"] = {
            claim_id: [
                claim.opened,
                None if claim.decision is None else [*claim.decision[0], claim.decision[1].value],
            ]
            for claim_id, claim in state.claims.items()
        }
    if state.chargebacks:
        document["b"] = sorted([event_id, kind.value] for event_id, kind in state.chargebacks)
    return orjson.dumps(document).decode()


def decode_state(order_id: str, text: str) -> OrderState:
    document: dict[str, Any] = orjson.loads(text)
    placed = None
    if "p" in document:
        micros, event_id, seller_id, buyer_id, channel, ship_by, deliver_by = document["p"]
        placed = (
            (micros, event_id),
            PlacedOrder(seller_id, buyer_id, _CHANNELS[channel], ship_by, deliver_by),
        )
    first_shipment: tuple[Stamp, None] | None = None
    first_scan: tuple[Stamp, None] | None = None
    first_delivery: tuple[Stamp, None] | None = None
    if "s" in document:
        first_shipment = (_stamp_in(document["s"]), None)
    if "k" in document:
        first_scan = (_stamp_in(document["k"]), None)
    if "d" in document:
        first_delivery = (_stamp_in(document["d"]), None)
    latest_shipment = None
    if "t" in document:
        micros, event_id, tracking_number = document["t"]
        latest_shipment = ((micros, event_id), tracking_number)
    first_cancellation = None
    if "c" in document:
        micros, event_id, by = document["c"]
        first_cancellation = ((micros, event_id), _CANCELLED_BY[by])
    latest_feedback = None
    if "f" in document:
        micros, event_id, stars = document["f"]
        latest_feedback = ((micros, event_id), stars)
    claims: Mapping[str, Claim] = NO_CLAIMS  # most orders have no claim and no chargeback
    if "q" in document:
        claims = {
            claim_id: Claim(
                opened=None if opened is None else _stamp_in(opened),
                decision=None
                if decision is None
                else (_stamp_in(decision), _OUTCOMES[decision[2]]),
            )
            for claim_id, (opened, decision) in document["q"].items()
        }
    chargebacks: frozenset[tuple[str, ChargebackKind]] = frozenset()
    if "b" in document:
        chargebacks = frozenset(
            (event_id, _CHARGEBACK_KINDS[kind]) for event_id, kind in document["b"]
        )
    return OrderState(  # by position: by keyword it took twice as long (1.1 against 0.45 us)
        order_id,
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
