"""The classifier head on its own: fitting, probabilities, neighbours, saving and loading."""

from pathlib import Path

import numpy as np
import pytest

from goodstanding.detectors.categories import Category
from goodstanding.detectors.listings.classifier import (
    EXEMPLARS_PER_LABEL,
    fit_classifier,
    listing_text,
    load_classifier,
    packaged_classifier,
)
from goodstanding.detectors.listings.dataset import LabelledListing


def clustered(count: int, seed: int = 0) -> tuple[list[LabelledListing], np.ndarray]:
    """Listings of two labels whose vectors form two separate clusters."""
    rng = np.random.default_rng(seed)
    listings, vectors = [], []
    for i in range(count):
        label = Category.DRUGS if i % 2 else Category.NONE
        centre = np.array([1.0, 0.0, 0.0] if label is Category.DRUGS else [0.0, 1.0, 0.0])
        vector = centre + rng.normal(0, 0.05, 3)
        listings.append(LabelledListing(i + 1, f"item {i}", "test", label))
        vectors.append(vector / np.linalg.norm(vector))
    return listings, np.array(vectors, dtype=np.float32)


class TestListingText:
    def test_drops_the_shop_truncation_mark(self) -> None:
        assert listing_text("Steel water bottle 1L, leak proof...") == (
            "Steel water bottle 1L, leak proof"
        )
        assert listing_text("Steel water bottle …") == "Steel water bottle"

    def test_joins_brand_title_and_the_start_of_the_description(self) -> None:
        text = listing_text("Water bottle", description="x" * 1000, brand="Acme")
        assert text.startswith("Acme Water bottle x")
        assert len(text) == len("Acme Water bottle ") + 300


class TestFitClassifier:
    def test_learns_separable_labels(self) -> None:
        listings, vectors = clustered(40)
        classifier = fit_classifier(listings, vectors, 4.0, seed=0)
        probabilities = classifier.probabilities(vectors)
        assert probabilities.shape == (40, 2)
        assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
        predicted = [classifier.labels[i] for i in probabilities.argmax(axis=1)]
        assert predicted == [listing.label for listing in listings]

    def test_is_reproducible(self) -> None:
        listings, vectors = clustered(40)
        first = fit_classifier(listings, vectors, 4.0, seed=3)
        second = fit_classifier(listings, vectors, 4.0, seed=3)
        assert np.array_equal(first.coef, second.coef)
        assert np.array_equal(first.exemplar_rows, second.exemplar_rows)

    def test_caps_exemplars_per_label(self) -> None:
        listings, vectors = clustered(2 * EXEMPLARS_PER_LABEL + 50)
        classifier = fit_classifier(listings, vectors, 4.0, seed=0)
        counts = np.bincount(classifier.exemplar_labels)
        assert counts.tolist() == [EXEMPLARS_PER_LABEL, EXEMPLARS_PER_LABEL]

    def test_needs_two_labels_and_matching_vectors(self) -> None:
        listings, vectors = clustered(10)
        with pytest.raises(ValueError, match="one embedding per training listing"):
            fit_classifier(listings, vectors[:5], 4.0, seed=0)
        only_none = [x for x in listings if x.label is Category.NONE]
        with pytest.raises(ValueError, match="at least two labels"):
            fit_classifier(only_none, vectors[: len(only_none)], 4.0, seed=0)


class TestNearest:
    def test_returns_the_most_similar_exemplars_first(self) -> None:
        listings, vectors = clustered(40)
        classifier = fit_classifier(listings, vectors, 4.0, seed=0)
        query = np.array([[1.0, 0.0, 0.0]], dtype=np.float32)
        nearest = classifier.nearest(query, count=3)[0]
        assert [n.label for n in nearest] == [Category.DRUGS] * 3
        assert nearest[0].similarity >= nearest[1].similarity >= nearest[2].similarity
        assert all(listings[n.row - 1].label is Category.DRUGS for n in nearest)


class TestSaveAndLoad:
    def test_round_trip_keeps_predictions_and_metadata(self, tmp_path: Path) -> None:
        listings, vectors = clustered(40)
        classifier = fit_classifier(listings, vectors, 4.0, seed=0, metadata={"note": "test"})
        classifier.save(tmp_path)
        loaded = load_classifier(tmp_path)
        assert loaded.labels == classifier.labels
        assert np.allclose(loaded.probabilities(vectors), classifier.probabilities(vectors))
        assert loaded.metadata == {"note": "test"}

    def test_missing_model_names_the_command_to_run(self, tmp_path: Path) -> None:
        with pytest.raises(FileNotFoundError, match="goodstanding models train"):
            load_classifier(tmp_path)


class TestPackagedModel:
    def test_records_its_training_data_and_held_out_metrics(self) -> None:
        metadata = packaged_classifier().metadata
        assert len(metadata["training_data"]["sha256"]) == 64
        assert metadata["params"]["C"] > 0
        assert 0 < metadata["metrics"]["held_out"]["screen_macro_f1"] <= 1

    def test_knows_the_labels_of_the_training_data(self) -> None:
        labels = set(packaged_classifier().labels)
        assert {Category.DRUGS, Category.WEAPONS, Category.NONE} <= labels
        assert packaged_classifier().coef.shape == (len(labels), 384)
