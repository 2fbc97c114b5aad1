"""Metrics of the evaluation, checked on counts small enough to verify by hand."""

import pytest

from goodstanding.detectors.categories import Category
from goodstanding.detectors.listings.evaluation import (
    class_metrics,
    confusion_matrix,
    decision_metrics,
    macro_f1,
)
from goodstanding.detectors.listings.screen import Decision, ScreeningPolicy

D, E, N = Category.DRUGS, Category.ELECTRONICS, Category.NONE


class TestClassMetrics:
    def test_precision_recall_f1_and_false_positive_rate(self) -> None:
        truth = [D, D, D, N, N, N, N, E]
        predicted = [D, D, N, D, N, N, N, E]
        drugs = class_metrics(truth, predicted, [D])[0]
        assert (drugs.support, drugs.predicted, drugs.true_positives) == (3, 3, 2)
        assert drugs.precision == pytest.approx(2 / 3)
        assert drugs.recall == pytest.approx(2 / 3)
        assert drugs.f1 == pytest.approx(2 / 3)
        assert drugs.false_positive_rate == pytest.approx(1 / 5)

    def test_a_label_never_predicted_scores_zero(self) -> None:
        metrics = class_metrics([D, N], [N, N], [D])[0]
        assert (metrics.precision, metrics.recall, metrics.f1) == (0.0, 0.0, 0.0)

    def test_macro_f1_ignores_labels_absent_from_the_truth(self) -> None:
        metrics = class_metrics([D, N], [D, N], [D, N, E])
        assert macro_f1(metrics) == 1.0

    def test_lengths_must_agree(self) -> None:
        with pytest.raises(ValueError):
            class_metrics([D], [D, N], [D])


class TestConfusionMatrix:
    def test_rows_are_truth_columns_are_predictions(self) -> None:
        matrix = confusion_matrix([D, D, N], [D, N, N], [D, N])
        assert matrix.tolist() == [[1, 1], [0, 1]]


class TestDecisionMetrics:
    def test_block_and_flag_rates(self) -> None:
        truth = [D, D, D, D, E, N, N, N]
        decisions = [
            Decision.BLOCK,
            Decision.BLOCK,
            Decision.REVIEW,
            Decision.ALLOW,
            Decision.BLOCK,
            Decision.REVIEW,
            Decision.ALLOW,
            Decision.ALLOW,
        ]
        metrics = decision_metrics(truth, decisions, ScreeningPolicy())
        assert metrics.prohibited_support == 4
        assert metrics.block_recall == pytest.approx(0.5)
        assert metrics.flag_recall == pytest.approx(0.75)
        assert metrics.block_precision == pytest.approx(2 / 3)
        assert metrics.block_false_positive_rate == pytest.approx(1 / 4)
        assert metrics.none_flag_rate == pytest.approx(1 / 3)
