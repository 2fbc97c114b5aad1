"""The closed vocabularies of a policy file: metrics, comparisons, severities, actions, signals.

A policy file naming anything outside these lists is refused at start, so every name here is a
promise that some part of the engine produces or understands it.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


class Language(StrEnum):
    EN = "en"
    ES = "es"


class MetricUnit(StrEnum):
    """How a metric's value reads; it decides formatting and the range a threshold may take."""

    RATIO = "ratio"  # a share of orders or packages, shown as a percentage
    SALES_PER_WEEK = "sales_per_week"  # numerator: sales; denominator: weeks in the window
    STARS = "stars"  # numerator: sum of stars (1-5); denominator: number of ratings


class Metric(StrEnum):
    ORDER_DEFECT_RATE_SELLER = "order_defect_rate_seller"
    ORDER_DEFECT_RATE_MARKETPLACE = "order_defect_rate_marketplace"
    CANCEL_RATE = "cancel_rate"
    LATE_SHIPMENT_RATE_10D = "late_shipment_rate_10d"
    LATE_SHIPMENT_RATE_30D = "late_shipment_rate_30d"
    VALID_TRACKING_RATE = "valid_tracking_rate"
    ON_TIME_DELIVERY_RATE = "on_time_delivery_rate"
    SALES_PER_WEEK = "sales_per_week"
    FEEDBACK_RATING = "feedback_rating"
    # Measured by the metrics engine (1-2 star feedback among rated orders); no shipped policy.
    NEGATIVE_FEEDBACK_RATE = "negative_feedback_rate"

    @property
    def unit(self) -> MetricUnit:
        if self is Metric.SALES_PER_WEEK:
            return MetricUnit.SALES_PER_WEEK
        if self is Metric.FEEDBACK_RATING:
            return MetricUnit.STARS
        return MetricUnit.RATIO


class Comparison(StrEnum):
    """The target a metric must meet; the policy fires when the target is missed."""

    BELOW = "below"
    AT_MOST = "at_most"
    ABOVE = "above"
    AT_LEAST = "at_least"

    def is_met(self, numerator: int, denominator: int, threshold: Decimal) -> bool:
        """Whether numerator/denominator (denominator > 0) meets the target, compared exactly.

        Cross-multiplied integers rather than Fractions: the same exact answer, several times
        faster, which matters when a simulation evaluates millions of seller-days.
        """
        top, bottom = threshold.as_integer_ratio()
        value, target = numerator * bottom, top * denominator
        if self is Comparison.BELOW:
            return value < target
        if self is Comparison.AT_MOST:
            return value <= target
        if self is Comparison.ABOVE:
            return value > target
        return value >= target


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Action(StrEnum):
    """Ladder steps, declared from lightest to heaviest; a ladder may never step back down."""

    WARNING = "warning"
    LISTING_REMOVAL = "listing_removal"
    PRIVILEGES_WITHDRAWN = "privileges_withdrawn"
    SUSPENSION = "suspension"
    CLOSURE = "closure"

    @property
    def weight(self) -> int:
        return list(Action).index(self)


class Signal(StrEnum):
    """Detector outputs a policy can act on."""

    RESTRICTED_PRODUCT = "restricted_product"
    REVIEW_MANIPULATION = "review_manipulation"
    LINKED_ACCOUNTS = "linked_accounts"
    FRAUD = "fraud"


class DocumentKind(StrEnum):
    IDENTITY = "identity"
    PROOF_OF_ADDRESS = "proof_of_address"
    BANK_STATEMENT = "bank_statement"
    BUSINESS_REGISTRATION = "business_registration"


class DocumentProblemKind(StrEnum):
    MISSING = "missing"
    EXPIRED = "expired"


class InactivityRule(StrEnum):
    NO_SALE_SINCE_SIGNUP = "no_sale_since_signup"
    NO_COMMISSION = "no_commission"


class ViolationStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    OVERTURNED = "overturned"
