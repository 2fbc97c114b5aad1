"""Account Health Rating: 0 to 1000, computed from the violations and fulfilled orders of the last
180 days, returned with every item that made it so the seller can see why.

Every seller starts at 200. Each open violation takes its points away; a resolved or overturned one
gives them back. Every 200 orders fulfilled add 4 points. The result is held within 0-1000, and the
clamp, when it bites, is itself listed as an item, so the items always add up to the rating.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from goodstanding.policy.enums import ViolationStatus
from goodstanding.policy.inputs import ViolationRecord
from goodstanding.policy.ladder import LOOKBACK_DAYS, lookback_start

STARTING_RATING = 200
MIN_RATING = 0
MAX_RATING = 1000
AT_RISK_BELOW = 200
UNHEALTHY_BELOW = 100
BONUS_POINTS = 4
BONUS_PER_ORDERS = 200


class HealthBand(StrEnum):
    HEALTHY = "healthy"
    AT_RISK = "at_risk"
    UNHEALTHY = "unhealthy"


class RatingItemKind(StrEnum):
    START = "start"
    VIOLATION = "violation"
    ORDERS = "orders"
    LIMIT = "limit"


@dataclass(frozen=True)
class RatingItem:
    kind: RatingItemKind
    points: int  # what the item adds to the rating (negative for an open violation)
    violation: ViolationRecord | None = None
    orders_fulfilled: int | None = None


@dataclass(frozen=True)
class AccountHealth:
    as_of: date
    rating: int
    band: HealthBand
    items: tuple[RatingItem, ...]


def band_of(rating: int) -> HealthBand:
    if rating >= AT_RISK_BELOW:
        return HealthBand.HEALTHY
    if rating >= UNHEALTHY_BELOW:
        return HealthBand.AT_RISK
    return HealthBand.UNHEALTHY


def account_health(
    violations: Iterable[ViolationRecord], *, orders_fulfilled: int, as_of: date
) -> AccountHealth:
    """The rating on ``as_of``; ``orders_fulfilled`` counts the orders of the same 180 days."""
    if orders_fulfilled < 0:
        raise ValueError(f"orders_fulfilled must not be negative, got {orders_fulfilled}")
    start = lookback_start(as_of, LOOKBACK_DAYS)
    items = [RatingItem(RatingItemKind.START, STARTING_RATING)]
    for record in sorted(violations, key=lambda record: (record.opened_on, record.policy_id)):
        if record.opened_on > as_of:
            raise ValueError(
                f"violation of {record.policy_id} opened on {record.opened_on}, after {as_of}"
            )
        if record.opened_on < start:
            continue  # aged out of the look-back
        lost = record.points if record.status is ViolationStatus.OPEN else 0
        items.append(RatingItem(RatingItemKind.VIOLATION, -lost, violation=record))
    bonus = BONUS_POINTS * (orders_fulfilled // BONUS_PER_ORDERS)
    if bonus:
        items.append(RatingItem(RatingItemKind.ORDERS, bonus, orders_fulfilled=orders_fulfilled))
    raw = sum(item.points for item in items)
    rating = min(max(raw, MIN_RATING), MAX_RATING)
    if rating != raw:
        items.append(RatingItem(RatingItemKind.LIMIT, rating - raw))
    return AccountHealth(as_of=as_of, rating=rating, band=band_of(rating), items=tuple(items))
