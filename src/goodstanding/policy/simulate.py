"""Shadow-mode simulation: run a policy set over many sellers' inputs and count, per rule, how many
sellers it would hit, so an operator can try a change before it goes live.

Every policy is evaluated as if live (its shadow flag is reported, not obeyed) and nothing is acted
on: the result is counts only. A seller that appears several times (one input per day of history)
is counted once per rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from goodstanding.policy.enums import Action
from goodstanding.policy.evaluate import evaluate_seller
from goodstanding.policy.inputs import SellerInputs
from goodstanding.policy.schema import PolicySet


@dataclass(frozen=True)
class RuleHits:
    policy_id: str
    shadow: bool
    sellers_hit: int
    automatic: int  # sellers for whom the action would be taken without a person
    for_review: int  # sellers below the policy's minimum volume: a person would decide
    first_actions: dict[Action, int]  # sellers by the first action the rule would take


@dataclass(frozen=True)
class SimulationReport:
    sellers_seen: int
    inputs_seen: int
    rules: tuple[RuleHits, ...]


@dataclass
class _Tally:
    hit: set[str] = field(default_factory=set)
    automatic: set[str] = field(default_factory=set)
    for_review: set[str] = field(default_factory=set)
    first_actions: dict[Action, int] = field(default_factory=dict)


def simulate(policies: PolicySet, inputs: Iterable[SellerInputs]) -> SimulationReport:
    live = PolicySet(
        policies=tuple(policy.model_copy(update={"shadow": False}) for policy in policies.policies),
        sources=policies.sources,
    )
    tallies = {policy.id: _Tally() for policy in policies.policies}
    sellers: set[str] = set()
    inputs_seen = 0
    for seller in inputs:
        inputs_seen += 1
        sellers.add(seller.seller_id)
        for finding in evaluate_seller(live, seller):
            tally = tallies[finding.policy_id]
            if finding.seller_id not in tally.hit:
                action = finding.ladder.action
                tally.first_actions[action] = tally.first_actions.get(action, 0) + 1
            tally.hit.add(finding.seller_id)
            if finding.acts_automatically:
                tally.automatic.add(finding.seller_id)
            elif finding.needs_review:
                tally.for_review.add(finding.seller_id)
    return SimulationReport(
        sellers_seen=len(sellers),
        inputs_seen=inputs_seen,
        rules=tuple(
            RuleHits(
                policy_id=policy.id,
                shadow=policy.shadow,
                sellers_hit=len(tallies[policy.id].hit),
                automatic=len(tallies[policy.id].automatic),
                for_review=len(tallies[policy.id].for_review),
                first_actions=dict(tallies[policy.id].first_actions),
            )
            for policy in policies.policies
        ),
    )
