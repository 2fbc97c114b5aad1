from __future__ import annotations

import itertools

import pytest

from goodstanding.kit.errors import IllegalTransition
from goodstanding.policy.enums import Language
from goodstanding.policy.standing import STANDING_TABLE, Payouts, Standing, check_transition

S = Standing


class TestTable:
    def test_every_standing_has_one_row_with_both_languages(self) -> None:
        assert set(STANDING_TABLE) == set(Standing)
        for rules in STANDING_TABLE.values():
            assert set(rules.meaning) == set(Language)

    def test_the_issue_chain_is_allowed(self) -> None:
        chain = [S.ACTIVE, S.AT_RISK, S.UNDER_REVIEW, S.PRIVILEGES_WITHDRAWN, S.SUSPENDED]
        for current, target in itertools.pairwise(chain):
            check_transition(current, target)
        check_transition(S.SUSPENDED, S.REINSTATED)
        check_transition(S.SUSPENDED, S.CLOSED)

    def test_closed_is_final(self) -> None:
        assert STANDING_TABLE[S.CLOSED].next_states == frozenset()

    def test_under_review_holds_payouts_and_keeps_buying(self) -> None:
        rules = STANDING_TABLE[S.UNDER_REVIEW]
        assert rules.payouts is Payouts.HELD
        assert rules.can_buy and not rules.can_list

    def test_privileges_withdrawn_stops_selling_but_not_buying(self) -> None:
        rules = STANDING_TABLE[S.PRIVILEGES_WITHDRAWN]
        assert not rules.can_sell and not rules.can_list and rules.can_buy

    def test_suspension_holds_money_it_does_not_cancel_it(self) -> None:
        assert STANDING_TABLE[S.SUSPENDED].payouts is Payouts.HELD
        assert not STANDING_TABLE[S.SUSPENDED].can_sell

    def test_only_a_closed_account_loses_payouts_and_buying(self) -> None:
        for standing, rules in STANDING_TABLE.items():
            assert (rules.payouts is Payouts.NONE) == (standing is S.CLOSED)
            assert rules.can_buy == (standing is not S.CLOSED)

    def test_a_state_that_lists_also_sells(self) -> None:
        for rules in STANDING_TABLE.values():
            if rules.can_list:
                assert rules.can_sell


class TestCheckTransition:
    @pytest.mark.parametrize(
        ("current", "target"),
        [
            (S.CLOSED, S.ACTIVE),
            (S.SUSPENDED, S.ACTIVE),  # only through reinstatement
            (S.ACTIVE, S.REINSTATED),
            (S.ACTIVE, S.ACTIVE),
        ],
    )
    def test_illegal_moves_raise_a_409(self, current: Standing, target: Standing) -> None:
        with pytest.raises(IllegalTransition) as caught:
            check_transition(current, target)
        assert caught.value.status == 409
        assert caught.value.extra == {"from_standing": current, "to_standing": target}
        assert f"from {current} to {target}" in caught.value.detail

    def test_every_pair_agrees_with_the_table(self) -> None:
        for current, target in itertools.product(Standing, Standing):
            allowed = target in STANDING_TABLE[current].next_states
            if allowed:
                check_transition(current, target)
            else:
                with pytest.raises(IllegalTransition):
                    check_transition(current, target)
