"""Layered screening of a listing: declared category, phrases, embedding classifier, decision.

Each layer gives evidence per category; `combine_scores` merges them and `decide` applies the
operator's policy (passed in as data). Both are pure functions; `screen_listings` runs the layers
in batches and is the one entry point that pages, API and CLI share.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from goodstanding.detectors.categories import (
    DEFAULT_RESTRICTIONS,
    RESTRICTED_CATEGORIES,
    Category,
    Restriction,
)
from goodstanding.detectors.listings.classifier import (
    ListingClassifier,
    NearestExample,
    listing_text,
    packaged_classifier,
)
from goodstanding.detectors.listings.phrases import (
    PhraseMatch,
    PhraseMatcher,
    PhraseStrength,
    default_matcher,
)

# The policy a blocked listing raises, as named in the policy file.
RESTRICTED_PRODUCTS_POLICY = "restricted_products"


class Decision(StrEnum):
    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class Listing:
    title: str
    description: str = ""
    brand: str = ""
    # The category the seller chose, if any; a restricted choice is taken at its word.
    declared_category: Category | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScreeningThresholds:
    """How much each layer's evidence weighs, and the scores that hold or block a listing.

    The defaults were chosen by cross-validation on the training split (see docs/detection.md).
    """

    block: float = 0.5
    review: float = 0.3
    # Above `block`: a strong phrase blocks a prohibited product on its own.
    strong_phrase: float = 0.8
    # Between `review` and `block`: a weak phrase alone only holds; with any support from the
    # classifier it blocks.
    weak_phrase: float = 0.4
    declared: float = 0.9
    # Ceiling on the classifier's probability for a category whose word an exception explained
    # away ("massage gun"): below `review`, so the model alone cannot hold such a listing.
    cleared: float = 0.25


@dataclass(frozen=True)
class ScreeningPolicy:
    """The operator's setting for each category, and the categories this seller is approved for."""

    restrictions: Mapping[Category, Restriction] = field(
        default_factory=lambda: DEFAULT_RESTRICTIONS
    )
    approved_categories: frozenset[Category] = frozenset()
    thresholds: ScreeningThresholds = ScreeningThresholds()

    def restriction(self, category: Category) -> Restriction:
        # Categories the operator has not set keep the marketplace default.
        return self.restrictions.get(category, DEFAULT_RESTRICTIONS[category])

    def gates(self, category: Category) -> bool:
        """Whether this seller needs a review before listing in `category`."""
        return (
            self.restriction(category) is Restriction.NEEDS_APPROVAL
            and category not in self.approved_categories
        )


@dataclass(frozen=True)
class ScreeningResult:
    label: Category
    decision: Decision
    # Combined score of `label`, between 0 and 1.
    score: float
    # The category that caused a review or block (None when allowed) and its group score.
    cause: Category | None
    cause_score: float
    scores: Mapping[Category, float]
    phrases: tuple[PhraseMatch, ...]
    declared_category: Category | None
    nearest: tuple[NearestExample, ...]

    @property
    def violated_policy(self) -> str | None:
        return RESTRICTED_PRODUCTS_POLICY if self.decision is Decision.BLOCK else None

    def as_row(self) -> tuple[str, str, str, str]:
        """label, decision, score (three decimals), evidence: the columns of `screen listings`."""
        return (self.label, self.decision, f"{self.score:.3f}", self.evidence())

    def evidence(self) -> str:
        """One line a reviewer can read: what matched, what was declared, what it resembles."""
        parts = [
            f"phrase '{match.phrase}' ({match.category}, {match.strength}, {match.language})"
            for match in self.phrases
        ]
        if self.declared_category is not None:
            parts.append(f"declared {self.declared_category}")
        if self.cause is not None:
            parts.append(f"{self.cause} score {self.cause_score:.2f}")
        parts.extend(
            f"similar to {example.label} example row {example.row} ({example.similarity:.2f})"
            for example in self.nearest
        )
        return "; ".join(parts)


def layer_weights(
    phrases: Iterable[PhraseMatch],
    declared_category: Category | None,
    thresholds: ScreeningThresholds,
) -> dict[Category, float]:
    """Evidence weight per category from the rule layers (phrases and the declared category)."""
    weights: dict[Category, float] = {}
    for match in phrases:
        weight = (
            thresholds.strong_phrase
            if match.strength is PhraseStrength.STRONG
            else thresholds.weak_phrase
        )
        weights[match.category] = max(weights.get(match.category, 0.0), weight)
    if declared_category is not None and declared_category is not Category.NONE:
        weights[declared_category] = max(weights.get(declared_category, 0.0), thresholds.declared)
    return weights


def combine_scores(
    probabilities: Mapping[Category, float], weights: Mapping[Category, float]
) -> dict[Category, float]:
    """Merge classifier probabilities with rule weights, category by category.

    Layers are treated as independent witnesses (noisy-OR): a category scores
    1 - (1 - p) * (1 - w). Every rule that fires for a restricted category takes the same share
    away from `none`.
    """
    scores = {
        category: 1.0
        - (1.0 - probabilities.get(category, 0.0)) * (1.0 - weights.get(category, 0.0))
        for category in RESTRICTED_CATEGORIES
    }
    benign = probabilities.get(Category.NONE, 0.0)
    for weight in weights.values():
        benign *= 1.0 - weight
    scores[Category.NONE] = benign
    return scores


def group_score(
    categories: Collection[Category],
    probabilities: Mapping[Category, float],
    weights: Mapping[Category, float],
) -> float:
    """Score that the listing belongs to any of `categories`.

    Classifier probabilities of exclusive labels add up; rule weights join by noisy-OR.
    """
    if not categories:
        return 0.0
    probability = min(1.0, sum(probabilities.get(category, 0.0) for category in categories))
    missed = 1.0 - probability
    for category in categories:
        missed *= 1.0 - weights.get(category, 0.0)
    return 1.0 - missed


def decide(
    probabilities: Mapping[Category, float],
    weights: Mapping[Category, float],
    policy: ScreeningPolicy,
) -> tuple[Decision, Category | None, float]:
    """(decision, causing category, its group score) under `policy`.

    Block when the listing is likely enough to be of some prohibited category; hold for review
    when that is merely possible, or when it is likely to be of a category the seller is not
    approved for.
    """
    scores = combine_scores(probabilities, weights)
    prohibited = [
        c for c in RESTRICTED_CATEGORIES if policy.restriction(c) is Restriction.PROHIBITED
    ]
    gated = [c for c in RESTRICTED_CATEGORIES if policy.gates(c)]
    prohibited_score = group_score(prohibited, probabilities, weights)
    thresholds = policy.thresholds
    if prohibited and prohibited_score >= thresholds.review:
        cause = max(prohibited, key=lambda c: scores[c])
        decision = Decision.BLOCK if prohibited_score >= thresholds.block else Decision.REVIEW
        return decision, cause, prohibited_score
    gated_score = group_score(gated, probabilities, weights)
    if gated and gated_score >= thresholds.review:
        return Decision.REVIEW, max(gated, key=lambda c: scores[c]), gated_score
    return Decision.ALLOW, None, 0.0


def screen_listings(
    listings: Sequence[Listing],
    policy: ScreeningPolicy,
    classifier: ListingClassifier | None = None,
    matcher: PhraseMatcher | None = None,
) -> list[ScreeningResult]:
    """Screen listings in one batch with the packaged model (unless given); input order kept."""
    from goodstanding.detectors.embeddings import embed

    vectors = embed([listing_text(x.title, x.description, x.brand) for x in listings])
    return screen_embedded(listings, vectors, policy, classifier, matcher)


def screen_embedded(
    listings: Sequence[Listing],
    vectors: npt.NDArray[np.float32],
    policy: ScreeningPolicy,
    classifier: ListingClassifier | None = None,
    matcher: PhraseMatcher | None = None,
    nearest_count: int = 3,
) -> list[ScreeningResult]:
    """Screen listings whose `listing_text` embeddings are already known (row i = listing i)."""
    if len(listings) != len(vectors):
        raise ValueError("one embedding per listing is needed")
    if not listings:
        return []
    classifier = classifier or packaged_classifier()
    matcher = matcher or default_matcher()
    probability_rows, neighbours = classifier.assess(vectors, nearest_count)
    results = []
    for listing, probability_row, nearest in zip(
        listings, probability_rows, neighbours, strict=True
    ):
        phrases, cleared = _find_phrases(matcher, listing)
        probabilities = {
            label: min(float(p), policy.thresholds.cleared) if label in cleared else float(p)
            for label, p in zip(classifier.labels, probability_row, strict=True)
        }
        weights = layer_weights(phrases, listing.declared_category, policy.thresholds)
        scores = combine_scores(probabilities, weights)
        label = max(scores, key=lambda c: scores[c])
        decision, cause, cause_score = decide(probabilities, weights, policy)
        results.append(
            ScreeningResult(
                label=label,
                decision=decision,
                score=scores[label],
                cause=cause,
                cause_score=cause_score,
                scores=MappingProxyType(scores),
                phrases=phrases,
                declared_category=listing.declared_category,
                nearest=tuple(nearest),
            )
        )
    return results


def _find_phrases(
    matcher: PhraseMatcher, listing: Listing
) -> tuple[tuple[PhraseMatch, ...], frozenset[Category]]:
    # Fields are matched one by one so that no phrase can join the end of one to another.
    found: dict[str, PhraseMatch] = {}
    cleared: set[Category] = set()
    for text in (listing.title, listing.brand, listing.description, *listing.attributes.values()):
        scan = matcher.scan(text)
        cleared |= scan.cleared
        for match in scan.matches:
            found.setdefault(match.phrase, match)
    # A category named outright elsewhere in the listing is not explained away.
    cleared -= {match.category for match in found.values()}
    return tuple(found.values()), frozenset(cleared)
