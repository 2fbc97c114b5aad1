"""The classifier head on its own: fitting, probabilities, neighbours, saving and loading."""

from pathlib import Path

import numpy as np
import pytest

from goodstanding.detectors.categories import Category
from goodstanding.detectors.listings.classifier import (
    HEAD_FILE,
    ListingClassifier,
    NeighbourVote,
    fit_classifier,
    listing_text,
    load_classifier,
    packaged_classifier,
)
from goodstanding.detectors.listings.dataset import LabelledListing

VOTE = NeighbourVote(count=3, temperature=0.05, weight=0.5)


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
    @pytest.mark.parametrize("vote", [None, VOTE])
    def test_learns_separable_labels(self, vote: NeighbourVote | None) -> None:
        listings, vectors = clustered(40)
        classifier = fit_classifier(listings, vectors, 4.0, seed=0, vote=vote)
        assert classifier.vote == vote
        probabilities = classifier.probabilities(vectors)
        assert probabilities.shape == (40, 2)
        assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
        predicted = [classifier.labels[i] for i in probabilities.argmax(axis=1)]
        assert predicted == [listing.label for listing in listings]

    def test_is_reproducible(self) -> None:
        listings, vectors = clustered(40)
        first = fit_classifier(listings, vectors, 4.0, seed=3, vote=VOTE)
        second = fit_classifier(listings, vectors, 4.0, seed=3, vote=VOTE)
        assert np.array_equal(first.coef, second.coef)
        assert np.array_equal(first.exemplar_rows, second.exemplar_rows)
        assert np.array_equal(first.probabilities(vectors), second.probabilities(vectors))

    def test_keeps_every_training_listing_as_an_exemplar(self) -> None:
        listings, vectors = clustered(50)
        classifier = fit_classifier(listings, vectors, 4.0, seed=0, vote=VOTE)
        assert classifier.exemplar_rows.tolist() == [x.row for x in listings]
        assert [classifier.labels[i] for i in classifier.exemplar_labels] == [
            x.label for x in listings
        ]
        assert classifier.exemplar_vectors.dtype == np.float16
        assert np.allclose(classifier.exemplar_vectors, vectors, atol=1e-3)

    def test_needs_two_labels_and_matching_vectors(self) -> None:
        listings, vectors = clustered(10)
        with pytest.raises(ValueError, match="one embedding per training listing"):
            fit_classifier(listings, vectors[:5], 4.0, seed=0)
        only_none = [x for x in listings if x.label is Category.NONE]
        with pytest.raises(ValueError, match="at least two labels"):
            fit_classifier(only_none, vectors[: len(only_none)], 4.0, seed=0)


def blank_head(vote: NeighbourVote | None) -> ListingClassifier:
    """A head with no opinion (zero weights) over two exemplars, one per label."""
    return ListingClassifier(
        labels=(Category.DRUGS, Category.NONE),
        coef=np.zeros((2, 3), dtype=np.float32),
        intercept=np.zeros(2, dtype=np.float32),
        exemplar_vectors=np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float16),
        exemplar_labels=np.array([0, 1], dtype=np.int16),
        exemplar_rows=np.array([7, 8], dtype=np.int32),
        vote=vote,
    )


class TestNeighbourVote:
    def test_without_a_vote_the_linear_head_decides_alone(self) -> None:
        query = np.array([[1.0, 0.0, 0.0]], dtype=np.float32)
        assert np.allclose(blank_head(None).probabilities(query), [[0.5, 0.5]])

    def test_the_nearest_exemplar_moves_the_probability_by_the_vote_weight(self) -> None:
        query = np.array([[0.9, 0.436, 0.0]], dtype=np.float32)
        vote = NeighbourVote(count=2, temperature=0.05, weight=0.5)
        probabilities = blank_head(vote).probabilities(query)[0]
        # Similarities 0.9 and 0.436: the second exemplar's vote is exp(-0.464 / 0.05) smaller.
        drugs_share = 1 / (1 + np.exp(-0.464 / 0.05))
        assert probabilities[0] == pytest.approx(0.5 * 0.5 + 0.5 * drugs_share, abs=1e-4)
        assert probabilities.sum() == pytest.approx(1.0, abs=1e-6)

    def test_a_high_temperature_counts_neighbours_alike(self) -> None:
        query = np.array([[0.9, 0.436, 0.0]], dtype=np.float32)
        vote = NeighbourVote(count=2, temperature=1000.0, weight=1.0)
        assert np.allclose(blank_head(vote).probabilities(query), [[0.5, 0.5]], atol=1e-3)

    def test_only_the_nearest_count_vote(self) -> None:
        query = np.array([[0.6, 0.8, 0.0]], dtype=np.float32)
        vote = NeighbourVote(count=1, temperature=1.0, weight=1.0)
        assert np.allclose(blank_head(vote).probabilities(query), [[0.0, 1.0]])


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
    @pytest.mark.parametrize("vote", [None, VOTE])
    def test_round_trip_keeps_predictions_and_metadata(
        self, tmp_path: Path, vote: NeighbourVote | None
    ) -> None:
        listings, vectors = clustered(40)
        classifier = fit_classifier(
            listings, vectors, 4.0, seed=0, metadata={"note": "test"}, vote=vote
        )
        classifier.save(tmp_path)
        loaded = load_classifier(tmp_path)
        assert loaded.labels == classifier.labels
        assert loaded.vote == vote
        assert np.array_equal(loaded.probabilities(vectors), classifier.probabilities(vectors))
        assert loaded.metadata == {"note": "test"}

    def test_the_head_file_holds_plain_arrays_only(self, tmp_path: Path) -> None:
        listings, vectors = clustered(40)
        fit_classifier(listings, vectors, 4.0, seed=0, vote=VOTE).save(tmp_path)
        # allow_pickle=False refuses object arrays: loading cannot run code.
        with np.load(tmp_path / HEAD_FILE, allow_pickle=False) as head:
            assert all(head[name].dtype != object for name in head.files)
            assert {"coef", "intercept", "exemplar_vectors", "vote_weight"} <= set(head.files)

    def test_missing_model_names_the_command_to_run(self, tmp_path: Path) -> None:
        with pytest.raises(FileNotFoundError, match="goodstanding models train"):
            load_classifier(tmp_path)


class TestPackagedModel:
    def test_records_its_training_data_and_held_out_metrics(self) -> None:
        metadata = packaged_classifier().metadata
        assert len(metadata["training_data"]["sha256"]) == 64
        assert metadata["params"]["C"] > 0
        assert 0 < metadata["metrics"]["held_out"]["screen_macro_f1"] <= 1

    def test_records_the_vote_and_the_cross_validation_that_chose_it(self) -> None:
        classifier = packaged_classifier()
        assert classifier.vote is not None
        params = classifier.metadata["params"]
        assert params["neighbour_vote"] == {
            "count": classifier.vote.count,
            "temperature": classifier.vote.temperature,
            "weight": classifier.vote.weight,
        }
        candidates = classifier.metadata["model_selection"]["candidates"]
        assert any("(chosen)" in name for name in candidates)
        assert len(classifier.exemplar_rows) == classifier.metadata["training_data"]["train_rows"]

    def test_knows_the_labels_of_the_training_data(self) -> None:
        labels = set(packaged_classifier().labels)
        assert {Category.DRUGS, Category.WEAPONS, Category.NONE} <= labels
        assert packaged_classifier().coef.shape == (len(labels), 384)
