"""Listings against the store: screen each listing event, keep the decision, act on it.

``screen_listing_event`` is the event-intake hook for listing.created/updated/removed (see
``events.hooks.KNOWN_HOOKS``). A screened listing is kept as a ``StoredListing`` row; then

- block: the listing is blocked, a ``listing.blocked`` webhook goes out, a restricted-product
  signal is stored and the seller's policies are re-evaluated;
- review: the listing is held and a ``listing_review`` case waits for a reviewer, who approves
  (active) or blocks it (as above, with the reviewer's word as evidence) through the console;
- allow: the listing is active.

The embedding model is the slow layer (torch, seconds to load on two cores). The rule layers (the
declared category and the phrases) run first, and a listing they already block is not embedded:
the classifier can only raise a category's score, so it could not change that decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from goodstanding.cases.service import case_service
from goodstanding.detectors.categories import (
    Category,
    Restriction,
    parse_category,
)
from goodstanding.detectors.embeddings import EMBEDDING_DIMENSION
from goodstanding.detectors.listings import screen
from goodstanding.detectors.listings.classifier import ListingClassifier, listing_text
from goodstanding.detectors.signals import Source, record_signal
from goodstanding.events.schemas import Event, ListingCreated, ListingRemoved, ListingUpdated
from goodstanding.kit.clock import utcnow
from goodstanding.kit.errors import IllegalTransition, NotFound
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.case import Case
from goodstanding.models.category_approval import CategoryApproval
from goodstanding.models.listing import StoredListing
from goodstanding.policy.enums import Signal
from goodstanding.policy.repository import policy_repository
from goodstanding.policy.service import active_policies, policy_service
from goodstanding.webhooks.outbox import publish

LISTING_REVIEW_SLA = timedelta(days=2)
DETECTOR_ACTOR = "listing-screening"
# A reviewer who blocks a listing has looked at it: the signal is as sure as a signal gets.
REVIEWER_CONFIDENCE = 1.0

ScreenFunction = Callable[
    [Sequence[screen.Listing], screen.ScreeningPolicy], list[screen.ScreeningResult]
]

Status = StoredListing.Status


class ListingNotFound(NotFound):
    slug = "listing-not-found"
    title = "No such listing"


class ListingNotHeld(IllegalTransition):
    slug = "listing-not-held"
    title = "The listing is not held for review"


@cache
def _rules_only_classifier() -> ListingClassifier:
    """A classifier that knows nothing (every listing is `none`), so screening with it gives the
    rule layers' decision alone."""
    return ListingClassifier(
        labels=(Category.NONE,),
        coef=np.zeros((1, EMBEDDING_DIMENSION), dtype=np.float32),
        intercept=np.zeros(1, dtype=np.float32),
        exemplar_vectors=np.empty((0, EMBEDDING_DIMENSION), dtype=np.float16),
        exemplar_labels=np.empty(0, dtype=np.int16),
        exemplar_rows=np.empty(0, dtype=np.int32),
    )


def screen_by_rules(
    listing: screen.Listing, policy: screen.ScreeningPolicy
) -> screen.ScreeningResult:
    """The declared category and the phrases alone; no embedding model."""
    vectors = np.zeros((1, EMBEDDING_DIMENSION), dtype=np.float32)
    [result] = screen.screen_embedded([listing], vectors, policy, _rules_only_classifier())
    return result


class ListingScreeningService:
    def __init__(
        self,
        restrictions: Mapping[Category, Restriction] | None = None,
        full_screen: ScreenFunction = screen.screen_listings,
    ) -> None:
        # None: the operator's settings in the active policy file (`[listing_categories]`).
        self.restrictions = restrictions
        # Every layer, the embedding classifier included.
        self.full_screen = full_screen

    # --- operator and per-seller settings -----------------------------------------------------

    def approved_categories(self, db: Session, seller_id: str) -> frozenset[Category]:
        names = db.scalars(
            select(CategoryApproval.category).where(CategoryApproval.seller_id == seller_id)
        )
        return frozenset(Category(name) for name in names)

    def approve_category(
        self, db: Session, seller_id: str, category: Category, *, actor: str
    ) -> CategoryApproval:
        """Let the seller list in a gated category (idempotent)."""
        known = db.scalars(
            select(CategoryApproval).where(
                CategoryApproval.seller_id == seller_id, CategoryApproval.category == category
            )
        ).first()
        if known is not None:
            return known
        approval = CategoryApproval(
            seller_id=seller_id, category=category, approved_by=actor, approved_at=utcnow()
        )
        db.add(approval)
        db.flush()
        return approval

    def screening_policy(self, db: Session, seller_id: str) -> screen.ScreeningPolicy:
        return screen.ScreeningPolicy(
            restrictions=(
                active_policies().listing_categories
                if self.restrictions is None
                else self.restrictions
            ),
            approved_categories=self.approved_categories(db, seller_id),
        )

    # --- screening ----------------------------------------------------------------------------

    def screen(self, listing: screen.Listing, policy: screen.ScreeningPolicy) -> ScreenOutcome:
        by_rules = screen_by_rules(listing, policy)
        if by_rules.decision is screen.Decision.BLOCK:
            return ScreenOutcome(by_rules, classifier_consulted=False)
        [result] = self.full_screen([listing], policy)
        return ScreenOutcome(result, classifier_consulted=True)

    def screen_event(self, db: Session, event: Event) -> StoredListing | None:
        """The intake hook: screen a created or updated listing, or mark a removed one."""
        if isinstance(event, ListingRemoved):
            return self._mark_removed(db, event.data.listing_id)
        if not isinstance(event, ListingCreated | ListingUpdated):
            return None
        data = event.data
        listing = screen.Listing(
            title=data.title,
            description=data.description,
            brand=data.brand,
            declared_category=_known_category(data.category),
        )
        outcome = self.screen(listing, self.screening_policy(db, data.seller_id))
        result = outcome.result
        row = db.get(StoredListing, data.listing_id) or StoredListing(id=data.listing_id)
        row.seller_id = data.seller_id
        row.title = data.title
        row.description = data.description
        row.category = data.category
        row.brand = data.brand
        row.decision = result.decision
        row.label = result.label
        row.score = round(result.score, 4)
        row.evidence = outcome.evidence()
        row.screened_at = utcnow()
        row.status = _STATUS_OF[result.decision]
        db.add(row)
        db.flush()
        if result.decision is screen.Decision.BLOCK:
            assert result.cause is not None  # a block always names its category
            self._block(
                db,
                row,
                category=result.cause,
                confidence=result.cause_score,
                evidence=row.evidence,
                decided_by=DETECTOR_ACTOR,
            )
        elif result.decision is screen.Decision.REVIEW:
            self._hold(db, row, outcome)
        return row

    # --- reviewers ----------------------------------------------------------------------------

    def listing_of_case(self, db: Session, case_id: str) -> StoredListing | None:
        return db.scalars(select(StoredListing).where(StoredListing.case_id == case_id)).first()

    def decide_held(
        self, db: Session, listing_id: str, *, block: bool, reviewer_id: str, reason: str
    ) -> StoredListing:
        """A reviewer's decision on a held listing: approve (active) or block (blocked, webhook,
        restricted-product signal, re-evaluation).

        A listing the seller changed meanwhile into one the screen allows is active: approving it
        changes nothing, and the reviewer may still block it. A removed or blocked listing is
        beyond a decision.
        """
        to = Status.blocked if block else Status.active
        moved = db.execute(
            update(StoredListing)
            .where(
                StoredListing.id == listing_id,
                StoredListing.status.in_([Status.held, Status.active]),
            )
            .values(status=to)
            .execution_options(synchronize_session=False)
        )
        row = db.get(StoredListing, listing_id)
        if row is None:
            raise ListingNotFound(_("There is no listing %(id)s.") % {"id": listing_id})
        db.refresh(row)
        if getattr(moved, "rowcount", 0) != 1:
            raise ListingNotHeld(_("This listing is not held for review any more."))
        if block:
            cause = row.evidence.get("cause") or row.label
            self._block(
                db,
                row,
                category=Category(cause),
                confidence=REVIEWER_CONFIDENCE,
                evidence={**row.evidence, "reviewer_reason": reason.strip()},
                decided_by=f"account:{reviewer_id}",
            )
        return row

    # --- effects ------------------------------------------------------------------------------

    def _block(
        self,
        db: Session,
        row: StoredListing,
        *,
        category: Category,
        confidence: float,
        evidence: Mapping[str, Any],
        decided_by: str,
    ) -> None:
        publish(
            db,
            "listing.blocked",
            row.seller_id,
            {
                "seller_id": row.seller_id,
                "listing_id": row.id,
                # The same shape as the policy engine's listing removals.
                "listing_ids": [row.id],
                "policy_id": screen.RESTRICTED_PRODUCTS_POLICY,
                "violation_id": None,
                "category": str(category),
                "score": round(confidence, 4),
                "evidence": str(evidence.get("summary", "")),
                "decided_by": decided_by,
            },
        )
        record_signal(
            db,
            seller_id=row.seller_id,
            kind=Signal.RESTRICTED_PRODUCT,
            score=min(1.0, max(0.0, confidence)),
            source_kind=Source.listing,
            source_id=row.id,
            evidence={**evidence, "decided_by": decided_by},
        )
        policy_service.reevaluate_seller(db, row.seller_id, utcnow().date())

    def _hold(self, db: Session, row: StoredListing, outcome: ScreenOutcome) -> None:
        """Open a listing_review case unless one is already open for this listing; a seller no
        account signs in as gets none (the listing waits as held, like the policy engine's
        reviews)."""
        if row.case_id is not None:
            case = db.get(Case, row.case_id)
            if case is not None and case.status == Case.Status.open:
                return
        seller = policy_repository.seller(db, row.seller_id)
        if seller is None or seller.account_id is None:
            row.case_id = None
            return
        result = outcome.result
        case = case_service.open(
            db,
            kind=Case.Kind.listing_review,
            subject_account_id=seller.account_id,
            payload={
                "listing_id": row.id,
                "seller_id": row.seller_id,
                "title": row.title,
                "category": str(result.cause) if result.cause else None,
                "score": round(result.cause_score, 4),
                "reason": outcome.evidence()["summary"],
            },
            sla=LISTING_REVIEW_SLA,
            actor_id=None,
        )
        row.case_id = case.id
        db.flush()

    def _mark_removed(self, db: Session, listing_id: str) -> StoredListing | None:
        row = db.get(StoredListing, listing_id)
        if row is not None:
            row.status = Status.removed
            db.flush()
        return row


@dataclass(frozen=True)
class ScreenOutcome:
    """A screening result and whether the embedding classifier took part in it."""

    result: screen.ScreeningResult
    classifier_consulted: bool

    def evidence(self) -> dict[str, Any]:
        result = self.result
        return {
            "summary": result.evidence(),
            "phrases": [
                {
                    "phrase": match.phrase,
                    "category": str(match.category),
                    "strength": str(match.strength),
                    "language": match.language,
                }
                for match in result.phrases
            ],
            "declared_category": (
                str(result.declared_category) if result.declared_category else None
            ),
            "cause": str(result.cause) if result.cause else None,
            "cause_score": round(result.cause_score, 4),
            "nearest": [
                {"label": str(example.label), "row": example.row, "similarity": example.similarity}
                for example in result.nearest
            ],
            "classifier_consulted": self.classifier_consulted,
        }


_STATUS_OF: Mapping[screen.Decision, Status] = {
    screen.Decision.ALLOW: Status.active,
    screen.Decision.REVIEW: Status.held,
    screen.Decision.BLOCK: Status.blocked,
}


def _known_category(declared: str) -> Category | None:
    """The declared category when it is one of our ids; the marketplace may send its own names,
    which say nothing the other layers can use."""
    if not declared.strip():
        return None
    try:
        return parse_category(declared)
    except ValueError:
        return None


listing_screening = ListingScreeningService()

# The event-intake hook (``events.hooks.KNOWN_HOOKS``).
screen_listing_event = listing_screening.screen_event


def prepare_listing_events(events: Sequence[Event]) -> None:
    """The hook's batch preparation: embed the texts of a job's created and updated listings in
    one model call, so that screening each event alone finds its vector ready."""
    if listing_screening.full_screen is not screen.screen_listings:
        return  # another classifier layer (tests): nothing of the model's to prepare
    from goodstanding.detectors.embeddings import embed

    texts = [
        listing_text(event.data.title, event.data.description, event.data.brand)
        for event in events
        if isinstance(event, ListingCreated | ListingUpdated)
    ]
    if texts:
        embed(texts)
