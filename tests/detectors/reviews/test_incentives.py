"""Compensation-disclosure detector.

Every review below was written for this test (no labelled set of incentivised reviews exists); the
hard negatives mention refunds, discounts, gifts and contests without tying them to the review.
"""

import pytest

from goodstanding.detectors.reviews.incentives import (
    Compensation,
    find_incentives,
    fold_accents,
    load_phrases,
    parse_phrases,
)

# Written for the test: disclosed or offered compensation, with the kind the detector must name.
INCENTIVISED = [
    (
        "I received this product at a discount in exchange for my honest review. It works well.",
        Compensation.DISCOUNT,
    ),
    ("The seller offered me a full refund if I changed my review to 5 stars.", Compensation.REFUND),
    (
        "They sent me a $10 gift card for leaving a five-star rating. Fine mug.",
        Compensation.GIFT_CARD,
    ),
    ("Got this as a free sample for review purposes. Smells nice.", Compensation.FREE_PRODUCT),
    ("I was paid to write this review, so take it with a grain of salt.", Compensation.MONEY),
    ("A card in the box promised a bonus item if I left a positive review.", Compensation.BONUS),
    (
        "The insert said I'd be entered into a giveaway for posting a 5-star review.",
        Compensation.CONTEST,
    ),
    ("Recibí este producto gratis a cambio de mi opinión sincera.", Compensation.FREE_PRODUCT),
    (
        "El vendedor me ofreció un reembolso si cambiaba mi reseña a 5 estrellas.",
        Compensation.REFUND,
    ),
    ("Me dieron un cupón de descuento por dejar una valoración positiva.", Compensation.DISCOUNT),
    (
        "Nos regalaron una tarjeta regalo de 20 euros por escribir una reseña.",
        Compensation.GIFT_CARD,
    ),
    ("Me pagaron 5 euros por poner cinco estrellas.", Compensation.MONEY),
    ("Entré en un sorteo por dejar una reseña de cinco estrellas.", Compensation.CONTEST),
    ("Me mandaron un producto extra si subía mi valoración.", Compensation.BONUS),
]

# Written for the test: the words are there, the bought review is not.
HARD_NEGATIVES = [
    "Great blender. I returned the first one and got a refund because the jar cracked.",
    "Free shipping and it arrived fast. BPA free and dishwasher safe too!",
    "Bought it at 30% off on Black Friday, great value for the money.",
    "I'm writing this review to warn others: I asked for a refund and never got it.",
    "My sister gave it to me as a gift and I love it. Five stars from me.",
    "Customer service paid for the return label, which was kind of them.",
    "Envío gratis y llegó rápido. Me devolvieron el dinero porque venía roto.",
    "Lo compré con un descuento del 20% en rebajas y estoy muy contenta.",
    "Participé en un sorteo del supermercado y gané esta tostadora. Tuesta bien.",
    "Mi opinión sincera: la batería dura poco y el cargador se calienta.",
    "Sin azúcar y sin gluten, ideal para mi hijo. Repetiré.",
    "I did NOT receive any discount in exchange for this review; I paid full price.",
    "No me dieron nada a cambio de mi reseña, lo compré con mi dinero.",
]


class TestFindIncentives:
    @pytest.mark.parametrize(("text", "kind"), INCENTIVISED)
    def test_flags_compensation_tied_to_the_review(self, text: str, kind: Compensation) -> None:
        hits = find_incentives(text)
        assert hits, text
        assert kind in hits[0].compensation

    @pytest.mark.parametrize("text", HARD_NEGATIVES)
    def test_leaves_ordinary_mentions_alone(self, text: str) -> None:
        assert find_incentives(text) == []

    def test_standalone_disclosure_needs_no_compensation_word(self) -> None:
        (hit,) = find_incentives("Posted in exchange for an unbiased review. Nice colours.")
        assert hit.compensation == frozenset({Compensation.UNSPECIFIED})

    def test_quotes_the_original_sentence_with_its_accents(self) -> None:
        (hit,) = find_incentives("Muy bonito. Recibí esta muestra para probarla y dar mi opinión.")
        assert hit.quote == "Recibí esta muestra para probarla y dar mi opinión."
        assert hit.language == "es"
        assert "Recibí esta muestra" in hit.reason

    def test_a_reason_names_the_kinds_of_compensation(self) -> None:
        (hit,) = find_incentives("I got a refund and a gift card for writing a five star review.")
        assert hit.compensation == {Compensation.REFUND, Compensation.GIFT_CARD}
        assert "gift card" in hit.reason and "refund" in hit.reason

    def test_a_refused_offer_is_still_reported(self) -> None:
        text = "The seller offered me a refund if I removed my review, which I did not accept."
        (hit,) = find_incentives(text)
        assert hit.compensation == {Compensation.REFUND}

    def test_compensation_and_review_in_different_sentences_do_not_pair(self) -> None:
        text = "I asked for a refund. Then I left this review."
        assert find_incentives(text) == []

    def test_one_hit_per_incentivised_sentence(self) -> None:
        text = (
            "I was paid $5 to write this review. The colour is nice. "
            "The seller also promised a refund for a five-star rating."
        )
        assert len(find_incentives(text)) == 2

    def test_long_sentences_are_quoted_shortened(self) -> None:
        text = "I received a discount in exchange for my honest review " + "and so on " * 40
        (hit,) = find_incentives(text)
        assert len(hit.quote) <= 160
        assert hit.quote.endswith("\u2026")


class TestFoldAccents:
    def test_keeps_offsets(self) -> None:
        text = "Opinión ÍNTEGRA, niño: İstanbul"
        assert len(fold_accents(text)) == len(text)
        assert fold_accents(text).startswith("opinion integra, nino")


class TestPhraseFile:
    def test_every_policy_category_has_phrases_in_both_languages(self) -> None:
        languages = {phrases.language: phrases for phrases in load_phrases()}
        assert set(languages) == {"en", "es"}
        expected = set(Compensation) - {Compensation.UNSPECIFIED}
        for phrases in languages.values():
            assert set(phrases.compensation) == expected
            assert all(phrases.compensation[kind] for kind in expected)

    def test_malformed_section_is_reported(self) -> None:
        with pytest.raises(ValueError, match="'en' is malformed"):
            parse_phrases({"en": {"negation": [], "standalone": ["x"]}})

    def test_unknown_category_is_reported(self) -> None:
        document = {
            "en": {
                "negation": [],
                "standalone": [],
                "review_link": [],
                "compensation": {"hugs": []},
            }
        }
        with pytest.raises(ValueError, match="malformed"):
            parse_phrases(document)
