"""Clusters of linked accounts computed in one pass over a whole edge table.

Used to rebuild after a bulk import or a change of caps, and as the reference the incremental
`LinkGraph` is checked against. The rules are the graph's: an identifier links its holders unless
it has more holders than its kind's cap, and a "not related" verdict removes that pair's direct
link. Identifiers become integer codes (Arrow's hash encoding), the bipartite account-identifier
graph goes to SciPy's connected components, and only identifiers whose holders include a verdict
pair take the slow path through `spanning_links`.

`duckdb_connected_components` is the benchmark's baseline: the same clusters (without verdicts)
from one recursive SQL query, the way a warehouse would compute them.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from goodstanding.detectors.links.graph import AccountId, spanning_links
from goodstanding.detectors.links.identifiers import IdentifierKind

EDGE_COLUMNS = ("account_id", "kind", "value")


def _codes(column: pa.ChunkedArray) -> tuple[npt.NDArray[np.int64], pa.Array]:
    encoded = pc.dictionary_encode(column).combine_chunks()
    indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return indices, encoded.dictionary


def _check_edges(edges: pa.Table) -> None:
    missing = [name for name in EDGE_COLUMNS if name not in edges.column_names]
    if missing:
        raise ValueError(f"edge table lacks column(s): {', '.join(missing)}")
    for name in EDGE_COLUMNS:
        if edges[name].null_count:
            raise ValueError(f"edge table has empty {name} values")


def rebuild_clusters(
    edges: pa.Table,
    caps: Mapping[IdentifierKind, int],
    not_related: Iterable[tuple[AccountId, AccountId]] = (),
) -> pa.Table:
    """One row per account of `edges`: `account_id` and `cluster` (an integer label).

    `edges` has the columns `account_id`, `kind` (an `IdentifierKind` value) and `value`;
    an edge listed twice counts once.
    """
    _check_edges(edges)
    if edges.num_rows == 0:
        return pa.table({"account_id": edges["account_id"], "cluster": pa.array([], pa.int64())})
    account_codes, account_ids = _codes(edges["account_id"])
    kind_codes, kind_names = _codes(edges["kind"])
    value_codes, _ = _codes(edges["value"])
    try:
        cap_of_kind = np.array([caps[IdentifierKind(name)] for name in kind_names.to_pylist()])
    except (KeyError, ValueError) as error:
        raise ValueError(f"edge table has a kind with no cap: {error}") from error

    identifier_of_row = pd.factorize(value_codes * len(kind_names) + kind_codes)[0]
    kind_of_identifier = np.zeros(identifier_of_row.max() + 1, dtype=np.int64)
    kind_of_identifier[identifier_of_row] = kind_codes
    n_accounts = len(account_ids)
    unique_rows = pd.unique(identifier_of_row.astype(np.int64) * n_accounts + account_codes)
    identifier_codes = unique_rows // n_accounts
    account_codes = unique_rows % n_accounts

    holder_counts = np.bincount(identifier_codes)
    row_counts = holder_counts[identifier_codes]
    # Identifiers held by one account join nothing; leaving them out shrinks the graph severalfold.
    linking = (row_counts > 1) & (row_counts <= cap_of_kind[kind_of_identifier[identifier_codes]])

    extra_pairs: list[tuple[int, int]] = []
    verdict_pairs = list(not_related)
    if verdict_pairs:
        index_of = pd.Index(account_ids.to_pandas())
        linking, extra_pairs = _apply_verdicts(
            verdict_pairs, index_of, account_codes, identifier_codes, linking
        )

    n_nodes = n_accounts + len(holder_counts)
    pairs = np.array(extra_pairs, dtype=np.int64).reshape(-1, 2)
    rows = np.concatenate([account_codes[linking], pairs[:, 0]])
    cols = np.concatenate([identifier_codes[linking] + n_accounts, pairs[:, 1]])
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n_nodes, n_nodes))
    _, labels = connected_components(graph, directed=False)
    return pa.table({"account_id": account_ids, "cluster": labels[:n_accounts]})


def _apply_verdicts(
    verdict_pairs: list[tuple[AccountId, AccountId]],
    index_of: pd.Index,
    account_codes: npt.NDArray[np.int64],
    identifier_codes: npt.NDArray[np.int64],
    linking: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.bool_], list[tuple[int, int]]]:
    """Take identifiers that hold a verdict pair off the star path; return their exact links."""
    partners: dict[int, set[int]] = defaultdict(set)
    for account_a, account_b in verdict_pairs:
        code_a, code_b = index_of.get_indexer([account_a, account_b])
        if code_a >= 0 and code_b >= 0:
            partners[code_a].add(code_b)
            partners[code_b].add(code_a)
    in_verdicts = np.isin(account_codes, np.fromiter(partners, dtype=np.int64)) & linking
    held_by: dict[int, set[int]] = defaultdict(set)
    for account, identifier in zip(
        account_codes[in_verdicts], identifier_codes[in_verdicts], strict=True
    ):
        held_by[int(identifier)].add(int(account))
    affected = [
        identifier
        for identifier, holders in held_by.items()
        if any(not partners[account].isdisjoint(holders) for account in holders)
    ]
    if not affected:
        return linking, []
    on_affected = np.isin(identifier_codes, affected) & linking
    holders_of: dict[int, list[int]] = defaultdict(list)
    for account, identifier in zip(
        account_codes[on_affected], identifier_codes[on_affected], strict=True
    ):
        holders_of[int(identifier)].append(int(account))

    def not_related_to(account: int) -> AbstractSet[int]:
        return partners.get(account, set())

    pairs = [
        pair for holders in holders_of.values() for pair in spanning_links(holders, not_related_to)
    ]
    return linking & ~on_affected, pairs


def duckdb_connected_components(
    connection: duckdb.DuckDBPyConnection, edge_table: str, caps: Mapping[IdentifierKind, int]
) -> pa.Table:
    """Baseline: `account_id` and `cluster` (the smallest account id in the cluster) in one query.

    Each linking identifier becomes a star around its smallest holder; labels then spread by
    min-label propagation in a recursive CTE keyed on the account, which rewrites a label only
    when it drops, so each round costs the accounts that changed rather than all of them.
    """
    cap_rows = ", ".join(f"('{kind.value}', {int(cap)})" for kind, cap in caps.items())
    query = f"""
    WITH RECURSIVE
      caps(kind, cap) AS (VALUES {cap_rows}),
      holders AS (
        SELECT DISTINCT e.account_id, e.kind, e.value FROM {edge_table} AS e
      ),
      counted AS (
        SELECT h.account_id,
               count(*) OVER (PARTITION BY h.kind, h.value) AS holder_count,
               min(h.account_id) OVER (PARTITION BY h.kind, h.value) AS centre,
               caps.cap
        FROM holders AS h JOIN caps ON caps.kind = h.kind
      ),
      star AS (
        SELECT account_id AS a, centre AS b FROM counted
        WHERE holder_count <= cap AND account_id <> centre
      ),
      adjacent AS (SELECT a AS src, b AS dst FROM star UNION ALL SELECT b, a FROM star),
      labels(account_id, cluster) USING KEY (account_id) AS (
        SELECT DISTINCT account_id, account_id FROM holders
        UNION
        SELECT adjacent.dst, min(labels.cluster)
        FROM labels
        JOIN adjacent ON adjacent.src = labels.account_id
        JOIN recurring.labels AS known ON known.account_id = adjacent.dst
        GROUP BY adjacent.dst, known.cluster
        HAVING min(labels.cluster) < known.cluster
      )
    SELECT account_id, cluster FROM labels
    """
    return connection.sql(query).to_arrow_table()
