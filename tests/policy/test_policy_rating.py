from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goodstanding.policy.enums import ViolationStatus
from goodstanding.policy.inputs import ViolationRecord
from goodstanding.policy.ladder import lookback_start
from goodstanding.policy.rating import (
    STARTING_RATING,
    HealthBand,
    RatingItemKind,
    account_health,
    band_of,
)
from tests.policy.policy_factories import AS_OF, violation

OPEN = ViolationStatus.OPEN


class TestArithmetic:
    def test_a_new_seller_starts_at_200_and_is_healthy(self) -> None:
        health = account_health([], orders_fulfilled=0, as_of=AS_OF)
        assert health.rating == STARTING_RATING == 200
        assert health.band is HealthBand.HEALTHY
        assert [item.kind for item in health.items] == [RatingItemKind.START]

    def test_open_violations_subtract_their_points(self) -> None:
        history = [violation("a", status=OPEN, points=30), violation("b", status=OPEN, points=50)]
        assert account_health(history, orders_fulfilled=0, as_of=AS_OF).rating == 120

    @pytest.mark.parametrize("status", [ViolationStatus.RESOLVED, ViolationStatus.OVERTURNED])
    def test_resolved_and_overturned_give_points_back_and_stay_listed(
        self, status: ViolationStatus
    ) -> None:
        record = violation("a", status=status, points=80)
        health = account_health([record], orders_fulfilled=0, as_of=AS_OF)
        assert health.rating == 200
        (item,) = [item for item in health.items if item.kind is RatingItemKind.VIOLATION]
        assert item.violation == record and item.points == 0

    @pytest.mark.parametrize(("orders", "bonus"), [(199, 0), (200, 4), (399, 4), (400, 8)])
    def test_four_points_per_200_orders(self, orders: int, bonus: int) -> None:
        assert account_health([], orders_fulfilled=orders, as_of=AS_OF).rating == 200 + bonus

    def test_violations_older_than_the_lookback_no_longer_count(self) -> None:
        first_day = (AS_OF - lookback_start(AS_OF)).days
        inside = violation("a", status=OPEN, points=60, days_ago=first_day)
        outside = violation("b", status=OPEN, points=60, days_ago=first_day + 1)
        health = account_health([inside, outside], orders_fulfilled=0, as_of=AS_OF)
        assert health.rating == 140
        listed = [item.violation for item in health.items if item.violation is not None]
        assert listed == [inside]

    def test_the_rating_is_held_within_0_and_1000(self) -> None:
        floor = account_health(
            [violation("a", status=OPEN, points=900)], orders_fulfilled=0, as_of=AS_OF
        )
        assert floor.rating == 0
        assert floor.items[-1].kind is RatingItemKind.LIMIT and floor.items[-1].points == 700
        ceiling = account_health([], orders_fulfilled=1_000_000, as_of=AS_OF)
        assert ceiling.rating == 1000

    def test_bad_inputs_are_refused(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            account_health([], orders_fulfilled=-1, as_of=AS_OF)
        with pytest.raises(ValueError, match="after"):
            account_health([violation("a", days_ago=-1)], orders_fulfilled=0, as_of=AS_OF)


class TestBands:
    @pytest.mark.parametrize(
        ("rating", "band"),
        [
            (1000, HealthBand.HEALTHY),
            (200, HealthBand.HEALTHY),
            (199, HealthBand.AT_RISK),
            (100, HealthBand.AT_RISK),
            (99, HealthBand.UNHEALTHY),
            (0, HealthBand.UNHEALTHY),
        ],
    )
    def test_band_edges(self, rating: int, band: HealthBand) -> None:
        assert band_of(rating) is band


violations = st.builds(
    ViolationRecord,
    policy_id=st.sampled_from(["a", "b", "c"]),
    opened_on=st.integers(min_value=0, max_value=400).map(lambda n: AS_OF - timedelta(days=n)),
    status=st.sampled_from(list(ViolationStatus)),
    points=st.integers(min_value=0, max_value=400),
)


@given(st.lists(violations, max_size=12), st.integers(min_value=0, max_value=60_000))
def test_items_always_add_up_to_the_rating(history: list[ViolationRecord], orders: int) -> None:
    health = account_health(history, orders_fulfilled=orders, as_of=AS_OF)
    assert sum(item.points for item in health.items) == health.rating
    assert 0 <= health.rating <= 1000
    assert health.band is band_of(health.rating)


@given(st.lists(violations, max_size=12))
def test_resolving_a_violation_never_lowers_the_rating(history: list[ViolationRecord]) -> None:
    before = account_health(history, orders_fulfilled=0, as_of=AS_OF).rating
    resolved = [
        record.model_copy(update={"status": ViolationStatus.RESOLVED}) for record in history
    ]
    assert account_health(resolved, orders_fulfilled=0, as_of=AS_OF).rating >= before
