"""What a reviewer sees for one seller's links: the cluster graph, as plain data.

The console page and `GET /api/v1/sellers/{id}/links` both render `link_evidence(...)`;
`as_dict()` is its JSON form.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from goodstanding.detectors.links.fuzzy import FuzzyLink
from goodstanding.detectors.links.graph import AccountId, LinkGraph
from goodstanding.detectors.links.identifiers import Identifier, IdentifierKind


@dataclass(frozen=True, slots=True)
class Holding:
    account_id: AccountId
    first_seen: datetime


@dataclass(frozen=True, slots=True)
class SharedIdentifier:
    """An identifier held by a cluster account and by at least one other account."""

    kind: IdentifierKind
    value: str
    first_seen: datetime  # the earliest sighting on any account of the cluster
    account_count: int  # every account that holds it, in the cluster or not
    links: bool  # False when it is over its cap and so links nobody
    cap: int
    holders_in_cluster: tuple[Holding, ...]


@dataclass(frozen=True, slots=True)
class NotRelatedPair:
    account_a: AccountId
    account_b: AccountId
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class LinkEvidence:
    account_id: AccountId
    cluster: tuple[AccountId, ...]
    shared_identifiers: tuple[SharedIdentifier, ...]
    not_related: tuple[NotRelatedPair, ...]
    fuzzy_links: tuple[FuzzyLink, ...]

    @property
    def capped_identifiers(self) -> tuple[SharedIdentifier, ...]:
        return tuple(shared for shared in self.shared_identifiers if not shared.links)

    def as_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "cluster": list(self.cluster),
            "shared_identifiers": [
                {
                    "kind": shared.kind.value,
                    "value": shared.value,
                    "first_seen": shared.first_seen.isoformat(),
                    "account_count": shared.account_count,
                    "links": shared.links,
                    "cap": shared.cap,
                    "holders_in_cluster": [
                        {"account_id": h.account_id, "first_seen": h.first_seen.isoformat()}
                        for h in shared.holders_in_cluster
                    ],
                }
                for shared in self.shared_identifiers
            ],
            "not_related": [
                {
                    "account_a": p.account_a,
                    "account_b": p.account_b,
                    "decided_at": p.decided_at.isoformat(),
                }
                for p in self.not_related
            ],
            "fuzzy_links": [
                {
                    "account_a": link.account_a,
                    "account_b": link.account_b,
                    "match_probability": link.match_probability,
                    "agreements": [
                        {"comparison": a.comparison, "level": a.level} for a in link.agreements
                    ],
                }
                for link in self.fuzzy_links
            ],
        }


def link_evidence(
    graph: LinkGraph, account_id: AccountId, fuzzy_links: Iterable[FuzzyLink] = ()
) -> LinkEvidence:
    """The cluster of `account_id` and why: shared identifiers (capped ones too, flagged),
    reviewers' "not related" verdicts inside the cluster, and fuzzy links touching it."""
    store = graph.store
    cluster = graph.cluster_of(account_id)
    held_in_cluster: dict[Identifier, list[Holding]] = {}
    for member in cluster:
        for identifier in store.identifiers_of(member):
            holding = Holding(member, store.first_seen(member, identifier))
            held_in_cluster.setdefault(identifier, []).append(holding)
    shared = []
    for identifier, holdings in held_in_cluster.items():
        account_count = len(store.accounts_holding(identifier))
        if account_count < 2:
            continue
        holdings.sort(key=lambda h: (h.first_seen, h.account_id))
        cap = graph.caps[identifier.kind]
        shared.append(
            SharedIdentifier(
                kind=identifier.kind,
                value=identifier.value,
                first_seen=holdings[0].first_seen,
                account_count=account_count,
                links=account_count <= cap,
                cap=cap,
                holders_in_cluster=tuple(holdings),
            )
        )
    shared.sort(key=lambda s: (not s.links, s.first_seen, s.kind, s.value))
    not_related = sorted(
        {
            NotRelatedPair(verdict.account_a, verdict.account_b, verdict.decided_at)
            for member in cluster
            for verdict in store.verdicts_of(member)
            if verdict.account_a in cluster and verdict.account_b in cluster
        },
        key=lambda pair: (pair.decided_at, pair.account_a, pair.account_b),
    )
    touching = tuple(
        link for link in fuzzy_links if link.account_a in cluster or link.account_b in cluster
    )
    return LinkEvidence(
        account_id=account_id,
        cluster=tuple(sorted(cluster)),
        shared_identifiers=tuple(shared),
        not_related=tuple(not_related),
        fuzzy_links=touching,
    )
