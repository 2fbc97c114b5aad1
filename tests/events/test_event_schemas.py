"""The event wire format: strict validation, stored form and fingerprints."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goodstanding.events.schemas import (
    EVENT_TYPES,
    InvalidEvent,
    OrderEvent,
    fingerprint,
    is_order_event,
    parse_event,
    raw_from_stored,
    to_stored,
)


def placed(**overrides: Any) -> dict[str, Any]:
    data = {
        "order_id": "o1",
        "seller_id": "s1",
        "buyer_id": "b1",
        "channel": "seller",
        "amount": "12.50",
        "currency": "EUR",
        "expected_ship_by": "2024-05-02T00:00:00Z",
        "expected_delivery_by": "2024-05-05T00:00:00+02:00",
        "items": [{"listing_id": "l1", "quantity": 2}],
    }
    event = {
        "event_id": "e1",
        "type": "order.placed",
        "occurred_at": "2024-05-01T10:00:00Z",
        "data": data,
    }
    for key, value in overrides.items():
        if key in event:
            event[key] = value
        else:
            data[key] = value
    return event


EXAMPLES: dict[str, dict[str, Any]] = {
    "order.placed": placed()["data"],
    "order.shipped": {"order_id": "o1", "carrier": "UPS", "tracking_number": None},
    "order.tracking_scanned": {"order_id": "o1"},
    "order.delivered": {"order_id": "o1"},
    "order.cancelled": {"order_id": "o1", "by": "system"},
    "feedback.left": {"order_id": "o1", "stars": 1, "comment": "broken"},
    "claim.opened": {"claim_id": "c1", "order_id": "o1"},
    "claim.decided": {"claim_id": "c1", "order_id": "o1", "outcome": "withdrawn"},
    "chargeback.filed": {"order_id": "o1", "kind": "fraud"},
    "review.posted": {
        "review_id": "r1",
        "listing_id": "l1",
        "seller_id": "s1",
        "reviewer_id": "b1",
        "order_id": None,
        "stars": 5,
        "text": "great",
    },
    "listing.created": {
        "listing_id": "l1",
        "seller_id": "s1",
        "title": "Kettle",
        "description": "",
        "category": "Home",
        "brand": "Acme",
    },
    "listing.updated": {
        "listing_id": "l1",
        "seller_id": "s1",
        "title": "Kettle 2",
        "description": "",
        "category": "Home",
        "brand": "Acme",
    },
    "listing.removed": {"listing_id": "l1"},
    "account.signed_in": {
        "account_id": "a1",
        "ip": "203.0.113.9",
        "device_id": "d1",
        "user_agent": "curl",
    },
    "payout_account.set": {"account_id": "a1", "bank_account_hash": "ab12"},
    "affiliate.sale": {"affiliate_id": "f1", "order_id": "o1", "commission": "1.20"},
}


class TestParseEvent:
    def test_every_event_type_has_an_accepted_example(self) -> None:
        assert sorted(EXAMPLES) == list(EVENT_TYPES)
        for event_type, data in EXAMPLES.items():
            event = parse_event(
                {
                    "event_id": "e",
                    "type": event_type,
                    "occurred_at": "2024-05-01T10:00:00Z",
                    "data": data,
                }
            )
            assert event.type == event_type

    def test_order_events_are_told_by_their_type_as_by_their_class(self) -> None:
        events = [
            parse_event(
                {"event_id": "e", "type": event_type, "occurred_at": "2024-05-01T10:00:00Z",
                 "data": data}
            )
            for event_type, data in EXAMPLES.items()
        ]  # fmt: skip
        told = {event.type for event in events if is_order_event(event)}
        assert told == {event.type for event in events if isinstance(event, OrderEvent)}
        assert len(told) == 9

    def test_times_are_kept_in_utc(self) -> None:
        event = parse_event(placed(occurred_at="2024-05-01T10:00:00.5+02:00"))
        assert to_stored(event).occurred_at == "2024-05-01T08:00:00.500000Z"

    @pytest.mark.parametrize(
        ("raw", "reason"),
        [
            (
                placed(occurred_at="2024-05-01T10:00:00"),
                "occurred_at: '2024-05-01T10:00:00' is not",
            ),
            (placed(occurred_at="2024-05-01"), "occurred_at:"),
            (placed(occurred_at=1714557600), "occurred_at: must be an RFC 3339 time"),
            (placed(occurred_at="2024-02-30T10:00:00Z"), "is not a valid time"),
            (placed(amount=12.5), "data.amount: must be a non-negative decimal string"),
            (placed(amount="-3"), "data.amount"),
            (
                placed(channel="warehouse"),
                "data.channel: Input should be 'seller' or 'marketplace'",
            ),
            (placed(items=[]), "data.items"),
            (placed(expected_ship_by="tomorrow"), "data.expected_ship_by"),
            (placed(colour="red"), "data.colour: Extra inputs are not permitted"),
            (placed(type="order.teleported"), "type: unknown event type 'order.teleported'"),
            (
                {"event_id": "e", "occurred_at": "2024-05-01T10:00:00Z", "data": {}},
                "type: field required",
            ),
            (
                {
                    "event_id": "e",
                    "type": "feedback.left",
                    "occurred_at": "2024-05-01T10:00:00Z",
                    "data": {"order_id": "o1", "stars": "5", "comment": ""},
                },
                "data.stars",
            ),
            (
                {
                    "event_id": "e",
                    "type": "feedback.left",
                    "occurred_at": "2024-05-01T10:00:00Z",
                    "data": {"order_id": "o1", "stars": 6, "comment": ""},
                },
                "data.stars",
            ),
            (["not", "an", "object"], "event must be a JSON object, not list"),
        ],
    )
    def test_invalid_event_is_refused_with_its_reason(self, raw: object, reason: str) -> None:
        with pytest.raises(InvalidEvent) as refused:
            parse_event(raw)
        assert reason in refused.value.reason


class TestStoredFormAndFingerprint:
    def test_stored_form_parses_back_to_the_same_event(self) -> None:
        for event_type, data in EXAMPLES.items():
            event = parse_event(
                {
                    "event_id": "e",
                    "type": event_type,
                    "occurred_at": "2024-05-01T10:00:00+05:30",
                    "data": data,
                }
            )
            assert parse_event(raw_from_stored(to_stored(event))) == event

    def test_stored_data_is_the_dump_of_the_validated_data_with_sorted_keys(self) -> None:
        # The stored form is written straight from the model (nested items, times, money,
        # enums, nulls); it must stay what the model's JSON dump with sorted keys gives.
        for event_type, data in {
            **EXAMPLES,
            "order.placed": placed(amount="012.50", expected_ship_by="2024-05-02T10:00:00-03:00")[
                "data"
            ],
        }.items():
            event = parse_event(
                {
                    "event_id": "e",
                    "type": event_type,
                    "occurred_at": "2024-05-01T10:00:00.1234567+05:30",
                    "data": data,
                }
            )
            dumped = json.dumps(
                event.data.model_dump(mode="json"),
                sort_keys=True,
                separators=(",", ":"),
                ensure_ascii=False,
            )
            assert to_stored(event).data == dumped
            assert to_stored(event).occurred_at == "2024-05-01T04:30:00.123456Z"

    @given(
        event_type=st.sampled_from(sorted(EXAMPLES)),
        times=st.lists(
            st.builds(
                "{}{}{}{}{}".format,
                st.sampled_from(["2024-05-01", "2024-12-31", "2023-01-01"]),
                st.sampled_from(["T", "t"]),
                st.sampled_from(["00:00:00", "23:59:59", "10:30:00"]),
                st.sampled_from(["", ".5", ".123456", ".1234567", ".000000"]),
                st.sampled_from(["Z", "z", "+00:00", "-03:30", "+14:00"]),
            ),
            min_size=3,
            max_size=3,
        ),
        amount=st.sampled_from(["12.50", "012.50", "0.5", "00", "7", "1.000"]),
    )
    def test_stored_form_from_the_received_object_is_the_model_s(
        self, event_type: str, times: list[str], amount: str
    ) -> None:
        # Intake takes what already is in stored form from the object as received; every
        # time or amount written otherwise must still come out as the model writes it.
        data = dict(EXAMPLES[event_type])
        for name in ("expected_ship_by", "expected_delivery_by"):
            if name in data:
                data[name] = times.pop()
        for name in ("amount", "commission"):
            if name in data:
                data[name] = amount
        received = {"event_id": "e", "type": event_type, "occurred_at": times[0], "data": data}
        event = parse_event(received)
        assert to_stored(event, received) == to_stored(event)

    def test_same_content_written_differently_is_a_duplicate(self) -> None:
        first = parse_event(placed())
        reordered = placed(occurred_at="2024-05-01T12:00:00+02:00")
        reordered["data"] = dict(reversed(list(reordered["data"].items())))
        assert fingerprint(parse_event(reordered)) == fingerprint(first)

    @pytest.mark.parametrize(
        "change",
        [
            {"amount": "12.51"},
            {"occurred_at": "2024-05-01T10:00:01Z"},
            {"channel": "marketplace"},
        ],
    )
    def test_changed_content_is_a_conflict(self, change: dict[str, str]) -> None:
        assert fingerprint(parse_event(placed(**change))) != fingerprint(parse_event(placed()))

    def test_stored_text_is_exactly_what_json_dumps_writes_for_every_character(self) -> None:
        # Stored forms and fingerprints written before must stay valid: the stored data is
        # json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) and the
        # fingerprint the SHA-256 of the same compact dump of [event_id, type, time, data].
        # Every Unicode scalar value but NUL, which no event may carry (PostgreSQL text cannot).
        every_character = "".join(
            chr(point) for point in range(1, 0x110000) if not 0xD800 <= point <= 0xDFFF
        )
        for start in range(0, len(every_character), 20_000):
            listing = {
                "listing_id": "l1",
                "seller_id": "s1",
                "title": 'Lámpara "de" mesa\\\n',
                "description": every_character[start : start + 20_000],
                "category": "lighting",
                "brand": "",
            }
            event = parse_event(
                {
                    "event_id": f"e{start}",
                    "type": "listing.created",
                    "occurred_at": "2024-05-01T10:00:00Z",
                    "data": listing,
                }
            )
            stored = to_stored(event)
            expected_data = json.dumps(
                listing, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            )
            assert stored.data == expected_data
            canonical = json.dumps(
                [event.event_id, event.type, "2024-05-01T10:00:00.000000Z", expected_data],
                separators=(",", ":"),
                ensure_ascii=False,
            )
            assert fingerprint(event) == hashlib.sha256(canonical.encode()).hexdigest()

    def test_a_number_json_text_cannot_hold_is_refused_not_stored(self) -> None:
        event = parse_event(placed(items=[{"listing_id": "l1", "quantity": 10**30}]))
        with pytest.raises(InvalidEvent, match="cannot be stored as JSON text"):
            to_stored(event)
