"""The demo marketplace generator."""

from __future__ import annotations

import collections
from datetime import date

import pytest

from goodstanding.demo.generator import (
    GeneratorOptions,
    generate_events,
    plan_sellers,
    stored_table,
)
from goodstanding.events.schemas import parse_event
from goodstanding.metrics import batch_duckdb
from goodstanding.metrics.definitions import DEFAULT_CONFIG
from goodstanding.metrics.status import Status

SMALL = GeneratorOptions(
    seed=3,
    sellers=30,
    days=80,
    as_of=date(2024, 6, 30),
    orders_per_seller_per_day=4.0,
    failing_share=0.35,
    borderline_share=0.0,
)


@pytest.fixture(scope="module")
def events() -> list[dict[str, object]]:
    return list(generate_events(SMALL))


def test_same_seed_gives_same_events(events: list[dict[str, object]]) -> None:
    assert list(generate_events(SMALL)) == events
    other = list(generate_events(GeneratorOptions(**{**SMALL.__dict__, "seed": 4})))
    assert other != events


def test_every_event_is_valid_and_already_in_stored_form(events: list[dict[str, object]]) -> None:
    parsed = [parse_event(event) for event in events]
    assert stored_table(events).equals(batch_duckdb.events_table(parsed))
    assert max(str(event["occurred_at"]) for event in events) < "2024-07-01"


def test_stream_covers_every_kind_of_event(events: list[dict[str, object]]) -> None:
    kinds = collections.Counter(str(event["type"]) for event in events)
    expected = {
        "order.placed",
        "order.shipped",
        "order.tracking_scanned",
        "order.delivered",
        "order.cancelled",
        "feedback.left",
        "claim.opened",
        "claim.decided",
        "chargeback.filed",
        "review.posted",
        "listing.created",
        "account.signed_in",
        "payout_account.set",
    }
    assert expected <= set(kinds)


def test_most_sellers_healthy_and_planted_failures_fail(events: list[dict[str, object]]) -> None:
    truth = plan_sellers(SMALL)
    rows = batch_duckdb.compute_metrics(stored_table(events), SMALL.as_of, DEFAULT_CONFIG)
    status = {(row.seller_id, row.metric): row.status for row in rows}
    failing_as_planned = [
        status[(seller, profile.split(":")[1])] is Status.FAILING
        for seller, profile in truth.profiles.items()
        if profile.startswith("failing:")
    ]
    assert sum(failing_as_planned) >= 0.7 * len(failing_as_planned)
    healthy = [seller for seller, profile in truth.profiles.items() if profile == "healthy"]
    all_good = [
        seller
        for seller in healthy
        if all(
            status[(seller, metric.name)] in (Status.GOOD, Status.AT_RISK)
            for metric in DEFAULT_CONFIG.metrics
        )
    ]
    assert len(all_good) >= 0.7 * len(healthy)


def test_linked_sellers_share_a_device_or_a_bank_account(
    events: list[dict[str, object]],
) -> None:
    truth = plan_sellers(SMALL)
    identifiers = collections.defaultdict(set)
    for event in events:
        data = event["data"]
        assert isinstance(data, dict)
        if event["type"] == "account.signed_in":
            identifiers[data["account_id"]].add(data["device_id"])
        if event["type"] == "payout_account.set":
            identifiers[data["account_id"]].add(data["bank_account_hash"])
    assert truth.linked_groups
    for group in truth.linked_groups:
        assert set.intersection(*(identifiers[seller] for seller in group))
    unlinked = [s for s in truth.profiles if not any(s in g for g in truth.linked_groups)]
    assert not identifiers[unlinked[0]] & identifiers[unlinked[1]]


def test_duplicates_and_late_events_keep_the_same_metrics(
    events: list[dict[str, object]],
) -> None:
    noisy = list(
        generate_events(
            GeneratorOptions(
                **{**SMALL.__dict__, "duplicate_share": 0.1, "out_of_order_share": 0.05}
            )
        )
    )
    assert len(noisy) > len(events)
    assert noisy != sorted(noisy, key=lambda event: str(event["occurred_at"]))
    assert batch_duckdb.compute_arrow(
        stored_table(noisy), SMALL.as_of, DEFAULT_CONFIG
    ) == batch_duckdb.compute_arrow(stored_table(events), SMALL.as_of, DEFAULT_CONFIG)


def test_invalid_options_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate_share must be between 0 and 1"):
        GeneratorOptions(duplicate_share=1.5)
