"""Pure parts of Account Health: the charts and the next step."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import date, timedelta

import pytest

from goodstanding.account_health.charts import TrendPoint, gauge_svg, trend_svg
from goodstanding.account_health.next_step import NextStep, Situation, next_step
from goodstanding.account_health.service import TREND_DAYS, trend_days
from goodstanding.policy.standing import Standing

SVG = "{http://www.w3.org/2000/svg}"


class TestGauge:
    @pytest.mark.parametrize("rating", [0, 99, 150, 200, 1000, 5000, -3])
    def test_is_well_formed_labelled_svg_showing_the_clamped_rating(self, rating: int) -> None:
        svg = ElementTree.fromstring(gauge_svg(rating, title="Rating", description="d <&>"))
        assert svg.get("role") == "img"
        assert svg.find(f"{SVG}title").text == "Rating"  # type: ignore[union-attr]
        assert svg.find(f"{SVG}desc").text == "d <&>"  # type: ignore[union-attr]
        shown = svg.find(f"{SVG}text").text  # type: ignore[union-attr]
        assert shown == str(min(max(rating, 0), 1000))

    def test_the_needle_moves_right_as_the_rating_rises(self) -> None:
        def needle_x(rating: int) -> float:
            svg = ElementTree.fromstring(gauge_svg(rating, title="t", description="d"))
            return float(svg.find(f"{SVG}line").get("x2"))  # type: ignore[union-attr, arg-type]

        assert needle_x(0) < needle_x(100) < needle_x(200) < needle_x(1000)


class TestTrend:
    def test_gaps_split_the_line_and_the_target_is_drawn(self) -> None:
        start = date(2026, 1, 1)
        points = [
            TrendPoint(start + timedelta(days=i), v)
            for i, v in enumerate([0.01, 0.02, None, 0.005, 0.004])
        ]
        svg = ElementTree.fromstring(trend_svg(points, target=0.01, title="ODR", description="d"))
        assert len(svg.findall(f"{SVG}polyline")) == 2
        assert svg.find(f"{SVG}line").get("stroke-dasharray")  # type: ignore[union-attr]

    def test_no_values_draws_only_the_frame(self) -> None:
        points = [TrendPoint(date(2026, 1, 1), None)]
        svg = ElementTree.fromstring(trend_svg(points, target=0.0, title="t", description="d"))
        assert svg.findall(f"{SVG}polyline") == [] and svg.findall(f"{SVG}circle") == []

    def test_trend_days_cover_ninety_days_ending_today(self) -> None:
        today = date(2026, 3, 31)
        days = trend_days(today)
        assert days[-1] == today and days == sorted(days)
        assert (today - days[0]).days <= TREND_DAYS - 1


def situation(**changes: object) -> Situation:
    values: dict[str, object] = {
        "standing": Standing.ACTIVE,
        "appeal_awaiting_answer": False,
        "appeal_open": False,
        "documents_due": 0,
        "open_warnings": 0,
    }
    values.update(changes)
    return Situation(**values)  # type: ignore[arg-type]


class TestNextStep:
    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            ({}, NextStep.NOTHING),
            ({"standing": Standing.SUSPENDED}, NextStep.REACTIVATE),
            ({"standing": Standing.PRIVILEGES_WITHDRAWN}, NextStep.REACTIVATE),
            ({"standing": Standing.SUSPENDED, "appeal_open": True}, NextStep.WAIT_FOR_DECISION),
            ({"appeal_open": True, "appeal_awaiting_answer": True}, NextStep.ANSWER_REVIEWER),
            ({"documents_due": 1, "open_warnings": 1}, NextStep.SEND_DOCUMENTS),
            ({"open_warnings": 2}, NextStep.FIX_BEFORE_DEADLINE),
            ({"standing": Standing.UNDER_REVIEW}, NextStep.WAIT_FOR_REVIEW),
            ({"standing": Standing.CLOSED, "appeal_open": True}, NextStep.CLOSED),
        ],
    )
    def test_the_most_urgent_step_wins(
        self, changes: dict[str, object], expected: NextStep
    ) -> None:
        assert next_step(situation(**changes)) is expected
