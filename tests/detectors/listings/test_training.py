"""Training end to end, with a stand-in embedder so that it runs in a second.

The stand-in maps each title to a fixed vector by its label word, so the split, fitting,
metadata and held-out report can be checked without the sentence model.
"""

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from goodstanding.detectors.listings.classifier import load_classifier
from goodstanding.detectors.listings.dataset import file_sha256
from goodstanding.detectors.listings.training import train

WORDS = {"pills": 0, "charger": 1, "mug": 2}


def word_embedder(texts: Sequence[str]) -> np.ndarray:
    vectors = np.zeros((len(texts), 4), dtype=np.float32)
    for row, text in enumerate(texts):
        column = next((i for word, i in WORDS.items() if word in text.lower()), 3)
        vectors[row, column] = 1.0
    return vectors


@pytest.fixture
def labelled_file(tmp_path: Path) -> Path:
    lines = ["title,source,label"]
    for i in range(20):
        lines += [
            f"Blue pills lot {i},market,drugs",
            f"USB charger model {i},shop,electronics",
            f"Coffee mug design {i},shop,none",
        ]
    path = tmp_path / "labelled.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class TestTrain:
    def test_fits_on_the_training_part_and_reports_the_held_out_part(
        self, labelled_file: Path, tmp_path: Path
    ) -> None:
        outcome = train(labelled_file, word_embedder, regularisation=4.0)
        assert (outcome.train_rows, outcome.test_rows) == (48, 12)
        assert outcome.held_out["classifier_macro_f1"] == 1.0
        assert outcome.held_out["prohibited_block_recall"] == 1.0
        assert outcome.held_out["block_false_positive_rate"] == 0.0

        outcome.classifier.save(tmp_path / "model")
        saved = json.loads((tmp_path / "model" / "model.json").read_text())
        assert saved["training_data"]["sha256"] == file_sha256(labelled_file)
        assert saved["training_data"]["train_rows"] == 48
        assert saved["params"]["C"] == 4.0
        assert saved["params"]["neighbour_vote"] == {"count": 5, "temperature": 0.05, "weight": 0.5}
        assert "(chosen)" in " ".join(saved["model_selection"]["candidates"])
        assert saved["metrics"]["held_out"] == outcome.held_out
        assert load_classifier(tmp_path / "model").labels == outcome.classifier.labels

    def test_same_data_same_model(self, labelled_file: Path, tmp_path: Path) -> None:
        first = train(labelled_file, word_embedder).classifier
        second = train(labelled_file, word_embedder).classifier
        assert np.array_equal(first.coef, second.coef)
        assert np.array_equal(first.exemplar_vectors, second.exemplar_vectors)
        assert first.vote == second.vote
        first.save(tmp_path / "first")
        second.save(tmp_path / "second")
        with (
            np.load(tmp_path / "first" / "head.npz") as a,
            np.load(tmp_path / "second" / "head.npz") as b,
        ):
            assert a.files == b.files
            assert all(np.array_equal(a[name], b[name]) for name in a.files)

    def test_too_few_rows_is_an_error(self, tmp_path: Path) -> None:
        path = tmp_path / "tiny.csv"
        path.write_text("title,label\nBlue pills,drugs\nMug,none\n", encoding="utf-8")
        with pytest.raises(ValueError, match="too few rows"):
            train(path, word_embedder)
