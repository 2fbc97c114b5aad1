"""What the policy engine reads about one seller: measured metrics, detector signals, documents,
affiliate activity and the violations already on record.

The database layer (or a simulation file) builds these; evaluation never looks anything up itself.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, model_validator

from goodstanding.policy.enums import (
    DocumentKind,
    Metric,
    MetricUnit,
    Signal,
    ViolationStatus,
)


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MetricValue(_Input):
    """A metric as a count over a count, never a bare float, so boundaries compare exactly.

    For ratio metrics the numerator counts the bad (or good) orders among the denominator; for
    sales_per_week the denominator is the number of weeks in the window; for feedback_rating the
    numerator is the sum of stars and the denominator the number of ratings.
    """

    numerator: NonNegativeInt
    denominator: NonNegativeInt
    window_start: date
    window_end: date

    @model_validator(mode="after")
    def _window_in_order(self) -> Self:
        if self.window_start > self.window_end:
            raise ValueError(
                f"window_start {self.window_start} is after window_end {self.window_end}"
            )
        return self

    @property
    def value(self) -> Fraction | None:
        """The exact value, or None when nothing was measured (an empty denominator)."""
        if self.denominator == 0:
            return None
        return Fraction(self.numerator, self.denominator)

    @property
    def window_days(self) -> int:
        return (self.window_end - self.window_start).days + 1


class DetectorSignal(_Input):
    signal: Signal
    subject: str = Field(
        min_length=1, description="what it is about: listing, review or account id"
    )
    confidence: float = Field(ge=0.0, le=1.0)
    detected_on: date
    evidence: str = Field(default="", description="a short reference a reviewer can open")


class Document(_Input):
    kind: DocumentKind
    uploaded_on: date
    expires_on: date | None = None

    def is_valid_on(self, day: date) -> bool:
        """A document is good through its expiry date and expired from the day after."""
        return self.expires_on is None or day <= self.expires_on


class DocumentRequest(_Input):
    kind: DocumentKind
    requested_on: date
    deadline: date


class AffiliateActivity(_Input):
    signed_up_on: date
    first_qualifying_sale_on: date | None = None
    last_commission_on: date | None = None


class ViolationRecord(_Input):
    """A violation already opened for this seller, with the ladder step it applied."""

    policy_id: str
    opened_on: date
    status: ViolationStatus
    points: NonNegativeInt
    step_index: NonNegativeInt = 0
    deadline: date | None = None


class SellerInputs(_Input):
    seller_id: str = Field(min_length=1)
    as_of: date
    metrics: dict[Metric, MetricValue] = Field(default_factory=dict)
    signals: tuple[DetectorSignal, ...] = ()
    approved_linked_accounts: frozenset[str] = frozenset()
    documents: tuple[Document, ...] = ()
    document_requests: tuple[DocumentRequest, ...] = ()
    affiliate: AffiliateActivity | None = None
    orders_in_lookback: NonNegativeInt = 0
    violations: tuple[ViolationRecord, ...] = ()

    @model_validator(mode="after")
    def _metric_counts_make_sense(self) -> Self:
        for metric, measured in self.metrics.items():
            if metric.unit is MetricUnit.RATIO and measured.numerator > measured.denominator:
                raise ValueError(
                    f"{metric}: numerator {measured.numerator} exceeds denominator "
                    f"{measured.denominator}; a rate cannot pass 100%"
                )
            if metric.unit is MetricUnit.STARS and not (
                measured.denominator <= measured.numerator <= 5 * measured.denominator
            ):
                raise ValueError(
                    f"{metric}: a star sum of {measured.numerator} over {measured.denominator} "
                    "ratings is outside 1-5 stars each"
                )
        return self
