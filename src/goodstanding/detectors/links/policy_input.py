"""Which linked accounts raise the multiple-accounts policy. Pure: no store, no clock.

A cluster raises the policy when two of its active selling accounts form a pair that has no
approved additional-account request. Approval is per pair: approving A+B says nothing about C,
so in a cluster {A, B, C} with only A+B approved, C is still in two unapproved pairs and all
three accounts are named (A and B through their pairs with C).
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from itertools import combinations

from goodstanding.detectors.links.graph import AccountId

ApprovedPair = frozenset[AccountId]


def approved_pair(account_a: AccountId, account_b: AccountId) -> ApprovedPair:
    if account_a == account_b:
        raise ValueError("an additional-account approval needs two different accounts")
    return frozenset((account_a, account_b))


@dataclass(frozen=True, slots=True)
class MultipleAccountsFinding:
    """One active selling account of a cluster, with the accounts it has no approval to run."""

    account_id: AccountId
    unapproved_with: tuple[AccountId, ...]
    cluster: tuple[AccountId, ...]


def multiple_accounts_findings(
    clusters: Iterable[Collection[AccountId]],
    active_selling: Collection[AccountId],
    approved_pairs: Collection[ApprovedPair],
) -> list[MultipleAccountsFinding]:
    """One finding per active selling account that is in at least one unapproved pair."""
    findings = []
    for cluster in clusters:
        active = sorted(account for account in cluster if account in active_selling)
        unapproved: dict[AccountId, list[AccountId]] = {}
        for account_a, account_b in combinations(active, 2):
            if frozenset((account_a, account_b)) not in approved_pairs:
                unapproved.setdefault(account_a, []).append(account_b)
                unapproved.setdefault(account_b, []).append(account_a)
        members = tuple(sorted(cluster))
        findings += [
            MultipleAccountsFinding(account, tuple(sorted(others)), members)
            for account, others in sorted(unapproved.items())
        ]
    return findings
