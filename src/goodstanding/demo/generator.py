"""A seeded, realistic marketplace written as wire events (``events.schemas``).

Sellers list products, buyers order them, sellers ship (or cancel), carriers scan and deliver,
buyers leave feedback and reviews, open claims and file chargebacks; accounts sign in from devices
and set payout accounts. Most sellers are healthy; some fail one metric each; some sit right at a
metric's threshold (their rate for it is the target itself); a few share a device or a bank account
(linked accounts), list restricted products, or collect incentivised reviews. ``DemoTruth`` names
every planted case, for the demo and for checking detectors.

Events come out day by day in time order, each day's events sorted by time; ``duplicate_share`` and
``out_of_order_share`` make the stream look like an at-least-once integration. Times are written in
the canonical stored form (``2024-06-01T09:30:00.000000Z``) and data with every field present, so
the stream can also be loaded without validation for benchmarks (``stored_table``). The same seed
and options give the same events.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq

from goodstanding.events.schemas import STORED_TIME_FORMAT

RawEvent = dict[str, Any]

HEALTHY = "healthy"
# A failing or borderline profile names the metric it plays on.
PLAYED_METRICS = (
    "order_defect_rate_seller",
    "cancel_rate",
    "late_shipment_rate_30d",
    "valid_tracking_rate",
    "on_time_delivery_rate",
    "sales_per_week",
    "feedback_rating",
)


@dataclass(frozen=True)
class _Rates:
    """Per-order chances for one seller."""

    defect: float = 0.001
    seller_cancel: float = 0.002
    buyer_cancel: float = 0.02
    late_shipment: float = 0.003
    invalid_tracking: float = 0.003
    late_delivery: float = 0.01
    low_stars: float = 0.0


_FAILING = {
    "order_defect_rate_seller": _Rates(defect=0.04),
    "cancel_rate": _Rates(seller_cancel=0.07),
    "late_shipment_rate_30d": _Rates(late_shipment=0.12),
    "valid_tracking_rate": _Rates(invalid_tracking=0.15),
    "on_time_delivery_rate": _Rates(late_delivery=0.25),
    "sales_per_week": _Rates(),
    "feedback_rating": _Rates(low_stars=0.9),
}
_BORDERLINE = {
    "order_defect_rate_seller": _Rates(defect=0.01),
    "cancel_rate": _Rates(seller_cancel=0.025),
    "late_shipment_rate_30d": _Rates(late_shipment=0.04),
    "valid_tracking_rate": _Rates(invalid_tracking=0.05),
    "on_time_delivery_rate": _Rates(late_delivery=0.10),
    "sales_per_week": _Rates(),
    "feedback_rating": _Rates(low_stars=0.45),
}

_PRODUCTS = (
    ("Home & Kitchen", "Stainless Steel French Press Coffee Maker", ("34 oz", "1 L", "12 oz")),
    ("Home & Kitchen", "Non-Stick Ceramic Frying Pan", ("10 inch", "12 inch", "8 inch")),
    ("Electronics", "Wireless Bluetooth Earbuds with Charging Case", ("Black", "White")),
    ("Electronics", "USB-C Fast Charger 65W GaN", ("2-Port", "3-Port")),
    ("Sports & Outdoors", "Yoga Mat Non-Slip Extra Thick", ("6 mm", "8 mm", "10 mm")),
    ("Toys & Games", "Wooden Building Blocks Set for Toddlers", ("50 pieces", "100 pieces")),
    ("Clothing", "Men's Merino Wool Hiking Socks", ("3 pairs", "5 pairs")),
    ("Beauty", "Vitamin C Brightening Face Serum", ("30 ml", "50 ml")),
    ("Garden", "Ceramic Plant Pot with Drainage Hole", ("6 inch", "8 inch")),
    ("Books", "Hardcover Dotted Journal A5", ("Navy", "Sage", "Black")),
    ("Pet Supplies", "Orthopedic Memory Foam Dog Bed", ("Medium", "Large")),
    ("Office", "Ergonomic Mesh Office Chair with Lumbar Support", ("Grey", "Black")),
)
_BRANDS = ("Northwind", "Kestrel", "Lumina", "Oakridge", "Solvent", "Brightway", "Tallis", "Verano")
_RESTRICTED = (
    ("other_excluded", "Replica Luxury Watch Submariner Style Automatic 40mm"),
    ("drugs", "Kratom Capsules Red Bali 100 Count"),
    ("weapons", "Spring Assisted Butterfly Knife with Belt Clip"),
    ("tobacco", "Nicotine Vape Pods Mint 5% 4-Pack"),
    ("surveillance", "Hidden Spy Camera Wall Charger 1080p"),
    ("other_excluded", "Novelty Driver License Template Editable"),
)
_REVIEW_TEXTS = (
    "Works exactly as described and arrived quickly.",
    "Good quality for the price, would buy again.",
    "Sturdy and well made. My second one.",
    "Smaller than I expected but does the job.",
    "Stopped working after two weeks, disappointed.",
)
_INCENTIVISED_TEXTS = (
    "I received this product at a discount in exchange for my honest review. Love it!",
    "Got this free from the seller for an honest review - five stars, highly recommend.",
    "The seller sent me a gift card after I left this review. Great product!",
)
_USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
)


@dataclass(frozen=True)
class GeneratorOptions:
    seed: int = 7
    as_of: date = date(2024, 6, 30)
    """The last day generated; nothing happens after its end."""
    days: int = 120
    sellers: int = 100
    buyers: int = 5000
    orders_per_seller_per_day: float = 6.0
    """Average; each seller's volume varies around it."""
    failing_share: float = 0.14
    """Share of sellers failing one metric (spread over the metrics)."""
    borderline_share: float = 0.07
    """Share of sellers right at one metric's threshold."""
    linked_groups: int = 3
    """Groups of two or three sellers sharing a device or a bank account."""
    duplicate_share: float = 0.0
    out_of_order_share: float = 0.0

    def __post_init__(self) -> None:
        if self.sellers < 1 or self.buyers < 1 or self.days < 1:
            raise ValueError("sellers, buyers and days must be at least 1")
        if self.orders_per_seller_per_day < 0:
            raise ValueError("orders_per_seller_per_day must not be negative")
        for name in ("failing_share", "borderline_share", "duplicate_share", "out_of_order_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.failing_share + self.borderline_share > 1:
            raise ValueError("failing_share + borderline_share must not exceed 1")


@dataclass
class DemoTruth:
    """What the generator planted."""

    profiles: dict[str, str] = field(default_factory=dict)
    """seller_id -> "healthy", "failing:<metric>" or "borderline:<metric>"."""
    linked_groups: list[tuple[str, ...]] = field(default_factory=list)
    restricted_listings: dict[str, str] = field(default_factory=dict)
    """listing_id -> restricted category."""
    incentivised_reviews: set[str] = field(default_factory=set)


def _seller_id(index: int) -> str:
    return f"seller-{index:06d}"


def plan_sellers(options: GeneratorOptions) -> DemoTruth:
    """Which seller plays which part; deterministic in the seed."""
    rng = random.Random(f"{options.seed}:plan")
    sellers = [_seller_id(i) for i in range(options.sellers)]
    order = sellers[:]
    rng.shuffle(order)
    failing = round(options.sellers * options.failing_share)
    borderline = round(options.sellers * options.borderline_share)
    truth = DemoTruth(profiles=dict.fromkeys(sellers, HEALTHY))
    for position, seller in enumerate(order[:failing]):
        truth.profiles[seller] = f"failing:{PLAYED_METRICS[position % len(PLAYED_METRICS)]}"
    for position, seller in enumerate(order[failing : failing + borderline]):
        truth.profiles[seller] = f"borderline:{PLAYED_METRICS[position % len(PLAYED_METRICS)]}"
    pool = order[failing + borderline :] or order
    for group in range(min(options.linked_groups, len(pool) // 3)):
        size = 2 + group % 2
        truth.linked_groups.append(tuple(sorted(pool[group * 3 : group * 3 + size])))
    return truth


def _rates(profile: str) -> _Rates:
    if profile == HEALTHY:
        return _Rates()
    kind, metric = profile.split(":")
    return (_FAILING if kind == "failing" else _BORDERLINE)[metric]


def _stamp(moment: datetime) -> str:
    return moment.strftime(STORED_TIME_FORMAT)


class _Writer:
    """Collects events into day buckets and numbers them."""

    def __init__(self, start: datetime, end: datetime) -> None:
        self.start, self.end = start, end
        self.buckets: dict[int, list[tuple[datetime, RawEvent]]] = defaultdict(list)
        self.count = 0

    def add(self, moment: datetime, kind: str, data: dict[str, Any]) -> str:
        self.count += 1
        event_id = f"evt-{self.count:010d}"
        if moment < self.end:
            event = {
                "event_id": event_id,
                "type": kind,
                "occurred_at": _stamp(moment),
                "data": data,
            }
            self.buckets[(moment - self.start).days].append((moment, event))
        return event_id

    def flush(self, day: int) -> list[RawEvent]:
        bucket = self.buckets.pop(day, [])
        bucket.sort(key=lambda item: (item[0], item[1]["event_id"]))
        return [event for _, event in bucket]


def generate_events(options: GeneratorOptions) -> Iterator[RawEvent]:
    """The marketplace's events, day by day (see the module docstring)."""
    return _disorder(_ordered_events(options, plan_sellers(options)), options)


def _ordered_events(options: GeneratorOptions, truth: DemoTruth) -> Iterator[RawEvent]:
    rng = random.Random(options.seed)
    end = datetime.combine(options.as_of + timedelta(days=1), time(), tzinfo=UTC)
    start = end - timedelta(days=options.days)
    writer = _Writer(start, end)
    sellers = sorted(truth.profiles)
    listings = _setup_sellers(rng, writer, sellers, truth, start)
    volumes = {}
    for seller in sellers:
        volume = options.orders_per_seller_per_day * rng.lognormvariate(0, 0.6) / 1.2
        if truth.profiles[seller].endswith("sales_per_week"):
            # Failing: about one sale a week; borderline: the rule's two a week.
            volume = 1 / 7 if truth.profiles[seller].startswith("failing") else 2 / 7
        volumes[seller] = volume
    order_number = 0
    for day in range(options.days):
        day_start = start + timedelta(days=day)
        for seller in sellers:
            for _ in range(_poisson(rng, volumes[seller])):
                order_number += 1
                moment = day_start + timedelta(seconds=rng.randrange(86_400))
                _order_life(
                    rng,
                    writer,
                    f"order-{order_number:010d}",
                    seller,
                    moment,
                    _rates(truth.profiles[seller]),
                    listings[seller],
                    options,
                    truth,
                )
        yield from writer.flush(day)


def _setup_sellers(
    rng: random.Random, writer: _Writer, sellers: list[str], truth: DemoTruth, start: datetime
) -> dict[str, list[str]]:
    shared_device = {
        seller: f"device-linked-{group}"
        for group, members in enumerate(truth.linked_groups)
        for seller in members
        if group % 2 == 0
    }
    shared_bank = {
        seller: _hash(f"bank-linked-{group}")
        for group, members in enumerate(truth.linked_groups)
        for seller in members
        if group % 2 == 1
    }
    listings: dict[str, list[str]] = {}
    restricted_sellers = set(sellers[:: max(1, len(sellers) // 5)][: len(_RESTRICTED)])
    for number, seller in enumerate(sellers):
        moment = start + timedelta(minutes=number)
        device = shared_device.get(seller, f"device-{seller}")
        writer.add(
            moment,
            "account.signed_in",
            {
                "account_id": seller,
                "device_id": device,
                "ip": f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}",
                "user_agent": rng.choice(_USER_AGENTS),
            },
        )
        writer.add(
            moment + timedelta(seconds=30),
            "payout_account.set",
            {
                "account_id": seller,
                "bank_account_hash": shared_bank.get(seller, _hash(f"bank-{seller}")),
            },
        )
        own = []
        for item in range(rng.randint(3, 8)):
            category, product, variants = rng.choice(_PRODUCTS)
            brand = rng.choice(_BRANDS)
            listing_id = f"listing-{seller}-{item}"
            writer.add(
                moment + timedelta(minutes=1 + item),
                "listing.created",
                {
                    "listing_id": listing_id,
                    "seller_id": seller,
                    "title": f"{brand} {product}, {rng.choice(variants)}",
                    "description": f"{product} by {brand}. Ships from our warehouse.",
                    "category": category,
                    "brand": brand,
                },
            )
            own.append(listing_id)
        if seller in restricted_sellers:
            category, title = _RESTRICTED[len(truth.restricted_listings)]
            listing_id = f"listing-{seller}-restricted"
            writer.add(
                moment + timedelta(minutes=20),
                "listing.created",
                {
                    "listing_id": listing_id,
                    "seller_id": seller,
                    "title": title,
                    "description": title,
                    "category": "Everything Else",
                    "brand": "Generic",
                },
            )
            truth.restricted_listings[listing_id] = category
        listings[seller] = own
    return listings


def _order_life(
    rng: random.Random,
    writer: _Writer,
    order_id: str,
    seller: str,
    placed: datetime,
    rates: _Rates,
    listings: list[str],
    options: GeneratorOptions,
    truth: DemoTruth,
) -> None:
    channel = "marketplace" if rng.random() < 0.25 else "seller"
    buyer = f"buyer-{rng.randrange(options.buyers):07d}"
    ship_by = placed + timedelta(hours=48)
    deliver_by = ship_by + timedelta(days=5)
    listing = rng.choice(listings)
    writer.add(
        placed,
        "order.placed",
        {
            "order_id": order_id,
            "seller_id": seller,
            "buyer_id": buyer,
            "channel": channel,
            "amount": f"{rng.randint(5, 300)}.{rng.randint(0, 99):02d}",
            "currency": "EUR",
            "expected_ship_by": _stamp(ship_by),
            "expected_delivery_by": _stamp(deliver_by),
            "items": [{"listing_id": listing, "quantity": rng.choice((1, 1, 1, 2))}],
        },
    )
    roll = rng.random()
    if roll < rates.buyer_cancel:
        writer.add(
            placed + timedelta(minutes=rng.randint(5, 300)),
            "order.cancelled",
            {"order_id": order_id, "by": "buyer"},
        )
        return
    if roll < rates.buyer_cancel + rates.seller_cancel:
        by_system = rng.random() < 0.3
        writer.add(
            placed
            + (timedelta(hours=72) if by_system else timedelta(minutes=rng.randint(30, 1400))),
            "order.cancelled",
            {"order_id": order_id, "by": "system" if by_system else "seller"},
        )
        return
    late = rng.random() < rates.late_shipment
    shipped = (
        ship_by + timedelta(minutes=rng.randint(1, 2880))
        if late
        else placed + timedelta(minutes=rng.randint(60, 2800))
    )
    invalid = rng.random() < rates.invalid_tracking
    no_number = invalid and rng.random() < 0.5
    writer.add(
        shipped,
        "order.shipped",
        {
            "order_id": order_id,
            "carrier": rng.choice(("UPS", "DHL", "USPS", "GLS")),
            "tracking_number": None if no_number else f"1Z{rng.randrange(10**12):012d}",
        },
    )
    if not invalid:
        writer.add(
            shipped + timedelta(hours=rng.randint(2, 20)),
            "order.tracking_scanned",
            {"order_id": order_id},
        )
    delivered = (
        deliver_by + timedelta(hours=rng.randint(1, 96))
        if rng.random() < rates.late_delivery
        else min(deliver_by, shipped + timedelta(hours=rng.randint(24, 96)))
    )
    writer.add(delivered, "order.delivered", {"order_id": order_id})
    _after_delivery(rng, writer, order_id, seller, buyer, listing, delivered, rates, truth)


def _after_delivery(
    rng: random.Random,
    writer: _Writer,
    order_id: str,
    seller: str,
    buyer: str,
    listing: str,
    delivered: datetime,
    rates: _Rates,
    truth: DemoTruth,
) -> None:
    later = delivered + timedelta(days=rng.randint(1, 10), seconds=rng.randrange(86_400))
    if rng.random() < rates.defect:
        defect = rng.choice(("feedback", "claim", "chargeback"))
        if defect == "feedback":
            writer.add(
                later,
                "feedback.left",
                {
                    "order_id": order_id,
                    "stars": rng.choice((1, 2)),
                    "comment": "Item arrived broken.",
                },
            )
        elif defect == "claim":
            claim_id = f"claim-{order_id}"
            writer.add(later, "claim.opened", {"claim_id": claim_id, "order_id": order_id})
            writer.add(
                later + timedelta(days=rng.randint(2, 9)),
                "claim.decided",
                {"claim_id": claim_id, "order_id": order_id, "outcome": "granted"},
            )
        else:
            writer.add(
                later + timedelta(days=15),
                "chargeback.filed",
                {"order_id": order_id, "kind": "service"},
            )
    elif rng.random() < 0.3:
        stars = (
            rng.choice((2, 3, 3, 3))
            if rng.random() < rates.low_stars
            else rng.choice((5, 5, 5, 4, 4, 3))
        )
        writer.add(
            later,
            "feedback.left",
            {"order_id": order_id, "stars": stars, "comment": "Thanks!" if stars > 3 else "Okay."},
        )
    if rng.random() < 0.004:
        claim_id = f"claim-{order_id}-denied"
        writer.add(later, "claim.opened", {"claim_id": claim_id, "order_id": order_id})
        writer.add(
            later + timedelta(days=4),
            "claim.decided",
            {
                "claim_id": claim_id,
                "order_id": order_id,
                "outcome": rng.choice(("denied", "withdrawn")),
            },
        )
    if rng.random() < 0.002:
        writer.add(
            later + timedelta(days=20), "chargeback.filed", {"order_id": order_id, "kind": "fraud"}
        )
    if rng.random() < 0.08:
        incentivised = rng.random() < 0.03
        writer.add(
            later + timedelta(days=1),
            "review.posted",
            {
                "review_id": f"review-{order_id}",
                "listing_id": listing,
                "seller_id": seller,
                "reviewer_id": buyer,
                "order_id": order_id,
                "stars": 5 if incentivised else rng.choice((5, 4, 4, 3, 2)),
                "text": rng.choice(_INCENTIVISED_TEXTS if incentivised else _REVIEW_TEXTS),
            },
        )
        if incentivised:
            truth.incentivised_reviews.add(f"review-{order_id}")


def _disorder(events: Iterator[RawEvent], options: GeneratorOptions) -> Iterator[RawEvent]:
    """Repeat some events and hold some back, as an at-least-once integration does."""
    rng = random.Random(f"{options.seed}:disorder")
    held: list[RawEvent] = []
    for event in events:
        if rng.random() < options.out_of_order_share:
            held.append(event)
            continue
        yield event
        if rng.random() < options.duplicate_share:
            held.append(event)
        if held and rng.random() < 0.05:
            yield held.pop(rng.randrange(len(held)))
    yield from held


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small per-seller daily means used here.
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def write_ndjson(events: Iterable[RawEvent], out: TextIO) -> int:
    """Write events one JSON object per line; returns how many."""
    count = 0
    for event in events:
        out.write(json.dumps(event, separators=(",", ":")) + "\n")
        count += 1
    return count


def stored_table(events: Iterable[RawEvent]) -> pa.Table:
    """The generator's events in the stored form, without validating them.

    Only for this generator's output, which is already canonical (tests check that it equals the
    validated route ``batch_duckdb.events_table``); it skips validation so benchmarks can build
    millions of rows quickly.
    """
    columns: dict[str, list[str]] = {"event_id": [], "type": [], "occurred_at": [], "data": []}
    for event in events:
        columns["event_id"].append(event["event_id"])
        columns["type"].append(event["type"])
        columns["occurred_at"].append(event["occurred_at"])
        columns["data"].append(
            json.dumps(event["data"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        )
    return pa.table(columns, schema=pa.schema([(name, pa.string()) for name in columns]))


def write_parquet(events: Iterable[RawEvent], path: Path) -> int:
    """Write events in the stored layout the Parquet reader and the batch engines read."""
    table = stored_table(events)
    pq.write_table(table, path)
    rows: int = table.num_rows
    return rows
