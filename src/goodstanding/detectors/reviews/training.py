"""Trains the review text model on the shared labelled sets; measures it on their held-out rows."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from goodstanding.detectors.reviews.datasets import (
    SPLIT_SEED,
    TEST_SHARE,
    LabelledReviews,
    load_hotel_reviews,
    load_product_reviews,
)
from goodstanding.detectors.reviews.machine_text import (
    DomainGate,
    Embedder,
    MachineTextModel,
    SpecialistParams,
    TextClassifier,
    params_document,
)

# Telling a hotel stay from a product apart is easy for sentence embeddings; a few hundred
# examples of each suffice and keep training from embedding thousands of texts.
GATE_ROWS_PER_DOMAIN = 500
DEFAULT_PARAMS = SpecialistParams()


@dataclass(frozen=True)
class BinaryMetrics:
    """Counts and rates for one labelled set, with "fake" as the positive class."""

    true_positive: int
    false_positive: int
    true_negative: int
    false_negative: int

    @classmethod
    def of(cls, labels: Sequence[int], predicted: Sequence[bool]) -> "BinaryMetrics":
        pairs = list(zip(labels, predicted, strict=True))
        return cls(
            true_positive=sum(1 for label, flag in pairs if label and flag),
            false_positive=sum(1 for label, flag in pairs if not label and flag),
            true_negative=sum(1 for label, flag in pairs if not label and not flag),
            false_negative=sum(1 for label, flag in pairs if label and not flag),
        )

    @staticmethod
    def _ratio(numerator: int, denominator: int) -> float:
        return numerator / denominator if denominator else 0.0

    def precision(self, fake: bool = True) -> float:
        if fake:
            return self._ratio(self.true_positive, self.true_positive + self.false_positive)
        return self._ratio(self.true_negative, self.true_negative + self.false_negative)

    def recall(self, fake: bool = True) -> float:
        if fake:
            return self._ratio(self.true_positive, self.true_positive + self.false_negative)
        return self._ratio(self.true_negative, self.true_negative + self.false_positive)

    def f1(self, fake: bool = True) -> float:
        precision, recall = self.precision(fake), self.recall(fake)
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    @property
    def false_positive_rate(self) -> float:
        """Genuine reviews flagged: what sellers pay for."""
        return self._ratio(self.false_positive, self.false_positive + self.true_negative)

    def as_document(self) -> dict[str, Any]:
        return {
            "rows": self.true_positive
            + self.false_positive
            + self.true_negative
            + self.false_negative,
            "confusion": {
                "true_positive": self.true_positive,
                "false_positive": self.false_positive,
                "true_negative": self.true_negative,
                "false_negative": self.false_negative,
            },
            "false_positive_rate": round(self.false_positive_rate, 4),
            "fake": {
                "precision": round(self.precision(), 4),
                "recall": round(self.recall(), 4),
                "f1": round(self.f1(), 4),
            },
            "genuine": {
                "precision": round(self.precision(False), 4),
                "recall": round(self.recall(False), 4),
                "f1": round(self.f1(False), 4),
            },
        }


@dataclass(frozen=True)
class TrainedModel:
    model: MachineTextModel
    metadata: dict[str, Any]


def measure(
    model: MachineTextModel, held_out: LabelledReviews, embedder: Embedder
) -> tuple[BinaryMetrics, float]:
    """Metrics of the whole text layer (gate then specialist) and the share routed correctly."""
    verdicts = model.score(list(held_out.texts), embedder)
    flagged = [verdict.probability >= model.threshold for verdict in verdicts]
    routed = np.mean([verdict.domain is held_out.domain for verdict in verdicts])
    return BinaryMetrics.of(held_out.labels, flagged), float(routed)


def _sample(texts: Sequence[str], size: int) -> list[str]:
    rows = np.random.default_rng(SPLIT_SEED).permutation(len(texts))[:size]
    return [texts[row] for row in sorted(rows)]


def train_machine_text(
    data_dir: Path, embedder: Embedder, params: SpecialistParams = DEFAULT_PARAMS
) -> TrainedModel:
    """Fits the gate and both specialists on the training rows; measures on the held-out rows."""
    sets = [load_product_reviews(data_dir), load_hotel_reviews(data_dir)]
    splits = [labelled.split() for labelled in sets]
    specialists = {
        train.domain: TextClassifier.fit(train.texts, train.labels, params) for train, _ in splits
    }
    gate_sets = [_sample(train.texts, GATE_ROWS_PER_DOMAIN) for train, _ in splits]
    gate_texts = [text for texts in gate_sets for text in texts]
    gate_domains = [
        train.domain for (train, _), texts in zip(splits, gate_sets, strict=True) for _ in texts
    ]
    gate = DomainGate.fit(embedder(gate_texts), gate_domains)
    model = MachineTextModel(gate, specialists)

    metrics: dict[str, Any] = {}
    for (train, test), labelled in zip(splits, sets, strict=True):
        result, routed = measure(model, test, embedder)
        metrics[labelled.domain.value] = {
            "set": labelled.name,
            "train_rows": len(train.texts),
            **result.as_document(),
            "routed_to_this_specialist": round(routed, 4),
        }
    metadata = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_data": {
            labelled.domain.value: {"sha256": labelled.sha256, "rows": len(labelled.texts)}
            for labelled in sets
        },
        "split": {"seed": SPLIT_SEED, "test_share": TEST_SHARE, "stratified": True},
        "params": params_document(params),
        "held_out_metrics": metrics,
    }
    return TrainedModel(model, metadata)
