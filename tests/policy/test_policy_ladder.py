from __future__ import annotations

from datetime import timedelta

import pytest

from goodstanding.policy.enums import Action, ViolationStatus
from goodstanding.policy.ladder import (
    ACTION_STANDING,
    LadderOutcome,
    decide_step,
    lookback_start,
    standing_after,
)
from goodstanding.policy.standing import Standing, check_transition
from tests.policy.policy_factories import AS_OF, default_policies, violation

ODR = default_policies().by_id["order_defect_rate_seller"]


class TestNewViolations:
    @pytest.mark.parametrize("prior", range(len(ODR.ladder) + 2))
    def test_each_earlier_violation_moves_one_step_up(self, prior: int) -> None:
        history = [violation(ODR.id, days_ago=10 + n) for n in range(prior)]
        decision = decide_step(ODR, history, as_of=AS_OF)
        expected_index = min(prior, len(ODR.ladder) - 1)
        assert decision.outcome is LadderOutcome.NEW_VIOLATION
        assert decision.step_index == expected_index
        assert decision.action is ODR.ladder[expected_index]
        assert decision.prior_violations == prior

    def test_a_warning_carries_its_deadline(self) -> None:
        decision = decide_step(ODR, [], as_of=AS_OF)
        assert decision.action is Action.WARNING
        assert ODR.fix_within_days is not None
        assert decision.deadline == AS_OF + timedelta(days=ODR.fix_within_days)
        assert decision.takes_action

    def test_other_policies_and_overturned_violations_do_not_count(self) -> None:
        history = [
            violation("cancel_rate"),
            violation(ODR.id, status=ViolationStatus.OVERTURNED),
        ]
        assert decide_step(ODR, history, as_of=AS_OF).step_index == 0

    def test_violations_age_out_after_the_lookback(self) -> None:
        inside = violation(ODR.id, days_ago=(AS_OF - lookback_start(AS_OF)).days)
        outside = violation(ODR.id, days_ago=(AS_OF - lookback_start(AS_OF)).days + 1)
        assert decide_step(ODR, [inside], as_of=AS_OF).step_index == 1
        assert decide_step(ODR, [outside], as_of=AS_OF).step_index == 0

    def test_lookback_is_180_days_including_today(self) -> None:
        assert (AS_OF - lookback_start(AS_OF)).days + 1 == 180

    def test_a_violation_from_the_future_is_refused(self) -> None:
        with pytest.raises(ValueError, match="after as_of"):
            decide_step(ODR, [violation(ODR.id, days_ago=-1)], as_of=AS_OF)


class TestOpenViolations:
    def test_holds_until_the_deadline_and_escalates_the_day_after(self) -> None:
        open_warning = violation(
            ODR.id, status=ViolationStatus.OPEN, step_index=0, deadline=AS_OF, days_ago=14
        )
        held = decide_step(ODR, [open_warning], as_of=AS_OF)
        assert held.outcome is LadderOutcome.HOLD and not held.takes_action
        assert held.deadline == AS_OF
        escalated = decide_step(ODR, [open_warning], as_of=AS_OF + timedelta(days=1))
        assert escalated.outcome is LadderOutcome.ESCALATION
        assert escalated.action is ODR.ladder[1]

    def test_a_step_without_deadline_waits_for_a_person(self) -> None:
        removal = violation(ODR.id, status=ViolationStatus.OPEN, step_index=1)
        decision = decide_step(ODR, [removal], as_of=AS_OF)
        assert decision.outcome is LadderOutcome.HOLD
        assert decision.action is ODR.ladder[1]

    def test_the_top_step_holds(self) -> None:
        top = len(ODR.ladder) - 1
        record = violation(
            ODR.id, status=ViolationStatus.OPEN, step_index=top, deadline=AS_OF - timedelta(days=9)
        )
        decision = decide_step(ODR, [record], as_of=AS_OF)
        assert decision.outcome is LadderOutcome.HOLD
        assert decision.step_index == top


class TestCriticalPolicies:
    def test_a_critical_signal_suspends_at_once(self) -> None:
        fraud = default_policies().by_id["fraud"]
        decision = decide_step(fraud, [], as_of=AS_OF)
        assert decision.action is Action.SUSPENSION


class TestStandingAfter:
    def test_actions_only_ever_restrict_more(self) -> None:
        assert standing_after(Standing.ACTIVE, Action.WARNING) is Standing.AT_RISK
        assert standing_after(Standing.SUSPENDED, Action.WARNING) is None
        assert standing_after(Standing.AT_RISK, Action.SUSPENSION) is Standing.SUSPENDED

    @pytest.mark.parametrize("current", list(Standing))
    @pytest.mark.parametrize("action", list(Action))
    def test_every_move_it_proposes_is_a_legal_transition(
        self, current: Standing, action: Action
    ) -> None:
        target = standing_after(current, action)
        if target is not None:
            check_transition(current, target)
            assert target is ACTION_STANDING[action]
