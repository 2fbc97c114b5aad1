"""The incremental linker against clusters recomputed from scratch."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodstanding.detectors.links.graph import (
    DEFAULT_CAPS,
    EdgeEffect,
    InMemoryLinkStore,
    LinkGraph,
)
from goodstanding.detectors.links.identifiers import Identifier, IdentifierKind
from goodstanding.detectors.links.rebuild import rebuild_clusters

T0 = datetime(2025, 3, 1, tzinfo=UTC)
SMALL_CAPS = dict.fromkeys(IdentifierKind, 3)
# Small enough that short random sequences often take an identifier over its cap and back.
PROPERTY_CAPS = dict.fromkeys(IdentifierKind, 2)


def partition(clusters: Iterable[Iterable[str]]) -> set[frozenset[str]]:
    return {frozenset(cluster) for cluster in clusters if len(frozenset(cluster)) > 1}


def rebuilt_partition(graph: LinkGraph) -> set[frozenset[str]]:
    edges = list(graph.store.edges())
    table = pa.table(
        {
            "account_id": [edge.account_id for edge in edges],
            "kind": [edge.kind.value for edge in edges],
            "value": [edge.value for edge in edges],
        }
    )
    verdicts = [(v.account_a, v.account_b) for v in graph.store.verdicts()]
    rows = rebuild_clusters(table, graph.caps, verdicts).to_pylist()
    by_label: dict[int, set[str]] = {}
    for row in rows:
        by_label.setdefault(row["cluster"], set()).add(row["account_id"])
    return partition(by_label.values())


def brute_force_partition(graph: LinkGraph) -> set[frozenset[str]]:
    """Components of the pairwise direct links, by repeated merging (no union-find)."""
    holders: dict[Identifier, set[str]] = {}
    for edge in graph.store.edges():
        holders.setdefault(edge.identifier, set()).add(edge.account_id)
    set_aside = {frozenset((v.account_a, v.account_b)) for v in graph.store.verdicts()}
    groups = [{account} for account in graph.store.accounts()]
    for identifier, accounts in holders.items():
        if len(accounts) > graph.caps[identifier.kind]:
            continue
        for a in accounts:
            for b in accounts:
                if a < b and frozenset((a, b)) not in set_aside:
                    group_a = next(g for g in groups if a in g)
                    group_b = next(g for g in groups if b in g)
                    if group_a is not group_b:
                        group_a |= group_b
                        groups.remove(group_b)
    return partition(groups)


ACCOUNTS = st.sampled_from([f"acct-{n}" for n in range(6)])
IDENTIFIERS = st.builds(
    Identifier,
    st.sampled_from([IdentifierKind.DEVICE, IdentifierKind.SIGN_IN_IP]),
    st.sampled_from(["a", "b", "c"]),
)
EVENTS = st.lists(
    st.one_of(
        st.tuples(st.just("observe"), ACCOUNTS, IDENTIFIERS),
        st.tuples(st.just("observe"), ACCOUNTS, IDENTIFIERS),
        st.tuples(st.just("forget"), ACCOUNTS, IDENTIFIERS),
        st.tuples(st.just("not_related"), ACCOUNTS, ACCOUNTS),
    ),
    min_size=5,
    max_size=60,
)


class TestIncrementalEqualsRebuild:
    @settings(max_examples=300, deadline=None)
    @given(events=EVENTS)
    def test_random_event_sequences(self, events: list[tuple[str, str, object]]) -> None:
        graph = LinkGraph(InMemoryLinkStore(), PROPERTY_CAPS)
        for step, (action, account, other) in enumerate(events):
            at = T0 + timedelta(minutes=step)
            if action == "observe":
                assert isinstance(other, Identifier)
                graph.observe(account, other, at)
            elif action == "forget":
                assert isinstance(other, Identifier)
                graph.forget(account, other)
            elif isinstance(other, str) and other != account:
                graph.mark_not_related(account, other, at)
            expected = brute_force_partition(graph)
            assert partition(graph.clusters()) == expected
        assert rebuilt_partition(graph) == partition(graph.clusters())
        reloaded = LinkGraph(graph.store, PROPERTY_CAPS)
        assert partition(reloaded.clusters()) == partition(graph.clusters())


class TestObserve:
    def test_shared_device_links_two_accounts(self) -> None:
        graph = LinkGraph(InMemoryLinkStore())
        device = Identifier(IdentifierKind.DEVICE, "d-1")
        assert graph.observe("a", device, T0) is EdgeEffect.LINKS
        assert graph.observe("b", device, T0) is EdgeEffect.LINKS
        assert graph.cluster_of("a") == {"a", "b"}

    def test_repeat_sighting_is_already_known_and_keeps_first_seen(self) -> None:
        graph = LinkGraph(InMemoryLinkStore())
        phone = Identifier(IdentifierKind.PHONE, "+442079460000")
        graph.observe("a", phone, T0)
        assert graph.observe("a", phone, T0 + timedelta(days=3)) is EdgeEffect.ALREADY_KNOWN
        assert graph.store.first_seen("a", phone) == T0

    def test_transitive_links_form_one_cluster(self) -> None:
        graph = LinkGraph(InMemoryLinkStore())
        graph.observe("a", Identifier(IdentifierKind.PHONE, "+1"), T0)
        graph.observe("b", Identifier(IdentifierKind.PHONE, "+1"), T0)
        graph.observe("b", Identifier(IdentifierKind.TAX_ID, "T1"), T0)
        graph.observe("c", Identifier(IdentifierKind.TAX_ID, "T1"), T0)
        assert graph.cluster_of("c") == {"a", "b", "c"}
        assert graph.clusters() == [frozenset({"a", "b", "c"})]


class TestNatCap:
    def test_five_thousand_accounts_behind_one_ip_are_not_linked(self) -> None:
        graph = LinkGraph(InMemoryLinkStore(), DEFAULT_CAPS)
        nat = Identifier(IdentifierKind.SIGN_IN_IP, "81.2.69.142")
        effects = [graph.observe(f"acct-{n}", nat, T0) for n in range(5000)]
        cap = DEFAULT_CAPS[IdentifierKind.SIGN_IN_IP]
        assert effects[cap] is EdgeEffect.CAP_REACHED
        assert set(effects[cap + 1 :]) == {EdgeEffect.CAPPED}
        assert graph.clusters() == []
        assert graph.cluster_of("acct-0") == {"acct-0"}
        reported = graph.capped_identifiers()
        assert [(r.identifier, r.account_count, r.cap) for r in reported] == [(nat, 5000, cap)]
        assert graph.capped_identifiers("acct-4999") == reported

    def test_other_shared_identifiers_still_link_behind_a_nat(self) -> None:
        graph = LinkGraph(InMemoryLinkStore(), DEFAULT_CAPS)
        nat = Identifier(IdentifierKind.SIGN_IN_IP, "81.2.69.142")
        for n in range(100):
            graph.observe(f"acct-{n}", nat, T0)
        bank = Identifier(IdentifierKind.BANK_ACCOUNT, "ab" * 32)
        graph.observe("acct-1", bank, T0)
        graph.observe("acct-2", bank, T0)
        assert graph.clusters() == [frozenset({"acct-1", "acct-2"})]

    def test_falling_back_under_the_cap_links_again(self) -> None:
        graph = LinkGraph(InMemoryLinkStore(), SMALL_CAPS)
        ip = Identifier(IdentifierKind.SIGN_IN_IP, "81.2.69.142")
        for account in "abcd":
            graph.observe(account, ip, T0)
        assert graph.clusters() == []
        graph.forget("d", ip)
        assert graph.cluster_of("a") == {"a", "b", "c"}
        assert graph.capped_identifiers() == []


class TestSplits:
    def test_removing_the_bridging_identifier_splits_the_cluster(self) -> None:
        graph = LinkGraph(InMemoryLinkStore())
        device = Identifier(IdentifierKind.DEVICE, "d-1")
        phone = Identifier(IdentifierKind.PHONE, "+1")
        graph.observe("a", device, T0)
        graph.observe("b", device, T0)
        graph.observe("b", phone, T0)
        graph.observe("c", phone, T0)
        graph.forget("b", phone)
        assert partition(graph.clusters()) == {frozenset({"a", "b"})}
        assert graph.cluster_of("c") == {"c"}

    def test_removing_one_of_two_shared_identifiers_keeps_the_link(self) -> None:
        graph = LinkGraph(InMemoryLinkStore())
        for identifier in (
            Identifier(IdentifierKind.DEVICE, "d"),
            Identifier(IdentifierKind.PHONE, "+1"),
        ):
            graph.observe("a", identifier, T0)
            graph.observe("b", identifier, T0)
        graph.forget("a", Identifier(IdentifierKind.DEVICE, "d"))
        assert graph.cluster_of("a") == {"a", "b"}

    def test_not_related_verdict_splits_a_pair(self) -> None:
        graph = LinkGraph(InMemoryLinkStore())
        ip = Identifier(IdentifierKind.SIGN_IN_IP, "81.2.69.142")
        graph.observe("a", ip, T0)
        graph.observe("b", ip, T0)
        graph.mark_not_related("a", "b", T0)
        assert graph.clusters() == []

    def test_not_related_pair_stays_clustered_through_a_third_account(self) -> None:
        graph = LinkGraph(InMemoryLinkStore())
        ip = Identifier(IdentifierKind.SIGN_IN_IP, "81.2.69.142")
        for account in "abc":
            graph.observe(account, ip, T0)
        graph.mark_not_related("a", "b", T0)
        assert graph.cluster_of("a") == {"a", "b", "c"}
        graph.forget("c", ip)
        assert graph.clusters() == []

    def test_verdict_holds_for_identifiers_shared_later(self) -> None:
        graph = LinkGraph(InMemoryLinkStore())
        graph.mark_not_related("a", "b", T0)
        device = Identifier(IdentifierKind.DEVICE, "d-9")
        graph.observe("a", device, T0)
        graph.observe("b", device, T0)
        assert graph.clusters() == []

    def test_an_account_cannot_be_unrelated_to_itself(self) -> None:
        graph = LinkGraph(InMemoryLinkStore())
        with pytest.raises(ValueError, match="itself"):
            graph.mark_not_related("a", "a", T0)


class TestCaps:
    def test_every_kind_needs_a_cap(self) -> None:
        with pytest.raises(ValueError, match="no cap given for: bank_account, device"):
            LinkGraph(InMemoryLinkStore(), {IdentifierKind.EMAIL: 3})

    def test_caps_below_one_are_refused(self) -> None:
        with pytest.raises(ValueError, match="at least 1"):
            LinkGraph(InMemoryLinkStore(), dict.fromkeys(IdentifierKind, 0))
