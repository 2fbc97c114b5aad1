"""Signals that come from who wrote a review and when, not from its words.

Every function here is pure: it takes review records (and, where needed, the seller's sales or
rating history) and returns findings that name the rows they concern and say why in plain words.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from math import exp
from statistics import median

STAR_LEVELS = (1, 2, 3, 4, 5)

LinkedAccounts = Callable[[str, str], bool]
"""Answers whether two account ids belong to the same person (shared device, IP or payout)."""


class RelationKind(StrEnum):
    LINKED_TO_SELLER = "linked_to_seller"
    BURST_AFTER_SALES_SPIKE = "burst_after_sales_spike"
    SINGLE_SELLER_REVIEWER = "single_seller_reviewer"
    RATING_SHIFT = "rating_shift"


@dataclass(frozen=True)
class ReviewRecord:
    row: int
    reviewer_id: str | None = None
    seller_id: str | None = None
    stars: int | None = None
    posted_on: date | None = None


@dataclass(frozen=True)
class RelationFinding:
    kind: RelationKind
    rows: tuple[int, ...]
    reason: str


def linked_pairs(pairs: Iterable[tuple[str, str]]) -> LinkedAccounts:
    """A `LinkedAccounts` lookup over known pairs, in either order."""
    known = {frozenset(pair) for pair in pairs}
    return lambda first, second: frozenset((first, second)) in known


def reviewer_linked_to_seller(
    reviews: Iterable[ReviewRecord], is_linked: LinkedAccounts
) -> list[RelationFinding]:
    """Reviews whose author is the seller, or an account linked to the seller."""
    findings = []
    for review in reviews:
        if review.reviewer_id is None or review.seller_id is None:
            continue
        if review.reviewer_id == review.seller_id:
            reason = f"reviewer {review.reviewer_id} is the seller"
        elif is_linked(review.reviewer_id, review.seller_id):
            reason = (
                f"reviewer {review.reviewer_id} is linked to seller {review.seller_id} "
                "(shared device, IP or payout account)"
            )
        else:
            continue
        findings.append(RelationFinding(RelationKind.LINKED_TO_SELLER, (review.row,), reason))
    return findings


def single_seller_reviewers(
    reviews: Iterable[ReviewRecord], min_reviews: int = 3
) -> list[RelationFinding]:
    """Reviewers with at least `min_reviews` reviews, every one of them for the same seller.

    One or two reviews of one shop is normal; a reviewer who comes back only ever for one seller
    looks like an account kept to praise it.
    """
    rows_by_reviewer: dict[str, list[int]] = defaultdict(list)
    sellers_by_reviewer: dict[str, set[str]] = defaultdict(set)
    for review in reviews:
        if review.reviewer_id is None or review.seller_id is None:
            continue
        rows_by_reviewer[review.reviewer_id].append(review.row)
        sellers_by_reviewer[review.reviewer_id].add(review.seller_id)
    findings = []
    for reviewer, rows in rows_by_reviewer.items():
        sellers = sellers_by_reviewer[reviewer]
        if len(rows) >= min_reviews and len(sellers) == 1:
            (seller,) = sellers
            reason = f"reviewer {reviewer} wrote {len(rows)} reviews, all for seller {seller}"
            findings.append(
                RelationFinding(RelationKind.SINGLE_SELLER_REVIEWER, tuple(rows), reason)
            )
    return findings


def rating_counts(reviews: Iterable[ReviewRecord]) -> dict[str, Counter[int]]:
    """Star counts per seller, the shape `rating_distribution_shift` takes as history."""
    counts: dict[str, Counter[int]] = defaultdict(Counter)
    for review in reviews:
        if review.seller_id is not None and review.stars in STAR_LEVELS:
            counts[review.seller_id][review.stars] += 1
    return dict(counts)


@dataclass(frozen=True)
class ShiftTest:
    statistic: float
    p_value: float
    over_represented: tuple[int, ...]


def chi_square_sf_4(statistic: float) -> float:
    """P(X >= statistic) for a chi-square variable with 4 degrees of freedom (five star levels).

    For an even number of degrees of freedom the tail has a closed form, so no stats library.
    """
    half = statistic / 2
    return exp(-half) * (1 + half)


def chi_square_shift(
    recent: Mapping[int, int], history: Mapping[int, int], excess_ratio: float = 1.5
) -> ShiftTest:
    """Chi-square goodness of fit of recent star counts against the historical shares.

    One pseudo-review per star level keeps a level the seller never had from giving an expected
    count of zero. A level is over-represented at `excess_ratio` times its expected count.
    """
    recent_total = sum(recent.get(stars, 0) for stars in STAR_LEVELS)
    history_total = sum(history.get(stars, 0) for stars in STAR_LEVELS) + len(STAR_LEVELS)
    statistic = 0.0
    over: list[int] = []
    for stars in STAR_LEVELS:
        expected = recent_total * (history.get(stars, 0) + 1) / history_total
        observed = recent.get(stars, 0)
        statistic += (observed - expected) ** 2 / expected
        if observed >= excess_ratio * expected and observed > 0:
            over.append(stars)
    p_value = chi_square_sf_4(statistic)
    return ShiftTest(statistic, p_value, tuple(over))


def rating_distribution_shift(
    reviews: Iterable[ReviewRecord],
    history: Mapping[str, Mapping[int, int]],
    min_reviews: int = 20,
    min_history: int = 50,
    max_p_value: float = 1e-3,
) -> list[RelationFinding]:
    """Reviews at the star levels that make a seller's ratings depart from its own history.

    Both samples need a minimum size: a handful of reviews departs from anything by chance.
    """
    recent_reviews: dict[str, list[ReviewRecord]] = defaultdict(list)
    for review in reviews:
        if review.seller_id is not None and review.stars in STAR_LEVELS:
            recent_reviews[review.seller_id].append(review)
    findings = []
    for seller, seller_reviews in recent_reviews.items():
        past = history.get(seller, {})
        past_total = sum(past.get(stars, 0) for stars in STAR_LEVELS)
        if len(seller_reviews) < min_reviews or past_total < min_history:
            continue
        recent = Counter(review.stars for review in seller_reviews if review.stars is not None)
        test = chi_square_shift(recent, past)
        if test.p_value > max_p_value or not test.over_represented:
            continue
        for stars in test.over_represented:
            rows = tuple(review.row for review in seller_reviews if review.stars == stars)
            reason = (
                f"seller {seller}: {stars}-star share is {recent[stars] / len(seller_reviews):.0%} "
                f"in these {len(seller_reviews)} reviews vs {past.get(stars, 0) / past_total:.0%} "
                f"over its {past_total} earlier reviews (chi-square p={test.p_value:.1g})"
            )
            findings.append(RelationFinding(RelationKind.RATING_SHIFT, rows, reason))
    return findings


@dataclass(frozen=True)
class BurstThresholds:
    window_days: int = 7
    baseline_days: int = 28
    spike_ratio: float = 3.0
    min_spike_orders: int = 10
    min_burst_reviews: int = 5
    review_rate_ratio: float = 3.0
    usual_review_rate: float = 0.1
    """Used when the seller has too few orders outside spikes to measure its own rate."""
    min_baseline_orders: int = 50


def sales_spikes(
    daily_orders: Mapping[date, int], thresholds: BurstThresholds = BurstThresholds()
) -> list[date]:
    """Days whose orders reach `spike_ratio` times the median of the preceding baseline days."""
    spikes = []
    for day, orders in sorted(daily_orders.items()):
        if orders < thresholds.min_spike_orders:
            continue
        before = [
            daily_orders.get(day - timedelta(days=offset), 0)
            for offset in range(1, thresholds.baseline_days + 1)
        ]
        if orders >= thresholds.spike_ratio * max(median(before), 1):
            spikes.append(day)
    return spikes


def _in_window(day: date, start: date, window_days: int) -> bool:
    return start <= day <= start + timedelta(days=window_days)


def bursts_after_sales_spike(
    reviews: Iterable[ReviewRecord],
    daily_orders: Mapping[str, Mapping[date, int]],
    thresholds: BurstThresholds = BurstThresholds(),
) -> list[RelationFinding]:
    """Reviews in a burst right after a seller's sales spike, far above its usual review rate.

    Organic spikes bring reviews at the seller's usual rate per order; orders placed by paid
    reviewers are nearly all reviewed within days, so the rate in the window jumps.
    """
    dated: dict[str, list[ReviewRecord]] = defaultdict(list)
    for review in reviews:
        if review.seller_id is not None and review.posted_on is not None:
            dated[review.seller_id].append(review)
    findings = []
    for seller, seller_reviews in dated.items():
        orders = daily_orders.get(seller, {})
        spikes = sales_spikes(orders, thresholds)
        if not spikes:
            continue
        usual_rate = _usual_review_rate(seller_reviews, orders, spikes, thresholds)
        for spike in spikes:
            window_orders = sum(
                count
                for day, count in orders.items()
                if _in_window(day, spike, thresholds.window_days)
            )
            in_window = _reviews_in_window(seller_reviews, spike, thresholds.window_days)
            expected = usual_rate * window_orders
            if len(in_window) < thresholds.min_burst_reviews:
                continue
            if len(in_window) < thresholds.review_rate_ratio * max(expected, 1.0):
                continue
            reason = (
                f"one of {len(in_window)} reviews for seller {seller} within "
                f"{thresholds.window_days} days of a sales spike on {spike.isoformat()} "
                f"({orders[spike]} orders that day); about {expected:.1f} expected at its usual "
                f"review rate of {usual_rate:.0%}"
            )
            rows = tuple(review.row for review in in_window)
            findings.append(RelationFinding(RelationKind.BURST_AFTER_SALES_SPIKE, rows, reason))
    return findings


def _reviews_in_window(
    reviews: Sequence[ReviewRecord], start: date, window_days: int
) -> list[ReviewRecord]:
    return [
        review
        for review in reviews
        if review.posted_on is not None and _in_window(review.posted_on, start, window_days)
    ]


def _usual_review_rate(
    reviews: Sequence[ReviewRecord],
    orders: Mapping[date, int],
    spikes: Sequence[date],
    thresholds: BurstThresholds,
) -> float:
    def quiet(day: date) -> bool:
        return not any(_in_window(day, spike, thresholds.window_days) for spike in spikes)

    quiet_orders = sum(count for day, count in orders.items() if quiet(day))
    if quiet_orders < thresholds.min_baseline_orders:
        return thresholds.usual_review_rate
    quiet_reviews = sum(
        1 for review in reviews if review.posted_on is not None and quiet(review.posted_on)
    )
    return quiet_reviews / quiet_orders
