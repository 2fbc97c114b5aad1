"""Combines the review layers (compensation phrases, text model, relations) into one verdict.

Each layer that fires adds a signal with a weight and a reason. The score is the chance that at
least one signal is right, treating them as independent (1 - product of (1 - weight)), so two weak
signals together can flag a review that neither flags alone. A review is flagged at `FLAG_AT`, and
every flagged review carries the reasons that made its score.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from goodstanding.detectors.embeddings import embed
from goodstanding.detectors.reviews.incentives import find_incentives
from goodstanding.detectors.reviews.machine_text import Embedder, MachineTextModel, load_model
from goodstanding.detectors.reviews.relations import (
    LinkedAccounts,
    RelationFinding,
    RelationKind,
    ReviewRecord,
    bursts_after_sales_spike,
    rating_distribution_shift,
    reviewer_linked_to_seller,
    single_seller_reviewers,
)

FLAG_AT = 0.5


class Layer(StrEnum):
    INCENTIVE = "incentive"
    TEXT = "text"
    LINKED_TO_SELLER = RelationKind.LINKED_TO_SELLER.value
    BURST_AFTER_SALES_SPIKE = RelationKind.BURST_AFTER_SALES_SPIKE.value
    SINGLE_SELLER_REVIEWER = RelationKind.SINGLE_SELLER_REVIEWER.value
    RATING_SHIFT = RelationKind.RATING_SHIFT.value


# How much each signal alone says that a review is fake. A disclosed incentive or a reviewer linked
# to the seller is close to proof; the pattern signals are circumstantial and flag only together
# with another signal. The text layer's weight is the model's own probability.
SIGNAL_WEIGHTS: Mapping[Layer, float] = MappingProxyType(
    {
        Layer.INCENTIVE: 0.95,
        Layer.LINKED_TO_SELLER: 0.9,
        Layer.BURST_AFTER_SALES_SPIKE: 0.6,
        Layer.SINGLE_SELLER_REVIEWER: 0.35,
        Layer.RATING_SHIFT: 0.35,
    }
)


@dataclass(frozen=True)
class ReviewInput:
    text: str
    stars: int | None = None
    reviewer_id: str | None = None
    seller_id: str | None = None
    posted_on: date | None = None


@dataclass(frozen=True)
class ReviewContext:
    """What the marketplace knows beyond the reviews themselves; each part is optional."""

    is_linked: LinkedAccounts | None = None
    rating_history: Mapping[str, Mapping[int, int]] | None = None
    daily_orders: Mapping[str, Mapping[date, int]] | None = None


@dataclass(frozen=True)
class Signal:
    layer: Layer
    weight: float
    reason: str


@dataclass(frozen=True)
class ReviewVerdict:
    is_fake: bool
    score: float
    signals: tuple[Signal, ...] = field(default=())

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(signal.reason for signal in self.signals)


def combine(signals: Sequence[Signal]) -> ReviewVerdict:
    unlikely = 1.0
    for signal in signals:
        unlikely *= 1.0 - signal.weight
    score = 1.0 - unlikely
    return ReviewVerdict(is_fake=score >= FLAG_AT, score=score, signals=tuple(signals))


def incentive_signals(text: str) -> list[Signal]:
    weight = SIGNAL_WEIGHTS[Layer.INCENTIVE]
    return [Signal(Layer.INCENTIVE, weight, hit.reason) for hit in find_incentives(text)]


def text_signals(
    texts: Sequence[str], model: MachineTextModel, embedder: Embedder
) -> list[list[Signal]]:
    """A signal for each text the model scores at or above its threshold."""
    scored_rows = [row for row, text in enumerate(texts) if text.strip()]
    verdicts = model.score([texts[row] for row in scored_rows], embedder)
    signals: list[list[Signal]] = [[] for _ in texts]
    for row, verdict in zip(scored_rows, verdicts, strict=True):
        if verdict.probability >= model.threshold:
            reason = f"{verdict.domain.finding} (text model, p={verdict.probability:.2f})"
            signals[row].append(Signal(Layer.TEXT, verdict.probability, reason))
    return signals


def relation_findings(
    reviews: Sequence[ReviewInput], context: ReviewContext
) -> list[RelationFinding]:
    records = [
        ReviewRecord(row, review.reviewer_id, review.seller_id, review.stars, review.posted_on)
        for row, review in enumerate(reviews)
    ]
    findings = single_seller_reviewers(records)
    if context.is_linked is not None:
        findings += reviewer_linked_to_seller(records, context.is_linked)
    if context.rating_history is not None:
        findings += rating_distribution_shift(records, context.rating_history)
    if context.daily_orders is not None:
        findings += bursts_after_sales_spike(records, context.daily_orders)
    return findings


def screen(
    reviews: Sequence[ReviewInput],
    context: ReviewContext | None = None,
    model: MachineTextModel | None = None,
    embedder: Embedder = embed,
) -> list[ReviewVerdict]:
    """One verdict per review, in order. Loads the shipped text model unless one is given."""
    by_row: dict[int, list[Signal]] = defaultdict(list)
    for row, review in enumerate(reviews):
        by_row[row] += incentive_signals(review.text)
    text_model = load_model() if model is None else model
    texts = [review.text for review in reviews]
    for row, signals in enumerate(text_signals(texts, text_model, embedder)):
        by_row[row] += signals
    for finding in relation_findings(reviews, context or ReviewContext()):
        layer = Layer(finding.kind.value)
        for row in finding.rows:
            by_row[row].append(Signal(layer, SIGNAL_WEIGHTS[layer], finding.reason))
    return [combine(by_row[row]) for row in range(len(reviews))]
