"""Relation signals over review records, on small marketplaces made up for each test."""

from collections import Counter
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from goodstanding.detectors.reviews.relations import (
    BurstThresholds,
    RelationKind,
    ReviewRecord,
    bursts_after_sales_spike,
    chi_square_sf_4,
    chi_square_shift,
    linked_pairs,
    rating_counts,
    rating_distribution_shift,
    reviewer_linked_to_seller,
    sales_spikes,
    single_seller_reviewers,
)

START = date(2025, 3, 1)


def _records(*pairs: tuple[str, str]) -> list[ReviewRecord]:
    return [
        ReviewRecord(row=row, reviewer_id=reviewer, seller_id=seller)
        for row, (reviewer, seller) in enumerate(pairs)
    ]


class TestReviewerLinkedToSeller:
    def test_flags_linked_accounts_in_either_order(self) -> None:
        reviews = _records(("alt-1", "shop"), ("buyer", "shop"), ("alt-2", "shop"))
        is_linked = linked_pairs([("alt-1", "shop"), ("shop", "alt-2")])
        findings = reviewer_linked_to_seller(reviews, is_linked)
        assert [finding.rows for finding in findings] == [(0,), (2,)]
        assert all(finding.kind is RelationKind.LINKED_TO_SELLER for finding in findings)
        assert "shared device, IP or payout account" in findings[0].reason

    def test_seller_reviewing_itself_is_flagged_without_a_link(self) -> None:
        findings = reviewer_linked_to_seller(_records(("shop", "shop")), linked_pairs([]))
        assert findings[0].reason == "reviewer shop is the seller"

    def test_link_to_another_seller_does_not_count(self) -> None:
        reviews = _records(("alt-1", "other-shop"))
        assert reviewer_linked_to_seller(reviews, linked_pairs([("alt-1", "shop")])) == []

    def test_reviews_without_ids_are_skipped(self) -> None:
        reviews = [ReviewRecord(row=0), ReviewRecord(row=1, reviewer_id="a")]
        assert reviewer_linked_to_seller(reviews, lambda _a, _b: True) == []


class TestSingleSellerReviewers:
    def test_flags_reviewer_who_only_reviews_one_seller(self) -> None:
        reviews = _records(
            ("fan", "shop"), ("buyer", "shop"), ("fan", "shop"), ("buyer", "other"), ("fan", "shop")
        )
        (finding,) = single_seller_reviewers(reviews)
        assert finding.rows == (0, 2, 4)
        assert finding.reason == "reviewer fan wrote 3 reviews, all for seller shop"

    def test_two_reviews_of_one_shop_are_normal(self) -> None:
        assert single_seller_reviewers(_records(("fan", "shop"), ("fan", "shop"))) == []

    def test_minimum_is_configurable(self) -> None:
        reviews = _records(("fan", "shop"), ("fan", "shop"))
        assert len(single_seller_reviewers(reviews, min_reviews=2)) == 1


def _starred(seller: str, stars: list[int], first_row: int = 0) -> list[ReviewRecord]:
    return [
        ReviewRecord(row=first_row + offset, seller_id=seller, stars=value)
        for offset, value in enumerate(stars)
    ]


class TestRatingDistributionShift:
    HISTORY = {"shop": Counter({1: 20, 2: 15, 3: 25, 4: 40, 5: 50})}

    def test_flags_the_over_represented_star_level(self) -> None:
        recent = _starred("shop", [5] * 27 + [4, 3, 1])
        (finding,) = rating_distribution_shift(recent, self.HISTORY)
        assert finding.kind is RelationKind.RATING_SHIFT
        assert finding.rows == tuple(range(27))
        assert (
            "5-star share is 90% in these 30 reviews vs 33% over its 150 earlier" in finding.reason
        )

    def test_recent_reviews_like_the_history_are_not_flagged(self) -> None:
        recent = _starred("shop", [1] * 4 + [2] * 3 + [3] * 5 + [4] * 8 + [5] * 10)
        assert rating_distribution_shift(recent, self.HISTORY) == []

    def test_needs_enough_recent_reviews(self) -> None:
        recent = _starred("shop", [5] * 10)
        assert rating_distribution_shift(recent, self.HISTORY) == []

    def test_needs_enough_history(self) -> None:
        recent = _starred("shop", [5] * 30)
        assert rating_distribution_shift(recent, {"shop": Counter({1: 10, 2: 10})}) == []

    def test_history_can_be_built_from_earlier_records(self) -> None:
        earlier = _starred("shop", [1, 2, 3, 4, 5] * 20)
        history = rating_counts(earlier)
        assert history == {"shop": Counter({1: 20, 2: 20, 3: 20, 4: 20, 5: 20})}
        recent = _starred("shop", [1] * 25, first_row=100)
        (finding,) = rating_distribution_shift(recent, history)
        assert "1-star share is 100%" in finding.reason


class TestChiSquare:
    def test_matches_known_critical_value(self) -> None:
        # 9.488 is the 5% critical value of chi-square with 4 degrees of freedom.
        assert abs(chi_square_sf_4(9.4877) - 0.05) < 1e-4

    @given(st.floats(min_value=0, max_value=500), st.floats(min_value=0, max_value=500))
    def test_tail_is_a_decreasing_probability(self, first: float, second: float) -> None:
        low, high = sorted((first, second))
        assert 0.0 <= chi_square_sf_4(high) <= chi_square_sf_4(low) <= 1.0

    def test_identical_shares_give_no_excess(self) -> None:
        test = chi_square_shift(Counter({1: 10, 5: 10}), Counter({1: 99, 5: 99}))
        assert test.over_represented == ()
        assert test.p_value > 0.5


def _daily(orders_by_offset: dict[int, int], days: int = 60, quiet: int = 5) -> dict[date, int]:
    return {
        START + timedelta(days=offset): orders_by_offset.get(offset, quiet)
        for offset in range(days)
    }


def _reviews_on(seller: str, offsets: list[int], first_row: int = 0) -> list[ReviewRecord]:
    return [
        ReviewRecord(row=first_row + i, seller_id=seller, posted_on=START + timedelta(days=offset))
        for i, offset in enumerate(offsets)
    ]


class TestBurstsAfterSalesSpike:
    # 5 orders a day with a review every other day, then 40 orders on day 40.
    ORDERS = {"shop": _daily({40: 40})}
    QUIET_REVIEWS = list(range(0, 40, 2))

    def test_spike_day_is_found(self) -> None:
        assert sales_spikes(self.ORDERS["shop"]) == [START + timedelta(days=40)]

    def test_flags_reviews_far_above_the_usual_rate_after_a_spike(self) -> None:
        burst = [40] * 6 + [41] * 6 + [42] * 5 + [43] * 5 + [44] * 4 + [45] * 4
        reviews = _reviews_on("shop", self.QUIET_REVIEWS + burst)
        (finding,) = bursts_after_sales_spike(reviews, self.ORDERS)
        assert finding.kind is RelationKind.BURST_AFTER_SALES_SPIKE
        assert len(finding.rows) == len(burst)
        assert "sales spike on 2025-04-10 (40 orders that day)" in finding.reason

    def test_reviews_at_the_usual_rate_after_a_spike_are_not_flagged(self) -> None:
        # 75 orders in the window at the usual 20 reviews per 260 orders: about 6 are expected.
        organic = [40, 41, 43, 44, 45, 46, 47]
        reviews = _reviews_on("shop", self.QUIET_REVIEWS + organic)
        assert bursts_after_sales_spike(reviews, self.ORDERS) == []

    def test_no_spike_no_finding(self) -> None:
        reviews = _reviews_on("shop", [10] * 20)
        assert bursts_after_sales_spike(reviews, {"shop": _daily({})}) == []

    def test_small_spikes_are_ignored(self) -> None:
        orders = {"shop": _daily({40: 9}, quiet=1)}
        reviews = _reviews_on("shop", [40] * 9)
        assert bursts_after_sales_spike(reviews, orders) == []

    def test_thresholds_are_configurable(self) -> None:
        burst = [40, 41, 42, 43]
        reviews = _reviews_on("shop", self.QUIET_REVIEWS + burst)
        assert bursts_after_sales_spike(reviews, self.ORDERS) == []
        lenient = BurstThresholds(min_burst_reviews=4, review_rate_ratio=0.5)
        assert len(bursts_after_sales_spike(reviews, self.ORDERS, lenient)) == 1
