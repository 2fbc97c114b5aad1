"""The incremental linker on the database store (lazy graphs, one per transaction as in the
service) against components recomputed from scratch, on SQLite and PostgreSQL."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from sqlalchemy import delete

from goodstanding.detectors.links.graph import InMemoryLinkStore, LinkGraph
from goodstanding.detectors.links.identifiers import Identifier, IdentifierKind
from goodstanding.detectors.links.store import DatabaseLinkStore
from goodstanding.kit.db import Database
from goodstanding.models.link_edge import LinkEdgeRecord
from goodstanding.models.link_verdict import LinkVerdict
from tests.detectors.links.test_links_graph import (
    EVENTS,
    PROPERTY_CAPS,
    T0,
    brute_force_partition,
    partition,
)

ACCOUNT_IDS = [f"acct-{n}" for n in range(6)]


def apply(graph: LinkGraph, step: int, event: tuple[str, str, object]) -> None:
    action, account, other = event
    at = T0 + timedelta(minutes=step)
    if action == "observe":
        assert isinstance(other, Identifier)
        graph.observe(account, other, at)
    elif action == "forget":
        assert isinstance(other, Identifier)
        graph.forget(account, other)
    elif isinstance(other, str) and other != account:
        graph.mark_not_related(account, other, at, "reviewer")


def lazy_partition(graph: LinkGraph) -> set[frozenset[str]]:
    return partition(graph.cluster_of(account) for account in ACCOUNT_IDS)


class TestLazyGraphEqualsRebuild:
    @settings(max_examples=150, deadline=None)
    @given(events=EVENTS)
    def test_in_memory(self, events: list[tuple[str, str, object]]) -> None:
        store = InMemoryLinkStore()
        for step, event in enumerate(events):
            apply(LinkGraph(store, PROPERTY_CAPS, load_all=False), step, event)
            fresh = LinkGraph(store, PROPERTY_CAPS, load_all=False)
            assert lazy_partition(fresh) == brute_force_partition(fresh)

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(events=EVENTS)
    def test_on_the_database(
        self, database: Database, events: list[tuple[str, str, object]]
    ) -> None:
        with database.transaction() as db:
            db.execute(delete(LinkEdgeRecord))
            db.execute(delete(LinkVerdict))
        for step, event in enumerate(events):
            with database.transaction() as db:
                graph = LinkGraph(DatabaseLinkStore(db), PROPERTY_CAPS, load_all=False)
                apply(graph, step, event)
                expected = brute_force_partition(graph)
                assert lazy_partition(graph) == expected
        with database.transaction() as db:
            store = DatabaseLinkStore(db)
            assert lazy_partition(LinkGraph(store, PROPERTY_CAPS, load_all=False)) == expected
            assert partition(LinkGraph(store, PROPERTY_CAPS).clusters()) == expected


class TestDatabaseStore:
    def test_repeat_edge_is_refused_and_counts_do_not_list_holders(
        self, database: Database
    ) -> None:
        ip = Identifier(IdentifierKind.SIGN_IN_IP, "81.2.69.160")
        with database.transaction() as db:
            graph = LinkGraph(DatabaseLinkStore(db), load_all=False)
            for n in range(25):
                graph.observe(f"acct-{n}", ip, T0)
        with database.transaction() as db:
            store = DatabaseLinkStore(db)
            assert store.holder_count(ip) == 25
            assert store.first_seen("acct-3", ip) == T0
            assert list(store.crowded_identifiers(IdentifierKind.SIGN_IN_IP, 20)) == [(ip, 25)]
            graph = LinkGraph(store, load_all=False)
            assert graph.cluster_of("acct-0") == {"acct-0"}
            assert graph.observe("acct-0", ip, T0 + timedelta(days=1)).value == "already_known"
