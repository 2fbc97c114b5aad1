"""The shared sentence-embedding loader (real model, loaded from the installed package)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from goodstanding.detectors.embeddings import EMBEDDING_DIMENSION, embed


@pytest.mark.slow
class TestEmbed:
    def test_unit_length_float32_rows_in_input_order(self) -> None:
        texts = ["Glass water bottle 1 litre", "Stainless steel kitchen knife", "Botella de agua"]
        vectors = embed(texts)
        assert vectors.shape == (3, EMBEDDING_DIMENSION)
        assert vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        assert np.allclose(embed(texts[1:2])[0], vectors[1], atol=1e-5)

    def test_similar_texts_are_closer_than_unrelated_ones(self) -> None:
        bottle, flask, tyre = embed(
            ["Water bottle for the gym", "Drinking flask for sports", "Scooter tyre 90/100-10"]
        )
        assert float(bottle @ flask) > float(bottle @ tyre)

    def test_empty_input_gives_an_empty_matrix(self) -> None:
        assert embed([]).shape == (0, EMBEDDING_DIMENSION)

    def test_a_single_string_is_refused(self) -> None:
        with pytest.raises(TypeError, match="sequence of texts"):
            embed("one text")

    def test_reduced_precision_keeps_the_float32_meaning(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from goodstanding.detectors import embeddings

        texts = ["Glass water bottle 1 litre", "Kit de cuchillos de cocina", "9mm pistol magazine"]
        fast = embed(texts)
        monkeypatch.setattr(embeddings, "_native_bfloat16", lambda: False)
        exact = embed(texts)
        assert np.all(np.sum(fast * exact, axis=1) > 0.999)


@pytest.mark.parametrize(("preset", "expected"), [(None, "PASSIVE"), ("ACTIVE", "ACTIVE")])
def test_torch_threads_wait_passively_unless_the_operator_says_otherwise(
    preset: str | None, expected: str
) -> None:
    environment = {key: value for key, value in os.environ.items() if key != "OMP_WAIT_POLICY"}
    if preset is not None:
        environment["OMP_WAIT_POLICY"] = preset
    probe = "import os, goodstanding.detectors.embeddings; print(os.environ['OMP_WAIT_POLICY'])"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True, text=True, check=True, timeout=60, env=environment,
    )  # fmt: skip
    assert result.stdout.strip() == expected


def test_numpy_products_run_on_one_thread_once_embeddings_load() -> None:
    probe = (
        "import json, threadpoolctl, goodstanding.detectors.embeddings;"
        "print(json.dumps([p['num_threads'] for p in threadpoolctl.threadpool_info()"
        " if p['user_api'] == 'blas']))"
    )
    environment = {key: value for key, value in os.environ.items() if "NUM_THREADS" not in key}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True, text=True, check=True, timeout=60, env=environment,
    )  # fmt: skip
    threads = json.loads(result.stdout)
    assert threads and set(threads) == {1}


class _CountingModel:
    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def encode(self, texts: list[str], **_: object) -> np.ndarray:
        self.asked.append(texts)
        return np.array([[float(len(text)), 1.0] for text in texts], dtype=np.float32)


def test_recent_texts_are_not_embedded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from collections import OrderedDict

    from goodstanding.detectors import embeddings

    model = _CountingModel()
    monkeypatch.setattr(embeddings, "_load_model", lambda: model)
    monkeypatch.setattr(embeddings, "_recent", OrderedDict())
    monkeypatch.setattr(embeddings, "_RECENT_LIMIT", 3)
    first = embed(["mug", "lamp", "mug"])
    second = embed(["lamp", "kettle"])
    assert model.asked == [["mug", "lamp"], ["kettle"]]
    assert first[:, 0].tolist() == [3.0, 4.0, 3.0]
    assert second[:, 0].tolist() == [4.0, 6.0]
    embed(["rug"])  # the oldest (mug) leaves the three kept
    embed(["mug"])
    assert model.asked[-1] == ["mug"]
    embeddings.forget_recent()
    embed(["rug"])
    assert model.asked[-1] == ["rug"]
