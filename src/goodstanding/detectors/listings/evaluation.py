"""Measures of a screener against labelled listings: per-class figures and decision outcomes.

Pure functions over sequences of labels and decisions, shared by training (metrics stored with
the model) and `scripts/evaluate_listings.py` (the published report).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from goodstanding.detectors.categories import Category, Restriction
from goodstanding.detectors.listings.screen import Decision, ScreeningPolicy


@dataclass(frozen=True, slots=True)
class ClassMetrics:
    label: Category
    support: int
    predicted: int
    true_positives: int
    precision: float
    recall: float
    f1: float
    # Share of listings of other labels that were given this label.
    false_positive_rate: float


@dataclass(frozen=True, slots=True)
class DecisionMetrics:
    """How the decisions treat listings of prohibited categories, and everything else."""

    prohibited_support: int
    other_support: int
    none_support: int
    # Prohibited listings blocked / all prohibited listings.
    block_recall: float
    # Prohibited listings blocked or held / all prohibited listings.
    flag_recall: float
    # Prohibited listings among the blocked ones.
    block_precision: float
    # Listings of other categories (gated or none) that were blocked.
    block_false_positive_rate: float
    # Listings labelled `none` that were blocked or held: what sellers of harmless goods pay.
    none_flag_rate: float


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def class_metrics(
    truth: Sequence[Category], predicted: Sequence[Category], labels: Sequence[Category]
) -> list[ClassMetrics]:
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    total = len(truth)
    results = []
    for label in labels:
        support = sum(1 for t in truth if t is label)
        predicted_count = sum(1 for p in predicted if p is label)
        hits = sum(1 for t, p in zip(truth, predicted, strict=True) if t is label and p is label)
        precision = _ratio(hits, predicted_count)
        recall = _ratio(hits, support)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        results.append(
            ClassMetrics(
                label=label,
                support=support,
                predicted=predicted_count,
                true_positives=hits,
                precision=precision,
                recall=recall,
                f1=f1,
                false_positive_rate=_ratio(predicted_count - hits, total - support),
            )
        )
    return results


def macro_f1(metrics: Sequence[ClassMetrics]) -> float:
    """Mean F1 over the labels that occur in the truth."""
    present = [m.f1 for m in metrics if m.support > 0]
    return sum(present) / len(present) if present else 0.0


def confusion_matrix(
    truth: Sequence[Category], predicted: Sequence[Category], labels: Sequence[Category]
) -> npt.NDArray[np.int64]:
    """Counts with true labels as rows and predicted labels as columns, in `labels` order.

    A prediction outside `labels` (a category with no labelled rows) is counted in no column.
    """
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for t, p in zip(truth, predicted, strict=True):
        if t in index and p in index:
            matrix[index[t], index[p]] += 1
    return matrix


def decision_metrics(
    truth: Sequence[Category], decisions: Sequence[Decision], policy: ScreeningPolicy
) -> DecisionMetrics:
    if len(truth) != len(decisions):
        raise ValueError("truth and decisions differ in length")
    prohibited = [policy.restriction(t) is Restriction.PROHIBITED for t in truth]
    pairs = list(zip(prohibited, decisions, strict=True))
    prohibited_support = sum(prohibited)
    other_support = len(truth) - prohibited_support
    blocked = sum(1 for _, d in pairs if d is Decision.BLOCK)
    blocked_prohibited = sum(1 for p, d in pairs if p and d is Decision.BLOCK)
    flagged_prohibited = sum(1 for p, d in pairs if p and d is not Decision.ALLOW)
    none_decisions = [d for t, d in zip(truth, decisions, strict=True) if t is Category.NONE]
    return DecisionMetrics(
        prohibited_support=prohibited_support,
        other_support=other_support,
        none_support=len(none_decisions),
        block_recall=_ratio(blocked_prohibited, prohibited_support),
        flag_recall=_ratio(flagged_prohibited, prohibited_support),
        block_precision=_ratio(blocked_prohibited, blocked),
        block_false_positive_rate=_ratio(blocked - blocked_prohibited, other_support),
        none_flag_rate=_ratio(
            sum(1 for d in none_decisions if d is not Decision.ALLOW), len(none_decisions)
        ),
    )
