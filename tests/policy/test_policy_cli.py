from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from goodstanding.policy.cli import app
from goodstanding.policy.enums import Metric
from tests.policy.policy_factories import default_policies, measured, seller

runner = CliRunner()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


class TestCheck:
    def test_the_defaults_pass(self) -> None:
        result = runner.invoke(app, ["check"])
        assert result.exit_code == 0
        assert f"{len(default_policies().policies)} policies enabled" in result.stdout

    def test_a_bad_file_is_one_line_naming_the_line(self, tmp_path: Path) -> None:
        override = write(tmp_path / "ops.toml", '[policies.fraud]\nladder = ["ban"]\n')
        result = runner.invoke(app, ["check", str(override)])
        assert result.exit_code != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1
        assert f"{override}:2: policies.fraud.ladder[0]: unknown action 'ban'" in lines[0]


class TestSimulate:
    def test_counts_from_json_lines(self, tmp_path: Path) -> None:
        sellers = [
            seller(seller_id="a", metrics={Metric.CANCEL_RATE: measured(9, 100, window_days=7)}),
            seller(seller_id="b", metrics={Metric.CANCEL_RATE: measured(1, 100, window_days=7)}),
        ]
        inputs = write(
            tmp_path / "history.jsonl", "\n".join(s.model_dump_json() for s in sellers) + "\n"
        )
        override = write(tmp_path / "ops.toml", "[policies.cancel_rate]\nshadow = true\n")
        result = runner.invoke(app, ["simulate", str(override), "--inputs", str(inputs)])
        assert result.exit_code == 0, result.stderr
        assert "2 sellers, 2 inputs" in result.stdout
        (cancel_line,) = [
            line for line in result.stdout.splitlines() if line.startswith("cancel_rate ")
        ]
        assert cancel_line.split() == ["cancel_rate", "shadow", "1", "1", "0"]

    def test_a_bad_input_line_is_named(self, tmp_path: Path) -> None:
        inputs = write(tmp_path / "history.jsonl", '{"seller_id": "a"}\n')
        result = runner.invoke(app, ["simulate", "--inputs", str(inputs)])
        assert result.exit_code != 0
        assert f"{inputs}:1: as_of: Field required" in result.stderr

    def test_a_missing_input_file(self, tmp_path: Path) -> None:
        result = runner.invoke(app, ["simulate", "--inputs", str(tmp_path / "absent.jsonl")])
        assert result.exit_code != 0
        assert "cannot read" in result.stderr
        assert "Traceback" not in result.stderr
