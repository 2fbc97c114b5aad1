"""Exact links between seller accounts, kept current one event at a time.

The graph is bipartite: accounts on one side, canonical identifiers on the other, and an edge
`(account_id, kind, value, first_seen)` for each identifier an account has used. Two accounts are
directly linked when they hold a common identifier that is

* within its cap: an identifier held by more than `caps[kind]` accounts (a carrier NAT, an office,
  a VPN exit) links nobody and is reported instead, and
* not set aside by a reviewer: a "not related" verdict on a pair removes their direct link.

A cluster is a connected component of the direct links. Adding links only merges clusters, so a
union step is enough; removing one (an identifier removed, an identifier passing its cap, a "not
related" verdict) can split a cluster, and then that cluster alone is recomputed from the stored
edges. The result is always exactly the components of the current edges, whatever the order of
events (the property test checks this against a from-scratch rebuild).

All state that must survive a restart is in the `LinkStore` as rows (edges and verdicts); the
clusters are derived from it. A graph made with `load_all=True` derives every cluster up front
(the embedded store, benchmarks); a lazy graph (`load_all=False`, the database) derives only the
clusters an operation touches, by walking the stored links out from the accounts concerned, so an
event costs its neighbourhood and not the whole graph.
"""

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from goodstanding.detectors.links.identifiers import Identifier, IdentifierKind

AccountId = str

# Defaults sized so that a household or a small business still links, while shared
# infrastructure does not: an IP is shared far more innocently than a bank account.
DEFAULT_CAPS: Mapping[IdentifierKind, int] = {
    IdentifierKind.DEVICE: 10,
    IdentifierKind.BANK_ACCOUNT: 5,
    IdentifierKind.TAX_ID: 5,
    IdentifierKind.PHONE: 5,
    IdentifierKind.EMAIL: 5,
    IdentifierKind.SIGN_IN_IP: 20,
}


@dataclass(frozen=True, slots=True)
class LinkEdge:
    """One row: this account has used this identifier since `first_seen`."""

    account_id: AccountId
    kind: IdentifierKind
    value: str
    first_seen: datetime

    @property
    def identifier(self) -> Identifier:
        return Identifier(self.kind, self.value)


@dataclass(frozen=True, slots=True)
class NotRelatedVerdict:
    """One row: a reviewer found that these two accounts are not the same seller."""

    account_a: AccountId
    account_b: AccountId
    decided_at: datetime
    decided_by: str | None = None


class LinkStore(Protocol):
    """Where edges and verdicts live. In memory here; the database implements the same calls."""

    def add_edge(self, edge: LinkEdge) -> bool:
        """Store the edge; False (and no change) when the account already has the identifier."""
        ...

    def remove_edge(self, account_id: AccountId, identifier: Identifier) -> bool:
        """Delete the edge; False when there was none."""
        ...

    def accounts_holding(self, identifier: Identifier) -> Collection[AccountId]: ...

    def holder_count(self, identifier: Identifier) -> int:
        """`len(accounts_holding(identifier))` without listing them: capped ones have thousands."""
        ...

    def identifiers_of(self, account_id: AccountId) -> Collection[Identifier]: ...

    def first_seen(self, account_id: AccountId, identifier: Identifier) -> datetime: ...

    def accounts(self) -> Iterable[AccountId]:
        """Every account with at least one edge."""
        ...

    def crowded_identifiers(
        self, kind: IdentifierKind, more_than: int
    ) -> Iterable[tuple[Identifier, int]]:
        """Identifiers of `kind` held by more than `more_than` accounts, with their counts."""
        ...

    def edges(self) -> Iterable[LinkEdge]: ...

    def add_verdict(self, verdict: NotRelatedVerdict) -> None: ...

    def not_related_to(self, account_id: AccountId) -> AbstractSet[AccountId]: ...

    def verdicts_of(self, account_id: AccountId) -> Iterable[NotRelatedVerdict]: ...

    def verdicts(self) -> Iterable[NotRelatedVerdict]: ...


@dataclass
class InMemoryLinkStore:
    """The embedded store: plain dicts, indexed both ways."""

    _holders: dict[Identifier, dict[AccountId, datetime]] = field(default_factory=dict)
    _held: dict[AccountId, set[Identifier]] = field(default_factory=dict)
    _not_related: dict[AccountId, dict[AccountId, datetime]] = field(default_factory=dict)

    def add_edge(self, edge: LinkEdge) -> bool:
        identifier = Identifier(edge.kind, edge.value)
        holders = self._holders.setdefault(identifier, {})
        if edge.account_id in holders:
            return False
        holders[edge.account_id] = edge.first_seen
        self._held.setdefault(edge.account_id, set()).add(identifier)
        return True

    def remove_edge(self, account_id: AccountId, identifier: Identifier) -> bool:
        holders = self._holders.get(identifier)
        if holders is None or holders.pop(account_id, None) is None:
            return False
        if not holders:
            del self._holders[identifier]
        held = self._held[account_id]
        held.discard(identifier)
        if not held:
            del self._held[account_id]
        return True

    def accounts_holding(self, identifier: Identifier) -> Collection[AccountId]:
        return self._holders.get(identifier, {}).keys()

    def holder_count(self, identifier: Identifier) -> int:
        return len(self._holders.get(identifier, ()))

    def identifiers_of(self, account_id: AccountId) -> Collection[Identifier]:
        return self._held.get(account_id, set())

    def first_seen(self, account_id: AccountId, identifier: Identifier) -> datetime:
        return self._holders[identifier][account_id]

    def accounts(self) -> Iterable[AccountId]:
        return self._held.keys()

    def crowded_identifiers(
        self, kind: IdentifierKind, more_than: int
    ) -> Iterator[tuple[Identifier, int]]:
        for identifier, holders in self._holders.items():
            if identifier.kind is kind and len(holders) > more_than:
                yield identifier, len(holders)

    def edges(self) -> Iterator[LinkEdge]:
        for (kind, value), holders in self._holders.items():
            for account_id, first_seen in holders.items():
                yield LinkEdge(account_id, kind, value, first_seen)

    def add_verdict(self, verdict: NotRelatedVerdict) -> None:
        self._not_related.setdefault(verdict.account_a, {})[verdict.account_b] = verdict.decided_at
        self._not_related.setdefault(verdict.account_b, {})[verdict.account_a] = verdict.decided_at

    def not_related_to(self, account_id: AccountId) -> AbstractSet[AccountId]:
        return self._not_related.get(account_id, {}).keys()

    def verdicts_of(self, account_id: AccountId) -> Iterator[NotRelatedVerdict]:
        for partner, decided_at in self._not_related.get(account_id, {}).items():
            account_a, account_b = sorted((account_id, partner))
            yield NotRelatedVerdict(account_a, account_b, decided_at)

    def verdicts(self) -> Iterator[NotRelatedVerdict]:
        for account_id in self._not_related:
            for verdict in self.verdicts_of(account_id):
                if verdict.account_a == account_id:
                    yield verdict


# Accounts by id here, by integer code in the bulk rebuild.
Node = TypeVar("Node", str, int)


def spanning_links(
    holders: Collection[Node],
    not_related_to: Callable[[Node], AbstractSet[Node]],
) -> Iterator[tuple[Node, Node]]:
    """Pairs whose union connects the holders of one identifier exactly as its direct links do.

    Without verdicts the holders form one group, and a star from any holder spans it. A holder with
    no verdict against another holder is directly linked to every holder, so a star from it is
    still exact. Only when every holder has a verdict inside the group (a small group, since each
    verdict covers two holders) are the remaining pairs listed one by one.
    """
    if len(holders) < 2:
        return
    set_aside = {
        account: partners
        for account in holders
        if (partners := not_related_to(account)) and not partners.isdisjoint(holders)
    }
    centre = next((account for account in holders if account not in set_aside), None)
    if centre is not None:
        for account in holders:
            if account != centre:
                yield centre, account
        return
    ordered = sorted(holders)
    for index, account in enumerate(ordered):
        for other in ordered[index + 1 :]:
            if other not in set_aside[account]:
                yield account, other


class EdgeEffect(StrEnum):
    """What adding one edge did, so the caller can report capped identifiers as they appear."""

    ALREADY_KNOWN = "already_known"
    LINKS = "links"
    CAP_REACHED = "cap_reached"  # this edge took the identifier over its cap: its links are gone
    CAPPED = "capped"  # the identifier was already over its cap


@dataclass(frozen=True, slots=True)
class CappedIdentifier:
    identifier: Identifier
    account_count: int
    cap: int


class LinkGraph:
    """Clusters of linked accounts over a `LinkStore`, updated per event."""

    def __init__(
        self,
        store: LinkStore,
        caps: Mapping[IdentifierKind, int] = DEFAULT_CAPS,
        *,
        load_all: bool = True,
    ) -> None:
        missing = set(IdentifierKind) - caps.keys()
        if missing:
            raise ValueError(f"no cap given for: {', '.join(sorted(missing))}")
        if any(cap < 1 for cap in caps.values()):
            raise ValueError("caps must be at least 1 account")
        self.store = store
        self.caps: Mapping[IdentifierKind, int] = dict(caps)
        # Each account in a cluster of two or more maps to its cluster's representative, and the
        # representative to the members; an account not in `_representative` is alone. Merging
        # moves the smaller cluster, so finding a cluster is one lookup.
        self._representative: dict[AccountId, AccountId] = {}
        self._members: dict[AccountId, list[AccountId]] = {}
        # Lazy graphs: the accounts whose clusters are derived, always a union of whole clusters
        # (every operation loads what it touches before changing anything). None: all of them.
        self._loaded: set[AccountId] | None = None
        if load_all:
            self._recompute(list(store.accounts()))
        else:
            self._loaded = set()

    def is_capped(self, identifier: Identifier) -> bool:
        return self.store.holder_count(identifier) > self.caps[identifier.kind]

    def observe(
        self, account_id: AccountId, identifier: Identifier, seen_at: datetime
    ) -> EdgeEffect:
        """An event showed `account_id` using `identifier`."""
        cap = self.caps[identifier.kind]
        if self._loaded is not None:
            touched = [account_id]
            if self.store.holder_count(identifier) <= cap:
                touched += self.store.accounts_holding(identifier)
            self._load(touched)
        if not self.store.add_edge(
            LinkEdge(account_id, identifier.kind, identifier.value, seen_at)
        ):
            return EdgeEffect.ALREADY_KNOWN
        holder_count = self.store.holder_count(identifier)
        if holder_count > cap + 1:
            return EdgeEffect.CAPPED
        holders = self.store.accounts_holding(identifier)
        if holder_count == cap + 1:
            self._recompute_clusters_of(holder for holder in holders if holder != account_id)
            return EdgeEffect.CAP_REACHED
        if len(holders) > 1:
            set_aside = self.store.not_related_to(account_id)
            for holder in holders:
                if holder != account_id and holder not in set_aside:
                    self._union(account_id, holder)
        return EdgeEffect.LINKS

    def forget(self, account_id: AccountId, identifier: Identifier) -> None:
        """The account no longer has the identifier (changed, deleted, or recorded in error)."""
        self._load([account_id])
        was_capped = self.is_capped(identifier)
        if not self.store.remove_edge(account_id, identifier):
            return
        if not was_capped:
            self._recompute_clusters_of([account_id])
        elif not self.is_capped(identifier):
            holders = self.store.accounts_holding(identifier)
            self._load(holders)
            self._link_holders(holders)

    def mark_not_related(
        self,
        account_a: AccountId,
        account_b: AccountId,
        decided_at: datetime,
        decided_by: str | None = None,
    ) -> None:
        """A reviewer's verdict: the direct link between these two accounts no longer counts."""
        if account_a == account_b:
            raise ValueError("an account cannot be unrelated to itself")
        self._load([account_a, account_b])
        first, second = sorted((account_a, account_b))
        self.store.add_verdict(NotRelatedVerdict(first, second, decided_at, decided_by))
        if self.cluster_of(account_a) == self.cluster_of(account_b):
            self._recompute_clusters_of([account_a])

    def cluster_of(self, account_id: AccountId) -> frozenset[AccountId]:
        self._load([account_id])
        representative = self._representative.get(account_id)
        if representative is None:
            return frozenset((account_id,))
        return frozenset(self._members[representative])

    def clusters(self) -> list[frozenset[AccountId]]:
        """Every cluster of two or more accounts (of a lazy graph: those loaded so far)."""
        return [frozenset(members) for members in self._members.values()]

    def capped_identifiers(self, account_id: AccountId | None = None) -> list[CappedIdentifier]:
        """Identifiers over their cap, most shared first: all, or those `account_id` holds."""
        if account_id is None:
            capped = [
                CappedIdentifier(identifier, count, cap)
                for kind, cap in self.caps.items()
                for identifier, count in self.store.crowded_identifiers(kind, cap)
            ]
        else:
            capped = [
                CappedIdentifier(identifier, count, self.caps[identifier.kind])
                for identifier in self.store.identifiers_of(account_id)
                if (count := len(self.store.accounts_holding(identifier)))
                > self.caps[identifier.kind]
            ]
        return sorted(capped, key=lambda item: (-item.account_count, item.identifier))

    def _union(self, account_a: AccountId, account_b: AccountId) -> None:
        root_a = self._representative.get(account_a, account_a)
        root_b = self._representative.get(account_b, account_b)
        if root_a == root_b:
            return
        members_a = self._members.get(root_a) or [root_a]
        members_b = self._members.get(root_b) or [root_b]
        if len(members_a) < len(members_b):
            root_a, root_b, members_a, members_b = root_b, root_a, members_b, members_a
        for member in members_b:
            self._representative[member] = root_a
        self._representative[root_a] = root_a
        members_a.extend(members_b)
        self._members[root_a] = members_a
        self._members.pop(root_b, None)

    def _link_holders(self, holders: Collection[AccountId]) -> None:
        for account_a, account_b in spanning_links(holders, self.store.not_related_to):
            self._union(account_a, account_b)

    def _recompute_clusters_of(self, accounts: Iterable[AccountId]) -> None:
        affected: set[AccountId] = set()
        for account_id in accounts:
            if account_id not in affected:
                affected.update(self.cluster_of(account_id))
        self._recompute(affected)

    def _load(self, accounts: Iterable[AccountId]) -> None:
        """Lazy graphs: derive the clusters of those `accounts` not loaded yet."""
        if self._loaded is None:
            return
        missing = [account_id for account_id in accounts if account_id not in self._loaded]
        if missing:
            self._recompute(missing)

    def _recompute(self, accounts: Collection[AccountId]) -> None:
        """Rebuild the clusters of `accounts` by following their links in the store.

        Called with a union of whole clusters (a split) the walk stays inside them: every direct
        link of the new graph was a link of the old one. Called with accounts not loaded yet, it
        walks out to the whole of their clusters, which by then are never loaded ones.
        """
        for account_id in accounts:
            representative = self._representative.pop(account_id, None)
            if representative is not None:
                self._members.pop(representative, None)
        reached = set(accounts)
        pending = list(accounts)
        done: set[Identifier] = set()
        while pending:
            for identifier in self.store.identifiers_of(pending.pop()):
                if identifier in done:
                    continue
                done.add(identifier)
                if self.is_capped(identifier):
                    continue
                holders = self.store.accounts_holding(identifier)
                for linked_pair in spanning_links(holders, self.store.not_related_to):
                    self._union(*linked_pair)
                    for account_id in linked_pair:
                        if account_id not in reached:
                            reached.add(account_id)
                            pending.append(account_id)
        if self._loaded is not None:
            self._loaded |= reached
