"""The layers combined by `screen()`, alone and together.

The reviews in this file were written for the test, in English and Spanish. Where a test needs the
text layer to stay out of the way it passes a stand-in model that never flags; the shipped model is
measured on real held-out rows instead.
"""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from shared_data import shared_data_dir

from goodstanding.detectors.embeddings import embed
from goodstanding.detectors.reviews.datasets import load_hotel_reviews, load_product_reviews
from goodstanding.detectors.reviews.machine_text import (
    Domain,
    DomainGate,
    MachineTextModel,
    SpecialistParams,
    TextClassifier,
    load_model,
)
from goodstanding.detectors.reviews.relations import linked_pairs
from goodstanding.detectors.reviews.screen import (
    FLAG_AT,
    Layer,
    ReviewContext,
    ReviewInput,
    Signal,
    combine,
    screen,
)


def _flat_embedder(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    return np.zeros((len(texts), 2), dtype=np.float32)


def _never_flags() -> MachineTextModel:
    """A text model whose specialists give every text probability 0.5 - epsilon."""
    params = SpecialistParams(max_ngram=1, min_df=1, max_features=10, regularisation_c=1.0)
    specialist = TextClassifier.fit(["a", "b"], [0, 1], params)
    quiet = TextClassifier(specialist.vectorizer, np.zeros_like(specialist.coef), -1e-3)
    return MachineTextModel(
        DomainGate(np.zeros(2), -1.0), {Domain.PRODUCT: quiet, Domain.HOTEL: quiet}
    )


def _screen(reviews: list[ReviewInput], context: ReviewContext | None = None) -> list[bool]:
    verdicts = screen(reviews, context, model=_never_flags(), embedder=_flat_embedder)
    assert len(verdicts) == len(reviews)
    for verdict in verdicts:
        assert not verdict.is_fake or verdict.reasons, "a flagged review must say why"
    return [verdict.is_fake for verdict in verdicts]


GENUINE_EN = ReviewInput(
    "Bought it on sale for 20% off. The kettle is loud but boils a litre in two minutes.",
    stars=4,
    reviewer_id="ana",
    seller_id="kettles-r-us",
)
GENUINE_ES = ReviewInput(
    "Me devolvieron el dinero porque llegó roto; el segundo funciona bien.",
    stars=3,
    reviewer_id="luis",
    seller_id="kettles-r-us",
)
INCENTIVISED_EN = ReviewInput(
    "Lovely scarf. I received it free in exchange for my honest review.",
    stars=5,
    reviewer_id="bea",
    seller_id="scarves",
)
INCENTIVISED_ES = ReviewInput(
    "Bonita bufanda. El vendedor me regaló una tarjeta regalo por dejar cinco estrellas.",
    stars=5,
    reviewer_id="carla",
    seller_id="scarves",
)


class TestCombine:
    def test_no_signal_is_a_clean_zero(self) -> None:
        verdict = combine([])
        assert (verdict.is_fake, verdict.score, verdict.reasons) == (False, 0.0, ())

    def test_one_weak_signal_does_not_flag_but_is_reported(self) -> None:
        verdict = combine([Signal(Layer.SINGLE_SELLER_REVIEWER, 0.35, "only one seller")])
        assert not verdict.is_fake
        assert verdict.reasons == ("only one seller",)

    def test_two_weak_signals_together_flag(self) -> None:
        verdict = combine(
            [Signal(Layer.SINGLE_SELLER_REVIEWER, 0.35, "a"), Signal(Layer.RATING_SHIFT, 0.35, "b")]
        )
        assert verdict.score >= FLAG_AT
        assert verdict.is_fake

    def test_score_is_noisy_or(self) -> None:
        verdict = combine([Signal(Layer.TEXT, 0.6, "x"), Signal(Layer.INCENTIVE, 0.5, "y")])
        assert abs(verdict.score - 0.8) < 1e-9


class TestPhraseLayerInScreen:
    def test_flags_disclosures_in_both_languages_and_spares_hard_negatives(self) -> None:
        reviews = [GENUINE_EN, INCENTIVISED_EN, GENUINE_ES, INCENTIVISED_ES]
        assert _screen(reviews) == [False, True, False, True]


class TestRelationLayerInScreen:
    def test_linked_reviewer_is_flagged_only_when_links_are_known(self) -> None:
        reviews = [GENUINE_EN, GENUINE_ES]
        assert _screen(reviews) == [False, False]
        context = ReviewContext(is_linked=linked_pairs([("luis", "kettles-r-us")]))
        verdicts = screen(reviews, context, model=_never_flags(), embedder=_flat_embedder)
        assert [verdict.is_fake for verdict in verdicts] == [False, True]
        assert "linked to seller kettles-r-us" in verdicts[1].reasons[0]

    def test_single_seller_reviewer_with_a_rating_shift_is_flagged(self) -> None:
        praise = [
            ReviewInput(f"Gran vendedor, todo perfecto ({n}).", 5, "fan", "scarves")
            for n in range(3)
        ]
        others = [
            ReviewInput(f"Buena bufanda, talla {n}.", 5, f"buyer-{n}", "scarves") for n in range(20)
        ]
        history = {"scarves": {1: 10, 2: 10, 3: 30, 4: 30, 5: 20}}
        alone = _screen(praise + others)
        assert alone == [False] * 23
        together = _screen(praise + others, ReviewContext(rating_history=history))
        assert together[:3] == [True] * 3
        assert together[3:] == [False] * 20


class TestTextLayerInScreen:
    def test_shipped_model_on_real_held_out_reviews(self) -> None:
        data = shared_data_dir()
        for labelled in (load_product_reviews(data), load_hotel_reviews(data)):
            _, held_out = labelled.split()
            sample = held_out.subset(list(range(30)))
            verdicts = screen([ReviewInput(text) for text in sample.texts], model=load_model())
            flagged = [verdict.is_fake for verdict in verdicts]
            correct = sum(
                flag == bool(label) for flag, label in zip(flagged, sample.labels, strict=True)
            )
            assert correct / len(flagged) >= 0.7, labelled.name
            for verdict in verdicts:
                if verdict.is_fake:
                    assert any(signal.layer is Layer.TEXT for signal in verdict.signals)

    def test_all_layers_together_keep_order_and_reasons(self) -> None:
        reviews = [INCENTIVISED_ES, GENUINE_EN, ReviewInput(""), INCENTIVISED_EN]
        verdicts = screen(reviews, model=load_model(), embedder=embed)
        assert len(verdicts) == 4
        assert verdicts[0].is_fake and verdicts[3].is_fake
        assert "tarjeta regalo" in verdicts[0].reasons[0]
        assert verdicts[2].reasons == ()
