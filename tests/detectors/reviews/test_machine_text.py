"""The text layer: specialists, the embedding gate, storage, and the shipped model."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from shared_data import shared_data_dir

from goodstanding.detectors.reviews.datasets import load_hotel_reviews, load_product_reviews
from goodstanding.detectors.reviews.machine_text import (
    MODEL_DIR,
    Domain,
    DomainGate,
    MachineTextModel,
    SpecialistParams,
    TextClassifier,
    load_model,
    normalise,
    read_metadata,
)

# Written for the test: a templated, repetitive style against varied human-sounding reviews.
TEMPLATED = [
    "This is a great product. It is a great product and it works great.",
    "This is a nice item. It is a nice item and it works nice.",
    "This is a good charger. It is a good charger and it charges good.",
    "This is a great lamp. It is a great lamp and it lights great.",
]
VARIED = [
    "Arrived a day late, but the lid seals properly and my coffee stays hot till lunch.",
    "Smaller than I pictured; fits my daughter's backpack though, so she's thrilled!",
    "Second one I've bought - the first lasted 3 years of daily use. Can't complain.",
    "The strap frayed after two weeks. Customer service replaced it without fuss.",
]
TINY = SpecialistParams(max_ngram=2, min_df=1, max_features=1000, regularisation_c=10.0)


def _specialist() -> TextClassifier:
    return TextClassifier.fit(TEMPLATED + VARIED, [1] * 4 + [0] * 4, TINY)


def _by_first_letter(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """A stand-in embedder: texts starting with 'H' point one way, the rest the other."""
    return np.array([[1.0, 0.0] if text.startswith("H") else [0.0, 1.0] for text in texts])


class TestNormalise:
    def test_restores_the_space_between_glued_sentences(self) -> None:
        assert normalise("A solid drive.I bought two") == "A solid drive. I bought two"

    def test_leaves_numbers_and_abbreviations(self) -> None:
        assert normalise("Costs $4.99 in the U.S. store") == "Costs $4.99 in the U.S. store"


class TestTextClassifier:
    def test_learns_the_style_it_was_shown(self) -> None:
        probability = _specialist().probability(
            ["This is a fine mug. It is a fine mug and it holds fine.", VARIED[0]]
        )
        assert probability[0] > 0.5 > probability[1]

    def test_arrays_round_trip_gives_the_same_scores(self) -> None:
        specialist = _specialist()
        restored = TextClassifier.from_arrays(specialist.to_arrays("x"), "x")
        texts = TEMPLATED + VARIED + ["never seen words entirely"]
        np.testing.assert_allclose(
            restored.probability(texts), specialist.probability(texts), rtol=1e-5
        )


class TestDomainGate:
    def test_routes_by_embedding(self) -> None:
        gate = DomainGate.fit(
            _by_first_letter(["H1", "H2", "P1", "P2"]),
            [Domain.HOTEL, Domain.HOTEL, Domain.PRODUCT, Domain.PRODUCT],
        )
        assert gate.route(_by_first_letter(["Hx", "Px"])) == [Domain.HOTEL, Domain.PRODUCT]


def _model() -> MachineTextModel:
    gate = DomainGate(np.array([4.0, -4.0]), 0.0)
    hotel = TextClassifier.fit(
        ["Hotel fake stay"] * 2 + ["Hotel real stay"] * 2, [1, 1, 0, 0], TINY
    )
    return MachineTextModel(gate, {Domain.PRODUCT: _specialist(), Domain.HOTEL: hotel})


class TestMachineTextModel:
    def test_each_text_goes_to_its_specialist(self) -> None:
        verdicts = _model().score(["Hotel fake stay", TEMPLATED[0]], _by_first_letter)
        assert [verdict.domain for verdict in verdicts] == [Domain.HOTEL, Domain.PRODUCT]
        assert all(verdict.probability > 0.5 for verdict in verdicts)

    def test_no_texts_no_embedding_call(self) -> None:
        def refuse(texts: Sequence[str]) -> npt.NDArray[np.float32]:
            raise AssertionError("embedder called for nothing")

        assert _model().score([], refuse) == []

    def test_save_and_load_round_trip(self, tmp_path: Path) -> None:
        model = _model()
        model.save(tmp_path, {"params": {"note": "test"}})
        loaded = load_model(tmp_path)
        texts = ["Hotel fake stay", "Hotel real stay", *TEMPLATED, *VARIED]
        original = [v.probability for v in model.score(texts, _by_first_letter)]
        restored = [v.probability for v in loaded.score(texts, _by_first_letter)]
        np.testing.assert_allclose(restored, original, rtol=1e-5)
        assert read_metadata(tmp_path)["params"] == {"note": "test"}

    def test_missing_model_names_the_training_command(self, tmp_path: Path) -> None:
        with pytest.raises(FileNotFoundError, match="goodstanding models train"):
            load_model(tmp_path / "nowhere")


class TestShippedModel:
    def test_records_the_data_it_was_trained_on(self) -> None:
        data = shared_data_dir()
        metadata = read_metadata(MODEL_DIR)
        recorded = metadata["training_data"]
        assert recorded["product"]["sha256"] == load_product_reviews(data).sha256
        assert recorded["hotel"]["sha256"] == load_hotel_reviews(data).sha256
        assert set(metadata["held_out_metrics"]) == {"product", "hotel"}

    def test_model_files_are_small(self) -> None:
        assert sum(path.stat().st_size for path in MODEL_DIR.iterdir()) < 5_000_000
