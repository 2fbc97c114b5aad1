"""The marketplace event wire format (a contract: integrations are written against it).

Each event is ``{"event_id": str, "type": str, "occurred_at": RFC 3339 time, "data": {...}}``.
Validation is strict so that a bad event is refused with a reason instead of being guessed at:

- times are RFC 3339 strings with an explicit offset (``Z`` or ``+hh:mm``); a time without an
  offset, a bare date or a unix number is refused. Times are kept in UTC; digits beyond
  microseconds are truncated (every engine compares microseconds).
- money is a decimal string (``"12.50"``), never a JSON number, so no float rounding creeps in.
- enumerations (channel, who cancelled, claim outcome, chargeback kind) accept only their listed
  values.
- unknown fields are refused: a typo in a field name must not silently drop the field.

Validated events have one canonical *stored form* (``StoredEvent``): the occurred_at and every time
inside ``data`` written as fixed-width UTC text (``2024-05-01T09:30:00.000000Z``) and ``data``
as JSON with sorted keys. Fixed-width UTC text sorts like the time it names, so the batch engines
compare and bucket times as plain strings and agree with each other to the microsecond.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, NamedTuple, TypeGuard, get_args

import orjson
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)


def _text(**constraints: Any) -> StringConstraints:
    return StringConstraints(strict=True, **constraints)


STORED_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

_RFC3339 = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt](?P<time>\d{2}:\d{2}:\d{2})(?P<fraction>\.\d+)?"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})$"
)
_DECIMAL = re.compile(r"^\d+(\.\d+)?$")


def _parse_rfc3339(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("must be an RFC 3339 time string with an offset")
    match = _RFC3339.match(value)
    if match is None:
        raise ValueError(
            f"{value!r} is not an RFC 3339 time with an offset (e.g. 2024-05-01T09:30:00Z)"
        )
    # The pattern fixed the shape; fromisoformat reads every form it admits (any number of
    # fraction digits, cut at microseconds) except a lowercase "z".
    try:
        parsed = datetime.fromisoformat(value[:-1] + "Z" if value[-1] == "z" else value)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a valid time: {error}") from None
    return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)


def format_stored_time(value: datetime) -> str:
    """Fixed-width UTC text of a time: the form every engine compares (``STORED_TIME_FORMAT``)."""
    # isoformat is several times faster than strftime, and intake formats every time it stores.
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")[:-6] + "Z"


def _parse_decimal_string(value: object) -> Decimal:
    if not isinstance(value, str) or not _DECIMAL.match(value):
        raise ValueError('must be a non-negative decimal string such as "12.50"')
    return Decimal(value)


Timestamp = Annotated[
    datetime,
    BeforeValidator(_parse_rfc3339),
    PlainSerializer(format_stored_time, return_type=str),
]
Money = Annotated[
    Decimal, BeforeValidator(_parse_decimal_string), PlainSerializer(str, return_type=str)
]
Id = Annotated[str, _text(min_length=1, max_length=200)]
Stars = Annotated[int, Strict(), Field(ge=1, le=5)]
CurrencyCode = Annotated[str, _text(pattern=r"^[A-Z]{3}$")]


class Channel(StrEnum):
    SELLER = "seller"
    """Fulfilled by the seller."""
    MARKETPLACE = "marketplace"
    """Fulfilled by the marketplace."""


class CancelledBy(StrEnum):
    SELLER = "seller"
    BUYER = "buyer"
    SYSTEM = "system"
    """Cancelled by the marketplace because the shipment was never confirmed."""


class ClaimOutcome(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"


class ChargebackKind(StrEnum):
    SERVICE = "service"
    FRAUD = "fraud"


class _WireModel(BaseModel):
    # Field types are strict one by one (no "5" for 5, no 1 for true); enums accept their values.
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrderItem(_WireModel):
    listing_id: Id
    quantity: Annotated[int, Strict(), Field(ge=1)]


class OrderPlacedData(_WireModel):
    order_id: Id
    seller_id: Id
    buyer_id: Id
    channel: Channel
    amount: Money
    currency: CurrencyCode
    expected_ship_by: Timestamp
    expected_delivery_by: Timestamp
    items: Annotated[list[OrderItem], Field(min_length=1)]


class OrderShippedData(_WireModel):
    order_id: Id
    carrier: Annotated[str, _text(min_length=1, max_length=100)]
    tracking_number: Annotated[str, _text(min_length=1, max_length=100)] | None


class OrderRef(_WireModel):
    order_id: Id


class OrderCancelledData(_WireModel):
    order_id: Id
    by: CancelledBy


class FeedbackLeftData(_WireModel):
    order_id: Id
    stars: Stars
    comment: Annotated[str, _text(max_length=5000)]


class ClaimOpenedData(_WireModel):
    claim_id: Id
    order_id: Id


class ClaimDecidedData(_WireModel):
    claim_id: Id
    order_id: Id
    outcome: ClaimOutcome


class ChargebackFiledData(_WireModel):
    order_id: Id
    kind: ChargebackKind


class ReviewPostedData(_WireModel):
    review_id: Id
    listing_id: Id
    seller_id: Id
    reviewer_id: Id
    order_id: Id | None
    stars: Stars
    text: Annotated[str, _text(max_length=20000)]


class ListingData(_WireModel):
    listing_id: Id
    seller_id: Id
    title: Annotated[str, _text(min_length=1, max_length=500)]
    description: Annotated[str, _text(max_length=20000)]
    category: Annotated[str, _text(max_length=200)]
    brand: Annotated[str, _text(max_length=200)]


class ListingRef(_WireModel):
    listing_id: Id


class SignedInData(_WireModel):
    account_id: Id
    ip: Annotated[str, _text(min_length=1, max_length=45)]
    device_id: Id
    user_agent: Annotated[str, _text(max_length=1000)]


class PayoutAccountSetData(_WireModel):
    account_id: Id
    bank_account_hash: Annotated[str, _text(min_length=1, max_length=200)]


class AffiliateSaleData(_WireModel):
    affiliate_id: Id
    order_id: Id
    commission: Money


class _Envelope(_WireModel):
    event_id: Id
    occurred_at: Timestamp


class OrderPlaced(_Envelope):
    type: Literal["order.placed"]
    data: OrderPlacedData


class OrderShipped(_Envelope):
    type: Literal["order.shipped"]
    data: OrderShippedData


class OrderTrackingScanned(_Envelope):
    type: Literal["order.tracking_scanned"]
    data: OrderRef


class OrderDelivered(_Envelope):
    type: Literal["order.delivered"]
    data: OrderRef


class OrderCancelled(_Envelope):
    type: Literal["order.cancelled"]
    data: OrderCancelledData


class FeedbackLeft(_Envelope):
    type: Literal["feedback.left"]
    data: FeedbackLeftData


class ClaimOpened(_Envelope):
    type: Literal["claim.opened"]
    data: ClaimOpenedData


class ClaimDecided(_Envelope):
    type: Literal["claim.decided"]
    data: ClaimDecidedData


class ChargebackFiled(_Envelope):
    type: Literal["chargeback.filed"]
    data: ChargebackFiledData


class ReviewPosted(_Envelope):
    type: Literal["review.posted"]
    data: ReviewPostedData


class ListingCreated(_Envelope):
    type: Literal["listing.created"]
    data: ListingData


class ListingUpdated(_Envelope):
    type: Literal["listing.updated"]
    data: ListingData


class ListingRemoved(_Envelope):
    type: Literal["listing.removed"]
    data: ListingRef


class AccountSignedIn(_Envelope):
    type: Literal["account.signed_in"]
    data: SignedInData


class PayoutAccountSet(_Envelope):
    type: Literal["payout_account.set"]
    data: PayoutAccountSetData


class AffiliateSale(_Envelope):
    type: Literal["affiliate.sale"]
    data: AffiliateSaleData


OrderEvent = (
    OrderPlaced
    | OrderShipped
    | OrderTrackingScanned
    | OrderDelivered
    | OrderCancelled
    | FeedbackLeft
    | ClaimOpened
    | ClaimDecided
    | ChargebackFiled
)
"""Events that change an order's state, and so the seller's performance metrics."""

Event = Annotated[
    OrderEvent
    | ReviewPosted
    | ListingCreated
    | ListingUpdated
    | ListingRemoved
    | AccountSignedIn
    | PayoutAccountSet
    | AffiliateSale,
    Field(discriminator="type"),
]


def _type_name(model: type[_Envelope]) -> str:
    name: str = get_args(model.model_fields["type"].annotation)[0]
    return name


EVENT_TYPES: tuple[str, ...] = tuple(
    sorted(_type_name(model) for model in get_args(get_args(Event)[0]))
)

ORDER_EVENT_TYPES: tuple[str, ...] = tuple(_type_name(model) for model in get_args(OrderEvent))
"""The event types that change an order's state, and so the metrics."""

_ORDER_EVENT_TYPES = frozenset(ORDER_EVENT_TYPES)


def _rewritten(model: type[BaseModel]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    times = tuple(name for name, info in model.model_fields.items() if info.annotation is datetime)
    money = tuple(name for name, info in model.model_fields.items() if info.annotation is Decimal)
    return times, money


_REWRITTEN_FIELDS: dict[type[BaseModel], tuple[tuple[str, ...], tuple[str, ...]]] = {
    data_model: _rewritten(data_model)
    for data_model in (
        model.model_fields["data"].annotation for model in get_args(get_args(Event)[0])
    )
}
"""The (time, money) fields of each data model: the only values whose validated form may be
written differently from how they came (other fields are strict, so they arrive as stored)."""


def is_order_event(event: Event) -> TypeGuard[OrderEvent]:
    """``isinstance(event, OrderEvent)`` by the event's type name: a model class's instance check
    runs in Python, and one against the union tries each of its nine classes (up to 1.3 us
    where this takes 0.1; intake asks for every event)."""
    return event.type in _ORDER_EVENT_TYPES


_event_adapter: TypeAdapter[Event] = TypeAdapter(Event)


class InvalidEvent(ValueError):
    """An event that does not follow the wire format; ``reason`` says why in one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _describe(error: ValidationError) -> str:
    reasons = []
    for detail in error.errors(include_url=False):
        # The discriminated union adds the event type as a path step; it names no field.
        location = ".".join(str(part) for part in detail["loc"][1:] if part != "") or "event"
        if detail["type"] == "union_tag_invalid":
            reasons.append(f"type: unknown event type {detail['input'].get('type')!r}")
            continue
        if detail["type"] == "union_tag_not_found":
            reasons.append("type: field required")
            continue
        message = str(detail["msg"]).removeprefix("Value error, ")
        reasons.append(f"{location}: {message}")
    return "; ".join(reasons)


def parse_event(raw: object) -> Event:
    """Validate one decoded event (a JSON object) against the wire format.

    Raises ``InvalidEvent`` with every problem named by its field path, e.g.
    ``data.stars: Input should be less than or equal to 5``.
    """
    if not isinstance(raw, dict):
        raise InvalidEvent(f"event must be a JSON object, not {type(raw).__name__}")
    try:
        return _event_adapter.validate_python(raw)
    except ValidationError as error:
        raise InvalidEvent(_describe(error)) from None


class StoredEvent(NamedTuple):
    """The canonical stored form of a validated event (see the module docstring)."""

    event_id: str
    type: str
    occurred_at: str
    data: str


class UnstorableEvent(InvalidEvent):
    """A valid event that the stores cannot hold exactly: an integer beyond 64 bits (JSON text),
    or the NUL character (PostgreSQL text)."""


# A NUL character written as JSON: \u0000 after an even number of backslashes (an odd number
# would make it the text "\u0000" itself).
_ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def _stored_value(value: object) -> object:
    """The JSON value of what orjson does not write itself: a validated model is its fields (as
    ``model_dump`` gives them), a time its stored text, money its decimal string."""
    if isinstance(value, BaseModel):
        return value.__dict__
    if isinstance(value, datetime):
        return format_stored_time(value)
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} has no stored form")


def _canonical_json(value: object, *, sort_keys: bool = False) -> str:
    """Compact UTF-8 JSON, byte for byte what ``json.dumps(value, separators=(",", ":"),
    ensure_ascii=False, sort_keys=sort_keys)`` writes for the strings, integers, lists and
    objects of an event (checked over every Unicode scalar value in the tests), at a quarter of
    its cost: intake writes it twice for every event. Models, times and money inside ``value``
    are written in their stored form (``_stored_value``), straight from the validated event:
    a ``model_dump`` first took twice as long as the writing itself."""
    option = orjson.OPT_PASSTHROUGH_DATETIME | (orjson.OPT_SORT_KEYS if sort_keys else 0)
    try:
        return orjson.dumps(value, default=_stored_value, option=option).decode()
    except orjson.JSONEncodeError as error:
        raise UnstorableEvent(f"event: cannot be stored as JSON text: {error}") from None


def _is_stored_time_text(text: str) -> bool:
    """Whether a time that passed validation is already written in stored form: the pattern
    fixed its shape, so 27 characters ending in ``Z`` with an upper-case ``T`` leave only
    ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return len(text) == 27 and text[26] == "Z" and text[10] == "T"


def _stored_data(data: BaseModel, received: dict[str, Any]) -> dict[str, Any]:
    """The JSON object to store for ``data``: the object it was validated from, with the times
    and amounts that came written otherwise rewritten in their stored form."""
    times, money = _REWRITTEN_FIELDS[type(data)]
    rewritten: dict[str, str] = {}
    for name in times:
        if not _is_stored_time_text(received[name]):
            rewritten[name] = format_stored_time(getattr(data, name))
    for name in money:
        amount = str(getattr(data, name))
        if amount != received[name]:
            rewritten[name] = amount
    return {**received, **rewritten} if rewritten else received


def to_stored(event: Event, received: dict[str, Any] | None = None) -> StoredEvent:
    """The event's stored form; ``UnstorableEvent`` when a store cannot hold it.

    ``received``, the JSON object ``event`` was validated from, spares writing anew what came
    already in stored form, such as UTC times with microseconds (formatting an aware datetime
    takes about 3 us, 7% of intake's CPU in a profile). Validation is strict and refuses unknown
    fields, so that object holds exactly the model's fields, with the same values."""
    if received is None:
        data = _canonical_json(event.data, sort_keys=True)
        occurred_at = format_stored_time(event.occurred_at)
    else:
        data = _canonical_json(_stored_data(event.data, received["data"]), sort_keys=True)
        occurred_at = received["occurred_at"]
        if not _is_stored_time_text(occurred_at):
            occurred_at = format_stored_time(event.occurred_at)
    if "\x00" in event.event_id or ("\\u0000" in data and _ESCAPED_NUL.search(data)):
        raise UnstorableEvent("event: text must not contain the NUL character (\\u0000)")
    return StoredEvent(event.event_id, event.type, occurred_at, data)  # by keyword costs twice


def fingerprint(event: Event) -> str:
    """A hash of the event's content, equal for two sendings of the same event.

    It is computed on the canonical stored form, so a retry that writes the same time with another
    offset or sends the fields in another order is still recognised as a duplicate; any change of
    meaning (another star count, another time) gives another fingerprint, which makes the repeated
    event_id a conflict.
    """
    return stored_fingerprint(to_stored(event))


def stored_fingerprint(stored: StoredEvent) -> str:
    """``fingerprint`` of an event already in its stored form."""
    # Four strings, which orjson writes as ``_canonical_json`` does; hashed as the bytes it
    # writes, without a round trip through text.
    canonical = orjson.dumps([stored.event_id, stored.type, stored.occurred_at, stored.data])
    return hashlib.sha256(canonical).hexdigest()


def raw_from_stored(stored: StoredEvent) -> dict[str, Any]:
    """The wire form of a stored event (it parses back to the same event)."""
    return {
        "event_id": stored.event_id,
        "type": stored.type,
        "occurred_at": stored.occurred_at,
        "data": orjson.loads(stored.data),
    }


class RefusedEventOut(BaseModel):
    index: int
    """0-based position of the event in the request body."""
    event_id: str | None
    reason: str


class IntakeOut(BaseModel):
    """The reply to ``POST /api/v1/events``."""

    accepted: int
    duplicate: int
    refused: int
    refused_events: list[RefusedEventOut]
