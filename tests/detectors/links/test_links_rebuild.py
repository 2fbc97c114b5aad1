"""Bulk rebuild of clusters and the DuckDB connected-components baseline."""

import random

import duckdb
import pyarrow as pa
import pytest

from goodstanding.detectors.links.identifiers import IdentifierKind
from goodstanding.detectors.links.rebuild import duckdb_connected_components, rebuild_clusters

CAPS = dict.fromkeys(IdentifierKind, 3)


def edges(rows: list[tuple[str, str, str]]) -> pa.Table:
    account_ids, kinds, values = zip(*rows, strict=True) if rows else ((), (), ())
    return pa.table(
        {
            "account_id": pa.array(account_ids, pa.string()),
            "kind": pa.array(kinds, pa.string()),
            "value": pa.array(values, pa.string()),
        }
    )


def partition(table: pa.Table) -> set[frozenset[str]]:
    by_label: dict[object, set[str]] = {}
    for row in table.to_pylist():
        by_label.setdefault(row["cluster"], set()).add(row["account_id"])
    return {frozenset(members) for members in by_label.values()}


class TestRebuildClusters:
    def test_shared_identifiers_join_accounts(self) -> None:
        table = edges(
            [
                ("a", "device", "d1"),
                ("b", "device", "d1"),
                ("b", "phone", "+1"),
                ("c", "phone", "+1"),
                ("d", "phone", "+2"),
            ]
        )
        assert partition(rebuild_clusters(table, CAPS)) == {frozenset("abc"), frozenset("d")}

    def test_same_value_of_different_kinds_does_not_link(self) -> None:
        table = edges([("a", "device", "x"), ("b", "tax_id", "x")])
        assert partition(rebuild_clusters(table, CAPS)) == {frozenset("a"), frozenset("b")}

    def test_identifier_over_its_cap_links_nobody(self) -> None:
        table = edges([(account, "sign_in_ip", "81.2.69.142") for account in "abcd"])
        assert partition(rebuild_clusters(table, CAPS)) == {frozenset(x) for x in "abcd"}

    def test_repeated_edges_count_once_towards_the_cap(self) -> None:
        table = edges([(account, "sign_in_ip", "81.2.69.142") for account in "abcaaa"])
        assert partition(rebuild_clusters(table, CAPS)) == {frozenset("abc")}

    def test_not_related_pair_is_split(self) -> None:
        table = edges([("a", "device", "d1"), ("b", "device", "d1")])
        assert partition(rebuild_clusters(table, CAPS, [("a", "b")])) == {
            frozenset("a"),
            frozenset("b"),
        }

    def test_empty_table(self) -> None:
        assert rebuild_clusters(edges([]), CAPS).num_rows == 0

    def test_missing_column_is_a_clear_error(self) -> None:
        with pytest.raises(ValueError, match="lacks column"):
            rebuild_clusters(pa.table({"account_id": ["a"], "value": ["x"]}), CAPS)

    def test_unknown_kind_is_a_clear_error(self) -> None:
        with pytest.raises(ValueError, match="no cap"):
            rebuild_clusters(edges([("a", "fax", "1")]), CAPS)


class TestDuckDBBaseline:
    def test_agrees_with_rebuild_on_random_edges(self) -> None:
        rng = random.Random(11)
        kinds = ["device", "phone", "sign_in_ip"]
        rows = [
            (f"acct-{rng.randrange(400)}", rng.choice(kinds), f"v{rng.randrange(300)}")
            for _ in range(1200)
        ]
        table = edges(rows)
        connection = duckdb.connect()
        connection.register("link_edges", table)
        baseline = duckdb_connected_components(connection, "link_edges", CAPS)
        rebuilt = rebuild_clusters(table, CAPS)
        assert partition(baseline) == partition(rebuilt)
        assert len(partition(rebuilt)) < baseline.num_rows  # some accounts really are linked
