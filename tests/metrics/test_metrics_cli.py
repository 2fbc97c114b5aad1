"""``goodstanding events import`` then ``goodstanding metrics export/show`` on a generated
marketplace: the online counters export exactly what DuckDB recomputes from the stored events."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from goodstanding.demo.generator import GeneratorOptions, generate_events, write_ndjson
from goodstanding.events.cli import app as events_app
from goodstanding.metrics.cli import app as metrics_app
from goodstanding.metrics.export import CSV_HEADER
from tests.detectors.store_factories import no_embedding_model

__all__ = ["no_embedding_model"]  # a fixture used below

runner = CliRunner()
AS_OF = date(2024, 6, 30)
SMALL = GeneratorOptions(
    seed=5,
    sellers=4,
    days=30,
    as_of=AS_OF,
    orders_per_seller_per_day=2.0,
    duplicate_share=0.1,
    out_of_order_share=0.05,
)


@pytest.fixture
def events_file(tmp_path: Path) -> Path:
    path = tmp_path / "events.ndjson"
    with path.open("w", encoding="utf-8") as out:
        write_ndjson(generate_events(SMALL), out)
        out.write('{"event_id": "bad", "type": "order.delivered"}\n{not json\n')
    return path


@pytest.fixture
def _database_env(
    database_url: str, monkeypatch: pytest.MonkeyPatch, no_embedding_model: object
) -> None:
    monkeypatch.setenv("GOODSTANDING_DATABASE_URL", database_url)
    # The import's jobs (detector hooks, policy re-evaluation) run in the test, without torch.
    monkeypatch.setenv("GOODSTANDING_JOBS_IMMEDIATE", "true")


@pytest.mark.usefixtures("_database_env")
class TestImportAndExport:
    def test_import_then_online_export_equals_duckdb_recompute(
        self, events_file: Path, tmp_path: Path
    ) -> None:
        refused_out = tmp_path / "refused.jsonl"
        imported = runner.invoke(
            events_app,
            ["import", str(events_file), "--refused-out", str(refused_out), "--chunk-size", "700"],
        )
        assert imported.exit_code == 0, imported.output
        lines = events_file.read_text().splitlines()
        refused = [json.loads(line) for line in refused_out.read_text().splitlines()]
        assert [item["position"] for item in refused] == [len(lines) - 1, len(lines)]
        assert refused[0]["event_id"] == "bad"
        summary = imported.stdout.splitlines()[0]
        accepted, duplicate = (int(part.split()[1]) for part in summary.split(", ")[:2])
        assert duplicate > 0
        assert accepted + duplicate + 2 == len(lines)

        again = runner.invoke(events_app, ["import", str(events_file)])
        assert again.stdout.splitlines()[0] == f"accepted 0, duplicate {len(lines) - 2}, refused 2"

        online = runner.invoke(metrics_app, ["export", "--as-of", AS_OF.isoformat()])
        duckdb = runner.invoke(
            metrics_app, ["export", "--as-of", AS_OF.isoformat(), "--engine", "duckdb"]
        )
        assert online.exit_code == 0, online.output
        rows = list(csv.reader(io.StringIO(online.stdout)))
        assert tuple(rows[0]) == CSV_HEADER
        sellers = {row[0] for row in rows[1:]}
        assert sellers and len(rows) - 1 == 10 * len(sellers)
        assert online.stdout == duckdb.stdout
        by_parts = runner.invoke(
            metrics_app,
            ["export", "--as-of", AS_OF.isoformat(), "--engine", "duckdb", "--partitions", "3"],
        )
        assert by_parts.exit_code == 0, by_parts.output
        assert by_parts.stdout == online.stdout

    def test_show_prints_one_sellers_table(self, events_file: Path) -> None:
        runner.invoke(events_app, ["import", str(events_file)])
        exported = runner.invoke(metrics_app, ["export", "--as-of", AS_OF.isoformat()])
        seller_id = exported.stdout.splitlines()[1].split(",")[0]
        shown = runner.invoke(metrics_app, ["show", seller_id, "--as-of", AS_OF.isoformat()])

        assert shown.exit_code == 0, shown.output
        assert shown.stdout.splitlines()[1].split() == [
            "metric", "numerator", "denominator", "value", "window", "target", "status",
        ]  # fmt: skip
        assert shown.stdout.splitlines()[0] == f"seller {seller_id}, as of {AS_OF}"
        assert len(shown.stdout.splitlines()) == 12


@pytest.mark.usefixtures("_database_env")
class TestBadInput:
    def test_errors_are_one_line_and_a_non_zero_exit(self, tmp_path: Path) -> None:
        odd = tmp_path / "events.txt"
        odd.write_text("x")
        cases = [
            (events_app, ["import", str(tmp_path / "missing.ndjson")], "no such file"),
            (events_app, ["import", str(odd)], "unknown event file type"),
            (metrics_app, ["export", "--as-of", "yesterday"], "--as-of must be a date"),
            (metrics_app, ["show", "nobody"], "There is no seller nobody."),
            (metrics_app, ["export", "--partitions", "0"], "--partitions must be at least 1"),
            (metrics_app, ["export", "--partitions", "4"], "applies to --engine duckdb only"),
        ]
        for app, arguments, message in cases:
            result = runner.invoke(app, arguments)
            assert result.exit_code != 0, arguments
            assert message in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1
            assert "Traceback" not in result.output
