"""Metric definitions: the issue's defaults and operator overrides."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from goodstanding.metrics.definitions import (
    DEFAULT_CONFIG,
    Comparison,
    MetricsConfigError,
    build_config,
    load_config,
)


class TestDefaults:
    def test_issue_targets_and_windows(self) -> None:
        expected = {
            "order_defect_rate_seller": (60, 14, Decimal("0.01"), Comparison.LT),
            "order_defect_rate_marketplace": (60, 14, Decimal("0.01"), Comparison.LT),
            "cancel_rate": (7, 0, Decimal("0.025"), Comparison.LT),
            "late_shipment_rate_10d": (10, 0, Decimal("0.04"), Comparison.LT),
            "late_shipment_rate_30d": (30, 0, Decimal("0.04"), Comparison.LT),
            "valid_tracking_rate": (30, 0, Decimal("0.95"), Comparison.GT),
            "on_time_delivery_rate": (14, 7, Decimal("0.90"), Comparison.GE),
            "sales_per_week": (28, 0, Decimal(2), Comparison.GE),
        }
        for name, (window, offset, target, comparison) in expected.items():
            metric = DEFAULT_CONFIG.by_name(name)
            assert (metric.window_days, metric.offset_days, metric.target, metric.comparison) == (
                window,
                offset,
                target,
                comparison,
            )

    def test_window_is_n_days_ending_offset_days_before(self) -> None:
        otd = DEFAULT_CONFIG.by_name("on_time_delivery_rate")
        assert otd.window(date(2024, 6, 30)) == (date(2024, 6, 10), date(2024, 6, 23))


class TestOverrides:
    def test_file_changes_a_target_and_drops_and_adds_metrics(self, tmp_path: Path) -> None:
        path = tmp_path / "metrics.toml"
        path.write_text(
            "[metrics.cancel_rate]\ntarget = 0.02\n\n"
            "[metrics.feedback_rating]\nenabled = false\n\n"
            '[metrics.order_defect_rate_365d]\nmeasure = "order_defect"\nchannel = "seller"\n'
            'window_days = 365\ntarget = "0.01"\ncomparison = "lt"\n'
        )
        config = load_config(path)
        names = [metric.name for metric in config.metrics]
        assert config.by_name("cancel_rate").target == Decimal("0.02")
        assert "feedback_rating" not in names
        assert config.by_name("order_defect_rate_365d").window_days == 365

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"cancel_rate": {"window_days": 0}}, "metrics.cancel_rate: window_days"),
            ({"cancel_rate": {"comparison": "below"}}, "metrics.cancel_rate: comparison"),
            ({"cancel_rate": {"mesure": "sales"}}, "metrics.cancel_rate: mesure"),
            ({"sales_per_week": {"window_days": 30}}, "whole weeks"),
            ({"new_metric": {"target": "0.1"}}, "metrics.new_metric: measure"),
        ],
    )
    def test_invalid_override_names_metric_and_field(
        self, overrides: dict[str, dict[str, object]], message: str
    ) -> None:
        with pytest.raises(MetricsConfigError, match=message):
            build_config(overrides)

    def test_unreadable_file_is_a_clear_error(self, tmp_path: Path) -> None:
        path = tmp_path / "metrics.toml"
        path.write_text("[metrics.cancel_rate\n")
        with pytest.raises(MetricsConfigError, match="metrics.toml"):
            load_config(path)
