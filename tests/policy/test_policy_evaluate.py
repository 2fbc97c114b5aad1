from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from goodstanding.policy.enums import (
    Action,
    Comparison,
    DocumentKind,
    DocumentProblemKind,
    Metric,
    Signal,
)
from goodstanding.policy.evaluate import (
    DocumentFacts,
    Finding,
    MetricFacts,
    SignalFacts,
    evaluate_policy,
    evaluate_seller,
)
from goodstanding.policy.inputs import AffiliateActivity, Document, DocumentRequest, SellerInputs
from goodstanding.policy.schema import MetricCondition, Policy
from tests.policy.policy_factories import (
    AS_OF,
    default_policies,
    measured,
    seller,
    signal,
    with_metric,
    with_override,
)

METRIC_POLICIES = [
    policy
    for policy in default_policies().policies
    if isinstance(policy.condition, MetricCondition)
]
LARGE = 100_000  # a denominator fine enough to sit one step either side of any default threshold


def fires(policy_id: str, inputs: SellerInputs) -> Finding | None:
    return evaluate_policy(default_policies().by_id[policy_id], inputs)


def boundary_counts(condition: MetricCondition) -> tuple[int, int]:
    """Numerators over LARGE: the first that misses the target and the nearest that meets it."""
    at = Fraction(condition.threshold) * LARGE
    assert at.denominator == 1, "threshold not representable over LARGE"
    edge = int(at)
    if condition.target is Comparison.BELOW:
        return edge, edge - 1
    if condition.target is Comparison.AT_MOST:
        return edge + 1, edge
    if condition.target is Comparison.ABOVE:
        return edge, edge + 1
    return edge - 1, edge


@pytest.mark.parametrize("policy", METRIC_POLICIES, ids=lambda policy: policy.id)
class TestEveryMetricPolicyFiresExactlyAtItsBoundary:
    def _inputs(self, policy: Policy, numerator: int) -> SellerInputs:
        condition = policy.condition
        assert isinstance(condition, MetricCondition)
        value = measured(numerator, LARGE, window_days=condition.window_days)
        return with_metric(condition.metric, value)

    def test_fires_at_the_boundary(self, policy: Policy) -> None:
        assert isinstance(policy.condition, MetricCondition)
        firing, _passing = boundary_counts(policy.condition)
        finding = evaluate_policy(policy, self._inputs(policy, firing))
        assert finding is not None
        assert isinstance(finding.facts, MetricFacts)
        assert finding.facts.measured.numerator == firing

    def test_does_not_fire_one_step_on_the_good_side(self, policy: Policy) -> None:
        assert isinstance(policy.condition, MetricCondition)
        _firing, passing = boundary_counts(policy.condition)
        assert evaluate_policy(policy, self._inputs(policy, passing)) is None


class TestShippedTargets:
    """The default numbers the marketplace's help pages state, read as a seller would."""

    def test_order_defect_rate_fires_at_one_percent(self) -> None:
        metric = Metric.ORDER_DEFECT_RATE_SELLER
        assert fires("order_defect_rate_seller", with_metric(metric, measured(7, 700))) is not None
        assert fires("order_defect_rate_seller", with_metric(metric, measured(6, 700))) is None

    def test_cancel_rate_fires_at_two_and_a_half_percent(self) -> None:
        metric = Metric.CANCEL_RATE
        assert fires("cancel_rate", with_metric(metric, measured(5, 200))) is not None
        assert fires("cancel_rate", with_metric(metric, measured(4, 200))) is None

    def test_late_shipment_rates_fire_at_four_percent(self) -> None:
        for policy_id, metric in (
            ("late_shipment_rate_10d", Metric.LATE_SHIPMENT_RATE_10D),
            ("late_shipment_rate_30d", Metric.LATE_SHIPMENT_RATE_30D),
        ):
            assert fires(policy_id, with_metric(metric, measured(4, 100))) is not None
            assert fires(policy_id, with_metric(metric, measured(3, 100))) is None

    def test_valid_tracking_must_be_above_ninety_five_percent(self) -> None:
        metric = Metric.VALID_TRACKING_RATE
        assert fires("valid_tracking_rate", with_metric(metric, measured(95, 100))) is not None
        assert fires("valid_tracking_rate", with_metric(metric, measured(96, 100))) is None

    def test_on_time_delivery_must_reach_ninety_percent(self) -> None:
        metric = Metric.ON_TIME_DELIVERY_RATE
        assert fires("on_time_delivery_rate", with_metric(metric, measured(899, 1000))) is not None
        assert fires("on_time_delivery_rate", with_metric(metric, measured(900, 1000))) is None

    def test_low_sales_fewer_than_two_a_week_over_four_weeks(self) -> None:
        metric = Metric.SALES_PER_WEEK
        finding = fires("low_sales", with_metric(metric, measured(7, 4, window_days=28)))
        assert finding is not None
        assert finding.ladder.action is Action.PRIVILEGES_WITHDRAWN
        assert fires("low_sales", with_metric(metric, measured(8, 4, window_days=28))) is None

    def test_low_sales_waits_for_four_weeks_of_history(self) -> None:
        metric = Metric.SALES_PER_WEEK
        assert fires("low_sales", with_metric(metric, measured(0, 3, window_days=27))) is None

    def test_negative_ratings_below_three_from_twenty_ratings(self) -> None:
        metric = Metric.FEEDBACK_RATING
        # 20 ratings: 59 stars average 2.95; 60 stars average exactly 3.0
        assert fires("negative_ratings", with_metric(metric, measured(59, 20))) is not None
        assert fires("negative_ratings", with_metric(metric, measured(60, 20))) is None
        # 19 ratings of one star: too few to judge
        assert fires("negative_ratings", with_metric(metric, measured(19, 19))) is None


class TestMissingData:
    def test_no_metric_value_is_no_violation(self) -> None:
        assert evaluate_seller(default_policies(), seller()) == []

    def test_an_empty_denominator_is_no_violation(self) -> None:
        inputs = with_metric(Metric.ORDER_DEFECT_RATE_SELLER, measured(0, 0))
        assert fires("order_defect_rate_seller", inputs) is None

    def test_a_window_shorter_than_the_rule_is_not_judged(self) -> None:
        inputs = with_metric(Metric.ORDER_DEFECT_RATE_SELLER, measured(50, 100, window_days=59))
        assert fires("order_defect_rate_seller", inputs) is None

    def test_impossible_counts_are_refused(self) -> None:
        with pytest.raises(ValidationError, match="cannot pass 100%"):
            with_metric(Metric.CANCEL_RATE, measured(11, 10))
        with pytest.raises(ValidationError, match="1-5 stars"):
            with_metric(Metric.FEEDBACK_RATING, measured(30, 5))


class TestVolumeAndShadow:
    def test_below_minimum_volume_a_person_decides(self) -> None:
        finding = fires("cancel_rate", with_metric(Metric.CANCEL_RATE, measured(50, 99)))
        assert finding is not None
        assert finding.volume == 99
        assert not finding.automatic_allowed
        assert finding.needs_review and not finding.acts_automatically

    def test_at_minimum_volume_action_is_automatic(self) -> None:
        finding = fires("cancel_rate", with_metric(Metric.CANCEL_RATE, measured(50, 100)))
        assert finding is not None
        assert finding.acts_automatically and not finding.needs_review

    def test_shadow_policy_records_without_acting(self, tmp_path: Path) -> None:
        policies = with_override(tmp_path, "[policies.cancel_rate]\nshadow = true\n")
        inputs = with_metric(Metric.CANCEL_RATE, measured(50, 100))
        (finding,) = evaluate_seller(policies, inputs)
        assert finding.shadow
        assert not finding.acts_automatically and not finding.needs_review

    def test_findings_carry_rule_numbers_and_evidence(self) -> None:
        inputs = with_metric(Metric.ORDER_DEFECT_RATE_SELLER, measured(7, 500, window_days=60))
        finding = fires("order_defect_rate_seller", inputs)
        assert finding is not None
        assert finding.rule == "order_defect_rate_seller below 0.01 over 60 days"
        assert "7 of 500" in finding.evidence[0]
        assert finding.ahr_points == default_policies().by_id["order_defect_rate_seller"].ahr_points


class TestSignals:
    def test_fires_at_the_minimum_confidence_and_not_below(self) -> None:
        hit = seller(signals=(signal(Signal.RESTRICTED_PRODUCT, confidence=0.5),))
        miss = seller(signals=(signal(Signal.RESTRICTED_PRODUCT, confidence=0.49),))
        assert fires("restricted_products", hit) is not None
        assert fires("restricted_products", miss) is None

    def test_window_includes_its_first_day_only(self) -> None:
        first_day = seller(signals=(signal(Signal.RESTRICTED_PRODUCT, days_ago=179),))
        day_before = seller(signals=(signal(Signal.RESTRICTED_PRODUCT, days_ago=180),))
        assert fires("restricted_products", first_day) is not None
        assert fires("restricted_products", day_before) is None

    def test_min_count_counts_distinct_subjects(self, tmp_path: Path) -> None:
        policies = with_override(
            tmp_path, "[policies.restricted_products.condition]\nmin_count = 2\n"
        )
        policy = policies.by_id["restricted_products"]
        same_listing_twice = seller(
            signals=(
                signal(Signal.RESTRICTED_PRODUCT, subject="a", confidence=0.85),
                signal(Signal.RESTRICTED_PRODUCT, subject="a", confidence=0.95, days_ago=3),
            )
        )
        assert evaluate_policy(policy, same_listing_twice) is None
        two_listings = seller(
            signals=(
                signal(Signal.RESTRICTED_PRODUCT, subject="a"),
                signal(Signal.RESTRICTED_PRODUCT, subject="b", days_ago=3),
            )
        )
        finding = evaluate_policy(policy, two_listings)
        assert finding is not None
        assert isinstance(finding.facts, SignalFacts)
        assert [s.subject for s in finding.facts.signals] == ["b", "a"]

    def test_approved_additional_accounts_are_exempt(self) -> None:
        linked = (signal(Signal.LINKED_ACCOUNTS, subject="acct-2"),)
        assert fires("multiple_accounts", seller(signals=linked)) is not None
        approved = seller(signals=linked, approved_linked_accounts=frozenset({"acct-2"}))
        assert fires("multiple_accounts", approved) is None

    def test_fraud_suspends_at_once(self) -> None:
        finding = fires("fraud", seller(signals=(signal(Signal.FRAUD, subject="order-9"),)))
        assert finding is not None
        assert finding.ladder.action is Action.SUSPENSION
        assert finding.acts_automatically

    def test_review_manipulation_is_critical(self) -> None:
        finding = fires(
            "review_manipulation", seller(signals=(signal(Signal.REVIEW_MANIPULATION),))
        )
        assert finding is not None
        assert finding.severity == "critical"


class TestDocuments:
    def test_expired_from_the_day_after_its_expiry(self) -> None:
        expires_today = Document(
            kind=DocumentKind.IDENTITY, uploaded_on=AS_OF - timedelta(days=400), expires_on=AS_OF
        )
        assert fires("required_documents", seller(documents=(expires_today,))) is None
        expired = expires_today.model_copy(update={"expires_on": AS_OF - timedelta(days=1)})
        finding = fires("required_documents", seller(documents=(expired,)))
        assert finding is not None
        assert isinstance(finding.facts, DocumentFacts)
        (problem,) = finding.facts.problems
        assert problem.problem is DocumentProblemKind.EXPIRED
        assert problem.on == AS_OF - timedelta(days=1)

    def test_missing_from_the_day_after_the_deadline(self) -> None:
        def request(deadline_days_ago: int) -> DocumentRequest:
            return DocumentRequest(
                kind=DocumentKind.BANK_STATEMENT,
                requested_on=AS_OF - timedelta(days=30),
                deadline=AS_OF - timedelta(days=deadline_days_ago),
            )

        assert fires("required_documents", seller(document_requests=(request(0),))) is None
        finding = fires("required_documents", seller(document_requests=(request(1),)))
        assert finding is not None
        assert isinstance(finding.facts, DocumentFacts)
        assert finding.facts.problems[0].problem is DocumentProblemKind.MISSING

    def test_an_open_request_gives_time_to_renew_an_expired_document(self) -> None:
        expired = Document(
            kind=DocumentKind.IDENTITY,
            uploaded_on=AS_OF - timedelta(days=400),
            expires_on=AS_OF - timedelta(days=5),
        )
        renewal = DocumentRequest(
            kind=DocumentKind.IDENTITY,
            requested_on=AS_OF - timedelta(days=5),
            deadline=AS_OF + timedelta(days=9),
        )
        inputs = seller(documents=(expired,), document_requests=(renewal,))
        assert fires("required_documents", inputs) is None

    def test_documents_never_asked_for_are_not_required(self) -> None:
        assert fires("required_documents", seller()) is None


def affiliate(
    signed_up_on: date, first_sale: date | None = None, last_commission: date | None = None
) -> SellerInputs:
    activity = AffiliateActivity(
        signed_up_on=signed_up_on,
        first_qualifying_sale_on=first_sale,
        last_commission_on=last_commission,
    )
    return seller(affiliate=activity)


class TestInactivity:
    def test_no_first_sale_closes_from_day_181(self) -> None:
        assert fires("affiliate_no_first_sale", affiliate(AS_OF - timedelta(days=180))) is None
        finding = fires("affiliate_no_first_sale", affiliate(AS_OF - timedelta(days=181)))
        assert finding is not None
        assert finding.ladder.action is Action.CLOSURE

    def test_a_sale_on_the_last_day_counts(self) -> None:
        signed_up = AS_OF - timedelta(days=300)
        on_time = affiliate(signed_up, first_sale=signed_up + timedelta(days=180))
        assert fires("affiliate_no_first_sale", on_time) is None
        too_late = affiliate(signed_up, first_sale=signed_up + timedelta(days=181))
        assert fires("affiliate_no_first_sale", too_late) is not None

    def test_dormant_after_three_years_without_commission(self) -> None:
        signed_up = AS_OF - timedelta(days=2000)
        first_sale = signed_up + timedelta(days=3)
        quiet_since = AS_OF - timedelta(days=1095)
        recent = affiliate(signed_up, first_sale=first_sale, last_commission=quiet_since)
        assert fires("affiliate_dormant", recent) is None
        dormant = affiliate(
            signed_up, first_sale=first_sale, last_commission=quiet_since - timedelta(days=1)
        )
        assert fires("affiliate_dormant", dormant) is not None

    def test_buyers_are_never_closed_for_inactivity(self) -> None:
        buyer = seller(orders_in_lookback=0)  # no affiliate activity: a plain account
        findings = evaluate_seller(default_policies(), buyer)
        assert all(finding.ladder.action is not Action.CLOSURE for finding in findings)
        assert findings == []


@given(
    numerator=st.integers(min_value=0, max_value=10**7),
    denominator=st.integers(min_value=1, max_value=10**7),
    threshold=st.decimals(min_value=0, max_value=10, places=4),
    target=st.sampled_from(list(Comparison)),
)
def test_is_met_agrees_with_exact_fractions(
    numerator: int, denominator: int, threshold: Decimal, target: Comparison
) -> None:
    value, limit = Fraction(numerator, denominator), Fraction(threshold)
    expected = {
        Comparison.BELOW: value < limit,
        Comparison.AT_MOST: value <= limit,
        Comparison.ABOVE: value > limit,
        Comparison.AT_LEAST: value >= limit,
    }[target]
    assert target.is_met(numerator, denominator, threshold) is expected
