"""Reviews against the store: screen each posted review, keep it, and signal manipulation.

``screen_review_event`` is the event-intake hook for review.posted (``events.hooks``). The review
is stored, then screened by

- the compensation phrases in its text (English, Spanish);
- the relation layers over the stored reviews around it: the reviewer is the seller or in the
  seller's cluster of linked accounts (``detectors.links``), the reviewer only ever reviews
  this seller, the seller's recent ratings depart from its own history, a burst of reviews
  after a sales spike (daily orders from the metrics engine's order records);
- the machine-text model, only when the layers above have not already flagged the review: the
  model needs the embedding model (torch), and another signal could only raise the score.

A flagged review stores a review-manipulation signal with its reasons and re-evaluates the seller.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from goodstanding.detectors.reviews.machine_text import MachineTextModel, load_model
from goodstanding.detectors.reviews.relations import LinkedAccounts
from goodstanding.detectors.reviews.screen import (
    SIGNAL_WEIGHTS,
    Layer,
    ReviewContext,
    ReviewInput,
    ReviewVerdict,
    Signal,
    combine,
    incentive_signals,
    relation_findings,
    text_signals,
)
from goodstanding.detectors.signals import Source, record_signal
from goodstanding.events.schemas import Event, ReviewPosted
from goodstanding.kit.clock import utcnow
from goodstanding.metrics.order_state import micros, moment
from goodstanding.models.order_record import OrderRecord
from goodstanding.models.review import StoredReview
from goodstanding.policy import enums as policy_enums
from goodstanding.policy.service import policy_service

# Reviews of the last RECENT_DAYS are compared with the seller's reviews before them.
RECENT_DAYS = 30
# Days of orders before the recent window that tell a sales spike from the seller's usual pace.
ORDER_BASELINE_DAYS = 28

TextLayer = Callable[[str], list[Signal]]


@cache
def _text_model() -> MachineTextModel:
    return load_model()


def machine_text_signals(text: str) -> list[Signal]:
    """The text model's signal for one review (loads the embedding model once per process)."""
    from goodstanding.detectors.embeddings import embed

    [signals] = text_signals([text], _text_model(), embed)
    return signals


def linked_accounts_lookup(db: Session) -> LinkedAccounts:
    """Whether two accounts share a cluster of the linked-accounts graph (device, IP, payout)."""
    # Imported here: the links service pulls in Splink (seconds), which only screening needs.
    from goodstanding.detectors.links.service import link_service

    graph = link_service.graph(db)
    return lambda first, second: second in graph.cluster_of(first)


class ReviewScreeningService:
    def __init__(self, text_layer: TextLayer = machine_text_signals) -> None:
        self.text_layer = text_layer

    def screen_event(self, db: Session, event: Event) -> StoredReview | None:
        """The intake hook: store and screen a posted review."""
        if not isinstance(event, ReviewPosted):
            return None
        data = event.data
        row = db.get(StoredReview, data.review_id) or StoredReview(id=data.review_id)
        row.listing_id = data.listing_id
        row.seller_id = data.seller_id
        row.reviewer_id = data.reviewer_id
        row.order_id = data.order_id
        row.stars = data.stars
        row.text = data.text
        row.posted_at = event.occurred_at
        verdict = self.screen_stored(db, row)
        row.is_fake = verdict.is_fake
        row.score = round(verdict.score, 4)
        row.reasons = list(verdict.reasons)
        db.add(row)
        db.flush()
        if verdict.is_fake:
            record_signal(
                db,
                seller_id=row.seller_id,
                kind=policy_enums.Signal.REVIEW_MANIPULATION,
                score=min(1.0, verdict.score),
                source_kind=Source.review,
                source_id=row.id,
                evidence={
                    "summary": "; ".join(verdict.reasons),
                    "reasons": list(verdict.reasons),
                    "layers": [str(signal.layer) for signal in verdict.signals],
                    "reviewer_id": row.reviewer_id,
                    "listing_id": row.listing_id,
                    "stars": row.stars,
                },
            )
            policy_service.reevaluate_seller(db, row.seller_id, utcnow().date())
        return row

    def screen_stored(self, db: Session, review: StoredReview) -> ReviewVerdict:
        """The verdict on ``review`` among the stored reviews around it (it need not be stored
        yet)."""
        since = review.posted_at - timedelta(days=RECENT_DAYS)
        around = [
            other
            for other in db.scalars(
                select(StoredReview).where(
                    StoredReview.id != review.id,
                    or_(
                        StoredReview.reviewer_id == review.reviewer_id,
                        (StoredReview.seller_id == review.seller_id)
                        & (StoredReview.posted_at >= since),
                    ),
                    StoredReview.posted_at <= review.posted_at,
                )
            )
        ]
        inputs = [_as_input(other) for other in around] + [_as_input(review)]
        own_row = len(inputs) - 1
        context = ReviewContext(
            is_linked=linked_accounts_lookup(db),
            rating_history={review.seller_id: self._ratings_before(db, review.seller_id, since)},
            daily_orders={
                review.seller_id: self._daily_orders(db, review.seller_id, review.posted_at)
            },
        )
        signals = incentive_signals(review.text)
        for finding in relation_findings(inputs, context):
            if own_row in finding.rows:
                layer = Layer(finding.kind.value)
                signals.append(Signal(layer, SIGNAL_WEIGHTS[layer], finding.reason))
        verdict = combine(signals)
        if verdict.is_fake or not review.text.strip():
            return verdict
        return combine(signals + self.text_layer(review.text))

    def _ratings_before(self, db: Session, seller_id: str, before: datetime) -> Counter[int]:
        stars = db.scalars(
            select(StoredReview.stars).where(
                StoredReview.seller_id == seller_id, StoredReview.posted_at < before
            )
        )
        return Counter(stars)

    def _daily_orders(self, db: Session, seller_id: str, until: datetime) -> Mapping[date, int]:
        since = until - timedelta(days=RECENT_DAYS + ORDER_BASELINE_DAYS)
        placed = db.scalars(
            select(OrderRecord.placed_micros).where(
                OrderRecord.seller_id == seller_id,
                OrderRecord.placed_micros >= micros(since),
                OrderRecord.placed_micros <= micros(until),
            )
        )
        per_day: dict[date, int] = defaultdict(int)
        for placed_micros in placed:
            if placed_micros is not None:
                per_day[moment(placed_micros).date()] += 1
        return per_day


def _as_input(review: StoredReview) -> ReviewInput:
    return ReviewInput(
        text=review.text,
        stars=review.stars,
        reviewer_id=review.reviewer_id,
        seller_id=review.seller_id,
        posted_on=review.posted_at.date(),
    )


review_screening = ReviewScreeningService()

# The event-intake hook (``events.hooks.KNOWN_HOOKS``).
screen_review_event = review_screening.screen_event


def prepare_review_events(events: Sequence[Event]) -> None:
    """The hook's batch preparation: embed a job's review texts in one model call, so that
    screening each review alone finds its vector ready."""
    if review_screening.text_layer is not machine_text_signals:
        return  # another text layer (tests): nothing of the model's to prepare
    from goodstanding.detectors.embeddings import embed

    texts = [
        event.data.text
        for event in events
        if isinstance(event, ReviewPosted) and event.data.text.strip()
    ]
    if texts:
        embed(texts)
