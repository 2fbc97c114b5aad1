"""`goodstanding screen listings FILE.csv`: bad input is one line; output is one row per input.

The listings are made up for the test.
"""

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
import typer

from goodstanding.detectors.listings.cli import OUTPUT_COLUMNS, screen_listings


def run(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        screen_listings(path)
        code = 0
    except typer.Exit as exit_:
        code = exit_.exit_code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


class TestBadInput:
    def test_missing_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, err = run(tmp_path / "nope.csv", capsys)
        assert code == 1 and out == ""
        assert err == f"error: {tmp_path / 'nope.csv'}: no such file\n"

    def test_a_folder(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(tmp_path, capsys)
        assert code == 1 and err.count("\n") == 1 and "is a folder" in err

    def test_no_title_column(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "listings.csv"
        path.write_text("name,price\nMug,3\n", encoding="utf-8")
        code, out, err = run(path, capsys)
        assert code == 1 and out == ""
        assert err == f"error: {path}: the CSV needs a 'title' column\n"

    def test_unknown_category(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "listings.csv"
        path.write_text("title,category\nMug,none\nRifle,guns\n", encoding="utf-8")
        code, _, err = run(path, capsys)
        assert code == 1
        assert err.startswith(f"error: {path}: row 2: unknown category 'guns'")
        assert err.count("\n") == 1

    def test_not_utf8(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "listings.csv"
        path.write_bytes("title\nCaf\xe9 mug\n".encode("latin-1"))
        code, _, err = run(path, capsys)
        assert code == 1 and err == f"error: {path}: not UTF-8 text\n"


@pytest.mark.slow
class TestScreening:
    def test_one_row_per_listing_in_order(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "listings.csv"
        path.write_text(
            "title,description,category,brand\n"
            'Ceramic coffee mug 350ml,"Dishwasher safe, white",,HomeCo\n'
            "Professional lock pick set,24 pieces with tension wrench,,\n"
            "Assorted accessories,,weapons,\n"
            "Pistola de agua para niños,Juguete de verano,,\n",
            encoding="utf-8",
        )
        code, out, err = run(path, capsys)
        assert code == 0, err
        rows = list(csv.reader(io.StringIO(out)))
        assert tuple(rows[0]) == OUTPUT_COLUMNS
        assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4"]
        decisions = [row[2] for row in rows[1:]]
        assert decisions == ["allow", "block", "block", "allow"]
        assert rows[2][1] == "lock_picking"
        assert "phrase 'lock pick'" in rows[2][4] or "phrase 'tension wrench'" in rows[2][4]
        assert "declared weapons" in rows[3][4]
        assert all(0.0 <= float(row[3]) <= 1.0 for row in rows[1:])

    def test_header_only_file_gives_header_only(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "listings.csv"
        path.write_text("title\n", encoding="utf-8")
        code, out, _ = run(path, capsys)
        assert code == 0 and out == ",".join(OUTPUT_COLUMNS) + "\n"


class TestOperatorPolicy:
    @pytest.fixture
    def run_under_policy(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> Callable[[str, str], tuple[int, str, str]]:
        def run_with(policy: str, listings: str) -> tuple[int, str, str]:
            policy_file = tmp_path / "policy.toml"
            policy_file.write_text(policy, encoding="utf-8")
            monkeypatch.setenv("GOODSTANDING_POLICY_FILE", str(policy_file))
            path = tmp_path / "listings.csv"
            path.write_text(listings, encoding="utf-8")
            return run(path, capsys)

        return run_with

    def test_decisions_follow_the_operators_policy_file(
        self, run_under_policy: Callable[[str, str], tuple[int, str, str]]
    ) -> None:
        code, out, _ = run_under_policy(
            '[listing_categories]\nlighting = "prohibited"\n',
            "title,category\nLED desk lamp,lighting\n",
        )
        assert code == 0
        [row] = list(csv.DictReader(io.StringIO(out)))
        assert (row["label"], row["decision"]) == ("lighting", "block")

    def test_a_bad_policy_file_is_one_line(
        self, run_under_policy: Callable[[str, str], tuple[int, str, str]]
    ) -> None:
        code, out, err = run_under_policy(
            '[listing_categories]\nlighting = "forbidden"\n', "title\nLED desk lamp\n"
        )
        assert code != 0 and out == ""
        assert err.count("\n") == 1
        assert "unknown setting for lighting 'forbidden'" in err
