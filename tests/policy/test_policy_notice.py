from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from goodstanding.policy.enums import (
    Comparison,
    DocumentKind,
    Language,
    Metric,
    MetricUnit,
    Signal,
)
from goodstanding.policy.evaluate import Finding, evaluate_policy
from goodstanding.policy.inputs import (
    AffiliateActivity,
    Document,
    DocumentRequest,
    MetricValue,
    SellerInputs,
)
from goodstanding.policy.notice import format_quantity, notice_values, render_notice
from goodstanding.policy.schema import NOTICE_PLACEHOLDERS
from tests.policy.policy_factories import AS_OF, default_policies, seller, signal, with_metric

EN, ES = Language.EN, Language.ES


def finding_for(policy_id: str, inputs: SellerInputs) -> Finding:
    finding = evaluate_policy(default_policies().by_id[policy_id], inputs)
    assert finding is not None
    return finding


def notice(policy_id: str, inputs: SellerInputs, language: Language) -> str:
    policy = default_policies().by_id[policy_id]
    text: str = render_notice(policy, finding_for(policy_id, inputs), language)
    return text


def odr_finding_inputs(*, window_start: date, window_end: date) -> SellerInputs:
    value = MetricValue(
        numerator=7, denominator=500, window_start=window_start, window_end=window_end
    )
    return with_metric(Metric.ORDER_DEFECT_RATE_SELLER, value)


class TestMetricNotices:
    def test_the_issue_example_in_english_and_spanish(self) -> None:
        inputs = odr_finding_inputs(window_start=date(2024, 9, 3), window_end=date(2024, 11, 1))
        assert notice("order_defect_rate_seller", inputs, EN) == (
            "order defect rate 1.4%: 7 of 500 orders between 3 Sep and 1 Nov; target below 1%"
        )
        assert notice("order_defect_rate_seller", inputs, ES) == (
            "tasa de pedidos defectuosos 1,4\xa0%: 7 de 500 pedidos entre el 3 sept y el 1 nov; "
            "objetivo: inferior a 1\xa0%"
        )

    def test_dates_outside_the_current_year_show_their_year(self) -> None:
        inputs = odr_finding_inputs(
            window_start=AS_OF.replace(year=AS_OF.year - 1, month=10, day=1),
            window_end=AS_OF,
        )
        text = notice("order_defect_rate_seller", inputs, EN)
        assert f"between 1 Oct {AS_OF.year - 1} and {AS_OF.day} Nov;" in text

    def test_a_missed_target_never_reads_as_met(self) -> None:
        # 89,996 of 100,000 is 89.996%: rounded to nearest it would print "90%"
        inputs = with_metric(
            Metric.ON_TIME_DELIVERY_RATE,
            MetricValue(
                numerator=89_996,
                denominator=100_000,
                window_start=AS_OF - timedelta(days=13),
                window_end=AS_OF,
            ),
        )
        text = notice("on_time_delivery_rate", inputs, EN)
        assert text.startswith("on-time delivery rate 89.99%:")
        assert text.endswith("target at least 90%")

    def test_large_counts_use_the_language_grouping(self) -> None:
        inputs = with_metric(
            Metric.CANCEL_RATE,
            MetricValue(
                numerator=1_250,
                denominator=12_000,
                window_start=AS_OF - timedelta(days=6),
                window_end=AS_OF,
            ),
        )
        assert "1,250 of 12,000 orders" in notice("cancel_rate", inputs, EN)
        assert "1.250 de 12.000 pedidos" in notice("cancel_rate", inputs, ES)

    def test_ratings_read_as_plain_numbers(self) -> None:
        inputs = with_metric(
            Metric.FEEDBACK_RATING,
            MetricValue(
                numerator=59,
                denominator=20,
                window_start=AS_OF - timedelta(days=364),
                window_end=AS_OF,
            ),
        )
        assert notice("negative_ratings", inputs, EN).startswith("average rating 2.95 from 20")
        assert notice("negative_ratings", inputs, ES).endswith("objetivo: como mínimo 3")


class TestOtherNotices:
    def test_signals_list_every_subject(self) -> None:
        inputs = seller(
            signals=(
                signal(Signal.RESTRICTED_PRODUCT, subject="listing-7", days_ago=20),
                signal(Signal.RESTRICTED_PRODUCT, subject="listing-9", days_ago=2),
            )
        )
        assert date(2024, 11, 16) == AS_OF
        assert notice("restricted_products", inputs, EN) == (
            "2 listings in a restricted category, found between 27 Oct and 14 Nov: "
            "listing-7 and listing-9"
        )
        assert "listing-7 y listing-9" in notice("restricted_products", inputs, ES)

    def test_documents_say_what_is_missing_and_what_expired(self) -> None:
        inputs = seller(
            documents=(
                Document(
                    kind=DocumentKind.IDENTITY,
                    uploaded_on=date(2020, 1, 1),
                    expires_on=date(2024, 9, 30),
                ),
            ),
            document_requests=(
                DocumentRequest(
                    kind=DocumentKind.BANK_STATEMENT,
                    requested_on=date(2024, 10, 1),
                    deadline=date(2024, 10, 15),
                ),
            ),
        )
        assert notice("required_documents", inputs, EN) == (
            "documents missing or out of date: identity document (expired on 30 Sep) and "
            "bank statement (missing, requested by 15 Oct)"
        )
        assert notice("required_documents", inputs, ES) == (
            "documentos que faltan o han caducado: documento de identidad (caducó el 30 sept) y "
            "extracto bancario (falta, pedido para el 15 oct)"
        )

    def test_inactivity_names_the_dates(self) -> None:
        inputs = seller(affiliate=AffiliateActivity(signed_up_on=date(2024, 1, 10)))
        assert notice("affiliate_no_first_sale", inputs, EN) == (
            "no qualifying sale in the 180 days after you signed up on 10 Jan (due by 8 Jul)"
        )


class TestPlaceholders:
    @pytest.mark.parametrize(
        ("policy_id", "inputs"),
        [
            (
                "cancel_rate",
                with_metric(
                    Metric.CANCEL_RATE,
                    MetricValue(
                        numerator=9,
                        denominator=100,
                        window_start=AS_OF - timedelta(days=6),
                        window_end=AS_OF,
                    ),
                ),
            ),
            ("fraud", seller(signals=(signal(Signal.FRAUD),))),
            (
                "required_documents",
                seller(
                    document_requests=(
                        DocumentRequest(
                            kind=DocumentKind.IDENTITY,
                            requested_on=date(2024, 1, 1),
                            deadline=date(2024, 2, 1),
                        ),
                    )
                ),
            ),
            (
                "affiliate_dormant",
                seller(affiliate=AffiliateActivity(signed_up_on=date(2019, 1, 1))),
            ),
        ],
    )
    def test_every_declared_placeholder_is_filled(
        self, policy_id: str, inputs: SellerInputs
    ) -> None:
        finding = finding_for(policy_id, inputs)
        kind = default_policies().by_id[policy_id].condition.kind
        for language in Language:
            values = notice_values(finding.facts, language, as_of=finding.as_of)
            assert set(values) == NOTICE_PLACEHOLDERS[kind]
            assert all(values.values())

    def test_a_finding_is_rendered_with_its_own_policy_only(self) -> None:
        inputs = seller(signals=(signal(Signal.FRAUD),))
        with pytest.raises(ValueError, match="rendered with policy"):
            render_notice(default_policies().by_id["cancel_rate"], finding_for("fraud", inputs), EN)


class TestFormatQuantity:
    @pytest.mark.parametrize(
        ("value", "target", "shown"),
        [
            (Fraction(1, 100), Comparison.BELOW, "1%"),
            (Fraction(100_001, 10_000_000), Comparison.BELOW, "1.01%"),  # rounded up: still bad
            (Fraction(94_999, 100_000), Comparison.ABOVE, "94.99%"),  # rounded down: still bad
            (Fraction(1), None, "100%"),
        ],
    )
    def test_rates_round_away_from_the_target(
        self, value: Fraction, target: Comparison | None, shown: str
    ) -> None:
        assert format_quantity(value, MetricUnit.RATIO, EN, away_from=target) == shown
