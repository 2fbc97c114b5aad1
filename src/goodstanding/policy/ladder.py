"""Which step of a policy's ladder applies now, given the violations already on record.

A violation of a policy with no open violation takes the step numbered by how many earlier
violations of that policy (not overturned) fall in the look-back. While a violation is open, its
warning deadline decides: before it passes nothing new happens; once it has passed and the policy
still fires, the next step applies. Steps without a deadline wait for a person or for the
violation to be resolved, so an evaluation that runs every hour never escalates on its own clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from goodstanding.policy.enums import Action, ViolationStatus
from goodstanding.policy.inputs import ViolationRecord
from goodstanding.policy.schema import Policy
from goodstanding.policy.standing import STANDING_TABLE, Standing

LOOKBACK_DAYS = 180


def lookback_start(as_of: date, days: int = LOOKBACK_DAYS) -> date:
    """First day of a look-back of ``days`` calendar days that ends on (and includes) ``as_of``."""
    return as_of - timedelta(days=days - 1)


class LadderOutcome(StrEnum):
    NEW_VIOLATION = "new_violation"
    ESCALATION = "escalation"  # the open violation's deadline passed and the policy still fires
    HOLD = "hold"  # an open violation already covers it; nothing new happens


@dataclass(frozen=True)
class LadderDecision:
    outcome: LadderOutcome
    step_index: int
    action: Action
    deadline: date | None
    prior_violations: int

    @property
    def takes_action(self) -> bool:
        return self.outcome is not LadderOutcome.HOLD


def decide_step(
    policy: Policy, history: Iterable[ViolationRecord], *, as_of: date
) -> LadderDecision:
    own = [record for record in history if record.policy_id == policy.id]
    future = [record for record in own if record.opened_on > as_of]
    if future:
        raise ValueError(
            f"{policy.id}: a violation opened on {future[0].opened_on} is after as_of {as_of}"
        )
    last_step = len(policy.ladder) - 1
    start = lookback_start(as_of)
    prior = sum(
        1
        for record in own
        if record.status is not ViolationStatus.OVERTURNED and record.opened_on >= start
    )
    open_records = [record for record in own if record.status is ViolationStatus.OPEN]
    if not open_records:
        index = min(prior, last_step)
        return LadderDecision(
            outcome=LadderOutcome.NEW_VIOLATION,
            step_index=index,
            action=policy.ladder[index],
            deadline=_deadline(policy, policy.ladder[index], as_of),
            prior_violations=prior,
        )
    current = max(open_records, key=lambda record: (record.opened_on, record.step_index))
    current_index = min(current.step_index, last_step)
    overdue = current.deadline is not None and as_of > current.deadline
    if not overdue or current_index == last_step:
        return LadderDecision(
            outcome=LadderOutcome.HOLD,
            step_index=current_index,
            action=policy.ladder[current_index],
            deadline=current.deadline,
            prior_violations=prior,
        )
    index = current_index + 1
    return LadderDecision(
        outcome=LadderOutcome.ESCALATION,
        step_index=index,
        action=policy.ladder[index],
        deadline=_deadline(policy, policy.ladder[index], as_of),
        prior_violations=prior,
    )


def _deadline(policy: Policy, action: Action, as_of: date) -> date | None:
    if action is Action.WARNING and policy.fix_within_days is not None:
        return as_of + timedelta(days=policy.fix_within_days)
    return None


ACTION_STANDING: Mapping[Action, Standing] = {
    Action.WARNING: Standing.AT_RISK,
    Action.LISTING_REMOVAL: Standing.AT_RISK,
    Action.PRIVILEGES_WITHDRAWN: Standing.PRIVILEGES_WITHDRAWN,
    Action.SUSPENSION: Standing.SUSPENDED,
    Action.CLOSURE: Standing.CLOSED,
}


def standing_after(current: Standing, action: Action) -> Standing | None:
    """The standing an action moves a seller to, or None when the seller is already there or beyond.

    An action never lightens a standing: a warning to a suspended seller leaves them suspended.
    """
    target = ACTION_STANDING[action]
    if STANDING_TABLE[target].restriction_level <= STANDING_TABLE[current].restriction_level:
        return None
    return target
