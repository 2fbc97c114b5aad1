"""docs/policies.md shows the standing table the code enforces."""

from __future__ import annotations

from pathlib import Path

from goodstanding.policy.policy_center import standing_table_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "policies.md"


def test_the_docs_table_is_the_standing_table() -> None:
    text = DOCS.read_text(encoding="utf-8")
    after_start = text.split("<!-- standing-table:start -->\n", 1)[1]
    table = after_start.split("<!-- standing-table:end -->", 1)[0]
    assert table == standing_table_markdown(), (
        "docs/policies.md is stale: paste `goodstanding policy standing-table` between the markers"
    )
