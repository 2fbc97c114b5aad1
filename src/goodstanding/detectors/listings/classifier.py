"""Embedding layer: a linear head over sentence embeddings, blended with a vote of the most
similar training listings, which also serve as evidence.

The linear head is a scikit-learn multinomial logistic regression; the vote reads the labelled
embeddings of every training listing. Both are stored as plain arrays (`head.npz`) rather than a
pickle: loading them runs no code, and it does not tie the service to the exact scikit-learn
version that trained them. Next to them, `model.json` records the training data's sha256, the
date, the parameters, the cross-validation figures that chose them and the held-out metrics.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from goodstanding.detectors.categories import Category
from goodstanding.detectors.listings.dataset import LabelledListing

HEAD_FILE = "head.npz"
METADATA_FILE = "model.json"
_DESCRIPTION_CHARS = 300
_TRAILING_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*$")


def listing_text(title: str, description: str = "", brand: str = "") -> str:
    """The text the classifier reads: brand, title and the start of the description.

    Shop front-ends cut long titles with "..."; that mark says where a title came from, not
    what it sells, so it is removed to keep the model from learning the source.
    """
    parts = (
        brand.strip(),
        _TRAILING_ELLIPSIS.sub("", title.strip()),
        description.strip()[:_DESCRIPTION_CHARS],
    )
    return " ".join(part for part in parts if part)


@dataclass(frozen=True, slots=True)
class NearestExample:
    label: Category
    # Row of the labelled training file (see `training_data` in model.json).
    row: int
    similarity: float


@dataclass(frozen=True, slots=True)
class NeighbourVote:
    """How the labels of the most similar exemplars join the linear head's probabilities.

    Each of the `count` most similar exemplars votes for its label with weight
    exp((similarity - best similarity) / temperature); the shares of the vote are mixed into the
    head's probabilities with weight `weight` (between 0 and 1).
    """

    count: int
    temperature: float
    weight: float


@dataclass(frozen=True)
class ListingClassifier:
    labels: tuple[Category, ...]
    coef: npt.NDArray[np.float32]
    intercept: npt.NDArray[np.float32]
    # Labelled training embeddings: they vote (see `NeighbourVote`) and are shown as evidence.
    exemplar_vectors: npt.NDArray[np.float16]
    exemplar_labels: npt.NDArray[np.int16]
    exemplar_rows: npt.NDArray[np.int32]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    # None: the linear head alone.
    vote: NeighbourVote | None = None

    @cached_property
    def _exemplars_by_column(self) -> npt.NDArray[np.float32]:
        """The exemplars as float32 columns, made once: stored as float16 rows to halve the
        packaged file, converting and transposing them on every call cost several times the
        product itself when a listing event is screened alone."""
        return np.ascontiguousarray(self.exemplar_vectors.T, dtype=np.float32)

    def probabilities(self, vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Probability of each label (columns in `labels` order) for each embedding row."""
        return self.assess(vectors, nearest_count=0)[0]

    def nearest(
        self, vectors: npt.NDArray[np.float32], count: int = 3
    ) -> list[list[NearestExample]]:
        """The `count` most similar labelled exemplars (cosine similarity) for each row."""
        return self.assess(vectors, nearest_count=count)[1]

    def assess(
        self, vectors: npt.NDArray[np.float32], nearest_count: int = 3
    ) -> tuple[npt.NDArray[np.float32], list[list[NearestExample]]]:
        """`probabilities` and `nearest` together: the vote and the evidence read the same
        search of the exemplars, which costs more than the rest of the head."""
        logits = vectors @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        probabilities = exp / exp.sum(axis=1, keepdims=True)
        if len(vectors) == 0 or len(self.exemplar_rows) == 0:
            return np.asarray(probabilities, dtype=np.float32), [[] for _ in range(len(vectors))]
        vote_count = self.vote.count if self.vote is not None else 0
        top, similarity = self._most_similar(vectors, max(vote_count, nearest_count, 1))
        if self.vote is not None:
            shares = self._vote_shares(
                top[:, :vote_count], similarity[:, :vote_count], self.vote.temperature
            )
            probabilities = (1 - self.vote.weight) * probabilities + self.vote.weight * shares
        nearest = [
            [
                NearestExample(
                    self.labels[int(self.exemplar_labels[index])],
                    int(self.exemplar_rows[index]),
                    round(float(value), 3),
                )
                for index, value in zip(row_top, row_similarity, strict=True)
            ]
            for row_top, row_similarity in zip(
                top[:, :nearest_count], similarity[:, :nearest_count], strict=True
            )
        ]
        return np.asarray(probabilities, dtype=np.float32), nearest

    def _most_similar(
        self, vectors: npt.NDArray[np.float32], count: int
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]:
        """Per row, the `count` most similar exemplars and their cosine similarities, most
        similar first."""
        similarity = vectors @ self._exemplars_by_column
        count = min(count, similarity.shape[1])
        top = np.argpartition(-similarity, count - 1, axis=1)[:, :count]
        top_similarity = np.take_along_axis(similarity, top, axis=1)
        order = np.argsort(-top_similarity, axis=1, kind="stable")
        return (
            np.take_along_axis(top, order, axis=1),
            np.take_along_axis(top_similarity, order, axis=1),
        )

    def _vote_shares(
        self, top: npt.NDArray[np.intp], similarity: npt.NDArray[np.float32], temperature: float
    ) -> npt.NDArray[np.float64]:
        """Share of each label in the similarity-weighted vote of the given exemplars (each
        row's most similar first)."""
        votes = np.exp((similarity - similarity[:, :1]) / temperature)
        shares = np.zeros((len(top), len(self.labels)), dtype=np.float64)
        rows = np.repeat(np.arange(len(top)), top.shape[1])
        np.add.at(shares, (rows, self.exemplar_labels[top].ravel()), votes.ravel())
        return np.asarray(shares / shares.sum(axis=1, keepdims=True), dtype=np.float64)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {
            "labels": np.array([label.value for label in self.labels]),
            "coef": self.coef,
            "intercept": self.intercept,
            "exemplar_vectors": self.exemplar_vectors,
            "exemplar_labels": self.exemplar_labels,
            "exemplar_rows": self.exemplar_rows,
        }
        if self.vote is not None:
            arrays["vote_count"] = np.array(self.vote.count)
            arrays["vote_temperature"] = np.array(self.vote.temperature)
            arrays["vote_weight"] = np.array(self.vote.weight)
        np.savez_compressed(folder / HEAD_FILE, **arrays)
        (folder / METADATA_FILE).write_text(
            json.dumps(self.metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )


def load_classifier(folder: Path) -> ListingClassifier:
    """Load a head saved by `ListingClassifier.save`; FileNotFoundError names what is missing."""
    head_path = folder / HEAD_FILE
    if not head_path.is_file():
        raise FileNotFoundError(
            f"no listing model at {head_path}; train one with `goodstanding models train`"
        )
    with np.load(head_path, allow_pickle=False) as head:
        labels = tuple(Category(str(value)) for value in head["labels"])
        classifier = ListingClassifier(
            labels=labels,
            coef=head["coef"].astype(np.float32),
            intercept=head["intercept"].astype(np.float32),
            exemplar_vectors=head["exemplar_vectors"].astype(np.float16),
            exemplar_labels=head["exemplar_labels"].astype(np.int16),
            exemplar_rows=head["exemplar_rows"].astype(np.int32),
            metadata=_read_metadata(folder / METADATA_FILE),
            vote=(
                NeighbourVote(
                    count=int(head["vote_count"]),
                    temperature=float(head["vote_temperature"]),
                    weight=float(head["vote_weight"]),
                )
                if "vote_count" in head
                else None
            ),
        )
    return classifier


def _read_metadata(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


@cache
def packaged_classifier() -> ListingClassifier:
    """The model shipped in the package (`detectors/listings/model/`), loaded once."""
    with as_file(files("goodstanding.detectors.listings") / "model") as folder:
        return load_classifier(Path(folder))


def fit_classifier(
    training: Sequence[LabelledListing],
    vectors: npt.NDArray[np.float32],
    regularisation: float,
    seed: int,
    metadata: Mapping[str, Any] | None = None,
    vote: NeighbourVote | None = None,
) -> ListingClassifier:
    """Fit the logistic-regression head on embeddings of `training` (row i = listing i), and keep
    every training embedding as an exemplar for evidence and for the neighbour vote (if any)."""
    from sklearn.linear_model import LogisticRegression

    if len(training) != len(vectors):
        raise ValueError("one embedding per training listing is needed")
    targets = np.array([listing.label.value for listing in training])
    if len(set(targets)) < 2:
        raise ValueError("training needs listings of at least two labels")
    # Unweighted classes: on cross-validation, balancing the rare labels raised their recall
    # but cost more precision than it gained (macro F1 0.837 against 0.850).
    model = LogisticRegression(C=regularisation, max_iter=5000, random_state=seed)
    model.fit(vectors, targets)
    labels = tuple(Category(str(value)) for value in model.classes_)
    label_index = {label: index for index, label in enumerate(labels)}
    coef = np.asarray(model.coef_, dtype=np.float32)
    intercept = np.asarray(model.intercept_, dtype=np.float32)
    if len(labels) == 2:
        # scikit-learn keeps one row for two labels (the logit of the second); a zero row for
        # the first gives the same probabilities through the softmax.
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.concatenate([np.zeros_like(intercept), intercept])
    return ListingClassifier(
        labels=labels,
        coef=coef,
        intercept=intercept,
        # Half precision halves the packaged file; on cross-validation the vote read from it
        # scored as from float32 (macro F1 0.8847 against 0.8848).
        exemplar_vectors=vectors.astype(np.float16),
        exemplar_labels=np.array([label_index[x.label] for x in training], dtype=np.int16),
        exemplar_rows=np.array([x.row for x in training], dtype=np.int32),
        metadata=dict(metadata or {}),
        vote=vote,
    )
