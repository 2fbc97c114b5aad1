from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from goodstanding.policy.enums import Action, Metric, Signal
from goodstanding.policy.inputs import SellerInputs
from goodstanding.policy.simulate import RuleHits, simulate
from tests.policy.policy_factories import (
    AS_OF,
    default_policies,
    measured,
    seller,
    signal,
    with_override,
)


def hits(report_rules: tuple[RuleHits, ...], policy_id: str) -> RuleHits:
    return next(rule for rule in report_rules if rule.policy_id == policy_id)


def history() -> list[SellerInputs]:
    bad_cancel_big = {Metric.CANCEL_RATE: measured(10, 200, window_days=7)}
    bad_cancel_small = {Metric.CANCEL_RATE: measured(10, 50, window_days=7)}
    good_cancel = {Metric.CANCEL_RATE: measured(1, 200, window_days=7)}
    return [
        seller(seller_id="big", metrics=bad_cancel_big),
        # the same seller a day later: still counted once
        seller(seller_id="big", metrics=bad_cancel_big, as_of=AS_OF + timedelta(days=1)),
        seller(seller_id="small", metrics=bad_cancel_small),
        seller(seller_id="fine", metrics=good_cancel),
        seller(seller_id="fraudster", signals=(signal(Signal.FRAUD),)),
    ]


class TestSimulate:
    def test_counts_sellers_per_rule(self) -> None:
        report = simulate(default_policies(), history())
        assert report.sellers_seen == 4
        assert report.inputs_seen == 5
        cancel = hits(report.rules, "cancel_rate")
        assert (cancel.sellers_hit, cancel.automatic, cancel.for_review) == (2, 1, 1)
        assert cancel.first_actions == {Action.WARNING: 2}
        fraud = hits(report.rules, "fraud")
        assert fraud.sellers_hit == 1
        assert fraud.first_actions == {Action.SUSPENSION: 1}
        assert hits(report.rules, "low_sales").sellers_hit == 0

    def test_shadow_policies_are_simulated_as_if_live(self, tmp_path: Path) -> None:
        policies = with_override(tmp_path, "[policies.cancel_rate]\nshadow = true\n")
        cancel = hits(simulate(policies, history()).rules, "cancel_rate")
        assert cancel.shadow
        assert (cancel.sellers_hit, cancel.automatic) == (2, 1)
        # the policy set itself is left in shadow
        assert policies.by_id["cancel_rate"].shadow

    def test_a_candidate_threshold_changes_who_would_be_hit(self, tmp_path: Path) -> None:
        looser = with_override(tmp_path, "[policies.cancel_rate.condition]\nthreshold = 0.1\n")
        assert hits(simulate(looser, history()).rules, "cancel_rate").sellers_hit == 1

    def test_every_policy_is_reported_even_with_no_input(self) -> None:
        report = simulate(default_policies(), [])
        assert [rule.policy_id for rule in report.rules] == [
            policy.id for policy in default_policies().policies
        ]
        assert all(rule.sellers_hit == 0 for rule in report.rules)
