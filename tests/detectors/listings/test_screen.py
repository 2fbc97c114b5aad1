"""Layers together: rule weights, the classifier head, and the policy decision.

A tiny stand-in head (three labels, 3-dimensional "embeddings") keeps these tests free of the
sentence model; tests of the real model are in test_screen_model.py. Listing titles are made up.
"""

import numpy as np
import pytest

from goodstanding.detectors.categories import DEFAULT_RESTRICTIONS, Category, Restriction
from goodstanding.detectors.listings.classifier import ListingClassifier
from goodstanding.detectors.listings.phrases import PhraseMatch, PhraseStrength
from goodstanding.detectors.listings.screen import (
    RESTRICTED_PRODUCTS_POLICY,
    Decision,
    Listing,
    ScreeningPolicy,
    ScreeningThresholds,
    combine_scores,
    decide,
    group_score,
    layer_weights,
    screen_embedded,
)

LABELS = (Category.DRUGS, Category.ELECTRONICS, Category.NONE)
# One-hot rows: the stand-in head gives the matching label a probability close to 1.
LOOKS_LIKE = {label: np.eye(3, dtype=np.float32)[i] for i, label in enumerate(LABELS)}
UNSURE = np.full(3, 1 / np.sqrt(3), dtype=np.float32)


def stand_in_classifier() -> ListingClassifier:
    return ListingClassifier(
        labels=LABELS,
        coef=np.eye(3, dtype=np.float32) * 12,
        intercept=np.zeros(3, dtype=np.float32),
        exemplar_vectors=np.eye(3, dtype=np.float16),
        exemplar_labels=np.arange(3, dtype=np.int16),
        exemplar_rows=np.array([11, 22, 33], dtype=np.int32),
    )


def run(listing: Listing, vector: np.ndarray, policy: ScreeningPolicy | None = None) -> Decision:
    result = screen_embedded(
        [listing], vector[None, :], policy or ScreeningPolicy(), stand_in_classifier()
    )[0]
    return result.decision


def match(phrase: str, category: Category, strength: PhraseStrength) -> PhraseMatch:
    return PhraseMatch(phrase, category, strength, "en")


class TestLayerWeights:
    def test_strong_phrase_outweighs_weak_for_the_same_category(self) -> None:
        thresholds = ScreeningThresholds()
        weights = layer_weights(
            [
                match("gun", Category.WEAPONS, PhraseStrength.WEAK),
                match("glock", Category.WEAPONS, PhraseStrength.STRONG),
            ],
            None,
            thresholds,
        )
        assert weights == {Category.WEAPONS: thresholds.strong_phrase}

    def test_declared_category_counts_but_declared_none_does_not(self) -> None:
        thresholds = ScreeningThresholds()
        assert layer_weights([], Category.TOBACCO, thresholds) == {
            Category.TOBACCO: thresholds.declared
        }
        assert layer_weights([], Category.NONE, thresholds) == {}


class TestCombineScores:
    def test_noisy_or_of_classifier_and_rules(self) -> None:
        scores = combine_scores({Category.DRUGS: 0.5, Category.NONE: 0.5}, {Category.DRUGS: 0.4})
        assert scores[Category.DRUGS] == pytest.approx(0.7)
        assert scores[Category.NONE] == pytest.approx(0.3)

    def test_categories_without_any_evidence_score_zero(self) -> None:
        scores = combine_scores({Category.NONE: 1.0}, {})
        assert scores[Category.LOCK_PICKING] == 0.0
        assert scores[Category.NONE] == 1.0


class TestGroupScore:
    def test_adds_classifier_probabilities_of_the_group(self) -> None:
        probabilities = {Category.DRUGS: 0.3, Category.WEAPONS: 0.3, Category.NONE: 0.4}
        assert group_score([Category.DRUGS, Category.WEAPONS], probabilities, {}) == (
            pytest.approx(0.6)
        )

    def test_empty_group_scores_zero(self) -> None:
        assert group_score([], {Category.DRUGS: 1.0}, {}) == 0.0


class TestDecide:
    def test_blocks_a_likely_prohibited_product(self) -> None:
        decision, cause, score = decide({Category.DRUGS: 0.9}, {}, ScreeningPolicy())
        assert (decision, cause) == (Decision.BLOCK, Category.DRUGS)
        assert score == pytest.approx(0.9)

    def test_holds_a_possible_prohibited_product(self) -> None:
        probabilities = {Category.DRUGS: 0.35, Category.NONE: 0.65}
        assert decide(probabilities, {}, ScreeningPolicy())[0] is Decision.REVIEW

    def test_two_prohibited_categories_together_can_block(self) -> None:
        probabilities = {Category.DRUGS: 0.3, Category.WEAPONS: 0.25, Category.NONE: 0.45}
        assert decide(probabilities, {}, ScreeningPolicy())[0] is Decision.BLOCK

    def test_holds_a_gated_category_until_the_seller_is_approved(self) -> None:
        probabilities = {Category.ELECTRONICS: 0.9, Category.NONE: 0.1}
        assert decide(probabilities, {}, ScreeningPolicy())[:2] == (
            Decision.REVIEW,
            Category.ELECTRONICS,
        )
        approved = ScreeningPolicy(approved_categories=frozenset({Category.ELECTRONICS}))
        assert decide(probabilities, {}, approved) == (Decision.ALLOW, None, 0.0)

    def test_follows_the_operator_setting_not_a_built_in_list(self) -> None:
        probabilities = {Category.TOBACCO: 0.95, Category.NONE: 0.05}
        tobacco_allowed = ScreeningPolicy(
            restrictions={**DEFAULT_RESTRICTIONS, Category.TOBACCO: Restriction.ALLOWED}
        )
        electronics_banned = ScreeningPolicy(
            restrictions={**DEFAULT_RESTRICTIONS, Category.ELECTRONICS: Restriction.PROHIBITED}
        )
        assert decide(probabilities, {}, tobacco_allowed)[0] is Decision.ALLOW
        assert decide({Category.ELECTRONICS: 0.9}, {}, electronics_banned)[0] is Decision.BLOCK

    def test_unset_categories_keep_the_default(self) -> None:
        policy = ScreeningPolicy(restrictions={Category.TOBACCO: Restriction.ALLOWED})
        assert policy.restriction(Category.DRUGS) is Restriction.PROHIBITED

    def test_allows_a_harmless_listing(self) -> None:
        assert decide({Category.NONE: 0.97}, {}, ScreeningPolicy())[0] is Decision.ALLOW

    def test_thresholds_are_policy_data(self) -> None:
        probabilities = {Category.DRUGS: 0.6, Category.NONE: 0.4}
        strict = ScreeningPolicy(thresholds=ScreeningThresholds(block=0.5))
        lenient = ScreeningPolicy(thresholds=ScreeningThresholds(block=0.7))
        assert decide(probabilities, {}, strict)[0] is Decision.BLOCK
        assert decide(probabilities, {}, lenient)[0] is Decision.REVIEW


class TestScreenEmbedded:
    def test_classifier_alone_blocks_what_it_recognises(self) -> None:
        assert run(Listing("Premium stuff, 5 g"), LOOKS_LIKE[Category.DRUGS]) is Decision.BLOCK

    def test_strong_phrase_alone_blocks_a_category_the_classifier_never_saw(self) -> None:
        listing = Listing("Lock pick set, 24 pieces")
        assert run(listing, LOOKS_LIKE[Category.NONE]) is Decision.BLOCK

    def test_weak_phrase_alone_only_holds(self) -> None:
        assert run(Listing("Vintage gun"), LOOKS_LIKE[Category.NONE]) is Decision.REVIEW

    def test_weak_phrase_with_some_classifier_support_blocks(self) -> None:
        assert run(Listing("Vintage gun"), UNSURE) is Decision.BLOCK

    def test_phrase_in_the_description_counts(self) -> None:
        listing = Listing("Starter kit", description="Includes a tension wrench")
        assert run(listing, LOOKS_LIKE[Category.NONE]) is Decision.BLOCK

    def test_phrases_do_not_join_across_fields(self) -> None:
        listing = Listing("Classic lock", brand="Pick Co", description="Pick set not included")
        result = screen_embedded(
            [listing], LOOKS_LIKE[Category.NONE][None, :], ScreeningPolicy(), stand_in_classifier()
        )[0]
        assert [m.phrase for m in result.phrases] == ["pick set"]

    def test_declared_prohibited_category_blocks(self) -> None:
        listing = Listing("Assorted items", declared_category=Category.WEAPONS)
        assert run(listing, LOOKS_LIKE[Category.NONE]) is Decision.BLOCK

    def test_hard_negative_stays_allowed(self) -> None:
        listing = Listing("Toy gun with foam darts, gunmetal grey")
        assert run(listing, LOOKS_LIKE[Category.NONE]) is Decision.ALLOW

    def test_an_exception_caps_what_the_classifier_reads_into_its_word(self) -> None:
        assert run(Listing("Diet coke, 24 cans"), LOOKS_LIKE[Category.DRUGS]) is Decision.ALLOW

    def test_the_cap_is_lifted_when_the_category_is_named_outright(self) -> None:
        listing = Listing("Diet coke", description="and cocaine")
        assert run(listing, LOOKS_LIKE[Category.DRUGS]) is Decision.BLOCK

    def test_result_carries_evidence_and_policy(self) -> None:
        results = screen_embedded(
            [Listing("Glass bong 30 cm", declared_category=Category.DRUGS), Listing("Mug")],
            np.stack([LOOKS_LIKE[Category.DRUGS], LOOKS_LIKE[Category.NONE]]),
            ScreeningPolicy(),
            stand_in_classifier(),
        )
        blocked, allowed = results
        assert blocked.label is Category.DRUGS
        assert blocked.violated_policy == RESTRICTED_PRODUCTS_POLICY
        assert blocked.nearest[0].label is Category.DRUGS and blocked.nearest[0].row == 11
        evidence = blocked.evidence()
        assert "phrase 'bong' (drugs, strong, en)" in evidence
        assert "declared drugs" in evidence
        assert "similar to drugs example row 11" in evidence
        assert allowed.label is Category.NONE and allowed.violated_policy is None

    def test_keeps_input_order_and_needs_one_vector_per_listing(self) -> None:
        listings = [Listing("a"), Listing("b"), Listing("c")]
        vectors = np.stack([LOOKS_LIKE[c] for c in (Category.NONE, Category.DRUGS, Category.NONE)])
        decisions = [
            r.decision
            for r in screen_embedded(listings, vectors, ScreeningPolicy(), stand_in_classifier())
        ]
        assert decisions == [Decision.ALLOW, Decision.BLOCK, Decision.ALLOW]
        with pytest.raises(ValueError, match="one embedding per listing"):
            screen_embedded(listings, vectors[:2], ScreeningPolicy(), stand_in_classifier())

    def test_empty_batch(self) -> None:
        empty = np.empty((0, 3), dtype=np.float32)
        assert screen_embedded([], empty, ScreeningPolicy(), stand_in_classifier()) == []
