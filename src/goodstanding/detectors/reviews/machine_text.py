"""Scores how likely a review is fake by its text: machine-written, or written to order.

Two kinds of fake text need two models, one per kind of review we have labelled data for:
product reviews written by a language model, and hotel reviews written to order by people. Each
specialist is a TF-IDF n-gram logistic regression: on the held-out split it beat a classifier on
sentence embeddings by a wide margin (see docs/detection.md), because what gives these reviews away
is style (function words, punctuation, repetition), which sentence embeddings average out. The
embeddings do what they are good at: a gate on them decides which kind of review a text is, and so
which specialist reads it.

The models are stored as plain arrays (`.npz`, no pickle) and a JSON file with the training data's
sha256, the parameters and the held-out metrics.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    # scikit-learn takes over a second to import; the commands and intake that import this
    # module for its constants must not pay for it.
    from sklearn.feature_extraction.text import TfidfVectorizer

MODEL_DIR = Path(__file__).with_name("model")
METADATA_FILE = "machine_text.json"

FloatArray = npt.NDArray[np.float64]
Embedder = Callable[[Sequence[str]], npt.NDArray[np.float32]]

# Single letters ("I", "a") and punctuation are kept as tokens: they carry much of the style signal.
TOKEN_PATTERN = r"(?u)\b\w+\b|[^\w\s]"
# Some generated texts in the product set were joined without a space ("drive.I bought"), which
# never happens in the human ones; the space is restored so the model cannot learn that artefact.
_GLUED_SENTENCE = re.compile(r"(?<=[a-z])([.!?])(?=[A-Z])")


class Domain(StrEnum):
    PRODUCT = "product"
    HOTEL = "hotel"

    @property
    def finding(self) -> str:
        if self is Domain.PRODUCT:
            return "reads as machine-written"
        return "reads like a review written to order (deceptive)"


def normalise(text: str) -> str:
    return _GLUED_SENTENCE.sub(r"\1 ", text)


@dataclass(frozen=True)
class SpecialistParams:
    max_ngram: int = 3
    min_df: int = 2
    max_features: int = 50_000
    regularisation_c: float = 30.0


@dataclass(frozen=True)
class TextClassifier:
    """TF-IDF n-grams and a logistic regression, reduced to arrays for storage."""

    vectorizer: TfidfVectorizer
    coef: FloatArray
    intercept: float

    @classmethod
    def fit(
        cls, texts: Sequence[str], labels: Sequence[int], params: SpecialistParams
    ) -> TextClassifier:
        from sklearn.linear_model import LogisticRegression

        vectorizer = _vectorizer(params.max_ngram, params.min_df, params.max_features)
        features = vectorizer.fit_transform([normalise(text) for text in texts])
        regression = LogisticRegression(C=params.regularisation_c, max_iter=5000)
        regression.fit(features, np.asarray(labels))
        return cls(
            vectorizer, regression.coef_[0].astype(np.float64), float(regression.intercept_[0])
        )

    def probability(self, texts: Sequence[str]) -> FloatArray:
        features = self.vectorizer.transform([normalise(text) for text in texts])
        return _sigmoid(features @ self.coef + self.intercept)

    def to_arrays(self, prefix: str) -> dict[str, npt.NDArray[Any]]:
        vocabulary = sorted(self.vectorizer.vocabulary_.items(), key=lambda item: item[1])
        return {
            f"{prefix}_terms": np.array([term for term, _ in vocabulary], dtype=np.str_),
            f"{prefix}_idf": self.vectorizer.idf_.astype(np.float32),
            f"{prefix}_coef": self.coef.astype(np.float32),
            f"{prefix}_intercept": np.array([self.intercept]),
            f"{prefix}_ngram": np.array([self.vectorizer.ngram_range[1]]),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]], prefix: str) -> TextClassifier:
        terms = arrays[f"{prefix}_terms"].tolist()
        vectorizer = _vectorizer(int(arrays[f"{prefix}_ngram"][0]), 1, None)
        vectorizer.vocabulary = {term: index for index, term in enumerate(terms)}
        vectorizer.idf_ = arrays[f"{prefix}_idf"].astype(np.float64)
        return cls(
            vectorizer,
            arrays[f"{prefix}_coef"].astype(np.float64),
            float(arrays[f"{prefix}_intercept"][0]),
        )


def _vectorizer(max_ngram: int, min_df: int, max_features: int | None) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        ngram_range=(1, max_ngram),
        min_df=min_df,
        max_features=max_features,
        sublinear_tf=True,
        token_pattern=TOKEN_PATTERN,
    )


def _sigmoid(logits: npt.NDArray[Any]) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64))))


@dataclass(frozen=True)
class DomainGate:
    """Logistic regression on sentence embeddings: the probability that a text is a hotel review."""

    coef: FloatArray
    intercept: float

    @classmethod
    def fit(cls, embeddings: npt.NDArray[np.float32], domains: Sequence[Domain]) -> DomainGate:
        from sklearn.linear_model import LogisticRegression

        is_hotel = np.array([domain is Domain.HOTEL for domain in domains], dtype=int)
        regression = LogisticRegression(C=1.0, max_iter=5000).fit(embeddings, is_hotel)
        return cls(regression.coef_[0].astype(np.float64), float(regression.intercept_[0]))

    def route(self, embeddings: npt.NDArray[np.float32]) -> list[Domain]:
        hotel = _sigmoid(embeddings.astype(np.float64) @ self.coef + self.intercept) >= 0.5
        return [Domain.HOTEL if flag else Domain.PRODUCT for flag in hotel]


@dataclass(frozen=True)
class TextVerdict:
    domain: Domain
    probability: float


@dataclass(frozen=True)
class MachineTextModel:
    gate: DomainGate
    specialists: Mapping[Domain, TextClassifier]
    threshold: float = 0.5

    def score(self, texts: Sequence[str], embedder: Embedder) -> list[TextVerdict]:
        """Routes each text to its specialist and returns the probability that it is fake."""
        if not texts:
            return []
        domains = self.gate.route(embedder(texts))
        probabilities = np.zeros(len(texts))
        for domain, specialist in self.specialists.items():
            rows = [row for row, routed in enumerate(domains) if routed is domain]
            if rows:
                probabilities[rows] = specialist.probability([texts[row] for row in rows])
        return [
            TextVerdict(domain, float(probability))
            for domain, probability in zip(domains, probabilities, strict=True)
        ]

    def save(self, folder: Path, metadata: Mapping[str, Any]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, npt.NDArray[Any]] = {
            "gate_coef": self.gate.coef.astype(np.float32),
            "gate_intercept": np.array([self.gate.intercept]),
        }
        for domain, specialist in self.specialists.items():
            arrays.update(specialist.to_arrays(domain.value))
        np.savez_compressed(folder / "machine_text.npz", **cast(dict[str, Any], arrays))
        document = {"threshold": self.threshold, **metadata}
        (folder / METADATA_FILE).write_text(json.dumps(document, indent=2) + "\n")


def read_metadata(folder: Path = MODEL_DIR) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((folder / METADATA_FILE).read_text())
    return document


@cache
def load_model(folder: Path = MODEL_DIR) -> MachineTextModel:
    """The shipped model; raises FileNotFoundError with the training command when it is missing."""
    weights = folder / "machine_text.npz"
    if not weights.is_file():
        raise FileNotFoundError(
            f"review text model missing at {weights}; build it with `goodstanding models train`"
        )
    with np.load(weights, allow_pickle=False) as arrays:
        stored = {name: arrays[name] for name in arrays.files}
    gate = DomainGate(stored["gate_coef"].astype(np.float64), float(stored["gate_intercept"][0]))
    specialists = {domain: TextClassifier.from_arrays(stored, domain.value) for domain in Domain}
    return MachineTextModel(gate, specialists, float(read_metadata(folder)["threshold"]))


def params_document(params: SpecialistParams) -> dict[str, Any]:
    return {"token_pattern": TOKEN_PATTERN, **asdict(params)}
